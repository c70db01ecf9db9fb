import { createHash } from 'node:crypto'
import type { BatchWrite, BytesSublevel } from '../storage'
import type { VerifiedEvent } from './event'
import type { FlagRecord, ListOptions, StateTx, StateView } from './index'
import { decodeCanonical, encode } from './codec'

const KEY_PATTERN = /^[\x21-\x7e]{1,400}$/
/** Upper bound for prefix scans: keys are printable ASCII, so '\x7f' sorts after every key with the prefix. */
const PREFIX_END = '\x7f'
const DEFAULT_LIST_LIMIT = 1000

export const FLAG_PREFIX = 'dag/flagged/'

export type BatchOp = BatchWrite

export function assertStateKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new TypeError(
      `State keys are 1–400 printable ASCII characters without spaces (got ${JSON.stringify(key).slice(0, 60)})`,
    )
  }
}

function decodeValue<T>(bytes: Uint8Array): T {
  return decodeCanonical(bytes) as T
}

export interface StateReadDeps {
  state: BytesSublevel
  index: BytesSublevel
  getEvent(id: string): Promise<VerifiedEvent | undefined>
  isEffective(id: string): Promise<boolean>
}

async function listSublevel<T>(
  sub: BytesSublevel,
  prefix: string,
  options: ListOptions,
  extra = 0,
): Promise<{ key: string; value: T }[]> {
  const limit = Math.min(Math.max(options.limit ?? DEFAULT_LIST_LIMIT, 1), 100_000)
  const range: { gte?: string; gt?: string; lt?: string; lte?: string; limit: number; reverse: boolean } = {
    limit: limit + extra,
    reverse: options.reverse === true,
  }
  if (options.reverse === true) {
    range.gte = prefix
    if (options.after !== undefined) range.lt = options.after
    else range.lt = prefix + PREFIX_END
  } else {
    if (options.after !== undefined) range.gt = options.after
    else range.gte = prefix
    range.lt = prefix + PREFIX_END
  }
  const out: { key: string; value: T }[] = []
  for await (const [key, value] of sub.iterator(range)) {
    if (!key.startsWith(prefix)) continue
    out.push({ key, value: decodeValue<T>(value) })
  }
  return out
}

/** Read-only view of committed state. */
export class CommittedView implements StateView {
  constructor(protected readonly deps: StateReadDeps) {}

  async get<T>(key: string): Promise<T | undefined> {
    const bytes = await this.deps.state.get(key)
    return bytes === undefined ? undefined : decodeValue<T>(bytes)
  }

  list<T>(prefix: string, options: ListOptions = {}): Promise<{ key: string; value: T }[]> {
    return listSublevel<T>(this.deps.state, prefix, options)
  }

  async getIndex<T>(key: string): Promise<T | undefined> {
    const bytes = await this.deps.index.get(key)
    return bytes === undefined ? undefined : decodeValue<T>(bytes)
  }

  listIndex<T>(prefix: string, options: ListOptions = {}): Promise<{ key: string; value: T }[]> {
    return listSublevel<T>(this.deps.index, prefix, options)
  }

  getEvent(id: string): Promise<VerifiedEvent | undefined> {
    return this.deps.getEvent(id)
  }

  isEffective(id: string): Promise<boolean> {
    return this.deps.isEffective(id)
  }

  flagged(author: string): Promise<FlagRecord | undefined> {
    return this.get<FlagRecord>(FLAG_PREFIX + author)
  }
}

type Pending = { value: Uint8Array } | { deleted: true }

/**
 * A transaction over state and index: reads see its own writes; nothing reaches the database until commit,
 * where its writes join the event's own index writes in one atomic batch.
 */
export class Tx extends CommittedView implements StateTx {
  private readonly stateWrites = new Map<string, Pending>()
  private readonly indexWrites = new Map<string, Pending>()
  private readonly callbacks: (() => void)[] = []

  constructor(
    deps: StateReadDeps,
    readonly refolding: boolean,
  ) {
    super(deps)
  }

  override async get<T>(key: string): Promise<T | undefined> {
    const pending = this.stateWrites.get(key)
    if (pending !== undefined) return 'deleted' in pending ? undefined : decodeValue<T>(pending.value)
    return super.get<T>(key)
  }

  override async getIndex<T>(key: string): Promise<T | undefined> {
    const pending = this.indexWrites.get(key)
    if (pending !== undefined) return 'deleted' in pending ? undefined : decodeValue<T>(pending.value)
    return super.getIndex<T>(key)
  }

  override list<T>(prefix: string, options: ListOptions = {}): Promise<{ key: string; value: T }[]> {
    return mergedList<T>(this.deps.state, this.stateWrites, prefix, options)
  }

  override listIndex<T>(prefix: string, options: ListOptions = {}): Promise<{ key: string; value: T }[]> {
    return mergedList<T>(this.deps.index, this.indexWrites, prefix, options)
  }

  put(key: string, value: unknown): void {
    assertStateKey(key)
    this.stateWrites.set(key, { value: encode(value) })
  }

  del(key: string): void {
    assertStateKey(key)
    this.stateWrites.set(key, { deleted: true })
  }

  putIndex(key: string, value: unknown): void {
    assertStateKey(key)
    this.indexWrites.set(key, { value: encode(value) })
  }

  delIndex(key: string): void {
    assertStateKey(key)
    this.indexWrites.set(key, { deleted: true })
  }

  afterCommit(fn: () => void): void {
    this.callbacks.push(fn)
  }

  /** Drops every write (a failed validate/apply leaves no trace). */
  discard(): void {
    this.stateWrites.clear()
    this.indexWrites.clear()
    this.callbacks.length = 0
  }

  get changesState(): boolean {
    return this.stateWrites.size > 0
  }

  operations(): BatchOp[] {
    const ops: BatchOp[] = []
    for (const [key, write] of this.stateWrites) {
      ops.push(
        'deleted' in write
          ? { type: 'del', sublevel: this.deps.state, key }
          : { type: 'put', sublevel: this.deps.state, key, value: write.value },
      )
    }
    for (const [key, write] of this.indexWrites) {
      ops.push(
        'deleted' in write
          ? { type: 'del', sublevel: this.deps.index, key }
          : { type: 'put', sublevel: this.deps.index, key, value: write.value },
      )
    }
    return ops
  }

  runCallbacks(onError: (err: unknown) => void): void {
    for (const fn of this.callbacks) {
      try {
        fn()
      } catch (err) {
        onError(err)
      }
    }
  }
}

async function mergedList<T>(
  sub: BytesSublevel,
  writes: Map<string, Pending>,
  prefix: string,
  options: ListOptions,
): Promise<{ key: string; value: T }[]> {
  const limit = Math.min(Math.max(options.limit ?? DEFAULT_LIST_LIMIT, 1), 100_000)
  const reverse = options.reverse === true
  const inRange = (key: string): boolean =>
    key.startsWith(prefix) &&
    (options.after === undefined || (reverse ? key < options.after : key > options.after))
  let deletions = 0
  for (const [key, write] of writes) if ('deleted' in write && inRange(key)) deletions++
  const committed = await listSublevel<T>(sub, prefix, options, deletions)
  const merged = new Map<string, T>()
  for (const { key, value } of committed) merged.set(key, value)
  for (const [key, write] of writes) {
    if (!inRange(key)) continue
    if ('deleted' in write) merged.delete(key)
    else merged.set(key, decodeValue<T>(write.value))
  }
  const keys = [...merged.keys()].sort()
  if (reverse) keys.reverse()
  return keys.slice(0, limit).map((key) => ({ key, value: merged.get(key) as T }))
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
