import { readdir, stat, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import type { AbstractBatchOperation } from 'abstract-level'
import { IcnError } from '../errors'
import type {
  BatchWrite,
  BytesSublevel,
  JsonSublevel,
  Migration,
  Storage,
  StorageInit,
  StorageStatus,
} from './index'
import { MIGRATIONS } from './migrations'

/** Written under meta!format so that a LevelDB directory of another program is never mistaken for ours. */
export const STORAGE_FORMAT = 'icn-node-db'
export const CURRENT_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.to))

type LevelBatch = AbstractBatchOperation<Level<string, Uint8Array>, string, Uint8Array>[]

const META_FORMAT = 'format'
const META_VERSION = 'schemaVersion'
const META_CREATED = 'createdAt'

/** Files LevelDB itself writes; anything else in the directory means it is not (only) a LevelDB store. */
const LEVELDB_FILE = /^(CURRENT|LOCK|LOG|LOG\.old|MANIFEST-\d+|\d+\.(log|ldb|sst))$/

class DefaultStorage implements Storage {
  readonly location: string
  private readonly migrations: readonly Migration[]
  private state: StorageStatus = 'closed'
  private version = 0
  // Created in start(): abstract-level opens a database on construction, which would write files before
  // start() has checked that the directory is ours.
  private level: Level<string, Uint8Array> | undefined
  private meta!: JsonSublevel<unknown>

  constructor(init: StorageInit) {
    this.location = init.location
    this.migrations = [...(init.migrations ?? MIGRATIONS)].sort((a, b) => a.to - b.to)
  }

  get db(): Level<string, Uint8Array> {
    if (this.level === undefined || this.state === 'closed') {
      throw new IcnError(
        'STORAGE_CLOSED',
        'The database is not open; services use storage only after it started.',
      )
    }
    return this.level
  }

  get status(): StorageStatus {
    return this.state
  }

  async start(): Promise<void> {
    if (this.state !== 'closed') return
    this.state = 'opening'
    try {
      await this.checkDirectory()
      this.level = new Level<string, Uint8Array>(this.location, {
        valueEncoding: 'view',
        createIfMissing: true,
      })
      this.meta = this.level.sublevel<string, unknown>('meta', { valueEncoding: 'json' })
      await this.open(this.level)
      await this.checkFormatAndMigrate(this.level)
      this.state = 'open'
    } catch (err) {
      this.state = 'closed'
      await this.level?.close().catch(() => undefined)
      this.level = undefined
      throw err
    }
  }

  async stop(): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'closing'
    try {
      // close() waits for pending writes, so every acknowledged write is on disk before we return.
      await this.level?.close()
    } finally {
      this.state = 'closed'
      this.level = undefined
    }
  }

  bytes(name: string): BytesSublevel {
    assertSublevelName(name)
    return this.db.sublevel<string, Uint8Array>(name, { valueEncoding: 'view' })
  }

  json<V>(name: string): JsonSublevel<V> {
    assertSublevelName(name)
    return this.db.sublevel<string, V>(name, { valueEncoding: 'json' })
  }

  async batch(writes: readonly BatchWrite[]): Promise<void> {
    if (this.state !== 'open' || this.level === undefined) {
      throw new IcnError('STORAGE_CLOSED', 'The database is closed; the node is stopping or not started.')
    }
    // abstract-level types each operation by one sublevel's encoding; mixed batches are checked by BatchWrite instead.
    await this.level.batch(writes as unknown as LevelBatch)
  }

  memoryBytes(): number | null {
    if (this.state !== 'open' || this.level === undefined) return null
    // classic-level (the `level` package on Node) has getProperty; its types do not declare it.
    const store = this.level as unknown as { getProperty?: (property: string) => string }
    if (typeof store.getProperty !== 'function') return null
    const bytes = Number(store.getProperty('leveldb.approximate-memory-usage'))
    return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : null
  }

  schemaVersion(): number {
    return this.version
  }

  async stats(): Promise<{ approximateSizeBytes: number; schemaVersion: number }> {
    let size = 0
    try {
      for (const entry of await readdir(this.location)) {
        size += (await stat(join(this.location, entry))).size
      }
    } catch {
      // A missing file between readdir and stat (compaction) only makes the figure approximate.
    }
    return { approximateSizeBytes: size, schemaVersion: this.version }
  }

  private async checkDirectory(): Promise<void> {
    let entries: string[]
    try {
      entries = await readdir(this.location)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        await mkdir(this.location, { recursive: true })
        return
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new IcnError(
          'STORAGE_FOREIGN',
          `${this.location} is a file, not a database directory. Choose another data directory.`,
        )
      }
      throw new IcnError('STORAGE_OPEN_FAILED', `Cannot read ${this.location}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const foreign = entries.filter((e) => !LEVELDB_FILE.test(e))
    if (foreign.length > 0) {
      throw new IcnError(
        'STORAGE_FOREIGN',
        `${this.location} holds files that are not an ICN database (${foreign.slice(0, 3).join(', ')}). ` +
          'Nothing was changed. Point --data at an empty directory or an existing ICN data directory.',
        { details: { location: this.location, files: foreign.slice(0, 10) } },
      )
    }
    if (entries.length > 0 && !entries.includes('CURRENT')) {
      throw new IcnError(
        'STORAGE_CORRUPT',
        `${this.location} looks like a damaged database (no CURRENT file). Nothing was changed. ` +
          'Restore the data directory from a backup (icn restore) or move it aside to start fresh.',
        { details: { location: this.location } },
      )
    }
  }

  private async open(db: Level<string, Uint8Array>): Promise<void> {
    try {
      await db.open({ passive: false })
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code
      if (code === 'LEVEL_LOCKED') {
        throw new IcnError(
          'STORAGE_LOCKED',
          `Another ICN node is already using ${this.location}. Stop it first, or start this one with another --data directory.`,
          { cause: err },
        )
      }
      if (code === 'LEVEL_CORRUPTION') {
        throw new IcnError(
          'STORAGE_CORRUPT',
          `The database in ${this.location} is damaged. Nothing was changed. Restore from a backup (icn restore).`,
          { cause: err },
        )
      }
      throw new IcnError(
        'STORAGE_OPEN_FAILED',
        `Cannot open the database in ${this.location}: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
  }

  private async checkFormatAndMigrate(db: Level<string, Uint8Array>): Promise<void> {
    const format = await this.meta.get(META_FORMAT)
    if (format === undefined) {
      // Either a brand-new store or another program's LevelDB. A new store has no keys at all.
      for await (const _key of db.keys({ limit: 1 })) {
        throw new IcnError(
          'STORAGE_FOREIGN',
          `${this.location} is a LevelDB database that ICN did not create. Nothing was changed. Choose another data directory.`,
        )
      }
      await db.batch([
        { type: 'put', sublevel: this.meta, key: META_FORMAT, value: STORAGE_FORMAT },
        { type: 'put', sublevel: this.meta, key: META_VERSION, value: 0 },
        { type: 'put', sublevel: this.meta, key: META_CREATED, value: Date.now() },
      ] as unknown as LevelBatch)
    } else if (format !== STORAGE_FORMAT) {
      throw new IcnError(
        'STORAGE_FOREIGN',
        `${this.location} holds a database of format ${JSON.stringify(format)}, not ICN's.`,
      )
    }
    const onDisk = await this.meta.get(META_VERSION)
    if (typeof onDisk !== 'number' || !Number.isInteger(onDisk) || onDisk < 0) {
      throw new IcnError(
        'STORAGE_CORRUPT',
        `${this.location} has an unreadable schema version. Restore from a backup.`,
      )
    }
    const latest = this.migrations.at(-1)?.to ?? 0
    if (onDisk > latest) {
      throw new IcnError(
        'STORAGE_VERSION_TOO_NEW',
        `This data directory was written by a newer ICN (schema ${onDisk}; this version knows ${latest}). Update ICN Desktop.`,
        { details: { onDisk, supported: latest } },
      )
    }
    this.version = onDisk
    for (const migration of this.migrations) {
      if (migration.to <= this.version) continue
      if (migration.to !== this.version + 1) {
        throw new IcnError(
          'STORAGE_MIGRATION_FAILED',
          `No migration from schema ${this.version} to ${migration.to}.`,
        )
      }
      try {
        await migration.migrate(db)
      } catch (err) {
        throw new IcnError(
          'STORAGE_MIGRATION_FAILED',
          `Upgrading the database to schema ${migration.to} (${migration.describe}) failed; it is still at ${this.version}.`,
          { cause: err },
        )
      }
      // The version moves only after the migration's writes are done, so a crash mid-way re-runs it.
      await this.meta.put(META_VERSION, migration.to)
      this.version = migration.to
    }
  }
}

function assertSublevelName(name: string): void {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) {
    throw new TypeError(`Sublevel names are lowercase words (got "${name}")`)
  }
}

export function createStorage(init: StorageInit): Storage {
  return new DefaultStorage(init)
}
