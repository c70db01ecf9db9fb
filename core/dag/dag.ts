import { IcnError, isIcnError, throwIfAborted, toIcnError } from '../errors'
import type { BytesSublevel, JsonSublevel } from '../storage'
import { nodeEd25519 } from '../identity/ed25519'
import { createBlockStore, type BlockStore } from './blocks'
import { CID, DAG_CBOR, cidFor, cidText, decodeStored, encode } from './codec'
import { decodeEventAsync, isScope, signEvent, type SignedEvent, type VerifiedEvent } from './event'
import type {
  ChainHead,
  Dag,
  DagComponents,
  DagInit,
  DagStats,
  EventContext,
  EventFilter,
  EventHook,
  EventSummary,
  EventTypeHandler,
  FlagRecord,
  IngestResult,
  LightInit,
  ReadCacheSize,
  StateView,
} from './index'
import { DELETED, Staging } from './staging'
import {
  FLAG_PREFIX,
  SourceView,
  Tx,
  computeStateRoot,
  encodeStateValue,
  scanMerged,
  type Space,
  type StateSource,
} from './state'

interface EventMeta {
  type: string
  author: string
  seq: number
  scope: string
  ts: number
  order: number
  status: 'applied' | 'voided' | 'evidence'
  reason?: { code: string; message: string }
}

interface Counters {
  order: number
  events: number
  authors: number
}

interface Parked {
  event: VerifiedEvent
  missing: Set<string>
  from: string | undefined
}

interface Job {
  run: () => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

const SEQ_WIDTH = 12
/** Events committed together at most; bounds the memory of a group and the latency of its first event. */
const MAX_GROUP = 512
/**
 * Received events decoded and verifying ahead of the writer, at most. A burst larger than this (a big gossip
 * backlog, many sync pages at once) waits as bytes, each decoded when a slot frees, instead of holding thousands of
 * decoded events and pending checks that survive young collections (8,400 at once: ~7 % slower than pages of 512).
 * Twice MAX_GROUP keeps the next group verified while one is written, and the verify workers' batches full.
 */
const DECODE_AHEAD = 2 * MAX_GROUP
const NOOP = (): void => undefined
const pad = (n: number): string => n.toString(16).padStart(SEQ_WIDTH, '0')
const chainKey = (author: string, seq: number): string => `${author}!${pad(seq)}`
/** Key of the durable "a refold is under way" marker (sublevel `refold`). */
const REFOLD_PENDING = 'pending'
/** The read cache's default budget, and how many decoded entries a MiB of it allows (12,500 at 8 MiB). */
const DEFAULT_CACHE_BYTES = 8 * 2 ** 20
const CACHE_ENTRIES_PER_MIB = 1_562.5

/** Light mode: verdicts of events known by id only (sublevel `seen`). */
const SEEN_APPLIED = 1
const SEEN_VOIDED = 0
/** Light mode: bodies fetched per block request while refolding (the network's blocksMaxWant). */
const REFOLD_FETCH_CHUNK = 64
/** Light mode: how long a refold that could not fetch the events it needs waits before trying again. */
const REFOLD_RETRY_MS = 15_000

class DefaultDag implements Dag {
  blocks!: BlockStore
  private readonly handlers = new Map<string, EventTypeHandler<unknown>>()
  private readonly hooks: EventHook[] = []
  private blockSub!: BytesSublevel
  private stateSub!: BytesSublevel
  private indexSub!: BytesSublevel
  private metaSub!: JsonSublevel<EventMeta>
  private logSub!: JsonSublevel<string>
  private chainSub!: JsonSublevel<string>
  private headSub!: JsonSublevel<ChainHead>
  private evidenceSub!: JsonSublevel<FlagRecord>
  private countersSub!: JsonSublevel<Counters>
  private altSub!: JsonSublevel<string>
  /** Holds REFOLD_PENDING from before a refold clears state until its rebuilt state has landed. */
  private refoldSub!: JsonSublevel<{ startedAt: number; reason?: string }>
  /** Light mode: id → SEEN_APPLIED | SEEN_VOIDED for events whose body is not stored. */
  private seenSub!: JsonSublevel<number>
  /** Light mode: order → id of the bodies fetched on demand (a bounded cache, oldest dropped first). */
  private viewedSub!: JsonSublevel<string>
  private viewedNext = 0
  private viewedCount = 0
  private readonly light: LightInit | undefined
  private readonly viewedMax: number
  private refoldRetry: ReturnType<typeof setTimeout> | undefined
  private staging!: Staging
  private counters: Counters = { order: 0, events: 0, authors: 0 }
  private readonly flags = new Map<string, FlagRecord>()
  private readonly parked = new Map<string, Parked>()
  private readonly waiting = new Map<string, Set<string>>()
  private readonly jobs: Job[] = []
  /** True while drain() runs; cleared in the same tick the queue is found empty. */
  private pumping = false
  /** The running (or last) drain, for stop() to wait on. */
  private drained: Promise<void> = Promise.resolve()
  /** Received events decoded (and being verified) ahead of the writer; see DECODE_AHEAD. */
  private decodingAhead = 0
  /** Decodes of queued events waiting for a slot, in queue order, from decodeLaterHead on. */
  private decodeLater: (() => void)[] = []
  private decodeLaterHead = 0
  private rootCache: string | undefined
  private readonly maxSkew: number
  private readonly maxPending: number
  private readonly now: () => number
  private readonly ed25519
  /** Reads of handlers inside the writer: staged writes of the current group are visible. */
  private readonly writerSource: StateSource
  /** Reads from outside the writer: committed data only. */
  private readonly committedSource: StateSource
  private started = false
  private readonly cacheBytes: number

  constructor(
    private readonly components: DagComponents,
    init: DagInit,
  ) {
    this.maxSkew = init.maxClockSkewMs ?? 300_000
    this.maxPending = init.maxPending ?? 10_000
    this.now = init.now ?? Date.now
    this.ed25519 = init.ed25519 ?? nodeEd25519
    this.light = init.light
    this.viewedMax = init.light?.viewedMax ?? 2_000
    this.cacheBytes = init.cacheBytes ?? DEFAULT_CACHE_BYTES
    const sub = (space: Space): BytesSublevel => (space === 'state' ? this.stateSub : this.indexSub)
    this.writerSource = {
      get: (space, key) => this.staging.get<Uint8Array>(sub(space), key),
      list: (space, prefix, options) =>
        scanMerged(sub(space), [this.staging.stagedEntries(sub(space))], prefix, options),
      getEvent: (id) => this.readEvent(id, true),
      isEffective: async (id) => (await this.known(id, true)) === 'applied',
    }
    this.committedSource = {
      get: (space, key) => sub(space).get(key),
      list: (space, prefix, options) => scanMerged(sub(space), [], prefix, options),
      getEvent: (id) => this.readEvent(id, false),
      isEffective: async (id) => (await this.known(id, false)) === 'applied',
    }
    this.register('note', noteHandler)
  }

  async start(): Promise<void> {
    // Sublevels exist only once storage is open.
    const { storage } = this.components
    this.blockSub = storage.bytes('blocks')
    this.stateSub = storage.bytes('state')
    this.indexSub = storage.bytes('index')
    this.metaSub = storage.json<EventMeta>('events')
    this.logSub = storage.json<string>('log')
    this.chainSub = storage.json<string>('chain')
    this.headSub = storage.json<ChainHead>('heads')
    this.evidenceSub = storage.json<FlagRecord>('evidence')
    this.countersSub = storage.json<Counters>('counters')
    this.altSub = storage.json<string>('alternatives')
    this.refoldSub = storage.json<{ startedAt: number; reason?: string }>('refold')
    this.seenSub = storage.json<number>('seen')
    this.viewedSub = storage.json<string>('viewed')
    if (this.light !== undefined) {
      this.viewedCount = 0
      this.viewedNext = 0
      for await (const key of this.viewedSub.keys()) {
        this.viewedCount++
        this.viewedNext = parseInt(key, 16) + 1
      }
    }
    this.blocks = createBlockStore(this.blockSub)
    // The log and chain positions are appended and rarely read back; index rows are read by range scans.
    this.staging = new Staging(
      storage,
      Math.max(100, Math.round((this.cacheBytes / 2 ** 20) * CACHE_ENTRIES_PER_MIB)),
      this.cacheBytes,
      new Set([this.logSub, this.chainSub, this.indexSub]),
    )
    await this.reloadMemory()
    // A refold clears state outside any batch; a crash before its rebuilt state landed leaves state partial.
    // Every event type is registered by now (register() refuses after start): rebuild before anything reads.
    const interrupted = await this.refoldSub.get(REFOLD_PENDING)
    if (interrupted !== undefined) {
      this.components.logger.warn(
        interrupted.reason ?? 'a refold was interrupted (the node stopped mid-way); rebuilding the state',
        { since: interrupted.startedAt },
      )
      if (this.light === undefined) await this.refoldNow()
      else {
        // A light node rebuilds from bodies it fetches from full nodes; the network is not up yet, so the rebuild
        // runs once the node has started, and again every REFOLD_RETRY_MS until it succeeds.
        this.scheduleLightRefold(0)
      }
    }
    this.started = true
  }

  private scheduleLightRefold(delay: number): void {
    clearTimeout(this.refoldRetry)
    this.refoldRetry = setTimeout(() => {
      this.refoldRetry = undefined
      if (!this.started) return
      this.refold().catch((err: unknown) => {
        this.components.logger.warn('light node: the state rebuild could not fetch its events; retrying', {
          err: toIcnError(err).message,
        })
        if (this.started) this.scheduleLightRefold(REFOLD_RETRY_MS)
      })
    }, delay)
    this.refoldRetry.unref?.()
  }

  async stop(): Promise<void> {
    this.started = false
    clearTimeout(this.refoldRetry)
    this.refoldRetry = undefined
    // Drain the writer: every acknowledged write is committed before storage closes.
    await this.drained
    this.parked.clear()
    this.waiting.clear()
  }

  register<B>(type: string, handler: EventTypeHandler<B>): void {
    if (this.started) throw new TypeError('Event types are registered before the node starts')
    if (this.handlers.has(type)) throw new TypeError(`Event type ${type} is already registered`)
    this.handlers.set(type, handler)
  }

  use(hook: EventHook): void {
    if (this.started) throw new TypeError('Hooks are added before the node starts')
    this.hooks.push(hook)
  }

  types(): string[] {
    return [...this.handlers.keys()].sort()
  }

  private assertStarted(): void {
    if (!this.started) throw new IcnError('NODE_NOT_RUNNING', 'The node is not running.')
  }

  // ---- the serial writer with group commit ------------------------------------------------------------------

  /**
   * Runs `fn` in the serial writer. Jobs that queue up while one runs join the same group; the group's writes
   * land in one batch, and each job's promise settles only after that batch is committed.
   */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ run: fn, resolve: resolve as (v: unknown) => void, reject })
      if (!this.pumping) {
        this.pumping = true
        this.drained = this.drain()
      }
    })
  }

  /**
   * `pumping` is cleared in the very tick the queue is found empty (no await in between): a job enqueued by the
   * continuation of a just-settled caller then starts a new drain instead of waiting behind a finished one.
   */
  private async drain(): Promise<void> {
    try {
      await this.drainGroups()
    } catch (err) {
      this.pumping = false
      this.components.logger.error('the DAG writer failed', { err })
    }
  }

  private async drainGroups(): Promise<void> {
    for (;;) {
      if (this.jobs.length === 0) {
        this.pumping = false
        return
      }
      const done: { job: Job; ok: boolean; value: unknown }[] = []
      while (this.jobs.length > 0 && done.length < MAX_GROUP) {
        const job = this.jobs.shift() as Job
        try {
          done.push({ job, ok: true, value: await job.run() })
        } catch (err) {
          done.push({ job, ok: false, value: err })
        }
      }
      let callbacks: (() => void)[] = []
      try {
        callbacks = await this.staging.flush()
      } catch (err) {
        // The batch did not land: no job of this group may be acknowledged. Reload what we kept in memory.
        this.components.logger.error('commit failed; the group of events was not stored', {
          err,
          events: done.length,
        })
        await this.reloadMemory().catch(() => undefined)
        const error = new IcnError(
          'STORAGE_CLOSED',
          `Writing to the database failed: ${(err as Error).message}`,
          { cause: err },
        )
        for (const d of done) d.job.reject(d.ok ? error : d.value)
        continue
      }
      for (const d of done) (d.ok ? d.job.resolve : d.job.reject)(d.value)
      for (const fn of callbacks) {
        try {
          fn()
        } catch (err) {
          this.components.logger.warn('after-commit callback failed', { err })
        }
      }
    }
  }

  /** Counters and flags from disk (after a failed commit left memory ahead of the database). */
  private async reloadMemory(): Promise<void> {
    this.rootCache = undefined
    this.counters = (await this.countersSub.get('all')) ?? { order: 0, events: 0, authors: 0 }
    this.flags.clear()
    for await (const [author, record] of this.evidenceSub.iterator()) this.flags.set(author, record)
  }

  // ---- local events ------------------------------------------------------------------------------------------

  async check<B>(input: { type: string; scope: string; body: B }): Promise<void> {
    this.assertStarted()
    const handler = this.requireHandler(input.type)
    if (!isScope(input.scope))
      throw new IcnError('INVALID_ARGUMENT', `"${String(input.scope)}" is not a scope.`)
    const author = this.components.identity.did()
    const head = await this.headSub.get(author)
    const event: SignedEvent<B> = {
      v: 1,
      type: input.type,
      author,
      seq: (head?.seq ?? 0) + 1,
      prev: head === undefined ? null : CID.parse(head.id),
      ts: Math.max(this.now(), (head?.ts ?? -1) + 1),
      scope: input.scope,
      body: input.body,
      sig: new Uint8Array(64),
    }
    const body = handler.parseBody(event.body, event)
    await this.assertDepsPresent(event, handler, body, false)
    // A throwaway transaction over committed state: the same rules as append, nothing is written.
    const tx = new Tx(this.committedSource, false)
    const cid = cidFor(encode(event), DAG_CBOR)
    await this.runRules({ id: cid.toString(), cid, event, body, local: true }, handler, tx)
  }

  async append<B>(
    input: { type: string; scope: string; body: B },
    options: { signal?: AbortSignal } = {},
  ): Promise<VerifiedEvent<B>> {
    this.assertStarted()
    const handler = this.requireHandler(input.type)
    if (!isScope(input.scope))
      throw new IcnError('INVALID_ARGUMENT', `"${String(input.scope)}" is not a scope.`)
    return this.enqueue(async () => {
      throwIfAborted(options.signal)
      const signer = this.components.identity.signer()
      const author = this.components.identity.did()
      const head = await this.staging.get<ChainHead>(this.headSub, author)
      const seq = (head?.seq ?? 0) + 1
      const prev = head === undefined ? null : CID.parse(head.id)
      // ts strictly increases along a chain even if the wall clock steps back.
      const ts = Math.max(this.now(), (head?.ts ?? -1) + 1)
      const verified = signEvent(
        { v: 1, type: input.type, author, seq, prev, ts, scope: input.scope, body: input.body },
        signer,
      )
      const body = handler.parseBody(verified.event.body, verified.event)
      await this.assertDepsPresent(verified.event, handler, body, true)
      await this.applyWithAlternatives(verified, handler, body, true)
      this.staging.afterFlush(() =>
        this.components.events.emit('dag:event-created', {
          cid: verified.id,
          bytes: verified.bytes,
          scope: input.scope,
          type: input.type,
        }),
      )
      return verified
    })
  }

  private requireHandler(type: string): EventTypeHandler<unknown> {
    const handler = this.handlers.get(type)
    if (handler === undefined)
      throw new IcnError('DAG_UNKNOWN_TYPE', `Unknown event type "${type}"; this node may need an update.`)
    return handler
  }

  private async assertDepsPresent(
    event: SignedEvent,
    handler: EventTypeHandler<unknown>,
    body: unknown,
    writer: boolean,
  ): Promise<void> {
    const missing = await this.missingDeps(event, handler, body, writer)
    if (missing.length > 0) {
      throw new IcnError(
        'DAG_MISSING_DEPENDENCY',
        `This action refers to ${missing[0]}, which this node does not have yet.`,
        {
          details: { missing },
        },
      )
    }
  }

  // ---- received events ---------------------------------------------------------------------------------------

  async ingest(
    bytes: Uint8Array,
    options: { from?: string; signal?: AbortSignal } = {},
  ): Promise<IngestResult> {
    this.assertStarted()
    // Decoding and signature checks need no state: they run before the serial writer. The signature is checked
    // on the thread pool while earlier events are written; the event keeps its place in the writer's queue.
    // Up to DECODE_AHEAD events are decoded ahead of the writer; the rest of a burst is decoded as slots free.
    let verifying: Promise<VerifiedEvent> | undefined
    /** Takes a slot; throws (before taking it) what decoding finds at once in the bytes. */
    const start = (): void => {
      verifying = decodeEventAsync(bytes, this.ed25519)
      this.decodingAhead++
      verifying.catch(() => undefined) // awaited in the writer; marked handled until then
    }
    // A decode started later reports a bad-bytes error when the writer reaches the event, through the same path.
    const decode = (): void => {
      if (verifying !== undefined) return
      try {
        start()
      } catch (err) {
        this.decodingAhead++
        verifying = Promise.reject(err instanceof Error ? err : new Error(String(err)))
        verifying.catch(() => undefined)
      }
    }
    if (this.decodingAhead < DECODE_AHEAD && this.decodeLaterHead === this.decodeLater.length) {
      try {
        start()
      } catch (err) {
        this.reject(undefined, err, options.from)
        throw err
      }
    } else {
      this.decodeLater.push(decode)
    }
    return this.enqueue(async () => {
      let verified: VerifiedEvent
      decode() // normally started already, when a slot freed
      try {
        verified = await verifying!
      } catch (err) {
        this.reject(undefined, err, options.from)
        throw err
      } finally {
        this.decodingAhead--
        this.decodeMore()
      }
      throwIfAborted(options.signal)
      try {
        return await this.process(verified, options.from)
      } catch (err) {
        this.reject(verified.id, err, options.from)
        throw err
      }
    })
  }

  /** Starts waiting decodes, in queue order, while there are free slots. */
  private decodeMore(): void {
    while (this.decodingAhead < DECODE_AHEAD && this.decodeLaterHead < this.decodeLater.length) {
      const decode = this.decodeLater[this.decodeLaterHead]!
      this.decodeLater[this.decodeLaterHead++] = NOOP
      decode()
    }
    if (this.decodeLaterHead === this.decodeLater.length) {
      this.decodeLater = []
      this.decodeLaterHead = 0
    } else if (this.decodeLaterHead > 4096) {
      this.decodeLater = this.decodeLater.slice(this.decodeLaterHead)
      this.decodeLaterHead = 0
    }
  }

  private reject(id: string | undefined, err: unknown, from: string | undefined): void {
    const e = toIcnError(err)
    this.components.events.emit('dag:event-rejected', {
      ...(id === undefined ? {} : { cid: id }),
      code: e.code,
      reason: e.message,
      ...(from === undefined ? {} : { from }),
    })
  }

  private async process(verified: VerifiedEvent, from: string | undefined): Promise<IngestResult> {
    const { event, id } = verified
    const head = await this.staging.get<ChainHead>(this.headSub, event.author)
    // A contiguous chain stores exactly seq 1..head: anything above the head is new, so the (rarer) lookups for
    // duplicates and conflicting events are needed only at or below it.
    if (head !== undefined && event.seq <= head.seq && (await this.known(id, true)) !== undefined) {
      return { status: 'duplicate', id }
    }
    const parked = this.parked.get(id)
    if (parked !== undefined) return { status: 'pending', id, missing: [...parked.missing] }
    const handler = this.requireHandler(event.type)
    const body = handler.parseBody(event.body, event)
    if (event.ts > this.now() + this.maxSkew) {
      throw new IcnError(
        'DAG_BAD_TIMESTAMP',
        `The event is dated ${event.ts - this.now()} ms in the future; check the author's clock.`,
      )
    }
    const flag = this.flags.get(event.author)
    if (flag !== undefined && event.seq > flag.seq) {
      throw new IcnError(
        'DAG_AUTHOR_FLAGGED',
        `${event.author} equivocated at seq ${flag.seq}; its later events are refused.`,
      )
    }
    if (head !== undefined && event.seq <= head.seq) {
      const existing = await this.staging.get<string>(this.chainSub, chainKey(event.author, event.seq))
      if (existing !== undefined && existing !== id) {
        await this.recordEquivocation(verified, existing)
        // Events parked waiting for this one are settled now, as on a node that saw the fork first: their rules
        // run against the evidence (the branch has no effects), so every node ends with the same state.
        await this.releaseWaiting(id)
        return { status: 'equivocation', id }
      }
      if (existing === undefined && this.light !== undefined) {
        // The event at this place of the chain was not stored whole: this light node cannot prove the fork.
        throw new IcnError(
          'DAG_FORK_UNCHECKED',
          `${event.author} seq ${event.seq} differs from the event this light node applied; full nodes judge the fork.`,
        )
      }
    }
    const missing = await this.missingDeps(event, handler, body, true)
    if (missing.length > 0) {
      this.park(verified, missing, from)
      return { status: 'pending', id, missing }
    }
    const result = await this.applyWithAlternatives(verified, handler, body, false)
    await this.releaseWaiting(id)
    return result
  }

  /**
   * Applies an event, honouring conflict keys (EventTypeHandler.conflict): a worse alternative than the applied
   * one is stored void, a better one is stored and triggers a refold that picks the canonical alternative.
   */
  private async applyWithAlternatives(
    verified: VerifiedEvent,
    handler: EventTypeHandler<unknown>,
    body: unknown,
    local: boolean,
  ): Promise<IngestResult> {
    const conflict = handler.conflict?.(body, verified.event)
    if (conflict === undefined) return this.applyVerified(verified, handler, body, { local, strict: local })
    const mine = alternativeKey(conflict, verified.event.ts, verified.id)
    let applied: string | undefined
    for (const [altKey, altId] of await this.alternativesOf(conflict.key)) {
      if ((await this.staging.get<EventMeta>(this.metaSub, altId))?.status === 'applied') {
        applied = altKey
        break
      }
    }
    if (applied !== undefined && local) {
      throw new IcnError(
        'DAG_SUPERSEDED',
        'Another event already took this place (e.g. a result for the same position); nothing was stored.',
      )
    }
    this.staging.put(this.altSub, mine, verified.id)
    if (applied === undefined) return this.applyVerified(verified, handler, body, { local, strict: local })
    const superseded = {
      code: 'DAG_SUPERSEDED',
      message: `A better alternative for ${conflict.key} is applied.`,
    }
    const result = await this.applyVerified(verified, handler, body, {
      local,
      strict: false,
      forceVoid: superseded,
    })
    if (mine < applied) await this.refoldNow()
    return result
  }

  /** Stored alternatives of a conflict key, best first, including those staged in the current group. */
  private async alternativesOf(key: string): Promise<[string, string][]> {
    const prefix = `${key}!`
    const found = new Map<string, string>()
    for await (const [k, v] of this.altSub.iterator({ gte: prefix, lt: prefix + '\x7f', limit: 1000 }))
      found.set(k, v)
    for (const [k, v] of this.staging.stagedEntries(this.altSub) ?? [])
      if (k.startsWith(prefix) && typeof v === 'string') found.set(k, v)
    return [...found.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  }

  private async missingDeps(
    event: SignedEvent,
    handler: EventTypeHandler<unknown>,
    body: unknown,
    writer: boolean,
  ): Promise<string[]> {
    const deps: CID[] = []
    if (event.prev !== null) deps.push(event.prev)
    if (handler.deps !== undefined) deps.push(...handler.deps(body, event))
    const missing: string[] = []
    for (const dep of deps) {
      const depId = cidText(dep)
      if (dep.code !== DAG_CBOR)
        throw new IcnError('DAG_INVALID_EVENT', `Dependency ${depId} is not an event CID.`)
      if ((await this.known(depId, writer)) === undefined) missing.push(depId)
    }
    return missing
  }

  private park(verified: VerifiedEvent, missing: string[], from: string | undefined): void {
    if (this.parked.size >= this.maxPending) {
      // Oldest first: a flood of orphan events from one peer cannot grow memory without bound.
      const oldest = this.parked.keys().next().value
      if (oldest !== undefined) this.unpark(oldest)
    }
    this.parked.set(verified.id, { event: verified, missing: new Set(missing), from })
    for (const dep of missing) {
      let set = this.waiting.get(dep)
      if (set === undefined) this.waiting.set(dep, (set = new Set()))
      set.add(verified.id)
    }
    this.components.events.emit('dag:missing', { cids: missing })
  }

  private unpark(id: string): Parked | undefined {
    const parked = this.parked.get(id)
    if (parked === undefined) return undefined
    this.parked.delete(id)
    for (const dep of parked.missing) {
      const set = this.waiting.get(dep)
      set?.delete(id)
      if (set?.size === 0) this.waiting.delete(dep)
    }
    return parked
  }

  /** Events that were waiting for `id` are retried, breadth-first, without recursion. */
  private async releaseWaiting(id: string): Promise<void> {
    const ready: string[] = [id]
    while (ready.length > 0) {
      const dep = ready.shift() as string
      const waiters = this.waiting.get(dep)
      if (waiters === undefined) continue
      this.waiting.delete(dep)
      for (const waiterId of waiters) {
        const parked = this.parked.get(waiterId)
        if (parked === undefined) continue
        parked.missing.delete(dep)
        if (parked.missing.size > 0) continue
        this.unpark(waiterId)
        try {
          const result = await this.process(parked.event, parked.from)
          if (result.status !== 'pending') ready.push(waiterId)
        } catch (err) {
          this.reject(waiterId, err, parked.from)
        }
      }
    }
  }

  private async runRules(ctx: EventContext, handler: EventTypeHandler<unknown>, tx: Tx): Promise<void> {
    for (const hook of this.hooks) await hook.validate?.(ctx, tx)
    await handler.validate?.(ctx, tx)
    for (const hook of this.hooks) await hook.apply?.(ctx, tx)
    await handler.apply(ctx, tx)
  }

  /**
   * The single place state changes. Chain rules are checked, then hooks and the type handler run in a
   * transaction. For received events a failed state rule stores the event as void (its chain stays intact and
   * every node reaches the same verdict); for local events the error goes back to the member and nothing is
   * stored.
   */
  private async applyVerified(
    verified: VerifiedEvent,
    handler: EventTypeHandler<unknown>,
    body: unknown,
    mode: {
      local: boolean
      strict: boolean
      refolding?: boolean
      forceVoid?: { code: string; message: string }
    },
  ): Promise<IngestResult> {
    const { event, id } = verified
    if (event.prev !== null && mode.refolding !== true) {
      const prevId = cidText(event.prev)
      let prevMeta: Pick<EventMeta, 'author' | 'seq' | 'ts'> | undefined = await this.staging.get<EventMeta>(
        this.metaSub,
        prevId,
      )
      if (prevMeta === undefined && this.light !== undefined) {
        // Light: a prev that was not stored whole is checked against the author's head (a new event extends it).
        const head = await this.staging.get<ChainHead>(this.headSub, event.author)
        if (head !== undefined && head.id === prevId) prevMeta = head
      }
      if (prevMeta === undefined || prevMeta.author !== event.author || prevMeta.seq !== event.seq - 1) {
        throw new IcnError(
          'DAG_BAD_CHAIN',
          `prev of ${event.author} seq ${event.seq} is not its seq ${event.seq - 1}.`,
        )
      }
      if (event.ts <= prevMeta.ts) {
        throw new IcnError('DAG_BAD_TIMESTAMP', `Timestamps must increase along a chain (seq ${event.seq}).`)
      }
    }
    const tx = new Tx(this.writerSource, mode.refolding === true)
    let status: EventMeta['status'] = 'applied'
    let reason: EventMeta['reason']
    try {
      if (mode.forceVoid !== undefined) throw new IcnError('DAG_SUPERSEDED', mode.forceVoid.message)
      await this.runRules({ id, cid: verified.cid, event, body, local: mode.local }, handler, tx)
    } catch (err) {
      if (!isIcnError(err))
        this.components.logger.error('event handler failed', { type: event.type, id, err })
      if (mode.strict) throw err
      tx.discard()
      const e = toIcnError(err)
      status = 'voided'
      reason = { code: e.code, message: e.message }
    }
    const whole = this.light === undefined || this.light.keep(event)
    this.stageTx(tx, whole)
    if (mode.refolding === true) {
      const meta = await this.staging.get<EventMeta>(this.metaSub, id)
      if (meta !== undefined) this.staging.put(this.metaSub, id, withStatus(meta, status, reason))
      else if (this.light !== undefined)
        this.staging.put(this.seenSub, id, status === 'applied' ? SEEN_APPLIED : SEEN_VOIDED)
      return { status: 'applied', id }
    }
    const meta: EventMeta = {
      type: event.type,
      author: event.author,
      seq: event.seq,
      scope: event.scope,
      ts: event.ts,
      order: this.counters.order + 1,
      status,
      ...(reason === undefined ? {} : { reason }),
    }
    this.counters = {
      order: meta.order,
      events: this.counters.events + 1,
      authors: this.counters.authors + (event.seq === 1 ? 1 : 0),
    }
    if (whole) {
      this.staging.put(this.blockSub, id, verified.bytes)
      this.staging.put(this.metaSub, id, meta)
      this.staging.put(this.logSub, pad(meta.order), id)
      this.staging.put(this.chainSub, chainKey(event.author, event.seq), id)
    } else {
      this.staging.put(this.seenSub, id, status === 'applied' ? SEEN_APPLIED : SEEN_VOIDED)
    }
    this.staging.put(this.headSub, event.author, {
      author: event.author,
      seq: event.seq,
      id,
      ts: event.ts,
    } satisfies ChainHead)
    this.staging.put(this.countersSub, 'all', this.counters)
    const summary = {
      cid: id,
      author: event.author,
      seq: event.seq,
      type: event.type,
      scope: event.scope,
      local: mode.local,
    }
    this.staging.afterFlush(() => this.components.events.emit('dag:event-applied', summary))
    if (status === 'voided')
      this.components.logger.info('event stored as void', { id, type: event.type, reason })
    return { status: 'applied', id }
  }

  /** `whole`: false for an event a light node does not store whole; its index writes pass `keepIndex`. */
  private stageTx(tx: Tx, whole = true): void {
    tx.forEachWrite((space, key, value) => {
      if (!whole && space !== 'state' && this.light?.keepIndex(key) === false) return
      const sub = space === 'state' ? this.stateSub : this.indexSub
      if (value === DELETED) this.staging.del(sub, key)
      else this.staging.put(sub, key, value)
    })
    if (tx.changesState) this.rootCache = undefined
    if (!tx.refolding) for (const fn of tx.afterCommitCallbacks) this.staging.afterFlush(fn)
  }

  private async recordEquivocation(second: VerifiedEvent, firstId: string): Promise<void> {
    const { event, id } = second
    const prior = this.flags.get(event.author)
    // Canonical evidence (lowest seq, ids sorted) so every node stores the same record whatever it saw first.
    const pair = [firstId, id].sort() as [string, string]
    const record: FlagRecord =
      prior !== undefined && prior.seq <= event.seq
        ? prior
        : { author: event.author, seq: event.seq, evidence: pair }
    const meta: EventMeta = {
      type: event.type,
      author: event.author,
      seq: event.seq,
      scope: event.scope,
      ts: event.ts,
      order: this.counters.order + 1,
      status: 'evidence',
    }
    this.counters = { ...this.counters, order: meta.order, events: this.counters.events + 1 }
    this.staging.put(this.blockSub, id, second.bytes)
    this.staging.put(this.metaSub, id, meta)
    this.staging.put(this.logSub, pad(meta.order), id)
    this.staging.put(this.evidenceSub, event.author, record)
    this.staging.put(this.countersSub, 'all', this.counters)
    this.flags.set(event.author, record)
    this.components.logger.warn('equivocation detected', {
      author: event.author,
      seq: event.seq,
      evidence: pair,
    })
    this.staging.afterFlush(() =>
      this.components.events.emit('dag:equivocation', { author: event.author, seq: event.seq, cids: pair }),
    )
    if (prior === undefined || prior.seq > event.seq) await this.refoldNow()
  }

  refold(): Promise<void> {
    this.assertStarted()
    return this.enqueue(() => this.refoldNow())
  }

  /**
   * Recomputes state and index from the stored events: flags first, then every non-evidence event in a
   * deterministic topological order (dependencies first, ties by ts then id). Runs inside the writer.
   */
  private async refoldNow(): Promise<void> {
    const started = this.now()
    // Land what the group staged so far (it includes the evidence), then rebuild from disk.
    const callbacks = await this.staging.flush()
    for (const fn of callbacks) this.staging.afterFlush(fn)
    // A light node needs every body it did not keep; all are fetched before anything is cleared (or none is).
    const foreign = this.light === undefined ? new Map<string, VerifiedEvent>() : await this.fetchForRefold()
    // Durable before anything is cleared: until the rebuilt state lands (the marker is deleted in that batch), a
    // crash leaves it, and the next start refolds again instead of serving partial state.
    await this.refoldSub.put(REFOLD_PENDING, { startedAt: started })
    for (const handler of this.handlers.values()) handler.reset?.()
    for (const hook of this.hooks) hook.reset?.()
    await this.stateSub.clear()
    await this.indexSub.clear()
    this.staging.forget(this.stateSub)
    this.staging.forget(this.indexSub)
    this.staging.forget(this.metaSub)
    this.rootCache = undefined
    for (const [author, record] of this.flags)
      this.staging.put(this.stateSub, FLAG_PREFIX + author, encodeStateValue(record))

    interface Node {
      id: string
      ts: number
      verified: VerifiedEvent
      handler: EventTypeHandler<unknown>
      body: unknown
      deps: string[]
      conflictKey?: string
      altKey?: string
    }
    const nodes = new Map<string, Node>()
    const addNode = (id: string, verified: VerifiedEvent): void => {
      const { event } = verified
      const handler = this.handlers.get(event.type)
      if (handler === undefined) return
      const body = handler.parseBody(event.body, event)
      const deps = event.prev === null ? [] : [event.prev.toString()]
      if (handler.deps !== undefined) deps.push(...handler.deps(body, event).map((c) => c.toString()))
      const conflict = handler.conflict?.(body, event)
      nodes.set(id, {
        id,
        ts: event.ts,
        verified,
        handler,
        body,
        deps,
        ...(conflict === undefined
          ? {}
          : { conflictKey: conflict.key, altKey: alternativeKey(conflict, event.ts, id) }),
      })
    }
    for await (const [id, meta] of this.metaSub.iterator()) {
      if (meta.status === 'evidence') continue
      const flag = this.flags.get(meta.author)
      if (flag !== undefined && meta.seq >= flag.seq) {
        this.staging.put(
          this.metaSub,
          id,
          withStatus(meta, 'voided', {
            code: 'DAG_EQUIVOCATION',
            message: `${meta.author} equivocated at seq ${flag.seq}.`,
          }),
        )
        continue
      }
      const verified = await this.readEvent(id, false)
      if (verified !== undefined) addNode(id, verified)
    }
    for (const [id, verified] of foreign) {
      const flag = this.flags.get(verified.event.author)
      if (flag !== undefined && verified.event.seq >= flag.seq) {
        this.staging.put(this.seenSub, id, SEEN_VOIDED)
        continue
      }
      addNode(id, verified)
    }
    // Alternatives are tried best first: each depends on the next better one of its conflict key.
    const groups = new Map<string, Node[]>()
    for (const node of nodes.values()) {
      if (node.conflictKey === undefined) continue
      let group = groups.get(node.conflictKey)
      if (group === undefined) groups.set(node.conflictKey, (group = []))
      group.push(node)
    }
    for (const group of groups.values()) {
      group.sort((a, b) => ((a.altKey as string) < (b.altKey as string) ? -1 : 1))
      for (let i = 1; i < group.length; i++) (group[i] as Node).deps.push((group[i - 1] as Node).id)
    }
    const settled = new Set<string>()

    const indegree = new Map<string, number>()
    const dependents = new Map<string, string[]>()
    for (const node of nodes.values()) {
      let count = 0
      for (const dep of node.deps) {
        if (!nodes.has(dep)) continue
        count++
        let list = dependents.get(dep)
        if (list === undefined) dependents.set(dep, (list = []))
        list.push(node.id)
      }
      indegree.set(node.id, count)
    }
    const ready = new MinHeap<Node>((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    for (const node of nodes.values()) if (indegree.get(node.id) === 0) ready.push(node)
    let applied = 0
    const done = new Set<string>()
    const applyNode = async (node: Node): Promise<void> => {
      done.add(node.id)
      const superseded = node.conflictKey !== undefined && settled.has(node.conflictKey)
      await this.applyVerified(node.verified, node.handler, node.body, {
        local: false,
        strict: false,
        refolding: true,
        ...(superseded
          ? {
              forceVoid: {
                code: 'DAG_SUPERSEDED',
                message: `A better alternative for ${node.conflictKey} is applied.`,
              },
            }
          : {}),
      })
      if (node.conflictKey !== undefined && !superseded) {
        if ((await this.staging.get<EventMeta>(this.metaSub, node.id))?.status === 'applied')
          settled.add(node.conflictKey)
      }
      applied++
    }
    while (ready.size > 0) {
      const node = ready.pop()
      await applyNode(node)
      if (this.staging.pendingWrites > 10_000) await this.flushInsideWriter()
      for (const next of dependents.get(node.id) ?? []) {
        const left = (indegree.get(next) ?? 0) - 1
        indegree.set(next, left)
        if (left === 0) ready.push(nodes.get(next) as Node)
      }
    }
    // A dependency cycle (possible only through conflict ordering) leaves nodes unvisited: apply them by (ts, id).
    const rest = [...nodes.values()]
      .filter((n) => !done.has(n.id))
      .sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1))
    for (const node of rest) await applyNode(node)
    this.staging.del(this.refoldSub, REFOLD_PENDING)
    await this.flushInsideWriter()
    this.rootCache = await computeStateRoot(this.stateSub)
    const root = this.rootCache
    this.components.logger.info('state refolded', { events: applied, ms: this.now() - started })
    this.staging.afterFlush(() => this.components.events.emit('dag:state-changed', { stateRoot: root }))
  }

  /**
   * Light mode: the bodies of every event known by id only, from the viewed cache or fetched from peers (full
   * nodes). UNAVAILABLE when any is missing: the caller has cleared nothing yet and tries again later.
   */
  private async fetchForRefold(): Promise<Map<string, VerifiedEvent>> {
    const light = this.light as LightInit
    const out = new Map<string, VerifiedEvent>()
    const wanted: CID[] = []
    for await (const id of this.seenSub.keys()) {
      const cid = CID.parse(id)
      const bytes = await this.blocks.get(cid)
      if (bytes === undefined) wanted.push(cid)
      else out.set(id, { cid, id, bytes, event: decodeStored(bytes) as SignedEvent })
    }
    let missing = 0
    for (let i = 0; i < wanted.length; i += REFOLD_FETCH_CHUNK) {
      const chunk = wanted.slice(i, i + REFOLD_FETCH_CHUNK)
      const found = await light.fetch(chunk, { signal: AbortSignal.timeout(60_000) })
      for (const cid of chunk) {
        const bytes = found.get(cid.toString())
        // The network checked the bytes against the CID; decodeEvent re-checks the signature and canonical form.
        if (bytes === undefined) missing++
        else out.set(cid.toString(), await decodeEventAsync(bytes, this.ed25519))
      }
      if (missing > 0) break
    }
    if (missing > 0) {
      throw new IcnError(
        'UNAVAILABLE',
        `A light node rebuilds its state with events it fetches from full nodes, and ${missing} could not be fetched. Connect to a full node; the rebuild is retried.`,
      )
    }
    return out
  }

  /** Commits staged writes mid-job; their callbacks still run when the job's group completes. */
  private async flushInsideWriter(): Promise<void> {
    const callbacks = await this.staging.flush()
    for (const fn of callbacks) this.staging.afterFlush(fn)
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  private async readEvent(id: string, writer: boolean): Promise<VerifiedEvent | undefined> {
    let cid: CID
    try {
      cid = CID.parse(id)
    } catch {
      return undefined
    }
    const meta = writer ? await this.staging.get<EventMeta>(this.metaSub, id) : await this.committedMeta(id)
    if (meta === undefined) {
      if (this.light === undefined || (await this.known(id, writer)) === undefined) return undefined
      const bytes = (await this.blocks.get(cid)) ?? (await this.fetchViewed(cid))
      return bytes === undefined ? undefined : { cid, id, bytes, event: decodeStored(bytes) as SignedEvent }
    }
    let bytes: Uint8Array | undefined
    if (writer) bytes = await this.staging.get<Uint8Array>(this.blockSub, id)
    else {
      // Recently applied events are in the read cache (services read them back right after the commit); the
      // cache holds only what landed. Otherwise the block store re-checks the hash on the database read.
      const cached = this.staging.cachedCommitted<Uint8Array>(this.blockSub, id)
      bytes = cached === DELETED ? undefined : (cached ?? (await this.blocks.get(cid)))
    }
    if (bytes === undefined) return undefined
    // Stored events were verified (canonical form included) on the way in: a plain decode is enough here.
    return { cid, id, bytes, event: decodeStored(bytes) as SignedEvent }
  }

  getEvent(id: string): Promise<VerifiedEvent | undefined> {
    return this.readEvent(id, false)
  }

  /**
   * Light mode: an event's verdict from its metadata or, when it was not stored whole, from `seen`. Undefined
   * for an event this node does not know.
   */
  private async known(id: string, writer: boolean): Promise<EventMeta['status'] | undefined> {
    // On a light node most events are known by id only: `seen` is looked at first.
    if (this.light !== undefined) {
      const seen = writer ? await this.staging.get<number>(this.seenSub, id) : await this.seenSub.get(id)
      if (seen !== undefined) return seen === SEEN_APPLIED ? 'applied' : 'voided'
    }
    const meta = writer ? await this.staging.get<EventMeta>(this.metaSub, id) : await this.committedMeta(id)
    return meta?.status
  }

  /**
   * Light mode: fetches a block this node applied but did not keep, and keeps it in the bounded viewed cache.
   * The network verifies the bytes against the CID; the event was verified when it was applied.
   */
  private async fetchViewed(cid: CID): Promise<Uint8Array | undefined> {
    const light = this.light
    if (light === undefined) return undefined
    let found: Map<string, Uint8Array>
    try {
      found = await light.fetch([cid], { signal: AbortSignal.timeout(15_000) })
    } catch (err) {
      this.components.logger.info('light node: could not fetch an event', {
        cid: cid.toString(),
        err: toIcnError(err).message,
      })
      return undefined
    }
    const bytes = found.get(cid.toString())
    if (bytes === undefined) return undefined
    const id = cid.toString()
    await this.blockSub.put(id, bytes)
    await this.viewedSub.put(pad(this.viewedNext++), id)
    this.viewedCount++
    while (this.viewedCount > this.viewedMax) {
      let dropped = false
      for await (const [key, oldId] of this.viewedSub.iterator({ limit: 1 })) {
        await this.viewedSub.del(key)
        if ((await this.metaSub.get(oldId)) === undefined) await this.blockSub.del(oldId)
        dropped = true
      }
      this.viewedCount--
      if (!dropped) break
    }
    return bytes
  }

  /** An event's committed metadata: the read cache when it has the key, else the database. */
  private async committedMeta(id: string): Promise<EventMeta | undefined> {
    const cached = this.staging.cachedCommitted<EventMeta>(this.metaSub, id)
    if (cached === DELETED) return undefined
    return cached ?? (await this.metaSub.get(id))
  }

  async getSummary(id: string): Promise<EventSummary | undefined> {
    const meta = await this.metaSub.get(id)
    return meta === undefined ? undefined : summary(id, meta)
  }

  async listEvents(filter: EventFilter = {}): Promise<{ events: EventSummary[]; next: number | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 1000)
    const out: EventSummary[] = []
    let scanned = 0
    let last: number | null = null
    const range = filter.before === undefined ? { reverse: true } : { reverse: true, lt: pad(filter.before) }
    // Filters apply while scanning; the scan is bounded so a rare filter cannot walk the whole log.
    for await (const [key, id] of this.logSub.iterator(range)) {
      scanned++
      last = parseInt(key, 16)
      const meta = await this.metaSub.get(id)
      if (meta === undefined) continue
      if (filter.author !== undefined && meta.author !== filter.author) continue
      if (filter.type !== undefined && meta.type !== filter.type) continue
      if (filter.scope !== undefined && meta.scope !== filter.scope) continue
      out.push(summary(id, meta))
      if (out.length >= limit || scanned >= 50_000) break
    }
    const next = last !== null && last > 1 && (out.length >= limit || scanned >= 50_000) ? last : null
    return { events: out, next }
  }

  async heads(): Promise<ChainHead[]> {
    const out: ChainHead[] = []
    for await (const value of this.headSub.values()) out.push(value)
    return out
  }

  head(author: string): Promise<ChainHead | undefined> {
    return this.headSub.get(author)
  }

  async servableHeads(): Promise<ChainHead[]> {
    const all = await this.heads()
    return this.light === undefined ? all : all.filter((h) => this.servesChain(h.author))
  }

  /** A light node stores whole only its member's chain; other chains have gaps and are not served. */
  private servesChain(author: string): boolean {
    if (this.light === undefined) return true
    try {
      return author === this.components.identity.did()
    } catch {
      return false
    }
  }

  async chainRange(author: string, fromSeq: number, toSeq: number, limit = 500): Promise<Uint8Array[]> {
    const out: Uint8Array[] = []
    if (!(fromSeq >= 1) || !(toSeq >= fromSeq) || !this.servesChain(author)) return out
    for await (const id of this.chainSub.values({
      gte: chainKey(author, fromSeq),
      lte: chainKey(author, toSeq),
      limit,
    })) {
      const bytes = await this.blocks.get(CID.parse(id))
      if (bytes !== undefined) out.push(bytes)
    }
    return out
  }

  missing(): string[] {
    return [...this.waiting.keys()]
  }

  evidence(): FlagRecord[] {
    return [...this.flags.values()]
  }

  async stateRoot(): Promise<string> {
    if (this.rootCache !== undefined) return this.rootCache
    // Inside the writer, after its pending group has landed: the root describes a committed, consistent state.
    return this.enqueue(async () => {
      await this.flushInsideWriter()
      this.rootCache ??= await computeStateRoot(this.stateSub)
      return this.rootCache
    })
  }

  view(): StateView {
    return new SourceView(this.committedSource)
  }

  readCache(): ReadCacheSize | null {
    return this.started ? this.staging.cacheSize : null
  }

  async stats(): Promise<DagStats> {
    return {
      events: this.counters.events,
      authors: this.counters.authors,
      pending: this.parked.size,
      flagged: this.flags.size,
    }
  }
}

/** Sort key of an alternative: rank, then ts, then id (fixed-width, so string order is the intended order). */
function alternativeKey(conflict: { key: string; rank: number }, ts: number, id: string): string {
  return `${conflict.key}!${conflict.rank.toString(16).padStart(8, '0')}!${ts.toString(16).padStart(14, '0')}!${id}`
}

function withStatus(meta: EventMeta, status: EventMeta['status'], reason: EventMeta['reason']): EventMeta {
  const { reason: _old, ...rest } = meta
  return reason === undefined ? { ...rest, status } : { ...rest, status, reason }
}

function summary(id: string, meta: EventMeta): EventSummary {
  return {
    id,
    type: meta.type,
    author: meta.author,
    seq: meta.seq,
    scope: meta.scope,
    ts: meta.ts,
    status: meta.status,
    order: meta.order,
  }
}

class MinHeap<T> {
  private readonly items: T[] = []
  constructor(private readonly compare: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length
  }
  push(item: T): void {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.compare(a[i] as T, a[parent] as T) >= 0) break
      ;[a[i], a[parent]] = [a[parent] as T, a[i] as T]
      i = parent
    }
  }
  pop(): T {
    const a = this.items
    const top = a[0] as T
    const last = a.pop() as T
    if (a.length > 0) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && this.compare(a[l] as T, a[m] as T) < 0) m = l
        if (r < a.length && this.compare(a[r] as T, a[m] as T) < 0) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m] as T, a[i] as T]
        i = m
      }
    }
    return top
  }
}

/** A note: a signed text posted to a scope (announcements, minutes). The simplest event type. */
interface NoteBody {
  text: string
  refs: CID[]
}

const noteHandler: EventTypeHandler<NoteBody> = {
  parseBody(body) {
    const b = body as Partial<NoteBody> | null
    if (
      typeof b !== 'object' ||
      b === null ||
      Object.keys(b).length !== 2 ||
      typeof b.text !== 'string' ||
      b.text.length > 4000 ||
      !Array.isArray(b.refs) ||
      b.refs.length > 16 ||
      !b.refs.every((r) => CID.asCID(r) !== null)
    ) {
      throw new IcnError('DAG_INVALID_EVENT', 'A note is {text (≤ 4000 characters), refs (≤ 16 CIDs)}.')
    }
    return b as NoteBody
  },
  async apply(ctx, tx) {
    // A counter per scope is order-independent (addition commutes), as the fold contract requires.
    const key = `notes/count/${ctx.event.scope}`
    tx.put(key, ((await tx.get<number>(key)) ?? 0) + 1)
  },
}

export function dag(init: DagInit = {}): (components: DagComponents) => Dag {
  return (components) => new DefaultDag(components, init)
}
