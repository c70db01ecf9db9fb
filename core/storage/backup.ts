import { createHash } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Level } from 'level'
import { IcnError, throwIfAborted } from '../errors'
import type { Storage } from './index'

/**
 * Backup file format (version 1), written while the node runs:
 *   magic "ICNBAK01" | u32 header length | header JSON | records… | end record | sha2-256 of all preceding bytes
 * record   = 0x01 | u32 key length | key | u32 value length | value      (a raw LevelDB entry, sublevel prefix included)
 * file     = 0x02 | u32 name length | name | u32 length | bytes         (keystore.json and other node files)
 * end      = 0x00
 * The database part is read through one LevelDB iterator, i.e. one implicit snapshot: a consistent state even
 * while events keep arriving. Restore verifies the checksum before it writes anything.
 */
const MAGIC = Buffer.from('ICNBAK01')
const RECORD = 0x01
const FILE = 0x02
const END = 0x00
/** Files of a data dir that belong in a backup (the rest is runtime state or the database itself). */
const SKIP = new Set(['db', 'api.json', 'logs', 'LOCK'])

export interface BackupHeader {
  format: 'icn-backup'
  version: 1
  createdAt: number
  schemaVersion: number
  /** The member DID of the node, for the user's orientation only. */
  did: string | null
}

export interface BackupProgress {
  entries: number
  bytes: number
}

export interface BackupResult {
  path: string
  entries: number
  files: string[]
  bytes: number
  sha256: string
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

/** Writes a consistent backup of a running node's database plus its node files; atomic (temp file + rename). */
export async function writeBackup(
  storage: Storage,
  dataDir: string,
  target: string,
  options: { did: string | null; signal?: AbortSignal; onProgress?: (p: BackupProgress) => void },
): Promise<BackupResult> {
  const tmp = `${target}.partial`
  const handle = await open(tmp, 'w', 0o600)
  const hash = createHash('sha256')
  let bytes = 0
  const write = async (chunk: Buffer): Promise<void> => {
    hash.update(chunk)
    bytes += chunk.length
    await handle.write(chunk)
  }
  let entries = 0
  const files: string[] = []
  try {
    const header: BackupHeader = {
      format: 'icn-backup',
      version: 1,
      createdAt: Date.now(),
      schemaVersion: storage.schemaVersion(),
      did: options.did,
    }
    const headerBytes = Buffer.from(JSON.stringify(header))
    await write(Buffer.concat([MAGIC, u32(headerBytes.length), headerBytes]))
    for (const name of (await readdir(dataDir)).sort()) {
      if (SKIP.has(name) || name.endsWith('.tmp') || name.endsWith('.partial')) continue
      const path = join(dataDir, name)
      if (!(await stat(path)).isFile() || path === tmp || path === target) continue
      const content = await readFile(path)
      const nameBytes = Buffer.from(name)
      await write(
        Buffer.concat([Buffer.from([FILE]), u32(nameBytes.length), nameBytes, u32(content.length), content]),
      )
      files.push(name)
    }
    let pending: Buffer[] = []
    let pendingBytes = 0
    for await (const [key, value] of storage.db.iterator({ keyEncoding: 'view', valueEncoding: 'view' })) {
      const k = Buffer.from(key as unknown as Uint8Array)
      const v = Buffer.from(value)
      pending.push(Buffer.from([RECORD]), u32(k.length), k, u32(v.length), v)
      pendingBytes += 9 + k.length + v.length
      entries++
      if (pendingBytes > 1024 * 1024) {
        await write(Buffer.concat(pending))
        pending = []
        pendingBytes = 0
        throwIfAborted(options.signal)
        options.onProgress?.({ entries, bytes })
      }
    }
    await write(Buffer.concat([...pending, Buffer.from([END])]))
    const digest = hash.digest()
    await handle.write(digest)
    await handle.sync()
    await handle.close()
    await rename(tmp, target)
    options.onProgress?.({ entries, bytes })
    return { path: target, entries, files, bytes: bytes + digest.length, sha256: digest.toString('hex') }
  } catch (err) {
    await handle.close().catch(() => undefined)
    await rm(tmp, { force: true })
    throw err
  }
}

function invalid(why: string): IcnError {
  return new IcnError('STORAGE_CORRUPT', `This is not a usable ICN backup (${why}). Nothing was changed.`)
}

/** Parses and verifies a backup file completely (checksum, structure) without writing anything. */
export async function readBackup(path: string): Promise<{
  header: BackupHeader
  files: Map<string, Buffer>
  records: { key: Buffer; value: Buffer }[]
}> {
  const data = await readFile(path)
  if (data.length < MAGIC.length + 4 + 32 + 1 || !data.subarray(0, MAGIC.length).equals(MAGIC))
    throw invalid('wrong magic')
  const body = data.subarray(0, data.length - 32)
  const expected = data.subarray(data.length - 32)
  if (!createHash('sha256').update(body).digest().equals(expected))
    throw invalid('checksum mismatch: the file is damaged or incomplete')
  let offset = MAGIC.length
  const take = (n: number): Buffer => {
    if (offset + n > body.length) throw invalid('truncated')
    const out = body.subarray(offset, offset + n)
    offset += n
    return out
  }
  const headerLength = take(4).readUInt32BE()
  let header: BackupHeader
  try {
    header = JSON.parse(take(headerLength).toString('utf8')) as BackupHeader
  } catch {
    throw invalid('unreadable header')
  }
  if (header.format !== 'icn-backup' || header.version !== 1)
    throw invalid(`unsupported format ${String(header.version)}`)
  const files = new Map<string, Buffer>()
  const records: { key: Buffer; value: Buffer }[] = []
  for (;;) {
    const kind = take(1)[0]
    if (kind === END) break
    const a = take(take(4).readUInt32BE())
    const b = take(take(4).readUInt32BE())
    if (kind === RECORD) records.push({ key: a, value: b })
    else if (kind === FILE) {
      const name = a.toString('utf8')
      if (name !== basename(name) || name.startsWith('.')) throw invalid(`unsafe file name ${name}`)
      files.set(name, b)
    } else throw invalid(`unknown record ${String(kind)}`)
  }
  if (offset !== body.length) throw invalid('trailing bytes')
  return { header, files, records }
}

/**
 * Restores a backup into a data dir where no node runs. Refuses to overwrite an existing database unless
 * `overwrite`; the old database is moved aside (db.replaced-<time>) rather than deleted.
 */
export async function restoreBackup(
  path: string,
  dataDir: string,
  options: { overwrite?: boolean } = {},
): Promise<{ header: BackupHeader; entries: number; files: string[] }> {
  const { header, files, records } = await readBackup(path)
  const dbDir = join(dataDir, 'db')
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const existing = await readdir(dbDir).catch(() => [] as string[])
  if (existing.length > 0) {
    if (options.overwrite !== true) {
      throw new IcnError(
        'INVALID_ARGUMENT',
        `${dataDir} already has a database. Restore into an empty directory, or pass --overwrite.`,
      )
    }
    if (existing.includes('LOCK')) {
      // Opening proves no node holds the lock; closing releases it again before the move.
      const probe = new Level(dbDir)
      try {
        await probe.open()
      } catch (err) {
        throw new IcnError('STORAGE_LOCKED', `A node is running on ${dataDir}; stop it before restoring.`, {
          cause: err,
        })
      }
      await probe.close()
    }
    await rename(dbDir, `${dbDir}.replaced-${Date.now()}`)
  }
  const staging = `${dbDir}.restoring`
  await rm(staging, { recursive: true, force: true })
  const db = new Level<Uint8Array, Uint8Array>(staging, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  try {
    for (let i = 0; i < records.length; i += 5000) {
      await db.batch(
        records.slice(i, i + 5000).map((r) => ({ type: 'put' as const, key: r.key, value: r.value })),
      )
    }
  } finally {
    await db.close()
  }
  await rename(staging, dbDir)
  const { writeFileAtomic } = await import('../identity/keystore')
  for (const [name, content] of files) await writeFileAtomic(join(dataDir, name), content, 0o600)
  return { header, entries: records.length, files: [...files.keys()] }
}
