import { createHash } from 'node:crypto'
import type { BatchWrite, BytesSublevel } from '../storage'
import type { VerifiedEvent } from './event'
import type { FlagRecord, ListOptions, StateTx, StateView } from './index'
import { decodeStored, encode } from './codec'
import { DELETED } from './staging'

/** Upper bound for prefix scans: keys are printable ASCII, so '\x7f' sorts after every key with the prefix. */
const PREFIX_END = '\x7f'
const DEFAULT_LIST_LIMIT = 1000

export const FLAG_PREFIX = 'dag/flagged/'

export type BatchOp = BatchWrite
export type Space = 'state' | 'index'

/** 1–400 printable ASCII characters without spaces (0x21–0x7e); a loop, as this runs for every write. */
function validStateKey(key: string): boolean {
  const n = key.length
  if (n === 0 || n > 400) return false
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

export function assertStateKey(key: string): void {
  if (!validStateKey(key)) {
    throw new TypeError(
      `State keys are 1–400 printable ASCII characters without spaces (got ${JSON.stringify(key).slice(0, 60)})`,
    )
  }
}

/** State and index values are only ever written by this node (Tx.put → encode): no canonical re-check on read. */
function decodeValue<T>(bytes: Uint8Array): T {
  return decodeStored(bytes) as T
}

/**
 * Where views read state bytes from: the committed database (API readers) or the writer's staged overlay on top
 * of it (handlers inside the serial writer, which must see the writes of earlier events in the same group).
 */
export interface StateSource {
  get(space: Space, key: string): Promise<Uint8Array | undefined>
  /** Entries in range, merged with anything staged; `extra` asks the database for a few more rows. */
  list(space: Space, prefix: string, options: ListOptions): Promise<{ key: string; value: Uint8Array }[]>
  getEvent(id: string): Promise<VerifiedEvent | undefined>
  isEffective(id: string): Promise<boolean>
}

interface Range {
  gte?: string
  gt?: string
  lt?: string
  limit: number
  reverse: boolean
}

function clampLimit(options: ListOptions): number {
  return Math.min(Math.max(options.limit ?? DEFAULT_LIST_LIMIT, 1), 100_000)
}

function rangeFor(prefix: string, options: ListOptions, limit: number): Range {
  const reverse = options.reverse === true
  const range: Range = { limit, reverse }
  if (reverse) {
    range.gte = prefix
    range.lt = options.after ?? prefix + PREFIX_END
  } else {
    if (options.after !== undefined) range.gt = options.after
    else range.gte = prefix
    range.lt = prefix + PREFIX_END
  }
  return range
}

function inRange(prefix: string, options: ListOptions): (key: string) => boolean {
  const reverse = options.reverse === true
  return (key) =>
    key.startsWith(prefix) &&
    (options.after === undefined || (reverse ? key < options.after : key > options.after))
}

/** Scans a sublevel and merges overlays (later overlays win); deletions in overlays hide database rows. */
export async function scanMerged(
  sub: BytesSublevel,
  overlays: readonly (ReadonlyMap<string, unknown> | undefined)[],
  prefix: string,
  options: ListOptions,
): Promise<{ key: string; value: Uint8Array }[]> {
  const limit = clampLimit(options)
  const accept = inRange(prefix, options)
  let hidden = 0
  for (const overlay of overlays) {
    if (overlay === undefined) continue
    for (const [key, value] of overlay) if (value === DELETED && accept(key)) hidden++
  }
  const merged = new Map<string, Uint8Array>()
  for await (const [key, value] of sub.iterator(rangeFor(prefix, options, limit + hidden))) {
    if (key.startsWith(prefix)) merged.set(key, value)
  }
  for (const overlay of overlays) {
    if (overlay === undefined) continue
    for (const [key, value] of overlay) {
      if (!accept(key)) continue
      if (value === DELETED) merged.delete(key)
      else merged.set(key, value as Uint8Array)
    }
  }
  const keys = [...merged.keys()].sort()
  if (options.reverse === true) keys.reverse()
  return keys.slice(0, limit).map((key) => ({ key, value: merged.get(key) as Uint8Array }))
}

/** Read-only view over a state source. */
export class SourceView implements StateView {
  constructor(protected readonly source: StateSource) {}

  async get<T>(key: string): Promise<T | undefined> {
    const bytes = await this.source.get('state', key)
    return bytes === undefined ? undefined : decodeValue<T>(bytes)
  }

  async list<T>(prefix: string, options: ListOptions = {}): Promise<{ key: string; value: T }[]> {
    return (await this.source.list('state', prefix, options)).map(({ key, value }) => ({
      key,
      value: decodeValue<T>(value),
    }))
  }

  async getIndex<T>(key: string): Promise<T | undefined> {
    const bytes = await this.source.get('index', key)
    return bytes === undefined ? undefined : decodeValue<T>(bytes)
  }

  async listIndex<T>(prefix: string, options: ListOptions = {}): Promise<{ key: string; value: T }[]> {
    return (await this.source.list('index', prefix, options)).map(({ key, value }) => ({
      key,
      value: decodeValue<T>(value),
    }))
  }

  getEvent(id: string): Promise<VerifiedEvent | undefined> {
    return this.source.getEvent(id)
  }

  isEffective(id: string): Promise<boolean> {
    return this.source.isEffective(id)
  }

  flagged(author: string): Promise<FlagRecord | undefined> {
    return this.get<FlagRecord>(FLAG_PREFIX + author)
  }
}

/**
 * One event's transaction: reads see its own writes; on success its writes are staged for the group commit,
 * on failure they are dropped (an event is never half-applied).
 */
export class Tx extends SourceView implements StateTx {
  private readonly writes: Record<Space, Map<string, unknown>> = { state: new Map(), index: new Map() }
  private readonly callbacks: (() => void)[] = []

  constructor(
    private readonly base: StateSource,
    readonly refolding: boolean,
  ) {
    super({
      get: async (space, key) => {
        const own = this.writes[space].get(key)
        if (own !== undefined) return own === DELETED ? undefined : (own as Uint8Array)
        return base.get(space, key)
      },
      list: async (space, prefix, options) => {
        const own = this.writes[space]
        const accept = inRange(prefix, options)
        let hidden = 0
        for (const [key, value] of own) if (value === DELETED && accept(key)) hidden++
        const rows = await base.list(space, prefix, { ...options, limit: clampLimit(options) + hidden })
        const merged = new Map(rows.map((r) => [r.key, r.value]))
        for (const [key, value] of own) {
          if (!accept(key)) continue
          if (value === DELETED) merged.delete(key)
          else merged.set(key, value as Uint8Array)
        }
        const keys = [...merged.keys()].sort()
        if (options.reverse === true) keys.reverse()
        return keys
          .slice(0, clampLimit(options))
          .map((key) => ({ key, value: merged.get(key) as Uint8Array }))
      },
      getEvent: (id) => base.getEvent(id),
      isEffective: (id) => base.isEffective(id),
    })
  }

  put(key: string, value: unknown): void {
    assertStateKey(key)
    this.writes.state.set(key, encode(value))
  }

  del(key: string): void {
    assertStateKey(key)
    this.writes.state.set(key, DELETED)
  }

  putIndex(key: string, value: unknown): void {
    assertStateKey(key)
    this.writes.index.set(key, encode(value))
  }

  delIndex(key: string): void {
    assertStateKey(key)
    this.writes.index.set(key, DELETED)
  }

  afterCommit(fn: () => void): void {
    this.callbacks.push(fn)
  }

  discard(): void {
    this.writes.state.clear()
    this.writes.index.clear()
    this.callbacks.length = 0
  }

  get changesState(): boolean {
    return this.writes.state.size > 0
  }

  /** The transaction's writes as (space, key, bytes | DELETED), state first (a loop: no generator per event). */
  forEachWrite(fn: (space: Space, key: string, value: Uint8Array | typeof DELETED) => void): void {
    for (const [key, value] of this.writes.state) fn('state', key, value as Uint8Array | typeof DELETED)
    for (const [key, value] of this.writes.index) fn('index', key, value as Uint8Array | typeof DELETED)
  }

  get afterCommitCallbacks(): readonly (() => void)[] {
    return this.callbacks
  }
}

/** sha2-256 over every (key, value) of the state in key order, length-prefixed: the state root. */
export async function computeStateRoot(state: BytesSublevel): Promise<string> {
  const hash = createHash('sha256')
  const len = Buffer.alloc(4)
  hash.update('icn/v1/state\0')
  for await (const [key, value] of state.iterator()) {
    const k = Buffer.from(key, 'utf8')
    len.writeUInt32BE(k.length)
    hash.update(len)
    hash.update(k)
    len.writeUInt32BE(value.length)
    hash.update(len)
    hash.update(value)
  }
  return hash.digest('hex')
}

/** The bytes Tx.put stores for a value, for writers outside a transaction (refold flags). */
export function encodeStateValue(value: unknown): Uint8Array {
  return encode(value)
}
