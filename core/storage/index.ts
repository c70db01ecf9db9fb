import type { Level } from 'level'
import type { AbstractSublevel } from 'abstract-level'
import type { Startable } from '../lifecycle'

export type StorageStatus = 'closed' | 'opening' | 'open' | 'closing'

/** A sublevel whose values are raw bytes (dag-cbor, raw blocks). */
export type BytesSublevel = AbstractSublevel<
  Level<string, Uint8Array>,
  string | Uint8Array,
  string,
  Uint8Array
>
/** A sublevel whose values are JSON (indexes, settings, node-local bookkeeping that is not part of the state root). */
export type JsonSublevel<V> = AbstractSublevel<Level<string, Uint8Array>, string | Uint8Array, string, V>

/** One write of an atomic batch that may span sublevels (values are encoded by the sublevel's encoding). */
// Any of this node's sublevels; the value type is checked where the sublevel is declared.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySublevel = AbstractSublevel<Level<string, Uint8Array>, string | Uint8Array, string, any>

export type BatchWrite =
  | { type: 'put'; sublevel: AnySublevel; key: string; value: unknown }
  | { type: 'del'; sublevel: AnySublevel; key: string }

export interface Migration {
  /** The schema version this migration produces; it runs on a database at `to - 1`. */
  to: number
  describe: string
  migrate(db: Level<string, Uint8Array>): Promise<void>
}

export interface StorageInit {
  /** Directory of the LevelDB store (created if absent). */
  location: string
  /**
   * Migrations in ascending `to` order. The highest `to` is the schema version this code writes.
   * @default the project's migration list (core/storage/migrations.ts)
   */
  migrations?: readonly Migration[]
}

export interface Storage extends Startable {
  readonly status: StorageStatus
  readonly location: string
  /** The underlying level database; services normally use `bytes()` / `json()` sublevels instead. */
  readonly db: Level<string, Uint8Array>
  /** A named sublevel holding raw bytes. Names are owned by one service each. */
  bytes(name: string): BytesSublevel
  /** A named sublevel holding JSON values. */
  json<V>(name: string): JsonSublevel<V>
  /** Applies writes to several sublevels atomically: all of them land, or none. */
  batch(writes: readonly BatchWrite[]): Promise<void>
  /** The schema version currently on disk. */
  schemaVersion(): number
  /** Cheap statistics for status screens. */
  stats(): Promise<{ approximateSizeBytes: number; schemaVersion: number }>
  /**
   * LevelDB's own estimate of the memory it holds outside the JavaScript heap: memtables and the block cache
   * (`leveldb.approximate-memory-usage`); null when the store is not open.
   */
  memoryBytes(): number | null
}

export { createStorage, STORAGE_FORMAT, CURRENT_SCHEMA_VERSION } from './storage'
