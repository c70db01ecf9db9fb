/**
 * Live policies: the node's `PolicyRuntime` (core/governance/policy.ts) backed by the CCL compiler and the runtime's
 * in-process policy engine (core/runtime/policy.ts: instrumented, fuel-metered, reset between calls).
 *
 * Determinism. A decision calls a module with inputs that are functions of the event being decided and of the
 * state as of the proposal's basis (parameters, members and roles after log entry `basisN`; `now()` is the
 * event's ts), with a fixed fuel budget (LIVE_POLICY_FUEL). Fuel is counted per basic block and host call by the
 * instrumenter, so the same module, inputs and fuel give the same value — or the same failure — on every node.
 * A failure (trap, out of fuel, stack exhausted, an out-of-range result) is answered with the built-in rule,
 * which is deterministic as well, and recorded: logged at warn and kept in `fallbacks()` for the API.
 * `mana_cost` is the exception: economics' fee hook asks it (`manaCost`) with the scope's current state, as it reads
 * the `cost.<action>` parameter the policy replaces, because economics state is not pinned to a governance log
 * position (docs/ccl.md, "Entries and their inputs").
 *
 * Module bytes. The active module CID comes from governance's policy history. The bytes come from the block store
 * when present, otherwise from the activating proposal's source (found through the governance log entry that
 * activated it), recompiled and checked against the CID — the compiler is deterministic — so a node that has not
 * yet stored the module (or never received the block) decides the same way.
 *
 * This file is deliberately not re-exported from core/ccl/index.ts: governance imports the compiler, and this
 * module imports governance's state layout.
 */
import type { Dag, StateView } from '../dag'
import { CID } from 'multiformats/cid'
import { cidFor, RAW } from '../dag/codec'
import { IcnError } from '../errors'
import type { FeePolicyInput } from '../economics'
import type { Logger } from '../logger'
import { defaultParams } from '../params'
import { scopeKeys, type MemberRecord } from '../scope'
import { POLICY_ENTRIES, type CclType, type PolicyContext, type PolicyName } from '../runtime/abi'
import { PolicyEngine, type CompiledPolicy, type PolicyArgs } from '../runtime/policy'
import { govKeys, paramsAt } from '../governance/state'
import {
  DEFAULT_POLICY,
  GOVERNANCE_POLICIES,
  type GovernancePolicy,
  type GovernancePolicyName,
  type PolicyLoadInput,
  type PolicyRuntime,
} from '../governance/policy'
import { defaultPasses } from '../governance/tally'
import type { LogEntryRecord, PolicyRecord } from '../governance/types'
import { compile } from './index'

/** Fuel for every live policy call. Part of the protocol: changing it can change decisions. */
export const LIVE_POLICY_FUEL = 1_000_000n
/** Largest vote weight a policy may return; above it (or below 0) the built-in weight applies. */
export const MAX_POLICY_VOTE_WEIGHT = 1_000_000
/** Verified modules kept compiled (oldest dropped first). */
const MODULE_CACHE = 64
/** How many fallbacks `fallbacks()` remembers. */
export const FALLBACK_HISTORY = 100

export interface PolicyFallback {
  scope: string
  policy: PolicyName
  module: string
  /** Error code of the failure: RUNTIME_OUT_OF_FUEL, RUNTIME_TRAP, RUNTIME_STACK_OVERFLOW, CCL_POLICY_FAILED… */
  code: string
  message: string
  /** ts of the decision (the event being decided), not the wall clock. */
  ts: number
}

export interface ActivePolicy {
  scope: string
  policy: PolicyName
  /** Raw CID of the compiled module. */
  module: string
  /** The passed proposal that activated it. */
  proposal: string
  /** Position of that proposal's result in the scope's governance log: decisions with a basis ≥ n use it. */
  n: number
  /** ts of the activation (the result's execution). */
  since: number
}

export interface PolicyRunInput {
  entry: PolicyName
  /** One of: CCL source, compiled module bytes, or the CID of a module in the block store. */
  source?: string
  wasm?: Uint8Array
  module?: string
  /** Scope whose current members, roles and parameters the host calls read; none: an empty context. */
  scope?: string
  /** Entry arguments by parameter name, as text: integers in decimal, Bool as true/false. */
  inputs: Record<string, string>
  /** @default LIVE_POLICY_FUEL */
  fuel?: bigint
  /** `now()`. @default Date.now() */
  now?: number
}

export interface PolicyRunResult {
  entry: PolicyName
  /** The decision the node would take: the policy's value, or the built-in default when it failed. */
  value: string
  /** The policy's own value, null when it failed. */
  policyValue: string | null
  /** The built-in rule's value for the same inputs. */
  defaultValue: string
  fallback: boolean
  error: { code: string; message: string } | null
  fuelUsed: string
  logs: string[]
  module: string
}

export interface LivePoliciesInit {
  dag: Dag
  logger: Logger
  /** @default a private PolicyEngine */
  engine?: PolicyEngine
  /** @default LIVE_POLICY_FUEL */
  fuel?: bigint
}

type Failure = { code: string; message: string }

function failureOf(err: unknown): Failure {
  if (err instanceof IcnError) return { code: err.code, message: err.message }
  return { code: 'RUNTIME_TRAP', message: err instanceof Error ? err.message : String(err) }
}

/** The node's policy runtime: governance calls `load`; the API calls `run`, `active` and `fallbacks`. */
export class LivePolicies implements PolicyRuntime {
  private readonly engine: PolicyEngine
  private readonly fuel: bigint
  /** module CID → compiled policy (verified bytes). */
  private readonly modules = new Map<string, CompiledPolicy>()
  private readonly failures: PolicyFallback[] = []

  constructor(private readonly init: LivePoliciesInit) {
    this.engine = init.engine ?? new PolicyEngine()
    this.fuel = init.fuel ?? LIVE_POLICY_FUEL
  }

  /** Recent fallbacks, newest last. */
  fallbacks(scope?: string): PolicyFallback[] {
    return this.failures.filter((f) => scope === undefined || f.scope === scope)
  }

  // ---- PolicyRuntime ---------------------------------------------------------------------------------------

  async load(input: PolicyLoadInput): Promise<Partial<GovernancePolicy>> {
    const { scope, view, basisN, ts } = input
    const context = await contextAt(view, scope, basisN, ts)
    const out: Partial<GovernancePolicy> = {}
    for (const name of GOVERNANCE_POLICIES) {
      const cid = input.modules[name]
      if (cid === undefined) continue
      const policy = await this.moduleFor(view, scope, name, cid, basisN)
      const call = <N extends GovernancePolicyName>(entry: N, args: PolicyArgs<N>) =>
        this.decide(policy, cid, scope, entry, args, context, ts)
      switch (name) {
        case 'can_propose':
          out.canPropose = (i) => {
            const v = call('can_propose', { proposer: i.proposer, kind: i.kind })
            return v === undefined ? DEFAULT_POLICY.canPropose(i) : (v as boolean)
          }
          break
        case 'vote_weight':
          out.voteWeight = (voter) => {
            const v = call('vote_weight', { voter })
            if (v === undefined) return DEFAULT_POLICY.voteWeight(voter)
            const w = v as bigint
            if (w < 0n || w > BigInt(MAX_POLICY_VOTE_WEIGHT)) {
              this.record({
                scope,
                policy: 'vote_weight',
                module: cid,
                code: 'CCL_POLICY_FAILED',
                message: `vote_weight returned ${w}, outside 0..${MAX_POLICY_VOTE_WEIGHT}.`,
                ts,
              })
              return DEFAULT_POLICY.voteWeight(voter)
            }
            return Number(w)
          }
          break
        case 'proposal_passes':
          out.proposalPasses = (i) => {
            const v = call('proposal_passes', {
              yes: BigInt(i.yes),
              no: BigInt(i.no),
              abstain: BigInt(i.abstain),
              eligible: BigInt(i.eligible),
            })
            return v === undefined ? DEFAULT_POLICY.proposalPasses(i) : (v as boolean)
          }
          break
      }
    }
    return out
  }

  /** One decision: the policy's value, or undefined after recording a fallback. */
  private decide<N extends PolicyName>(
    policy: CompiledPolicy,
    module: string,
    scope: string,
    entry: N,
    args: PolicyArgs<N>,
    context: PolicyContext,
    ts: number,
  ): unknown {
    try {
      return this.engine.call(policy, entry, args, context, { fuel: this.fuel }).value
    } catch (err) {
      this.record({ scope, policy: entry, module, ...failureOf(err), ts })
      return undefined
    }
  }

  private record(f: PolicyFallback): void {
    this.failures.push(f)
    if (this.failures.length > FALLBACK_HISTORY) this.failures.shift()
    this.init.logger.warn('policy failed; the built-in rule decides', { ...f })
  }

  /** The verified, compiled module of an active policy (block store, else the activating proposal's source). */
  private async moduleFor(
    view: StateView,
    scope: string,
    name: PolicyName,
    cid: string,
    basisN: number,
  ): Promise<CompiledPolicy> {
    const hit = this.modules.get(cid)
    if (hit !== undefined) return hit
    const parsed = CID.parse(cid)
    let bytes = await this.init.dag.blocks.get(parsed).catch(() => undefined)
    if (bytes === undefined) {
      const source = await activatingSource(view, scope, name, basisN)
      if (source === undefined)
        throw new IcnError('CCL_UNKNOWN_POLICY', `The source of ${name} module ${cid} is not in the history.`)
      const wasm = compile(source).wasm
      if (!cidFor(wasm, RAW).equals(parsed))
        throw new IcnError('CCL_COMPILE', `The source of ${name} does not compile to module ${cid}.`)
      await this.init.dag.blocks.put(wasm, RAW).catch(() => undefined)
      bytes = wasm
    }
    const policy = this.engine.compile(bytes)
    this.modules.set(cid, policy)
    if (this.modules.size > MODULE_CACHE) this.modules.delete(this.modules.keys().next().value as string)
    return policy
  }

  /**
   * The scope's active `job_admission` policy, asked when this node is about to bid (core/mesh `admission`): true
   * without a policy, and the built-in true (logged, in `fallbacks()`) when the policy fails. The context is the
   * scope's current members, roles and parameters — a local decision, so it need not be pinned to a log position.
   */
  async admits(job: {
    scope: string
    submitter: string
    executor: string
    maxPrice: bigint
    fuel: bigint
  }): Promise<boolean> {
    const view = this.init.dag.view()
    const active = await view.get<PolicyRecord>(govKeys.policy(job.scope, 'job_admission'))
    if (active === undefined) return true
    const module = String(active.module)
    const ts = Date.now()
    const policy = await this.moduleFor(view, job.scope, 'job_admission', module, Number(active.n))
    const context = await currentContext(view, job.scope, ts)
    const value = this.decide(
      policy,
      module,
      job.scope,
      'job_admission',
      { submitter: job.submitter, executor: job.executor, max_price: job.maxPrice, fuel: job.fuel },
      context,
      ts,
    )
    return value === undefined ? true : (value as boolean)
  }

  /**
   * The fee of a charged event (economics' `feePolicy`, composed in core/node.ts): the scope's active `mana_cost`
   * policy's answer for (action, actor), or `input.fallback` (the `cost.<action>` parameter) when the scope has
   * none. Without a policy this is one (cached) state read: nothing is loaded or compiled. The context is the
   * scope's current parameters, members and roles; `now()` is the event's ts; `balance(actor)` its available mana
   * before this event and `reputation(actor)` its score in the economy (other DIDs answer 0). A failure — the
   * module cannot be loaded, a trap, fuel or stack exhausted, a result above `input.cap` — is answered with
   * `input.fallback`, logged and kept in `fallbacks()` (quotes are not recorded).
   */
  async manaCost(view: StateView, input: FeePolicyInput): Promise<bigint> {
    const active = await view.get<PolicyRecord>(govKeys.policy(input.scope, 'mana_cost'))
    if (active === undefined) return input.fallback
    const module = String(active.module)
    const failed = (f: Failure): bigint => {
      if (input.quote !== true)
        this.record({ scope: input.scope, policy: 'mana_cost', module, ...f, ts: input.ts })
      return input.fallback
    }
    let policy: CompiledPolicy
    let context: PolicyContext
    try {
      policy = await this.moduleFor(view, input.scope, 'mana_cost', module, Number(active.n))
      context = await currentContext(view, input.scope, input.ts)
      context.balances[input.actor] = await input.available()
      context.reputation[input.actor] = await input.reputation()
    } catch (err) {
      return failed(failureOf(err))
    }
    let value: bigint
    try {
      value = this.engine.call(policy, 'mana_cost', { action: input.action, actor: input.actor }, context, {
        fuel: this.fuel,
      }).value
    } catch (err) {
      return failed(failureOf(err))
    }
    if (value < 0n || value > input.cap)
      return failed({
        code: 'CCL_POLICY_FAILED',
        message: `mana_cost returned ${value}, outside 0..${input.cap} (the economy's mana capacity).`,
      })
    return value
  }

  // ---- API -------------------------------------------------------------------------------------------------

  /** Active policies of one scope, or of every scope, from governance's state. */
  async active(scope?: string): Promise<ActivePolicy[]> {
    const view = this.init.dag.view()
    const prefix = scope === undefined ? 'gov/policy/' : govKeys.policyPrefix(scope)
    const out: ActivePolicy[] = []
    let after: string | undefined
    for (;;) {
      const rows = await view.list<PolicyRecord>(prefix, after === undefined ? {} : { after })
      for (const row of rows) {
        const rest = row.key.slice('gov/policy/'.length)
        const cut = rest.lastIndexOf('/')
        out.push({
          scope: rest.slice(0, cut),
          policy: rest.slice(cut + 1) as PolicyName,
          module: String(row.value.module),
          proposal: row.value.proposal,
          n: Number(row.value.n),
          since: Number(row.value.ts),
        })
      }
      if (rows.length < 1000) return out
      after = (rows[rows.length - 1] as { key: string }).key
    }
  }

  /** Dry run of an entry point against the current state of a scope; nothing is written except the module. */
  async run(input: PolicyRunInput): Promise<PolicyRunResult> {
    const spec = Object.hasOwn(POLICY_ENTRIES, input.entry) ? POLICY_ENTRIES[input.entry] : undefined
    if (spec === undefined)
      throw new IcnError(
        'INVALID_ARGUMENT',
        `"${input.entry}" is not a policy entry point; use one of ${Object.keys(POLICY_ENTRIES).join(', ')}.`,
      )
    const given = [input.source, input.wasm, input.module].filter((x) => x !== undefined).length
    if (given !== 1)
      throw new IcnError(
        'INVALID_ARGUMENT',
        'Give exactly one of a source, a compiled module or a module CID.',
      )
    let bytes: Uint8Array
    if (input.source !== undefined) bytes = compile(input.source).wasm
    else if (input.wasm !== undefined) bytes = input.wasm
    else {
      let cid: CID
      try {
        cid = CID.parse(input.module as string)
      } catch {
        throw new IcnError('INVALID_ARGUMENT', `"${input.module}" is not a CID.`)
      }
      const found = await this.init.dag.blocks.get(cid)
      if (found === undefined)
        throw new IcnError('DAG_BLOCK_NOT_FOUND', `Module ${input.module} is not in this node's block store.`)
      bytes = found
    }
    const args = parseInputs(input.entry, input.inputs)
    const now = input.now ?? Date.now()
    const context =
      input.scope === undefined
        ? emptyContext(now)
        : await currentContext(this.init.dag.view(), input.scope, now)
    const defaultValue = builtIn(input.entry, args, context)
    const module = cidFor(bytes, RAW).toString()
    const policy = this.engine.compile(bytes)
    if (!policy.entries.includes(input.entry))
      throw new IcnError('CCL_UNKNOWN_POLICY', `The module does not define ${input.entry}.`)
    try {
      const outcome = this.engine.call(policy, input.entry, args as never, context, {
        fuel: input.fuel ?? this.fuel,
      })
      const value = show(outcome.value)
      return {
        entry: input.entry,
        value,
        policyValue: value,
        defaultValue,
        fallback: false,
        error: null,
        fuelUsed: outcome.fuelUsed.toString(),
        logs: outcome.logs,
        module,
      }
    } catch (err) {
      const details = err instanceof IcnError ? err.details : undefined
      return {
        entry: input.entry,
        value: defaultValue,
        policyValue: null,
        defaultValue,
        fallback: true,
        error: failureOf(err),
        fuelUsed: typeof details?.['fuelUsed'] === 'bigint' ? details['fuelUsed'].toString() : '0',
        logs: (details?.['logs'] as string[] | undefined) ?? [],
        module,
      }
    }
  }
}

function show(value: unknown): string {
  return String(value)
}

/** Parses text inputs to the entry's argument types; INVALID_ARGUMENT names what is missing or malformed. */
export function parseInputs(entry: PolicyName, inputs: Record<string, string>): Record<string, unknown> {
  const params: readonly { name: string; type: CclType }[] = POLICY_ENTRIES[entry].params
  const known = new Set(params.map((p) => p.name))
  for (const key of Object.keys(inputs))
    if (!known.has(key))
      throw new IcnError(
        'INVALID_ARGUMENT',
        `${entry} has no input "${key}"; it takes ${params.map((p) => `${p.name}: ${p.type}`).join(', ')}.`,
      )
  const out: Record<string, unknown> = {}
  for (const p of params) {
    const text = Object.hasOwn(inputs, p.name) ? inputs[p.name] : undefined
    if (text === undefined)
      throw new IcnError('INVALID_ARGUMENT', `Missing input ${p.name} (${p.type}); pass --input ${p.name}=…`)
    switch (p.type) {
      case 'Int':
      case 'Mana': {
        if (!/^-?\d{1,20}$/.test(text) || BigInt.asIntN(64, BigInt(text)) !== BigInt(text))
          throw new IcnError('INVALID_ARGUMENT', `Input ${p.name} must be a 64-bit integer, not "${text}".`)
        if (p.type === 'Mana' && BigInt(text) < 0n)
          throw new IcnError('INVALID_ARGUMENT', `Input ${p.name} is Mana and cannot be negative.`)
        out[p.name] = BigInt(text)
        break
      }
      case 'Bool':
        if (text !== 'true' && text !== 'false')
          throw new IcnError('INVALID_ARGUMENT', `Input ${p.name} must be true or false, not "${text}".`)
        out[p.name] = text === 'true'
        break
      case 'Did':
        if (!text.startsWith('did:'))
          throw new IcnError('INVALID_ARGUMENT', `Input ${p.name} must be a DID (did:…), not "${text}".`)
        out[p.name] = text
        break
      case 'String':
        out[p.name] = text
        break
    }
  }
  return out
}

function emptyContext(now: number): PolicyContext {
  return { now, params: {}, listParams: {}, balances: {}, reputation: {}, members: {}, roles: {} }
}

async function memberRecords(
  view: StateView,
  scope: string,
): Promise<{ did: string; record: MemberRecord }[]> {
  const prefix = scopeKeys.memberPrefix(scope)
  const out: { did: string; record: MemberRecord }[] = []
  let after: string | undefined
  for (;;) {
    const rows = await view.list<MemberRecord>(prefix, after === undefined ? {} : { after })
    for (const row of rows) out.push({ did: row.key.slice(prefix.length), record: row.value })
    if (rows.length < 1000) return out
    after = (rows[rows.length - 1] as { key: string }).key
  }
}

/**
 * The context of a governance decision, as of log entry `basisN`: parameters, and the members at the basis from the
 * membership history (`gov/mh`), each with the ts of the log entry that last made them a member; `now` = the decided
 * event's ts. So every node computes the same context whatever later entries it has applied. Roles come from the
 * member record (set at admission; empty for a member removed since the basis). Balances and reputation are empty:
 * economics state is not pinned to a governance log position, so reading it would let a decision differ between
 * nodes.
 */
export async function contextAt(
  view: StateView,
  scope: string,
  basisN: number,
  ts: number,
): Promise<PolicyContext> {
  const context = emptyContext(ts)
  context.params = { ...(await paramsAt(view, scope, basisN)) }
  const prefix = `gov/mh/${scope}/`
  const joined = new Map<string, number | undefined>()
  let after: string | undefined
  for (;;) {
    const rows = await view.list<number>(prefix, after === undefined ? {} : { after })
    for (const row of rows) {
      const rest = row.key.slice(prefix.length)
      const cut = rest.lastIndexOf('/')
      const did = rest.slice(0, cut)
      const n = parseInt(rest.slice(cut + 1), 16)
      if (n > basisN) continue
      // Rows come in log order per DID: the last one at or before the basis decides.
      joined.set(did, Number(row.value) === 1 ? n : undefined)
    }
    if (rows.length < 1000) break
    after = (rows[rows.length - 1] as { key: string }).key
  }
  for (const [did, n] of joined) {
    if (n === undefined) continue
    const entryId = await view.get<string>(govKeys.log(scope, n))
    const entry =
      entryId === undefined ? undefined : await view.get<LogEntryRecord>(govKeys.entry(String(entryId)))
    context.members[did] = Number(entry?.ts ?? 0)
    const record = await view.get<MemberRecord>(scopeKeys.member(scope, did))
    context.roles[did] = record?.roles ?? []
  }
  return context
}

/** The context of a dry run: the scope's current parameters, members and roles. */
async function currentContext(view: StateView, scope: string, now: number): Promise<PolicyContext> {
  const context = emptyContext(now)
  const stored = await view.get<Record<string, bigint | number>>(scopeKeys.params(scope))
  if (stored === undefined)
    throw new IcnError('GOV_UNKNOWN_SCOPE', `Scope ${scope} is unknown here; check the scope DID.`)
  const params: Record<string, bigint> = { ...defaultParams() }
  for (const [k, v] of Object.entries(stored)) params[k] = BigInt(v)
  context.params = params
  for (const { did, record } of await memberRecords(view, scope)) {
    context.members[did] = Number(record.since)
    context.roles[did] = record.roles
  }
  return context
}

/** The built-in rule's answer for a dry run (as text). */
function builtIn(entry: PolicyName, args: Record<string, unknown>, context: PolicyContext): string {
  switch (entry) {
    case 'can_propose':
      return String(Object.hasOwn(context.members, args['proposer'] as string))
    case 'vote_weight':
      return Object.hasOwn(context.members, args['voter'] as string) ? '1' : '0'
    case 'proposal_passes': {
      const n = (k: string): number => Number(args[k])
      const quorum = Number(context.params['gov.quorum'] ?? 0n)
      const threshold = Number(context.params['gov.threshold'] ?? 0n)
      return String(
        defaultPasses({
          method: 'yesno',
          yes: n('yes'),
          no: n('no'),
          abstain: n('abstain'),
          eligible: n('eligible'),
          participants: n('yes') + n('no') + n('abstain'),
          quorum,
          threshold,
          winner: null,
        }),
      )
    }
    case 'mana_cost': {
      const key = `cost.${args['action'] as string}`
      return String(context.params[key] ?? 0n)
    }
    case 'job_admission':
      return 'true'
  }
}

/**
 * The source of the module active for `name` as of log entry `basisN`: the policy history row at or before it
 * names a log position, whose entry names the proposal that carried the source.
 */
async function activatingSource(
  view: StateView,
  scope: string,
  name: PolicyName,
  basisN: number,
): Promise<string | undefined> {
  const prefix = govKeys.policyAtPrefix(scope, name)
  const pad = (n: number): string => n.toString(16).padStart(12, '0')
  const rows = await view.list<{ module: string | null }>(prefix, {
    reverse: true,
    after: prefix + pad(basisN + 1),
    limit: 1,
  })
  const row = rows[0]
  if (row === undefined) return undefined
  const n = parseInt(row.key.slice(prefix.length), 16)
  const entryId = await view.get<string>(govKeys.log(scope, n))
  if (entryId === undefined) return undefined
  const entry = await view.get<LogEntryRecord>(govKeys.entry(String(entryId)))
  if (entry?.proposal == null) return undefined
  const event = await view.getEvent(entry.proposal)
  const action = (event?.event.body as { action?: { kind?: string; source?: unknown } } | undefined)?.action
  return action?.kind === 'policy' && typeof action.source === 'string' ? action.source : undefined
}
