/**
 * Governance state layout and the reads its rules need. Everything that decides whether an event is valid is
 * read "as of a log position" (eligibility, member count, parameters, policies), so a rule sees the same values
 * whichever later log entries a node has already applied — the fold contract.
 */
import type { StateView } from '../dag'
import { defaultParams, isParamName, type ParamValues } from '../params'
import type {
  DelegationStored,
  LogEntryRecord,
  PolicyRecord,
  ProposalRecord,
  ResultRecord,
  VoteRecord,
} from './types'

const pad = (n: number): string => n.toString(16).padStart(12, '0')
const padTs = (n: number): string => n.toString(16).padStart(14, '0')

export const govKeys = {
  /** The log: position → entry id (genesis at 0). */
  log: (scope: string, n: number): string => `gov/log/${scope}/${pad(n)}`,
  logPrefix: (scope: string): string => `gov/log/${scope}/`,
  entry: (id: string): string => `gov/entry/${id}`,
  head: (scope: string): string => `gov/head/${scope}`,
  /** Membership history: 1 (member) or 0 (removed) after log entry n. */
  membership: (scope: string, did: string, n: number): string => `gov/mh/${scope}/${did}/${pad(n)}`,
  membershipPrefix: (scope: string, did: string): string => `gov/mh/${scope}/${did}/`,
  /** Member count after log entry n (written when it changes). */
  count: (scope: string, n: number): string => `gov/count/${scope}/${pad(n)}`,
  countPrefix: (scope: string): string => `gov/count/${scope}/`,
  /** Full parameter set after log entry n (written when it changes). */
  params: (scope: string, n: number): string => `gov/ph/${scope}/${pad(n)}`,
  paramsPrefix: (scope: string): string => `gov/ph/${scope}/`,
  /** Active policy module history: { module } or { module: null } after log entry n. */
  policyAt: (scope: string, name: string, n: number): string => `gov/pol/${scope}/${name}/${pad(n)}`,
  policyAtPrefix: (scope: string, name: string): string => `gov/pol/${scope}/${name}/`,
  /** The currently active module of a named policy. */
  policy: (scope: string, name: string): string => `gov/policy/${scope}/${name}`,
  policyPrefix: (scope: string): string => `gov/policy/${scope}/`,
  proposal: (id: string): string => `gov/p/${id}`,
  result: (proposal: string): string => `gov/r/${proposal}`,
  vote: (proposal: string, voter: string): string => `gov/v/${proposal}/${voter}`,
  votePrefix: (proposal: string): string => `gov/v/${proposal}/`,
  voteCount: (proposal: string): string => `gov/vc/${proposal}`,
  delegation: (scope: string, delegator: string, seq: number): string =>
    `gov/d/${scope}/${delegator}/${pad(seq)}`,
  delegationPrefix: (scope: string, delegator?: string): string =>
    delegator === undefined ? `gov/d/${scope}/` : `gov/d/${scope}/${delegator}/`,
  joinRequest: (scope: string, id: string): string => `gov/jr/${scope}/${id}`,
  joinRequestPrefix: (scope: string): string => `gov/jr/${scope}/`,
  /** Admit proposals made for a join request (a set: several attempts may exist). */
  joinProposal: (request: string, proposal: string): string => `gov/jrp/${request}/${proposal}`,
  joinProposalPrefix: (request: string): string => `gov/jrp/${request}/`,
  /** Join request that used an invite (inviter + nonce). */
  inviteUse: (inviter: string, nonce: string): string => `gov/inv/${inviter}/${nonce}`,
  /** The federation a standalone cooperative joined by proposal (the nesting parent is fixed in `info`). */
  federation: (scope: string): string => `gov/fed/${scope}`,
  /** Cooperatives that belong to a federation, nested or joined (the cooperative's side of the link). */
  child: (parent: string, scope: string): string => `gov/child/${parent}/${scope}`,
  childPrefix: (parent: string): string => `gov/child/${parent}/`,
}

/** Derived indexes (not hashed): listing and the finalizer's work queue. */
export const govIndex = {
  scope: (scope: string): string => `gov/i/scope/${scope}`,
  scopePrefix: 'gov/i/scope/',
  all: (ts: number, id: string): string => `gov/i/all/${padTs(ts)}/${id}`,
  allPrefix: 'gov/i/all/',
  byScope: (scope: string, ts: number, id: string): string => `gov/i/s/${scope}/${padTs(ts)}/${id}`,
  byScopePrefix: (scope: string): string => `gov/i/s/${scope}/`,
  /** Proposals without a result, by deadline. */
  open: (deadline: number, id: string): string => `gov/i/open/${padTs(deadline)}/${id}`,
  openPrefix: 'gov/i/open/',
  openUpTo: (deadline: number): string => `gov/i/open/${padTs(deadline + 1)}`,
}

export function logEntry(view: StateView, id: string): Promise<LogEntryRecord | undefined> {
  return view.get<LogEntryRecord>(govKeys.entry(id))
}

export async function logHead(
  view: StateView,
  scope: string,
): Promise<{ n: number; id: string } | undefined> {
  return view.get<{ n: number; id: string }>(govKeys.head(scope))
}

/** The latest row of a position-keyed history with position ≤ n. */
async function atOrBefore<T>(view: StateView, prefix: string, n: number): Promise<T | undefined> {
  const rows = await view.list<T>(prefix, { reverse: true, after: prefix + pad(n + 1), limit: 1 })
  return rows[0]?.value
}

export async function isMemberAt(view: StateView, scope: string, did: string, n: number): Promise<boolean> {
  return (await atOrBefore<number>(view, govKeys.membershipPrefix(scope, did), n)) === 1
}

export async function memberCountAt(view: StateView, scope: string, n: number): Promise<number> {
  return Number((await atOrBefore<number>(view, govKeys.countPrefix(scope), n)) ?? 0)
}

export async function paramsAt(view: StateView, scope: string, n: number): Promise<ParamValues> {
  const params = defaultParams()
  const stored = await atOrBefore<Record<string, bigint | number>>(view, govKeys.paramsPrefix(scope), n)
  for (const [name, value] of Object.entries(stored ?? {}))
    if (isParamName(name)) params[name] = BigInt(value)
  return params
}

export async function policyAt(
  view: StateView,
  scope: string,
  name: string,
  n: number,
): Promise<string | null> {
  const row = await atOrBefore<{ module: string | null }>(view, govKeys.policyAtPrefix(scope, name), n)
  return row?.module ?? null
}

export function readProposal(view: StateView, id: string): Promise<ProposalRecord | undefined> {
  return view.get<ProposalRecord>(govKeys.proposal(id))
}

export function readResult(view: StateView, proposal: string): Promise<ResultRecord | undefined> {
  return view.get<ResultRecord>(govKeys.result(proposal))
}

export async function readVotes(
  view: StateView,
  proposal: string,
): Promise<{ voter: string; vote: VoteRecord }[]> {
  const prefix = govKeys.votePrefix(proposal)
  const out: { voter: string; vote: VoteRecord }[] = []
  let after: string | undefined
  for (;;) {
    const rows = await view.list<VoteRecord>(prefix, {
      limit: 10_000,
      ...(after === undefined ? {} : { after }),
    })
    for (const row of rows) out.push({ voter: row.key.slice(prefix.length), vote: row.value })
    if (rows.length < 10_000) return out
    after = (rows[rows.length - 1] as { key: string }).key
  }
}

/** Delegations of a scope, grouped by delegator, oldest first. */
export async function readDelegations(
  view: StateView,
  scope: string,
  delegator?: string,
): Promise<Map<string, DelegationStored[]>> {
  const prefix = govKeys.delegationPrefix(scope, delegator)
  const out = new Map<string, DelegationStored[]>()
  let after: string | undefined
  for (;;) {
    const rows = await view.list<DelegationStored>(prefix, {
      limit: 10_000,
      ...(after === undefined ? {} : { after }),
    })
    for (const row of rows) {
      const rest = row.key.slice(govKeys.delegationPrefix(scope).length)
      const who = rest.slice(0, rest.lastIndexOf('/'))
      let list = out.get(who)
      if (list === undefined) out.set(who, (list = []))
      list.push(row.value)
    }
    if (rows.length < 10_000) return out
    after = (rows[rows.length - 1] as { key: string }).key
  }
}

/** The delegation of one delegator that applies to a proposal: the latest by seq with ts ≤ deadline. */
export function applicableDelegation(
  list: readonly DelegationStored[],
  proposal: string,
  deadline: number,
): DelegationStored | undefined {
  let best: DelegationStored | undefined
  for (const d of list) {
    if (d.ts > deadline) continue
    if (d.proposal !== null && d.proposal !== proposal) continue
    if (best === undefined || d.seq > best.seq) best = d
  }
  return best
}

export function readPolicy(view: StateView, scope: string, name: string): Promise<PolicyRecord | undefined> {
  return view.get<PolicyRecord>(govKeys.policy(scope, name))
}
