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

// ---- network and replication ----
const networkMethods = {} as const

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
const governanceMethods = {} as const

// ---- runtime and mesh jobs ----
const meshMethods = {} as const

// ---- CCL policies ----
const cclMethods = {} as const

// ---- credentials, roles and disputes ----
const credentialMethods = {} as const

export const methods = {
  ...nodeMethods,
  ...identityMethods,
  ...dagMethods,
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
} as const

const networkEvents = {} as const
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
const governanceEvents = {} as const
const meshEvents = {} as const
const cclEvents = {} as const
const credentialEvents = {} as const

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
