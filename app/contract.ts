/**
 * The application contract: every method and event name that crosses a process boundary (Electron IPC,
 * JSON-RPC/WebSocket, the CLI) is written here and only here. Front ends import this file and app/client.ts;
 * app/handlers.ts implements it on a core node (`satisfies Handlers`, so a missing handler does not compile).
 *
 * Only plain data crosses: bytes as Uint8Array, CIDs and DIDs as strings, amounts as integer strings (base units).
 * Params are validated here (zod) before any handler runs; unknown keys are rejected.
 */
import { z } from 'zod'

/** Marks a result/event payload type without a runtime value. */
function returns<T>(): T {
  return undefined as unknown as T
}

// ---------------------------------------------------------------------------------------------------------------
// Shared param schemas

const did = z.string().min(8).max(200)
const cid = z.string().min(8).max(200)
const bytes = z.instanceof(Uint8Array)
const passphrase = z.string().min(1).max(1024)
const scope = z.string().min(1).max(200)
const none = z.strictObject({})

export type NodeStatusName = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed'

/** What a node does (docs/roles.md); mirrors core/roles.ts, which front ends do not import. */
export type NodeRoleName = 'full' | 'light' | 'validator'
const nodeRole = z.enum(['full', 'light', 'validator'])

export interface ErrorInfo {
  code: string
  message: string
  details?: Record<string, unknown>
}

// ---------------------------------------------------------------------------------------------------------------
// Result types (plain data)

export interface NodeStatus {
  version: string
  protocolVersion: number
  status: NodeStatusName
  did: string | null
  locked: boolean
  /** libp2p peer id; null until networking runs. */
  peerId: string | null
  listenAddrs: string[]
  stateRoot: string
  uptimeMs: number
  startedAt: number | null
  dataDir: string
  events: number
  authors: number
  pendingEvents: number
  /** The role this node runs with (set at start: --role, $ICN_ROLE, config file `role`). */
  role: NodeRoleName
  /** The role <data>/config.json sets for the next start (what node.setRole wrote); null when it sets none. */
  nextRole: NodeRoleName | null
  /** Whether this node may bid on and execute jobs at all (false on a light node). */
  executes: boolean
  /** Scopes whose charter lists this node's member as a validator. */
  validatorOf: string[]
}

export interface IdentityStatus {
  exists: boolean
  locked: boolean
  did: string | null
  backedUp: boolean
  createdAt: number | null
}

export interface DidDocument {
  id: string
  verificationMethod: { id: string; type: string; controller: string; publicKeyMultibase: string }[]
  authentication: string[]
  assertionMethod: string[]
}

export interface BlockInfo {
  cid: string
  codec: 'raw' | 'dag-cbor'
  size: number
  /** The block's bytes. */
  bytes: Uint8Array
  /** For dag-cbor blocks: the decoded value in dag-json form (links as {"/": cid}, bytes as {"/": {"bytes"}}). */
  value?: unknown
  /** CIDs this block links to. */
  links: string[]
  /** True when the block is the root of a chunked file (use dag.cat for its content). */
  isFile: boolean
}

export type EventStatus = 'applied' | 'voided' | 'evidence'

export interface EventSummary {
  id: string
  type: string
  author: string
  seq: number
  scope: string
  ts: number
  status: EventStatus
  order: number
}

export interface EventDetail extends EventSummary {
  prev: string | null
  /** The body in dag-json form. */
  body: unknown
  signature: Uint8Array
  bytes: Uint8Array
}

export interface IngestResult {
  status: 'applied' | 'duplicate' | 'pending' | 'equivocation'
  id: string
  missing?: string[]
}

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error'

/** One line of the node's log (the JSON-lines logger's record, split into its parts). */
export interface LogLine {
  /** ISO-8601 time. */
  t: string
  level: LogLevelName
  msg: string
  component?: string
  /** The remaining fields of the record (errors with code, cause and stack). */
  fields?: Record<string, unknown>
}

/** Settings of this node that a member changes from the UI or the tray. */
export interface NodeSettings {
  /** Do not take new jobs from other members until switched back (the executor honours it). */
  pauseContributing: boolean
  /** Start with the computer; null where the front end cannot (the headless daemon). */
  autostart: boolean | null
}

export interface Progress {
  /** Which long operation, e.g. 'sync', 'dag.put', 'job'. */
  operation: string
  /** Correlates with the request that started it, when there is one. */
  requestId?: string | number
  done: number
  total?: number
  message?: string
}

// ---------------------------------------------------------------------------------------------------------------
// Methods

// ---- node (Foundation) ----
const nodeMethods = {
  'node.status': { params: none, result: returns<NodeStatus>() },
  /** Recent log lines from a bounded in-memory ring (newest last), for the Logs & diagnostics screen. */
  'node.logs': {
    params: z.strictObject({
      limit: z.number().int().min(1).max(1000).optional(),
      level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
    }),
    result: returns<{ lines: LogLine[]; file: string | null; dropped: number }>(),
  },
  'node.getSettings': { params: none, result: returns<NodeSettings>() },
  /** Writes `role` into <data>/config.json; it takes effect when the node restarts. */
  'node.setRole': {
    params: z.strictObject({ role: nodeRole }),
    result: returns<{ role: NodeRoleName; nextRole: NodeRoleName; file: string }>(),
  },
  'node.setSettings': {
    params: z.strictObject({ pauseContributing: z.boolean().optional(), autostart: z.boolean().optional() }),
    result: returns<NodeSettings>(),
  },
} as const

// ---- identity (Foundation) ----
const identityMethods = {
  'identity.get': { params: none, result: returns<IdentityStatus>() },
  'identity.create': {
    params: z.strictObject({ passphrase }),
    result: returns<{ did: string; phrase: string }>(),
  },
  'identity.recover': {
    params: z.strictObject({
      phrase: z.string().min(1).max(1000),
      passphrase,
      overwrite: z.boolean().optional(),
    }),
    result: returns<{ did: string }>(),
  },
  'identity.unlock': { params: z.strictObject({ passphrase }), result: returns<{ did: string }>() },
  'identity.lock': { params: none, result: returns<{ locked: true }>() },
  'identity.exportBackup': {
    params: z.strictObject({ passphrase }),
    result: returns<{ backup: Uint8Array; fileName: string }>(),
  },
  'identity.importBackup': {
    params: z.strictObject({
      backup: bytes.refine((b) => b.length <= 64 * 1024, 'backup files are at most 64 KiB'),
      passphrase,
      overwrite: z.boolean().optional(),
    }),
    result: returns<{ did: string }>(),
  },
  'identity.revealPhrase': { params: z.strictObject({ passphrase }), result: returns<{ phrase: string }>() },
  'identity.confirmBackup': { params: none, result: returns<IdentityStatus>() },
  'identity.resolve': { params: z.strictObject({ did }), result: returns<DidDocument>() },
} as const

// ---- dag and events (Foundation) ----
const dagMethods = {
  'dag.put': {
    params: z.strictObject({
      bytes: bytes.refine((b) => b.length <= 64 * 1024 * 1024, 'files are at most 64 MiB'),
    }),
    result: returns<{ cid: string; size: number; blocks: number }>(),
  },
  'dag.get': { params: z.strictObject({ cid }), result: returns<BlockInfo>() },
  'dag.cat': {
    params: z.strictObject({ cid }),
    result: returns<{ cid: string; bytes: Uint8Array; size: number }>(),
  },

  'events.list': {
    params: z.strictObject({
      author: did.optional(),
      type: z.string().max(100).optional(),
      scope: scope.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
      before: z.number().int().min(1).optional(),
    }),
    result: returns<{ events: EventSummary[]; next: number | null }>(),
  },
  'events.get': { params: z.strictObject({ id: cid }), result: returns<EventDetail>() },
  'events.post': {
    params: z.strictObject({
      scope: scope.default('global'),
      text: z.string().min(1).max(4000),
      refs: z.array(cid).max(16).optional(),
    }),
    result: returns<EventSummary>(),
  },
  'events.ingest': { params: z.strictObject({ bytes }), result: returns<IngestResult>() },
} as const

// ---- operations: backup, metrics (Packaging, operations and resilience) ----
const opsMethods = {
  'node.backup': {
    params: z.strictObject({ path: z.string().min(1).max(4096) }),
    result: returns<{ path: string; entries: number; files: string[]; bytes: number; sha256: string }>(),
  },
  /**
   * The node process's memory. `collect: true` ends idle job workers and runs full garbage collections first (a
   * pause of tens of ms each), so the figures are what the node keeps: the way to tell a leak from garbage not
   * collected yet, or from job workers that would have ended by themselves.
   */
  'node.memory': {
    params: z.strictObject({ collect: z.boolean().optional() }),
    result: returns<NodeMemory>(),
  },
} as const

export interface NodeMemory {
  rss: number
  /**
   * `rss` split (Linux, else null): anonymous memory (V8's heaps, malloc's arenas, LevelDB's buffers) and
   * file-backed pages (the binary's and libraries' code, paged in as code paths first run).
   */
  rssAnon: number | null
  rssFile: number | null
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
  /** True when a full collection ran just before the figures were read. */
  collected: boolean
  /** How long that collection took (ms), or null. */
  gcMs: number | null
  /**
   * Full collections run (0 without `collect`): two, and more while the committed heap shrinks by more than 1
   * MiB, up to 4, since V8 gives back the pages a collection left empty only at the next one.
   */
  gcRounds: number
  /**
   * V8's heap by space (new, old, code, large objects…): bytes committed (`size`) and in use (`used`). Tells a
   * young generation grown under a burst, or pages V8 keeps after a collection, from objects that stay.
   */
  spaces: Record<string, { size: number; used: number }>
  /**
   * LevelDB's estimate of what it holds outside the V8 heap (memtables, block cache; part of `rss`), or null when
   * the store is closed. Both are bounded (4 MiB write buffer, 8 MiB block cache) and fill as the node works.
   */
  store: number | null
  /**
   * The DAG's read cache of committed values (event metadata, chain heads, state records, blocks) against its
   * bounds: it fills towards them as the node reads and writes events. Null while the node is stopped.
   */
  readCache: { entries: number; maxEntries: number; bytes: number; maxBytes: number } | null
  /** Job (WASM runtime) worker threads alive when the figures were read; each holds its own V8 isolate. */
  jobWorkers: number
  /** Idle job workers ended before a collection (`collect`), so their memory is not counted; 0 otherwise. */
  jobWorkersEnded: number
}

// ---- network and replication ----
export interface NetworkPeer {
  peerId: string
  /** The member DID, when the peer showed a valid signed DID → peer record. */
  did: string | null
  addrs: string[]
  direction: 'inbound' | 'outbound'
  connectedAt: number
  rttMs: number | null
  /** Gossip score; negative means the peer sent invalid messages. */
  score: number
  /** ICN and gossip protocols the peer speaks. */
  protocols: string[]
}

export interface SyncRun {
  peerId: string
  startedAt: number
  finishedAt: number
  events: number
  authors: number
  error?: ErrorInfo
}

export interface NetworkStatusInfo {
  enabled: boolean
  /** libp2p is coming up (the API is served meanwhile). */
  starting: boolean
  running: boolean
  /** Why networking is not running, when it failed to start. */
  error: ErrorInfo | null
  peerId: string | null
  listenAddrs: string[]
  connections: number
  peers: number
  scopes: string[]
  topics: { topic: string; subscribers: number; mesh: number }[]
  mdns: boolean
  bootstrap: string[]
  dht: { mode: 'client' | 'server' | null; routingTableSize: number }
  record: { did: string; seq: number; expires: number; published: boolean } | null
  sync: { active: number; lastRun: SyncRun | null }
  limits: { maxConnections: number; maxInboundStreamsPerConnection: number; gossipMaxFrameBytes: number }
}

const peerId = z.string().min(10).max(200)

const networkMethods = {
  'network.status': { params: none, result: returns<NetworkStatusInfo>() },
  'network.peers': { params: none, result: returns<{ peers: NetworkPeer[] }>() },
  'network.connect': {
    params: z.strictObject({ multiaddr: z.string().min(4).max(1000) }),
    result: returns<{ peerId: string; addr: string }>(),
  },
  'network.disconnect': { params: z.strictObject({ peerId }), result: returns<{ disconnected: true }>() },
  /** Replicates from one peer, or from every connected peer; reports progress as 'sync'. */
  'network.sync': {
    params: z.strictObject({ peerId: peerId.optional() }),
    result: returns<{ runs: SyncRun[] }>(),
  },
} as const

// ---- economics: wallet and tokens ----

/** Amounts are integer strings of base units (numbers are accepted); the handler checks them (ledger codes). */
const amount = z.union([z.string().max(100), z.number()])
const recipient = z.string().min(1).max(300)
const historyKind = z.enum([
  'transfer',
  'settlement',
  'grant',
  'refund',
  'mint',
  'opening',
  'fee',
  'reserve',
  'release',
  'burn',
])

export type WalletHistoryKind = z.infer<typeof historyKind>

export interface WalletBalance {
  did: string
  scope: string
  /** The economy the scope's mana lives in (a cooperative inside a federation uses the federation's). */
  economy: string
  available: string
  reserved: string
  regenerating: {
    ratePerHour: string
    capacity: string
    /** When regeneration fills the account (ms); null when it is full or never fills. */
    fullAt: number | null
  }
  full: boolean
  /** False while the DID has not acted in this economy: `available` is the opening balance it will get. */
  opened: boolean
  /** Time (ms) the balance is evaluated at. */
  at: number
}

export interface WalletHistoryEntry {
  event: string
  kind: WalletHistoryKind
  direction: 'in' | 'out'
  /** 'mana' or a token class id. */
  asset: string
  symbol: string
  amount: string
  counterparty: string | null
  ts: number
  scope: string
  memo: string
  /** Available mana after the entry (mana entries). */
  balance: string | null
  items: string[] | null
}

export interface WalletHistory {
  did: string
  economy: string
  entries: WalletHistoryEntry[]
  /** Cursor of the next, older page; null at the end. */
  next: string | null
  /** With `format: 'csv'`: the page as CSV (header included when there is no cursor). */
  csv?: string
}

export interface WalletCost {
  /** The event type the action is. */
  type: string
  scope: string
  economy: string
  fee: string
  amount: string
  total: string
  available: string
  covered: boolean
  shortfall: string
  /** When regeneration alone covers the total (ms); null when it never will. */
  availableAt: number | null
}

export interface PendingCredit {
  credit: string
  kind: string
  scope: string
  economy: string
  from: string
  asset: string
  amount: string
  ts: number
}

export interface TokenClass {
  id: string
  scope: string
  issuer: string
  symbol: string
  name: string
  decimals: number
  fungible: boolean
  transferable: boolean
  metadata: string | null
  scopeMint: boolean
  createdAt: number
  /** Supply (base units): given by tokens.class. */
  minted?: string
  burned?: string
}

export interface TokenBalance {
  class: TokenClass
  amount: string
  items: { id: string; metadata: string | null }[]
}

export interface Reputation {
  did: string
  economy: string
  successes: number
  failures: number
  timeouts: number
  /** 0–1000; 500 for a newcomer. */
  score: number
  last: number | null
}

export interface LedgerEventResult extends EventSummary {
  /** Credit ids this event created (the recipient's node acknowledges them). */
  credits: string[]
}

const economicsMethods = {
  'wallet.balance': {
    params: z.strictObject({ did: did.optional(), scope: scope.optional() }),
    result: returns<WalletBalance>(),
  },
  'wallet.history': {
    params: z.strictObject({
      did: did.optional(),
      scope: scope.optional(),
      kind: historyKind.optional(),
      counterparty: did.optional(),
      since: z.number().int().min(0).optional(),
      until: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
      cursor: z.string().max(1000).optional(),
      format: z.enum(['json', 'csv']).optional(),
    }),
    result: returns<WalletHistory>(),
  },
  'wallet.transfer': {
    params: z.strictObject({
      to: recipient,
      amount,
      scope: scope.optional(),
      memo: z.string().max(1000).optional(),
    }),
    result: returns<LedgerEventResult>(),
  },
  'wallet.cost': {
    params: z.strictObject({
      /** A named action (transfer, vote, propose, note, mint, create-class, job) or an event type. */
      action: z.string().min(1).max(100),
      scope: scope.optional(),
      /** Value moved or escrowed on top of the fee (a transfer's amount, a job's maxPrice). */
      amount: amount.optional(),
      did: did.optional(),
    }),
    result: returns<WalletCost>(),
  },
  'wallet.pending': {
    params: z.strictObject({
      did: did.optional(),
      scope: scope.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    result: returns<{ credits: PendingCredit[] }>(),
  },
  'tokens.classes': {
    params: z.strictObject({
      scope: scope.optional(),
      issuer: did.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    result: returns<{ classes: TokenClass[] }>(),
  },
  'tokens.class': { params: z.strictObject({ id: cid }), result: returns<TokenClass>() },
  'tokens.createClass': {
    params: z.strictObject({
      symbol: z.string().min(1).max(40),
      name: z.string().max(200).optional(),
      decimals: z.number().int().optional(),
      fungible: z.boolean().optional(),
      transferable: z.boolean().optional(),
      metadata: cid.nullable().optional(),
      scopeMint: z.boolean().optional(),
      scope: scope.optional(),
    }),
    result: returns<TokenClass>(),
  },
  'tokens.mint': {
    params: z.strictObject({
      class: z.string().min(1).max(200),
      to: recipient.optional(),
      amount: amount.optional(),
      items: z
        .array(z.strictObject({ id: z.string().max(200), metadata: cid.nullable().optional() }))
        .max(1000)
        .optional(),
    }),
    result: returns<LedgerEventResult>(),
  },
  'tokens.transfer': {
    params: z.strictObject({
      class: z.string().min(1).max(200),
      to: recipient,
      amount: amount.optional(),
      ids: z.array(z.string().max(200)).max(1000).optional(),
      memo: z.string().max(1000).optional(),
    }),
    result: returns<LedgerEventResult>(),
  },
  'tokens.burn': {
    params: z.strictObject({
      class: z.string().min(1).max(200),
      amount: amount.optional(),
      ids: z.array(z.string().max(200)).max(1000).optional(),
    }),
    result: returns<LedgerEventResult>(),
  },
  'tokens.balances': {
    params: z.strictObject({ did: did.optional(), scope: scope.optional() }),
    result: returns<{ did: string; balances: TokenBalance[] }>(),
  },
  'reputation.get': {
    params: z.strictObject({ did, scope: scope.optional() }),
    result: returns<Reputation>(),
  },
} as const

// ---- governance ----
export type GovScopeKind = 'federation' | 'cooperative'
export type GovProposalKind =
  'text' | 'parameter' | 'admit' | 'remove' | 'budget' | 'policy' | 'federation' | 'capability'
export type GovVotingMethod = 'yesno' | 'approval' | 'ranked'
export type GovChoice = 'yes' | 'no' | 'abstain'
export type GovProposalStatus = 'open' | 'closed' | 'passed' | 'failed' | 'void'

export interface GovScope {
  scope: string
  kind: GovScopeKind
  name: string
  /** The federation it was created inside (fixed at genesis), or null. */
  parent: string | null
  /** The federation it belongs to: its parent, or one it joined by proposal. */
  federation: string | null
  genesis: string
  createdAt: number
  validators: string[]
  members: number
  /** Position of the latest entry of the scope's governance log (genesis is 0). */
  head: number
  isMember: boolean
  children: string[]
}

export interface GovTally {
  method: GovVotingMethod
  eligible: number
  /** Counted toward quorum: direct voters plus delegators whose delegate voted (abstentions count). */
  participants: number
  direct: number
  delegated: number
  quorum: number
  threshold: number
  quorumNeeded: number
  quorumMet: boolean
  yes: number
  no: number
  abstain: number
  options: { option: string; votes: number }[]
  /** Instant-runoff rounds, ranked choice only. */
  rounds: { tallies: { option: string; votes: number }[]; exhausted: number; eliminated: string | null }[]
  winner: string | null
  passed: boolean
}

export type GovAction =
  | { kind: 'text' }
  | { kind: 'parameter'; changes: { name: string; value: string }[] }
  | { kind: 'admit'; member: string; roles: string[]; joinRequest: string | null }
  | { kind: 'remove'; member: string }
  | {
      kind: 'budget'
      asset: 'mana' | 'token'
      to: string
      amount: string
      token: string | null
      memo: string
    }
  | { kind: 'policy'; policy: string; module: string | null; compiler: number }
  | { kind: 'federation'; op: 'join' | 'leave'; federation: string }
  /** Grants a member a capability credential when it passes (docs/credentials.md). */
  | { kind: 'capability'; member: string; capability: string; note: string }

export interface GovProposalSummary {
  id: string
  scope: string
  title: string
  kind: GovProposalKind
  method: GovVotingMethod
  status: GovProposalStatus
  proposer: string
  createdAt: number
  deadline: number
  votes: number
  eligible: number
}

export interface GovProposal extends GovProposalSummary {
  scopeName: string
  summary: string
  action: GovAction
  options: string[]
  quorum: number
  threshold: number
  finalizeBy: number
  basis: string
  basisN: number
  /** The final tally when finalized, else the live tally over the votes this node holds. */
  tally: GovTally | null
  live: boolean
  quorumProgress: {
    eligible: number
    participants: number
    direct: number
    delegated: number
    needed: number
    met: boolean
  } | null
  result: {
    id: string
    n: number
    finalizer: string
    rank: number
    ts: number
    passed: boolean
    execution: { status: 'done' | 'failed' | 'none'; message: string }
    uncounted: string[]
  } | null
  voidReason: { code: string; message: string } | null
}

export interface GovVote {
  id: string
  proposal: string
  voter: string
  choice: GovChoice | null
  options: string[] | null
  reason: string | null
  ts: number
}

export interface GovDelegation {
  id: string
  scope: string
  delegator: string
  to: string | null
  proposal: string | null
  ts: number
}

export interface GovEligibility {
  proposal: string
  did: string
  canVote: boolean
  code: string | null
  reason: string
  eligible: boolean
  deadline: number
  delegatedTo: string | null
  delegators: string[]
  vote: { choice: GovChoice | null; options: string[] | null; ts: number } | null
  /** Mana a vote costs (integer string). */
  cost: string
}

export interface GovMember {
  did: string
  since: number
  roles: string[]
  admittedBy: string
}

export interface GovParameter {
  name: string
  value: string
  default: string
  min: string
  max: string
  unit: string
  doc: string
}

const intString = z.string().regex(/^-?\d{1,40}$/, 'must be an integer string')
const percent = z.number().int().min(0).max(100)
const govText = (max: number) => z.string().min(1).max(max)
/** A capability name (core/governance/types.ts CAPABILITY_NAME): e.g. treasury.sign, mesh:executor. */
const capabilityName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,63}$/, 'must be 1–64 characters of a-z, 0-9, ".", "_", ":" or "-"')
const govAction = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text') }),
  z.strictObject({
    kind: z.literal('parameter'),
    changes: z
      .array(z.strictObject({ name: z.string().min(1).max(100), value: intString }))
      .min(1)
      .max(32),
  }),
  z.strictObject({
    kind: z.literal('admit'),
    member: did,
    roles: z.array(z.string().min(1).max(32)).max(8).optional(),
    joinRequest: cid.optional(),
  }),
  z.strictObject({ kind: z.literal('remove'), member: did }),
  z.strictObject({
    kind: z.literal('budget'),
    asset: z.enum(['mana', 'token']),
    to: did,
    amount: intString,
    token: z.string().min(1).max(200).optional(),
    memo: z.string().max(500).optional(),
  }),
  z.strictObject({
    kind: z.literal('policy'),
    policy: z.string().min(1).max(64),
    source: z
      .string()
      .max(48 * 1024)
      .nullable(),
  }),
  z.strictObject({ kind: z.literal('federation'), op: z.enum(['join', 'leave']), federation: scope }),
  z.strictObject({
    kind: z.literal('capability'),
    member: did,
    capability: capabilityName,
    note: z.string().max(500).optional(),
  }),
])

const governanceMethods = {
  'gov.scopes': { params: none, result: returns<GovScope[]>() },
  'gov.createScope': {
    params: z.strictObject({
      kind: z.enum(['federation', 'cooperative']),
      name: govText(100),
      members: z.array(did).max(500).optional(),
      params: z.record(z.string().max(100), intString).optional(),
      bounds: z.record(z.string().max(100), z.strictObject({ min: intString, max: intString })).optional(),
      validators: z.array(did).max(50).optional(),
      parent: scope.optional(),
    }),
    result: returns<GovScope>(),
  },
  'gov.invite': {
    params: z.strictObject({
      scope,
      invitee: did.optional(),
      expiresInMs: z
        .number()
        .int()
        .min(60_000)
        .max(90 * 24 * 3600 * 1000)
        .optional(),
    }),
    result: returns<{
      link: string
      scope: string
      inviter: string
      invitee: string | null
      expires: number
      addrs: string[]
    }>(),
  },
  'gov.join': {
    params: z.strictObject({ invite: z.string().min(1).max(8192), message: z.string().max(1000).optional() }),
    result: returns<{ scope: string; name: string; request: string; inviter: string }>(),
  },
  'gov.propose': {
    params: z.strictObject({
      scope,
      title: govText(200),
      summary: z.string().max(20_000).optional(),
      action: govAction,
      method: z.enum(['yesno', 'approval', 'ranked']).optional(),
      options: z.array(govText(200)).max(20).optional(),
      votingPeriodMs: z.number().int().min(1).optional(),
      quorum: percent.optional(),
      threshold: percent.optional(),
    }),
    result: returns<GovProposal>(),
  },
  'gov.vote': {
    params: z.strictObject({
      proposal: cid,
      choice: z.enum(['yes', 'no', 'abstain']).optional(),
      options: z.array(govText(200)).max(20).optional(),
      reason: z.string().max(2000).optional(),
    }),
    result: returns<GovVote>(),
  },
  'gov.delegate': {
    params: z.strictObject({ scope, to: did.nullable(), proposal: cid.optional() }),
    result: returns<GovDelegation>(),
  },
  'gov.list': {
    params: z.strictObject({
      scope: scope.optional(),
      status: z.enum(['open', 'closed', 'passed', 'failed', 'void']).optional(),
      type: z
        .enum(['text', 'parameter', 'admit', 'remove', 'budget', 'policy', 'federation', 'capability'])
        .optional(),
      limit: z.number().int().min(1).max(500).optional(),
      cursor: z.string().max(600).optional(),
    }),
    result: returns<{ proposals: GovProposalSummary[]; next: string | null }>(),
  },
  'gov.get': { params: z.strictObject({ proposal: cid }), result: returns<GovProposal>() },
  'gov.eligibility': {
    params: z.strictObject({ proposal: cid, did: did.optional() }),
    result: returns<GovEligibility>(),
  },
  'gov.members': {
    params: z.strictObject({ scope }),
    result: returns<{ scope: string; count: number; members: GovMember[] }>(),
  },
  'gov.parameters': {
    params: z.strictObject({ scope }),
    result: returns<{ scope: string; parameters: GovParameter[] }>(),
  },
} as const

// ---- runtime and mesh jobs ----
/** Mesh amounts travel as integer strings (base units); small integers are accepted as numbers. */
const meshAmount = z.union([
  z.string().regex(/^\d{1,16}$/, 'an amount is a whole number'),
  z.number().int().min(0),
])
const blob = z.union([
  bytes.refine((b) => b.length <= 12 * 1024 * 1024, 'files are at most 12 MiB over RPC'),
  cid,
])

export type MeshJobStatus = 'bidding' | 'assigned' | 'verifying' | 'paid' | 'rejected' | 'refunded'

export interface MeshManifestInfo {
  module: string
  engine: 'v8' | 'wasmer'
  entry: string
  args: string[]
  env: Record<string, string>
  stdin: string | null
  inputs: string[]
  limits: { fuel: string; memoryMiB: number; timeoutMs: number; outputBytes: number }
  maxPrice: string
  minReputation: number
  bidWindowMs: number
  verification: 'none' | 'reexecute'
}

export interface MeshCostPreview {
  scope: string
  escrow: string
  fee: string
  total: string
  /** null when the node has no wallet. */
  available: string | null
  covered: boolean | null
  shortfall: string
  availableAt: number | null
}

export interface MeshJobSummary {
  id: string
  scope: string
  submitter: string
  role: 'submitter' | 'executor' | 'observer'
  status: MeshJobStatus
  /** Why a job was rejected or refunded: no-bids, cancelled, timeout, mismatch, limits, unavailable. */
  reason: string | null
  maxPrice: string
  price: string | null
  executor: string | null
  attempt: number
  engine: 'v8' | 'wasmer'
  submittedAt: number
  settledAt: number | null
}

export interface MeshReceiptInfo {
  id: string
  assign: string
  executor: string
  output: string
  stdout: string
  stderr: string
  stdoutBytes: number
  outputBytes: number
  fuelUsed: string
  exit: number
  error: { code: string; message: string } | null
  startedAt: number
  finishedAt: number
  deterministic: boolean
  current: boolean
}

export interface MeshJobDetail extends MeshJobSummary {
  manifest: MeshManifestInfo
  bids: {
    executor: string
    price: string
    reputation: number
    latencyMs: number
    score: number | null
    state: 'assigned' | 'tried' | 'ranked' | 'price' | 'reputation' | 'self' | 'late'
  }[]
  assignments: {
    id: string
    attempt: number
    executor: string
    price: string
    startTs: number
    deadline: number
    timedOut: boolean
  }[]
  receipts: MeshReceiptInfo[]
  verification: {
    method: 'checks' | 'reexecuted'
    ok: boolean
    reason: string | null
    differences: string[]
    at: number
  } | null
  settlement: {
    id: string
    kind: 'paid' | 'rejected' | 'refunded'
    reason: string
    note: string
    price: string
    executor: string | null
    receipt: string | null
    ts: number
    /** Validators of the job's scope that signed an attestation of this settlement. */
    attestations: MeshAttestationInfo[]
  } | null
  /** Each known executor and why it has not bid (while bidding, and for jobs that ended without bids). */
  waiting: { executor: string; reason: string; message: string }[]
}

export interface MeshVerifyReport {
  job: string
  receipt: string
  match: boolean
  deterministic: boolean
  local: { exit: number; error: string | null; fuelUsed: string; stdout: string; output: string }
  remote: { exit: number; error: string | null; fuelUsed: string; stdout: string; output: string }
  differences: string[]
}

export interface ExecutorSettingsInfo {
  enabled: boolean
  cpuSharePercent: number
  schedule: { startHour: number; endHour: number } | null
  pausedUntil: number | null
  minPrice: string
  allow: string[]
  deny: string[]
  wasmer: boolean
}

export interface ExecutorStatsInfo {
  settings: ExecutorSettingsInfo
  accepting: boolean
  reason: 'disabled' | 'paused' | 'schedule' | 'busy' | 'locked' | null
  until: number | null
  slots: number
  running: { job: string; since: number; stage: 'queued' | 'fetching' | 'running' }[]
  completed: number
  failed: number
  earned: string
  reputation: number
  recent: { seen: number; bid: number; won: number; outbid: number; declined: Record<string, number> }
  explanations: string[]
}

/** A validator's signed attestation of a settlement or governance result (a `validator/attest` event). */
export interface MeshAttestationInfo {
  validator: string
  event: string
  ts: number
}

export type MeshDisputeStatus = 'open' | 'confirmed' | 'reversed'

/** A validator's verdict on a dispute: what its own run of the job produced and what that means. */
export interface MeshVerdictInfo {
  id: string
  validator: string
  result: 'confirm' | 'reverse'
  /** Whether the validator's run reproduced the disputed receipt. */
  matches: boolean
  exit: number
  error: string | null
  fuelUsed: string
  output: string
  stdout: string
  ts: number
}

/** A dispute on a job's settlement (docs/mesh.md §Disputes). */
export interface MeshDisputeInfo {
  id: string
  job: string
  scope: string
  settlement: string
  receipt: string
  /** The settlement disputed: a payment or a mismatch rejection. */
  kind: 'paid' | 'rejected'
  price: string
  submitter: string
  executor: string
  opener: string
  reason: string
  /** The charter's validators who judge it (the job's parties excluded), and how many must agree. */
  validators: string[]
  quorum: number
  status: MeshDisputeStatus
  verdicts: MeshVerdictInfo[]
  resolution: { id: string; by: string; ts: number } | null
  /** After a reversal: what the losing party owes (recorded; the winner was credited at once). */
  debt: { debtor: string; creditor: string; amount: string } | null
  openedAt: number
}

const jobId = z.strictObject({ job: cid })

const meshMethods = {
  'mesh.submit': {
    params: z.strictObject({
      /** The module's bytes, or the CID of a module already stored. */
      module: blob,
      engine: z.enum(['v8', 'wasmer']).optional(),
      entry: z.string().min(1).max(128).optional(),
      args: z.array(z.string().max(4096)).max(256).optional(),
      env: z.record(z.string().min(1).max(256), z.string().max(4096)).optional(),
      stdin: blob.nullable().optional(),
      inputs: z.array(blob).max(1024).optional(),
      limits: z
        .strictObject({
          fuel: meshAmount.optional(),
          memoryMiB: z.number().int().min(1).max(4096).optional(),
          timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
          outputBytes: z
            .number()
            .int()
            .min(0)
            .max(64 * 1024 * 1024)
            .optional(),
        })
        .optional(),
      maxPrice: meshAmount,
      minReputation: z.number().int().min(0).max(1000).optional(),
      bidWindowMs: z.number().int().min(1).max(3_600_000).optional(),
      scope: scope.optional(),
      verification: z.enum(['none', 'reexecute']).optional(),
      /** Only store the blobs and return the manifest and cost; submit nothing. */
      preview: z.boolean().optional(),
    }),
    result: returns<{ job: string | null; manifest: MeshManifestInfo; cost: MeshCostPreview }>(),
  },
  'mesh.list': {
    params: z.strictObject({
      role: z.enum(['submitter', 'executor', 'all']).optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }),
    result: returns<{ jobs: MeshJobSummary[] }>(),
  },
  'mesh.get': { params: jobId, result: returns<MeshJobDetail>() },
  'mesh.cancel': { params: jobId, result: returns<MeshJobDetail>() },
  'mesh.output': {
    params: jobId,
    result: returns<{
      job: string
      receipt: string
      exit: number
      error: { code: string; message: string } | null
      stdout: Uint8Array
      stderr: Uint8Array
      outputs: Record<string, Uint8Array>
    }>(),
  },
  'mesh.verify': { params: jobId, result: returns<MeshVerifyReport>() },
  /** Opens a dispute on a settled job (its submitter or executor); the scope's validators re-execute it. */
  'mesh.dispute': {
    params: z.strictObject({ job: cid, reason: z.string().trim().min(1).max(1000) }),
    result: returns<MeshDisputeInfo>(),
  },
  /** Disputes of one job, or the latest ones this node holds, with their verdicts and status. */
  'mesh.disputes': {
    params: z.strictObject({
      job: cid.optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }),
    result: returns<{ disputes: MeshDisputeInfo[] }>(),
  },
  /** Validators' attestations of an event: a job's settlement or a proposal's result. */
  'mesh.attestations': {
    params: z.strictObject({ event: cid }),
    result: returns<{ attestations: MeshAttestationInfo[] }>(),
  },
  'executor.getSettings': { params: none, result: returns<ExecutorSettingsInfo>() },
  'executor.setSettings': {
    params: z.strictObject({
      enabled: z.boolean().optional(),
      cpuSharePercent: z.number().int().min(1).max(100).optional(),
      schedule: z
        .strictObject({
          startHour: z.number().int().min(0).max(23),
          endHour: z.number().int().min(0).max(24),
        })
        .nullable()
        .optional(),
      /** Pause contributing for this many hours (0 resumes). */
      pauseHours: z.number().min(0).max(168).optional(),
      minPrice: meshAmount.optional(),
      allow: z.array(did).max(1000).optional(),
      deny: z.array(did).max(1000).optional(),
      wasmer: z.boolean().optional(),
    }),
    result: returns<ExecutorSettingsInfo>(),
  },
  'executor.stats': { params: none, result: returns<ExecutorStatsInfo>() },
} as const

// ---- CCL policies ----
export interface CclDiagnostic {
  code: string
  severity: 'error' | 'warning'
  message: string
  file: string
  line: number
  column: number
  endLine: number
  endColumn: number
  excerpt: string
  /** `file:line:column: error[CODE]: message` plus the excerpt, as the CLI prints it. */
  formatted: string
}

const cclSource = z.strictObject({
  source: z.string().max(1024 * 1024),
  file: z.string().max(200).optional(),
})

export const CCL_POLICY_ENTRIES = [
  'can_propose',
  'vote_weight',
  'proposal_passes',
  'mana_cost',
  'job_admission',
] as const
export type CclPolicyEntry = (typeof CCL_POLICY_ENTRIES)[number]

const cclMethods = {
  'ccl.check': { params: cclSource, result: returns<{ ok: boolean; diagnostics: CclDiagnostic[] }>() },
  'ccl.compile': {
    params: cclSource,
    result: returns<{
      wasm: Uint8Array
      /** Raw-block CID of the module, stored in the node's block store (what a policy proposal references). */
      cid: string
      policies: string[]
      compilerVersion: number
      diagnostics: CclDiagnostic[]
    }>(),
  },
  /**
   * Dry-runs one policy entry of a source, a compiled module or a stored module (by CID) against the current
   * state of a scope (its members, roles and parameters), with the live fuel budget unless `fuel` is given.
   */
  'ccl.run': {
    params: z
      .strictObject({
        entry: z.enum(CCL_POLICY_ENTRIES),
        source: z
          .string()
          .max(1024 * 1024)
          .optional(),
        wasm: bytes.optional(),
        module: z.string().min(8).max(200).optional(),
        file: z.string().max(200).optional(),
        scope: z.string().min(8).max(200).optional(),
        inputs: z.record(z.string().min(1).max(64), z.string().max(4096)).optional(),
        fuel: z
          .string()
          .regex(/^[1-9]\d{0,18}$/)
          .optional(),
      })
      .refine((p) => [p.source, p.wasm, p.module].filter((x) => x !== undefined).length === 1, {
        message: 'give exactly one of source, wasm or module',
      }),
    result: returns<CclRunResult>(),
  },
  /** Active policies (per scope: name, module CID, activating proposal, since) and recent fallbacks. */
  'ccl.policies': {
    params: z.strictObject({ scope: z.string().min(8).max(200).optional() }),
    result: returns<{ policies: CclActivePolicy[]; fallbacks: CclPolicyFallback[] }>(),
  },
} as const

export interface CclRunResult {
  entry: CclPolicyEntry
  /** The decision the node would take: the policy's value, or the built-in default when it failed. */
  value: string
  /** The policy's own value (Int/Mana in decimal, Bool as true/false); null when it failed. */
  policyValue: string | null
  /** The built-in rule's value for the same inputs. */
  defaultValue: string
  /** True when the policy trapped or ran out of fuel and the built-in rule decided. */
  fallback: boolean
  error: ErrorInfo | null
  fuelUsed: string
  logs: string[]
  /** Raw CID of the module that ran. */
  module: string
}

export interface CclActivePolicy {
  scope: string
  policy: CclPolicyEntry
  module: string
  /** The passed proposal that activated it. */
  proposal: string
  /** Governance log position of the activation: decisions whose basis is at or after it use the module. */
  n: number
  /** ms timestamp of the activation. */
  since: number
}

export interface CclPolicyFallback {
  scope: string
  policy: CclPolicyEntry
  module: string
  code: string
  message: string
  /** ts of the decided event. */
  ts: number
}

// ---- credentials, roles and disputes ----
export type CredentialKind = 'membership' | 'role' | 'capability'

/** A Data Integrity proof, cryptosuite eddsa-jcs-2022 (W3C vc-di-eddsa). */
export interface DataIntegrityProofJson {
  '@context'?: string[]
  type: 'DataIntegrityProof'
  cryptosuite: 'eddsa-jcs-2022'
  created: string
  verificationMethod: string
  proofPurpose: 'assertionMethod' | 'authentication'
  challenge?: string
  domain?: string
  proofValue: string
}

/** A W3C VC Data Model 2.0 credential as ICN issues it (docs/credentials.md). */
export interface VerifiableCredentialJson {
  '@context': string[]
  id: string
  type: string[]
  issuer: { id: string; name?: string }
  validFrom: string
  validUntil?: string
  credentialSubject: { id: string; memberOf: string; role?: string; capability?: string }
  evidence: { type: ['IcnGovernanceDecision']; proposal: string; result: string }[]
  credentialStatus: { id: string; type: 'IcnDagRevocationList'; scope: string }
  proof: DataIntegrityProofJson
}

export interface VerifiablePresentationJson {
  '@context': string[]
  type: ['VerifiablePresentation']
  holder: string
  verifiableCredential: VerifiableCredentialJson[]
  proof: DataIntegrityProofJson
}

export interface CredentialSummaryInfo {
  id: string
  kind: CredentialKind
  role: string | null
  /** The capability of a capability credential, else null. */
  capability: string | null
  /** The issuing scope (did:icn). */
  scope: string
  subject: string
  /** The member whose key signed it for the scope. */
  signer: string
  proposal: string
  /** The cred/issue event anchoring it. */
  event: string
  issuedAt: number
  validFrom: string
  validUntil: string | null
  revoked: boolean
  revokedAt: number | null
}

export interface CredentialRevocationInfo {
  credential: string
  event: string
  author: string
  proposal: string | null
  reason: string
  ts: number
}

export interface CredentialInfo extends CredentialSummaryInfo {
  credential: VerifiableCredentialJson
  revocations: CredentialRevocationInfo[]
}

export type CredentialCheckName =
  'structure' | 'signature' | 'issuer' | 'validity' | 'anchor' | 'revocation' | 'holder' | 'challenge'

export interface CredentialCheckInfo {
  check: CredentialCheckName
  status: 'passed' | 'failed' | 'skipped'
  message: string
  code?: string
  /** In a presentation: the credential the check is about. */
  credential?: string
}

export interface CredentialVerification {
  valid: boolean
  kind: 'credential' | 'presentation'
  /** Every check run, in order; 'skipped' ones could not be made here (e.g. the node lacks the scope's DAG). */
  checks: CredentialCheckInfo[]
  /** The first failed check. */
  error?: { code: string; message: string }
  credentials: string[]
}

const credentialIdParam = z.string().min(1).max(400)
const jsonObject = z.record(z.string(), z.unknown())

const credentialMethods = {
  /** Credentials anchored in this node's DAG: of `did` (default: this node's member) or of a whole scope. */
  'identity.credentials': {
    params: z.strictObject({ did: did.optional(), scope: scope.optional() }),
    result: returns<{ credentials: CredentialSummaryInfo[] }>(),
  },
  'identity.credential': {
    params: z.strictObject({ id: credentialIdParam }),
    result: returns<CredentialInfo>(),
  },
  /**
   * Issues (signs and anchors) the credentials a passed admit or capability proposal grants; needs a member of the
   * scope.
   */
  'identity.issueCredential': {
    params: z.strictObject({
      proposal: cid,
      kind: z.enum(['membership', 'role', 'capability']).optional(),
      role: z.string().min(1).max(64).optional(),
      capability: capabilityName.optional(),
      /** Unix ms. */
      validUntil: z.number().int().positive().optional(),
    }),
    result: returns<{ credentials: CredentialInfo[] }>(),
  },
  /** With a passed removal proposal of the subject, or by the member who signed the credential. */
  'identity.revokeCredential': {
    params: z.strictObject({
      id: credentialIdParam,
      proposal: cid.optional(),
      reason: z.string().max(1000).optional(),
    }),
    result: returns<CredentialRevocationInfo>(),
  },
  /** A verifiable presentation of one of this member's credentials, signed by the member. */
  'identity.present': {
    params: z.strictObject({
      id: credentialIdParam,
      audience: z.string().min(1).max(200).optional(),
      challenge: z.string().min(1).max(200).optional(),
    }),
    result: returns<VerifiablePresentationJson>(),
  },
  /** Checks a credential or a presentation: offline checks, then this node's DAG (anchoring, revocation). */
  'identity.verifyCredential': {
    params: z
      .strictObject({
        credential: jsonObject.optional(),
        presentation: jsonObject.optional(),
        issuer: did.optional(),
        challenge: z.string().min(1).max(200).optional(),
        audience: z.string().min(1).max(200).optional(),
        /** Unix ms to check validity against (default now). */
        now: z.number().int().nonnegative().optional(),
      })
      .refine(
        (p) => (p.credential === undefined) !== (p.presentation === undefined),
        'give either a credential or a presentation',
      ),
    result: returns<CredentialVerification>(),
  },
} as const

export const methods = {
  ...nodeMethods,
  ...identityMethods,
  ...dagMethods,
  ...opsMethods,
  ...networkMethods,
  ...economicsMethods,
  ...governanceMethods,
  ...meshMethods,
  ...cclMethods,
  ...credentialMethods,
} as const

// ---------------------------------------------------------------------------------------------------------------
// Events (node → front ends)

const foundationEvents = {
  'node:status': returns<{ status: NodeStatusName; error?: ErrorInfo }>(),
  'node:progress': returns<Progress>(),
  'identity:changed': returns<{ did: string | null; locked: boolean }>(),
  'dag:event-applied': returns<{
    id: string
    type: string
    author: string
    seq: number
    scope: string
    local: boolean
  }>(),
  'dag:equivocation': returns<{ author: string; seq: number; ids: [string, string] }>(),
  'node:settings-changed': returns<NodeSettings>(),
  /** The desktop shell asks the UI to open a route (an `icn://` deep link, a tray action). */
  'shell:navigate': returns<{ route: string }>(),
} as const

const networkEvents = {
  'network:peer-connected': returns<{ peerId: string; addr: string; direction: 'inbound' | 'outbound' }>(),
  'network:peer-disconnected': returns<{ peerId: string }>(),
  'network:sync-progress': returns<{
    peerId: string
    phase: 'heads' | 'events' | 'evidence' | 'done' | 'failed'
    done: number
    total: number
  }>(),
} as const
const economicsEvents = {
  /** A balance changed (mana or a token, `asset`); all fields null after a refold, when any may have. */
  'wallet:balance-changed': returns<{
    did: string | null
    economy: string | null
    asset: string | null
    event: string | null
  }>(),
  /** Value was given to `to`; its node acknowledges it (then `wallet:balance-changed` follows). */
  'wallet:credit': returns<{
    id: string
    kind: string
    from: string
    to: string
    asset: string
    amount: string
    scope: string
    economy: string
  }>(),
  'reputation:changed': returns<{ did: string; economy: string; event: string }>(),
} as const
const governanceEvents = {
  /** A proposal was created, passed, failed (its result applied) or undone by a refold. */
  'gov:proposal-updated': returns<{ proposal: string; scope: string; status: string }>(),
  /** A vote or delegation changed a live tally (proposal null: a scope-wide delegation). */
  'gov:tally-updated': returns<{ proposal: string | null; scope: string; voter: string }>(),
  /** Members, parameters or the federation link of a scope changed. */
  'gov:scope-updated': returns<{ scope: string; reason: string }>(),
} as const
const meshEvents = {
  /** A job this node submitted or runs changed status ('running' is the executor's own stage). */
  'mesh:job-updated': returns<{
    job: string
    status: MeshJobStatus | 'running'
    role: 'submitter' | 'executor'
  }>(),
  'mesh:executor-settings-changed': returns<ExecutorSettingsInfo>(),
  /** A dispute was opened, got a verdict or was resolved. */
  'mesh:dispute-updated': returns<{
    dispute: string
    job: string
    status: MeshDisputeStatus
    verdicts: number
  }>(),
} as const
const cclEvents = {} as const
const credentialEvents = {
  /** A credential was anchored in this node's DAG (issued here or received). */
  'cred:issued': returns<{ id: string; scope: string; subject: string; kind: string; event: string }>(),
  /** A credential was revoked (its cred/revoke event applied). */
  'cred:revoked': returns<{ id: string; scope: string; subject: string; event: string }>(),
} as const

export const events = {
  ...foundationEvents,
  ...networkEvents,
  ...economicsEvents,
  ...governanceEvents,
  ...meshEvents,
  ...cclEvents,
  ...credentialEvents,
} as const

// ---------------------------------------------------------------------------------------------------------------
// Derived types

export type Methods = typeof methods
export type MethodName = keyof Methods
export type Params<M extends MethodName> = z.input<Methods[M]['params']>
export type ValidParams<M extends MethodName> = z.output<Methods[M]['params']>
export type Result<M extends MethodName> = Methods[M]['result']
export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = (typeof events)[E]

export const METHOD_NAMES = Object.keys(methods) as MethodName[]
export const EVENT_NAMES = Object.keys(events) as EventName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}

/** Per-call context a transport passes to handlers. */
export interface CallContext {
  signal: AbortSignal
  transport: 'rpc' | 'ipc' | 'internal'
  requestId?: string | number
  /** Reports progress of a long call; transports forward it as 'node:progress'. */
  progress(update: Omit<Progress, 'requestId'>): void
}

export type Handler<M extends MethodName> = (params: ValidParams<M>, ctx: CallContext) => Promise<Result<M>>
export type Handlers = { [M in MethodName]: Handler<M> }

/** The reply shape every transport uses. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }
