import { mkdir, writeFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../test/helpers'
import { createStorage, CURRENT_SCHEMA_VERSION } from './index'

let dir: TempDir
beforeEach(async () => {
  dir = await tempDir('icn-storage-')
})
afterEach(async () => {
  await dir.cleanup()
})

describe('storage', () => {
  it('opens a fresh store at the current schema version and keeps data across restarts', async () => {
    const location = join(dir.path, 'db')
    const storage = createStorage({ location })
    await storage.start()
    expect(storage.status).toBe('open')
    expect(storage.schemaVersion()).toBe(CURRENT_SCHEMA_VERSION)
    await storage.bytes('blocks').put('a', new Uint8Array([1, 2, 3]))
    await storage.json<{ n: number }>('things').put('x', { n: 1 })
    await storage.stop()
    expect(storage.status).toBe('closed')

    const again = createStorage({ location })
    await again.start()
    expect(await again.bytes('blocks').get('a')).toEqual(Buffer.from([1, 2, 3]))
    expect(await again.json<{ n: number }>('things').get('x')).toEqual({ n: 1 })
    await again.stop()
  })

  it('writes a batch across sublevels atomically', async () => {
    const storage = createStorage({ location: join(dir.path, 'db') })
    await storage.start()
    const a = storage.bytes('blocks')
    const b = storage.json<string>('log')
    await storage.batch([
      { type: 'put', sublevel: a, key: 'k', value: new Uint8Array([9]) },
      { type: 'put', sublevel: b, key: 'k', value: 'v' },
    ])
    expect(await b.get('k')).toBe('v')
    await storage.stop()
    await expect(storage.batch([{ type: 'put', sublevel: b, key: 'k', value: 'w' }])).rejects.toMatchObject({
      code: 'STORAGE_CLOSED',
    })
  })

  it("reports LevelDB's memory: the memtable grows with writes, and none while closed", async () => {
    const storage = createStorage({ location: join(dir.path, 'db') })
    expect(storage.memoryBytes()).toBeNull()
    await storage.start()
    const before = storage.memoryBytes()!
    const row = new Uint8Array(1024).fill(7)
    for (let i = 0; i < 4; i++) {
      await storage.batch(
        Array.from({ length: 256 }, (_, j) => ({
          type: 'put' as const,
          sublevel: storage.bytes('blocks'),
          key: `k${i}-${j}`,
          value: row,
        })),
      )
    }
    // 1 MiB of values sits in the memtable (the write buffer is 4 MiB, so nothing was flushed yet).
    expect(storage.memoryBytes()! - before).toBeGreaterThan(1024 * 1024)
    await storage.stop()
    expect(storage.memoryBytes()).toBeNull()
  })

  it('refuses a directory holding other files, without touching it', async () => {
    const location = join(dir.path, 'db')
    await mkdir(location)
    await writeFile(join(location, 'thesis.docx'), 'precious')
    const storage = createStorage({ location })
    await expect(storage.start()).rejects.toMatchObject({ code: 'STORAGE_FOREIGN' })
    expect(await readdir(location)).toEqual(['thesis.docx'])
  })

  it('refuses a LevelDB database that another program created', async () => {
    const location = join(dir.path, 'db')
    const other = new Level(location)
    await other.put('someone', 'else')
    await other.close()
    const storage = createStorage({ location })
    await expect(storage.start()).rejects.toMatchObject({ code: 'STORAGE_FOREIGN' })
    const check = new Level(location)
    expect(await check.get('someone')).toBe('else')
    await check.close()
  })

  it('reports a damaged store (LevelDB files without CURRENT) as corrupt', async () => {
    const location = join(dir.path, 'db')
    await mkdir(location)
    await writeFile(join(location, '000005.ldb'), 'garbage')
    await expect(createStorage({ location }).start()).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' })
  })

  it('refuses a second node on the same directory', async () => {
    const location = join(dir.path, 'db')
    const first = createStorage({ location })
    await first.start()
    await expect(createStorage({ location }).start()).rejects.toMatchObject({
      code: 'STORAGE_LOCKED',
      message: expect.stringContaining('Another ICN node'),
    })
    await first.stop()
  })

  it('runs migrations in order once, and refuses a store from a newer version', async () => {
    const location = join(dir.path, 'db')
    const ran: number[] = []
    const migrations = [1, 2, 3].map((to) => ({
      to,
      describe: `step ${to}`,
      async migrate(db: Level<string, Uint8Array>) {
        ran.push(to)
        await db.sublevel<string, string>('m', { valueEncoding: 'utf8' }).put(`v${to}`, 'done')
      },
    }))
    const s1 = createStorage({ location, migrations: migrations.slice(0, 2) })
    await s1.start()
    expect(s1.schemaVersion()).toBe(2)
    await s1.stop()
    const s2 = createStorage({ location, migrations })
    await s2.start()
    expect(ran).toEqual([1, 2, 3])
    expect(s2.schemaVersion()).toBe(3)
    await s2.stop()
    const old = createStorage({ location, migrations: migrations.slice(0, 1) })
    await expect(old.start()).rejects.toMatchObject({ code: 'STORAGE_VERSION_TOO_NEW' })
  })

  it('leaves the version unchanged when a migration fails, so it runs again next time', async () => {
    const location = join(dir.path, 'db')
    const ok = { to: 1, describe: 'one', async migrate() {} }
    const failing = {
      to: 2,
      describe: 'two',
      async migrate() {
        throw new Error('disk full')
      },
    }
    const s = createStorage({ location, migrations: [ok, failing] })
    await expect(s.start()).rejects.toMatchObject({ code: 'STORAGE_MIGRATION_FAILED' })
    const s2 = createStorage({ location, migrations: [ok] })
    await s2.start()
    expect(s2.schemaVersion()).toBe(1)
    await s2.stop()
  })
})
