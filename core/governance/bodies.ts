/**
 * Structural checks of governance event bodies (the DAG's parseBody). They need no state, so a malformed body
 * is rejected before it is stored; state rules (membership, deadlines, bounds of the charter) are in rules.ts.
 */
import { IcnError, type IcnErrorCode } from '../errors'
import { CID, DAG_CBOR, RAW } from '../dag'
import { isDidKey, isScopeDid } from '../identity'
import { PARAMS, isParamName, type ParamName } from '../params'
import { POLICY_ENTRIES } from '../runtime/abi'
import { VOTING_METHODS, isCapabilityName, type Int, type ProposalAction } from './types'
import { parseInvite, verifyInvite } from './invite'
import type {
  BallotsBody,
  DelegateBody,
  GenesisBody,
  JoinRequestBody,
  ProposeBody,
  ResultBody,
  VoteBody,
} from './types'

export const LIMITS = {
  name: 100,
  title: 200,
  summary: 20_000,
  reason: 2_000,
  option: 200,
  maxOptions: 20,
  foundingMembers: 500,
  validators: 50,
  changes: 32,
  roles: 8,
  role: 32,
  memo: 500,
  /** A capability proposal's note. */
  note: 500,
  policySource: 48 * 1024,
  addrs: 16,
  addr: 300,
  message: 1_000,
  /** Votes + delegations one result may list (the event must stay under the DAG's 64 KiB). */
  resultBallots: 1_400,
} as const

export type Fail = (why: string) => never

export function failer(code: IcnErrorCode, what: string): Fail {
  return (why) => {
    throw new IcnError(code, `${what}: ${why}.`)
  }
}

export function record(value: unknown, keys: readonly string[], fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    fail('not a map')
  const r = value as Record<string, unknown>
  const got = Object.keys(r)
  if (got.length !== keys.length || !keys.every((k) => k in r))
    fail(`fields must be exactly ${keys.join(', ')}`)
  return r
}

function plainMap(value: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    fail(`${field} must be a map`)
  if (Object.keys(value).length > 64) fail(`${field} has too many entries`)
  return value as Record<string, unknown>
}

export function text(value: unknown, max: number, field: string, fail: Fail, min = 0): string {
  if (typeof value !== 'string') fail(`${field} must be text`)
  const s = value
  if (s.length < min || s.length > max) fail(`${field} must be ${min}–${max} characters`)
  return s
}

function textOrNull(value: unknown, max: number, field: string, fail: Fail): string | null {
  return value === null ? null : text(value, max, field, fail)
}

export function isInt(value: unknown): value is Int {
  return (typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint'
}

function int(value: unknown, field: string, fail: Fail): Int {
  if (!isInt(value)) fail(`${field} must be an integer`)
  return value
}

export function eventCid(value: unknown, field: string, fail: Fail): CID {
  const cid = CID.asCID(value)
  if (cid === null || cid.version !== 1 || cid.code !== DAG_CBOR) fail(`${field} must be an event CID`)
  return cid
}

function cidOrNull(value: unknown, field: string, fail: Fail): CID | null {
  return value === null ? null : eventCid(value, field, fail)
}

export function didKey(value: unknown, field: string, fail: Fail): string {
  if (!isDidKey(value)) fail(`${field} must be a did:key`)
  return value
}

function uniqueStrings(value: unknown, max: number, itemMax: number, field: string, fail: Fail): string[] {
  if (!Array.isArray(value) || value.length > max) fail(`${field} must be a list of at most ${max}`)
  const list = value as unknown[]
  const seen = new Set<string>()
  for (const item of list) {
    const s = text(item, itemMax, `each of ${field}`, fail, 1)
    if (seen.has(s)) fail(`${field} lists "${s.slice(0, 40)}" twice`)
    seen.add(s)
  }
  return list as string[]
}

/** The scope DID of a genesis event id, and back. */
export function scopeDid(genesisId: string): string {
  return `did:icn:${genesisId}`
}

export function genesisCidOf(scope: string): CID | undefined {
  if (!isScopeDid(scope)) return undefined
  try {
    const cid = CID.parse(scope.slice('did:icn:'.length))
    return cid.code === DAG_CBOR ? cid : undefined
  } catch {
    return undefined
  }
}

// ---- genesis -----------------------------------------------------------------------------------------------

export function parseGenesis(body: unknown): GenesisBody {
  const fail = failer('GOV_INVALID_CHARTER', 'Invalid charter')
  const b = record(body, ['kind', 'name', 'members', 'params', 'bounds', 'validators', 'parentBasis'], fail)
  if (b['kind'] !== 'federation' && b['kind'] !== 'cooperative')
    fail('kind must be federation or cooperative')
  text(b['name'], LIMITS.name, 'name', fail, 1)
  const members = uniqueStrings(b['members'], LIMITS.foundingMembers, 200, 'members', fail)
  for (const m of members) didKey(m, 'each founding member', fail)
  const validators = uniqueStrings(b['validators'], LIMITS.validators, 200, 'validators', fail)
  for (const v of validators) didKey(v, 'each validator', fail)
  cidOrNull(b['parentBasis'], 'parentBasis', fail)
  const bounds = plainMap(b['bounds'], 'bounds', fail)
  for (const [name, value] of Object.entries(bounds)) {
    if (!isParamName(name)) fail(`unknown parameter "${name}" in bounds`)
    const r = record(value, ['max', 'min'], fail)
    const min = BigInt(int(r['min'], `${name}.min`, fail))
    const max = BigInt(int(r['max'], `${name}.max`, fail))
    const spec = PARAMS[name as ParamName]
    if (min > max) fail(`${name}: min ${min} is above max ${max}`)
    if (min < spec.min || max > spec.max)
      fail(`${name}: bounds may only narrow ${spec.min}..${spec.max}, not widen them`)
  }
  const params = plainMap(b['params'], 'params', fail)
  for (const [name, value] of Object.entries(params)) {
    if (!isParamName(name)) fail(`unknown parameter "${name}"`)
    int(value, name, fail)
  }
  // Every parameter's initial value (given or default) must sit inside the charter's bounds.
  for (const [name, spec] of Object.entries(PARAMS) as [ParamName, (typeof PARAMS)[ParamName]][]) {
    const v = params[name] === undefined ? spec.default : BigInt(params[name] as Int)
    const bound = bounds[name] as { min: Int; max: Int } | undefined
    const min = bound === undefined ? spec.min : BigInt(bound.min)
    const max = bound === undefined ? spec.max : BigInt(bound.max)
    if (v < min || v > max)
      fail(`${name} starts at ${v}, outside its bounds ${min}..${max}; set an initial value inside them`)
  }
  return body as GenesisBody
}

// ---- proposals -----------------------------------------------------------------------------------------------

function parseAction(value: unknown, fail: Fail): ProposalAction {
  if (typeof value !== 'object' || value === null) fail('action must be a map')
  const kind = (value as Record<string, unknown>)['kind']
  switch (kind) {
    case 'text':
      record(value, ['kind'], fail)
      break
    case 'parameter': {
      const a = record(value, ['kind', 'changes'], fail)
      const changes = a['changes']
      if (!Array.isArray(changes) || changes.length === 0 || changes.length > LIMITS.changes)
        fail(`a parameter change lists 1–${LIMITS.changes} changes`)
      const seen = new Set<string>()
      for (const change of changes as unknown[]) {
        const c = record(change, ['name', 'value'], fail)
        const name = c['name']
        if (!isParamName(name)) fail(`unknown parameter "${String(name)}"`)
        if (seen.has(name)) fail(`${String(name)} is changed twice`)
        seen.add(name)
        int(c['value'], String(name), fail)
      }
      break
    }
    case 'admit': {
      const a = record(value, ['kind', 'member', 'roles', 'joinRequest'], fail)
      if (!isDidKey(a['member']) && !isScopeDid(a['member']))
        fail('member must be a did:key (or a cooperative did:icn in a federation)')
      uniqueStrings(a['roles'], LIMITS.roles, LIMITS.role, 'roles', fail)
      cidOrNull(a['joinRequest'], 'joinRequest', fail)
      break
    }
    case 'remove': {
      const a = record(value, ['kind', 'member'], fail)
      if (!isDidKey(a['member']) && !isScopeDid(a['member'])) fail('member must be a DID')
      break
    }
    case 'budget': {
      const a = record(value, ['kind', 'asset', 'to', 'amount', 'token', 'memo'], fail)
      if (a['asset'] !== 'mana' && a['asset'] !== 'token') fail('asset must be mana or token')
      if (!isDidKey(a['to']) && !isScopeDid(a['to'])) fail('to must be a DID')
      const amount = BigInt(int(a['amount'], 'amount', fail))
      if (amount <= 0n) fail('amount must be a positive integer (base units)')
      if (amount > 10n ** 18n) fail('amount is too large')
      if (a['asset'] === 'mana' && a['token'] !== null) fail('a mana grant has token null')
      if (a['asset'] === 'token') text(a['token'], 200, 'token', fail, 1)
      text(a['memo'], LIMITS.memo, 'memo', fail)
      break
    }
    case 'policy': {
      const a = record(value, ['kind', 'policy', 'source', 'module', 'compiler'], fail)
      const name = a['policy']
      if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(POLICY_ENTRIES, name))
        fail(`policy must be one of ${Object.keys(POLICY_ENTRIES).join(', ')}`)
      int(a['compiler'], 'compiler', fail)
      if (a['source'] === null) {
        if (a['module'] !== null) fail('deactivating a policy has source and module null')
      } else {
        text(a['source'], LIMITS.policySource, 'source', fail, 1)
        const module = CID.asCID(a['module'])
        if (module === null || module.version !== 1 || module.code !== RAW)
          fail('module must be the raw CID of the compiled module')
      }
      break
    }
    case 'federation': {
      const a = record(value, ['kind', 'op', 'federation'], fail)
      if (a['op'] !== 'join' && a['op'] !== 'leave') fail('op must be join or leave')
      if (!isScopeDid(a['federation'])) fail('federation must be a did:icn')
      break
    }
    case 'capability': {
      const a = record(value, ['kind', 'member', 'capability', 'note'], fail)
      if (!isDidKey(a['member']) && !isScopeDid(a['member'])) fail('member must be a DID')
      if (!isCapabilityName(a['capability']))
        fail(
          'capability must be 1–64 characters of a-z, 0-9, ".", "_", ":" or "-", starting with a letter or digit',
        )
      text(a['note'], LIMITS.note, 'note', fail)
      break
    }
    default:
      fail('unknown proposal kind')
  }
  return value as ProposalAction
}

export function parsePropose(body: unknown): ProposeBody {
  const fail = failer('GOV_INVALID_PROPOSAL', 'Invalid proposal')
  const b = record(
    body,
    ['basis', 'title', 'summary', 'method', 'options', 'votingPeriodMs', 'quorum', 'threshold', 'action'],
    fail,
  )
  eventCid(b['basis'], 'basis', fail)
  text(b['title'], LIMITS.title, 'title', fail, 1)
  text(b['summary'], LIMITS.summary, 'summary', fail)
  if (!(VOTING_METHODS as readonly unknown[]).includes(b['method']))
    fail('method must be yesno, approval or ranked')
  const options = uniqueStrings(b['options'], LIMITS.maxOptions, LIMITS.option, 'options', fail)
  if (b['method'] === 'yesno' && options.length > 0) fail('a yes/no vote has no options')
  if (b['method'] !== 'yesno' && options.length < 2) fail('approval and ranked votes need at least 2 options')
  for (const field of ['votingPeriodMs', 'quorum', 'threshold'] as const)
    if (b[field] !== null) int(b[field], field, fail)
  const action = parseAction(b['action'], fail)
  if (b['method'] !== 'yesno' && action.kind !== 'text')
    fail('approval and ranked votes choose among options, so they are for text proposals only')
  return body as ProposeBody
}

// ---- votes and delegations ------------------------------------------------------------------------------------

export function parseVote(body: unknown): VoteBody {
  const fail = failer('GOV_INVALID_BALLOT', 'Invalid ballot')
  const b = record(body, ['proposal', 'choice', 'options', 'reason'], fail)
  eventCid(b['proposal'], 'proposal', fail)
  const choice = b['choice']
  if (choice !== null && choice !== 'yes' && choice !== 'no' && choice !== 'abstain')
    fail('choice must be yes, no or abstain')
  if (b['options'] !== null) {
    // Duplicate ranks or approvals are malformed whatever the proposal says.
    uniqueStrings(b['options'], LIMITS.maxOptions, LIMITS.option, 'options', fail)
    if (choice !== null) fail('a ballot has either a choice or options, not both')
  } else if (choice === null) {
    fail('a ballot needs a choice or options')
  }
  textOrNull(b['reason'], LIMITS.reason, 'reason', fail)
  return body as VoteBody
}

export function parseDelegate(body: unknown, author: string): DelegateBody {
  const fail = failer('GOV_INVALID_DELEGATION', 'Invalid delegation')
  const b = record(body, ['to', 'proposal'], fail)
  if (b['to'] !== null) {
    didKey(b['to'], 'to', fail)
    if (b['to'] === author) fail('a member cannot delegate to themselves')
  }
  cidOrNull(b['proposal'], 'proposal', fail)
  return body as DelegateBody
}

// ---- results -----------------------------------------------------------------------------------------------------

function cidList(value: unknown, field: string, fail: Fail): CID[] {
  if (!Array.isArray(value)) fail(`${field} must be a list`)
  for (const c of value as unknown[]) eventCid(c, `each of ${field}`, fail)
  return value as CID[]
}

export function parseBallots(body: unknown): BallotsBody {
  const fail = failer('GOV_RESULT_MISMATCH', 'Invalid ballot batch')
  const b = record(body, ['proposal', 'votes', 'delegations'], fail)
  eventCid(b['proposal'], 'proposal', fail)
  const count =
    cidList(b['votes'], 'votes', fail).length + cidList(b['delegations'], 'delegations', fail).length
  if (count === 0 || count > LIMITS.resultBallots)
    fail(`a batch lists 1–${LIMITS.resultBallots} votes and delegations`)
  return body as BallotsBody
}

export function parseResult(body: unknown): ResultBody {
  const fail = failer('GOV_RESULT_MISMATCH', 'Invalid result')
  const b = record(body, ['proposal', 'n', 'prev', 'rank', 'votes', 'delegations', 'batches', 'tally'], fail)
  eventCid(b['proposal'], 'proposal', fail)
  eventCid(b['prev'], 'prev', fail)
  const n = b['n']
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) fail('n must be an integer ≥ 1')
  if (b['rank'] !== 0 && b['rank'] !== 1 && b['rank'] !== 2) fail('rank must be 0, 1 or 2')
  const listed =
    cidList(b['votes'], 'votes', fail).length + cidList(b['delegations'], 'delegations', fail).length
  if (listed + cidList(b['batches'], 'batches', fail).length > LIMITS.resultBallots)
    fail(`a result lists at most ${LIMITS.resultBallots} votes, delegations and batches`)
  if (typeof b['tally'] !== 'object' || b['tally'] === null) fail('tally must be a map')
  return body as ResultBody
}

// ---- join requests -------------------------------------------------------------------------------------------

export function parseJoinRequest(body: unknown): JoinRequestBody {
  const fail = failer('GOV_INVALID_INVITE', 'Invalid join request')
  const b = record(body, ['invite', 'message'], fail)
  // The invite's signature needs no state: a forged or altered invite is rejected outright.
  verifyInvite(parseInvite(b['invite']))
  textOrNull(b['message'], LIMITS.message, 'message', fail)
  return body as JoinRequestBody
}
