import type { BatchWrite, BytesSublevel, JsonSublevel, Storage } from '../storage'
import type { ReadCacheSize } from './index'

/** Marks a staged deletion in an overlay map. */
export const DELETED: unique symbol = Symbol('deleted')
export type Staged = unknown

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySublevel = BytesSublevel | JsonSublevel<any>

/**
 * Group commit for the serial writer. Writes of several events are staged here (visible to the writer's own
 * reads through the overlay) and reach LevelDB in one atomic batch; callers are acknowledged only after that
 * batch lands. A bounded read cache keeps recently written and read values (chain heads, event metadata,
 * state) so the hot path rarely waits on the database.
 */
export class Staging {
  private overlay = new Map<AnySublevel, Map<string, unknown>>()
  /** Number of distinct staged keys; repeated writes of one key (counters, heads) land once. */
  private staged = 0
  private callbacks: (() => void)[] = []
  private readonly cache = new Map<AnySublevel, Map<string, unknown>>()
  private cached = 0
  /** Bytes of the cached byte values (blocks, event bytes); bounded too, or a few big files would fill memory. */
  private cachedBytes = 0

  constructor(
    private readonly storage: Storage,
    private readonly cacheLimit = 50_000,
    private readonly cacheByteLimit = 32 * 1024 * 1024,
    /**
     * Sublevels the writer appends to but hardly reads back (the log, chain positions, secondary indexes read by
     * range scans): their values are never cached, so the cache's bound goes to what the hot path reads again.
     */
    private readonly uncached: ReadonlySet<AnySublevel> = new Set(),
  ) {}

  /** Entries and bytes in the read cache and their bounds (for tests and diagnostics). */
  get cacheSize(): ReadCacheSize {
    return {
      entries: this.cached,
      bytes: this.cachedBytes,
      maxEntries: this.cacheLimit,
      maxBytes: this.cacheByteLimit,
    }
  }

  get pendingWrites(): number {
    return this.staged
  }

  /** Overlay, then cache, then database. */
  async get<V>(sub: AnySublevel, key: string): Promise<V | undefined> {
    const staged = this.overlay.get(sub)?.get(key)
    if (staged !== undefined) return staged === DELETED ? undefined : (staged as V)
    const hit = this.cache.get(sub)?.get(key)
    if (hit !== undefined) return hit === DELETED ? undefined : (hit as V)
    // The database's synchronous read: a key in LevelDB's memtable or block cache costs a few µs this way,
    // against a round trip through libuv's pool (a job, a callback, a promise: ~20–60 µs of this thread).
    const value = (
      (sub.supports as { getSync?: boolean }).getSync === true ? sub.getSync(key) : await sub.get(key)
    ) as V | undefined
    if (!this.uncached.has(sub)) this.remember(sub, key, value === undefined ? DELETED : value)
    return value
  }

  /**
   * A committed value from the read cache, without the staged overlay: what a reader outside the writer may see.
   * The cache only holds values that landed (remembered after a successful batch, or read from the database).
   * `undefined` when the key is not cached (ask the database); `DELETED` when it is known to be absent.
   */
  cachedCommitted<V>(sub: AnySublevel, key: string): V | typeof DELETED | undefined {
    return this.cache.get(sub)?.get(key) as V | typeof DELETED | undefined
  }

  /** The staged entries of a sublevel (for merging into range scans). */
  stagedEntries(sub: AnySublevel): ReadonlyMap<string, unknown> | undefined {
    return this.overlay.get(sub)
  }

  put(sub: AnySublevel, key: string, value: unknown): void {
    const map = this.mapFor(this.overlay, sub)
    if (!map.has(key)) this.staged++
    map.set(key, value)
  }

  del(sub: AnySublevel, key: string): void {
    const map = this.mapFor(this.overlay, sub)
    if (!map.has(key)) this.staged++
    map.set(key, DELETED)
  }

  afterFlush(fn: () => void): void {
    this.callbacks.push(fn)
  }

  /** Commits everything staged in one batch; on success the staged values move to the read cache. */
  async flush(): Promise<(() => void)[]> {
    const overlay = this.overlay
    const callbacks = this.callbacks
    this.callbacks = []
    if (this.staged === 0) return callbacks
    this.overlay = new Map()
    this.staged = 0
    const ops: BatchWrite[] = []
    for (const [sublevel, entries] of overlay) {
      for (const [key, value] of entries) {
        ops.push(value === DELETED ? { type: 'del', sublevel, key } : { type: 'put', sublevel, key, value })
      }
    }
    try {
      await this.storage.batch(ops)
    } catch (err) {
      // Nothing of the group landed: forget what we believed about it.
      this.clearCache()
      throw err
    }
    for (const [sub, entries] of overlay) {
      if (this.uncached.has(sub)) continue
      for (const [key, value] of entries) this.remember(sub, key, value)
    }
    return callbacks
  }

  /** Drops staged writes (used before a refold and after a failed batch). */
  discard(): void {
    this.staged = 0
    this.overlay = new Map()
    this.callbacks = []
  }

  clearCache(): void {
    this.cache.clear()
    this.cached = 0
    this.cachedBytes = 0
  }

  /** Forgets cached values of one sublevel (after it is cleared wholesale). */
  forget(sub: AnySublevel): void {
    const map = this.cache.get(sub)
    if (map !== undefined) {
      this.cached -= map.size
      for (const value of map.values()) this.cachedBytes -= byteSize(value)
      this.cache.delete(sub)
    }
  }

  private remember(sub: AnySublevel, key: string, value: unknown): void {
    // A byte value is often a view into a much larger buffer (a network frame, a pooled allocation, a whole
    // encoded batch); caching the view would keep all of that alive. Cache a copy of just its bytes.
    const own =
      value instanceof Uint8Array && value.byteLength < value.buffer.byteLength ? copyBytes(value) : value
    const map = this.mapFor(this.cache, sub)
    const previous = map.get(key)
    if (previous !== undefined) {
      map.delete(key) // re-insert below: Map order doubles as recency order
      this.cachedBytes -= byteSize(previous)
    } else {
      this.cached++
    }
    map.set(key, own)
    this.cachedBytes += byteSize(own)
    while (this.cached > this.cacheLimit || (this.cachedBytes > this.cacheByteLimit && this.cached > 1)) {
      if (!this.evictOne(map)) break
    }
  }

  /** Evicts the least recently remembered entry, preferring the sublevel being written. */
  private evictOne(preferred: Map<string, unknown>): boolean {
    const victim =
      preferred.size > 1 ? preferred : [...this.cache.values()].find((m) => m.size > 0 && m !== preferred)
    const oldest = victim?.keys().next().value
    if (victim === undefined || oldest === undefined) return false
    this.cachedBytes -= byteSize(victim.get(oldest))
    victim.delete(oldest)
    this.cached--
    return true
  }

  private mapFor(maps: Map<AnySublevel, Map<string, unknown>>, sub: AnySublevel): Map<string, unknown> {
    let map = maps.get(sub)
    if (map === undefined) {
      map = new Map<string, unknown>()
      maps.set(sub, map)
    }
    return map
  }
}

function byteSize(value: unknown): number {
  return value instanceof Uint8Array ? value.byteLength : 0
}

function copyBytes(view: Uint8Array): Uint8Array {
  const copy = new Uint8Array(view.byteLength)
  copy.set(view)
  return copy
}
