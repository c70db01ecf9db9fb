import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestNode, tempDir, type TempDir, type TestNode } from '../test/helpers'
import { note } from '../test/events'
import { readBackup, restoreBackup, writeBackup } from './backup'

let t: TestNode
let out: TempDir
beforeEach(async () => {
  t = await startTestNode()
  out = await tempDir('icn-backup-')
})
afterEach(async () => {
  await t.destroy()
  await out.cleanup()
})

describe('backup and restore', () => {
  it('restores a backup to the same identity, events and state root', async () => {
    for (let i = 0; i < 20; i++)
      await t.node.dag.append({ type: 'note', scope: 'global', body: note(`n${i}`) })
    const root = await t.node.dag.stateRoot()
    const file = join(out.path, 'node.icnbak')
    const result = await writeBackup(t.node.storage, t.dir.path, file, { did: t.node.identity.did() })
    expect(result.files).toContain('keystore.json')
    const target = join(out.path, 'restored')
    const restored = await restoreBackup(file, target)
    expect(restored.header.did).toBe(t.node.identity.did())
    const copy = await startTestNode({ dir: { path: target, cleanup: async () => undefined } })
    expect(copy.node.identity.did()).toBe(t.node.identity.did())
    expect((await copy.node.dag.stats()).events).toBe(20)
    expect(await copy.node.dag.stateRoot()).toBe(root)
    // The chain continues on the restored copy.
    expect(
      (await copy.node.dag.append({ type: 'note', scope: 'global', body: note('next') })).event.seq,
    ).toBe(21)
    await copy.node.stop()
  })

  it('is a consistent snapshot while writes keep arriving', async () => {
    for (let i = 0; i < 20; i++)
      await t.node.dag.append({ type: 'note', scope: 'global', body: note(`n${i}`) })
    const file = join(out.path, 'racing.icnbak')
    const racing = Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.node.dag.append({ type: 'note', scope: 'global', body: note(`r${i}`) }),
      ),
    )
    await writeBackup(t.node.storage, t.dir.path, file, { did: null })
    await racing
    const target = join(out.path, 'restored')
    await restoreBackup(file, target)
    const copy = await startTestNode({ dir: { path: target, cleanup: async () => undefined } })
    const { events } = await copy.node.dag.stats()
    expect(events).toBeGreaterThanOrEqual(20)
    expect(events).toBeLessThanOrEqual(60)
    // Counters, chain heads and state agree with each other: the head is the last event, and a full refold of
    // the restored events reproduces the restored state exactly.
    expect((await copy.node.dag.head(copy.node.identity.did()))?.seq).toBe(events)
    const before = await copy.node.dag.stateRoot()
    await copy.node.dag.refold()
    expect(await copy.node.dag.stateRoot()).toBe(before)
    await copy.node.stop()
  })

  it('refuses a damaged backup before writing anything', async () => {
    const file = join(out.path, 'node.icnbak')
    await writeBackup(t.node.storage, t.dir.path, file, { did: null })
    const bytes = await readFile(file)
    bytes[bytes.length - 100]! ^= 0xff
    await writeFile(file, bytes)
    await expect(readBackup(file)).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
      message: expect.stringContaining('checksum'),
    })
    const target = join(out.path, 'never')
    await expect(restoreBackup(file, target)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' })
    await expect(readFile(join(target, 'keystore.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('will not restore over a running node', async () => {
    const file = join(out.path, 'node.icnbak')
    await writeBackup(t.node.storage, t.dir.path, file, { did: null })
    await expect(restoreBackup(file, t.dir.path, { overwrite: true })).rejects.toMatchObject({
      code: 'STORAGE_LOCKED',
    })
    await expect(restoreBackup(file, t.dir.path)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
