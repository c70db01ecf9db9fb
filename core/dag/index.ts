import type { Startable } from '../lifecycle'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { Storage } from '../storage'
import type { Identity } from '../identity'
import type { Ed25519 } from '../identity/ed25519'
import type { BlockStore } from './blocks'
import type { CID } from './codec'
import type { SignedEvent, VerifiedEvent } from './event'

/**
 * Read access to the folded state. `get`/`list` read the state that the state root covers; `getIndex`/`listIndex`
 * read derived indexes (history, search) that are also pure functions of the event set but not hashed.
 * Values are anything dag-cbor can encode (integers, strings, bytes, CIDs, bigints, arrays, maps).
 */
export interface StateView {
  get<T>(key: string): Promise<T | undefined>
  list<T>(prefix: string, options?: ListOptions): Promise<{ key: string; value: T }[]>
  getIndex<T>(key: string): Promise<T | undefined>
  listIndex<T>(prefix: string, options?: ListOptions): Promise<{ key: string; value: T }[]>
  /** Any stored event (applied, voided or evidence). */
  getEvent(id: string): Promise<VerifiedEvent | undefined>
  /** True when the event was applied and is not voided by its author's equivocation. */
  isEffective(id: string): Promise<boolean>
  /** The equivocation record of an author, if flagged. */
  flagged(author: string): Promise<FlagRecord | undefined>
}

export interface ListOptions {
  /** @default 1000 */
  limit?: number
  reverse?: boolean
  /** Exclusive lower bound (upper bound when reverse), a full key as returned by list. */
  after?: string
}

export interface StateTx extends StateView {
  put(key: string, value: unknown): void
  del(key: string): void
  putIndex(key: string, value: unknown): void
  delIndex(key: string): void
  /** Runs after the transaction is committed (bus events, caches). Not run during a refold. */
  afterCommit(fn: () => void): void
  /** True while the whole state is being recomputed from the event set (after an equivocation). */
  readonly refolding: boolean
}

export interface EventContext<B = unknown> {
  id: string
  cid: CID
  event: SignedEvent<B>
  body: B
  /** Created by this node (not received). */
  local: boolean
}

/**
 * How one event type is checked and folded. The contract that keeps every node's state identical:
 * parseBody/validate/apply may depend only on the event, its declared dependencies and state written by
 * events in its causal past; apply writes keys owned by the event's author or merges order-independently.
 */
export interface EventTypeHandler<B = unknown> {
  /** Structural check of the body; throws an IcnError (DAG_INVALID_EVENT or a service code). */
  parseBody(body: unknown, event: SignedEvent): B
  /** Events that must be applied before this one, besides `prev`. */
  deps?(body: B, event: SignedEvent): CID[]
  /** State-dependent rules; throws an IcnError with the reason code. */
  validate?(ctx: EventContext<B>, view: StateView): Promise<void>
  apply(ctx: EventContext<B>, tx: StateTx): Promise<void>
  /** Called before a refold so that handlers drop in-memory caches. */
  reset?(): void
  /**
   * Alternatives: events returning the same key compete and exactly one is applied — the first, ordered by
   * (rank, ts, id), that passes validation; the others are stored void with DAG_SUPERSEDED. When a better
   * alternative arrives after a worse one was applied, the DAG refolds, so the outcome is a function of the
   * event set whatever the arrival order (e.g. two results for the same position of a scope's governance log).
   * `rank` is a small non-negative integer (lower wins).
   */
  conflict?(body: B, event: SignedEvent): { key: string; rank: number } | undefined
}

/**
 * Cross-cutting rules that run for every event, whatever its type (e.g. economics charging each action's mana
 * cost). Hooks run in registration order: all `validate`s, then the type handler's validate, then all
 * `apply`s, then the type handler's apply — in the same transaction. The fold contract applies to hooks too.
 */
export interface EventHook {
  name: string
  validate?(ctx: EventContext, view: StateView): Promise<void>
  apply?(ctx: EventContext, tx: StateTx): Promise<void>
  reset?(): void
}

export interface FlagRecord {
  author: string
  /** First sequence number with two different events; this and later events of the author are void. */
  seq: number
  evidence: [string, string]
}

export type IngestStatus = 'applied' | 'duplicate' | 'pending' | 'equivocation'

export interface IngestResult {
  status: IngestStatus
  id: string
  /** For pending events: what they wait for. */
  missing?: string[]
}

export interface EventSummary {
  id: string
  type: string
  author: string
  seq: number
  scope: string
  ts: number
  status: 'applied' | 'voided' | 'evidence'
  /** Local arrival order; the paging cursor. */
  order: number
}

export interface EventFilter {
  author?: string
  type?: string
  scope?: string
  /** @default 50, at most 1000 */
  limit?: number
  /** Return events older than this cursor (an `order` from a previous page). */
  before?: number
}

export interface ChainHead {
  author: string
  seq: number
  id: string
  ts: number
}

export interface DagStats {
  events: number
  authors: number
  pending: number
  flagged: number
}

export interface DagInit {
  /**
   * How far in the future an event's ts may be (ms). Older events are fine: they may arrive by sync long after.
   * @default 300_000
   */
  maxClockSkewMs?: number
  /** @default 10_000 events */
  maxPending?: number
  /** Signature implementation used to verify incoming events. @default nodeEd25519 */
  ed25519?: Ed25519
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number
  /**
   * Light mode (docs/roles.md): every event is still validated and applied (state and state root equal a full
   * node's), but only events `keep` accepts are stored whole; of the others the node keeps the id and verdict.
   * Their bodies are fetched on demand through `fetch` and cached (bounded). @default undefined (full node)
   */
  light?: LightInit
  /**
   * Memory for the read cache of committed values (blocks, event metadata, state records): bytes of byte values,
   * and about 1,560 entries a MiB for decoded ones. Bounded either way; the cache fills towards it as events are
   * read and written. @default 8 MiB (12,500 decoded entries)
   */
  cacheBytes?: number
}

export interface LightInit {
  /** Store this event whole (its block, metadata, log and chain entries, and all its index writes). */
  keep(event: SignedEvent): boolean
  /** For events not kept: keep this index write anyway (e.g. history rows of this node's member). */
  keepIndex(key: string): boolean
  /** Verified bytes of the blocks connected peers have (block exchange); missing ones are left out. */
  fetch(cids: CID[], options: { signal?: AbortSignal }): Promise<Map<string, Uint8Array>>
  /** Fetched blocks kept on disk at most (oldest dropped first). @default 2_000 */
  viewedMax?: number
}

export interface DagComponents {
  storage: Storage
  identity: Identity
  events: EventBus
  logger: Logger
}

export interface Dag extends Startable {
  readonly blocks: BlockStore
  /** Registers the handler of an event type; services call it before the node starts. */
  register<B>(type: string, handler: EventTypeHandler<B>): void
  /** Adds a hook that runs for every event (see EventHook); services call it before the node starts. */
  use(hook: EventHook): void
  /** Registered event types (for diagnostics and docs). */
  types(): string[]
  /**
   * Runs the state rules of a would-be local event without signing or storing anything: the same validation
   * `append` does. Used for cost previews and "why can't I" explanations.
   */
  check<B>(input: { type: string; scope: string; body: B }): Promise<void>
  /** Creates, signs and applies an event of this node's member (needs an unlocked identity). */
  append<B>(
    input: { type: string; scope: string; body: B },
    options?: { signal?: AbortSignal },
  ): Promise<VerifiedEvent<B>>
  /** Validates and applies an event from outside; rejections throw an IcnError whose code is the reason. */
  ingest(bytes: Uint8Array, options?: { from?: string; signal?: AbortSignal }): Promise<IngestResult>
  getEvent(id: string): Promise<VerifiedEvent | undefined>
  getSummary(id: string): Promise<EventSummary | undefined>
  listEvents(filter?: EventFilter): Promise<{ events: EventSummary[]; next: number | null }>
  /** Highest applied seq of every author (sync exchanges these). */
  heads(): Promise<ChainHead[]>
  /** Heads of the chains this node stores whole and can serve to peers (all of them on a full node). */
  servableHeads(): Promise<ChainHead[]>
  head(author: string): Promise<ChainHead | undefined>
  /** Encoded events of an author for seq in [fromSeq, toSeq], in order, at most `limit`. */
  chainRange(author: string, fromSeq: number, toSeq: number, limit?: number): Promise<Uint8Array[]>
  /** CIDs that parked events are waiting for. */
  missing(): string[]
  /** Equivocation records (sync shares them so that every node learns of a fork, with both events). */
  evidence(): FlagRecord[]
  /** Hex sha2-256 over the canonical state: equal on every node that holds the same events. */
  stateRoot(): Promise<string>
  /** Read-only view of the committed state. */
  view(): StateView
  /** Recomputes all state from the stored events (runs after an equivocation; exposed for repair). */
  refold(): Promise<void>
  stats(): Promise<DagStats>
  /** Fill of the read cache against its bounds (see `cacheBytes`); null while the DAG is stopped. */
  readCache(): ReadCacheSize | null
}

export interface ReadCacheSize {
  /** Cached values, decoded ones and byte values. */
  entries: number
  maxEntries: number
  /** Bytes of the cached byte values (blocks, event bytes). */
  bytes: number
  maxBytes: number
}

export { dag } from './dag'
export * from './event'
export * from './codec'
export * from './blocks'
