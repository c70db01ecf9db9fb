import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../core/test/helpers'
import { icn, startDaemonProcess, type DaemonProcess } from './test/cli-process'

let dir: TempDir
let daemon: DaemonProcess
const PASS = 'the cli passphrase'

beforeAll(async () => {
  dir = await tempDir('icn-cli-')
  daemon = await startDaemonProcess(dir.path)
})
afterAll(async () => {
  await daemon?.stop()
  await dir?.cleanup()
})

describe('icn CLI against a real daemon', () => {
  it('creates an identity, round-trips a file through dag put/get, and shows status', async () => {
    const env = { ICN_PASSPHRASE: PASS }
    const created = await icn(['--data', dir.path, 'id', 'create'], env)
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/Created did:key:z6Mk\w+/)
    expect(created.stdout.match(/^ {2}([a-z]+ ){23}[a-z]+$/m)).not.toBeNull()

    const file = join(dir.path, 'minutes.txt')
    const content = 'Minutes of the general assembly.\n'.repeat(1000)
    await writeFile(file, content)
    const put = await icn(['--data', dir.path, 'dag', 'put', file])
    expect(put.code).toBe(0)
    const cid = put.stdout.trim()
    expect(cid).toMatch(/^bafkrei[a-z2-7]+$/)
    const out = join(dir.path, 'copy.txt')
    const get = await icn(['--data', dir.path, 'dag', 'get', cid, '-o', out])
    expect(get.code).toBe(0)
    expect(await readFile(out, 'utf8')).toBe(content)
    const toStdout = await icn(['--data', dir.path, 'dag', 'get', cid])
    expect(toStdout.stdout).toBe(content)

    const status = await icn(['--data', dir.path, '--json', 'status'])
    expect(JSON.parse(status.stdout)).toMatchObject({
      status: 'running',
      locked: false,
      did: expect.stringMatching(/^did:key:/),
    })
  })

  it('exports a backup file and refuses a wrong passphrase with its code', async () => {
    const target = join(dir.path, 'me.icnkey')
    const exported = await icn(['--data', dir.path, 'id', 'export', target], { ICN_PASSPHRASE: PASS })
    expect(exported.code).toBe(0)
    expect(JSON.parse(await readFile(target, 'utf8'))).toMatchObject({ format: 'icn-keystore-backup' })
    const wrong = await icn(['--data', dir.path, 'id', 'unlock'], { ICN_PASSPHRASE: 'not it at all' })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('error[IDENTITY_WRONG_PASSPHRASE]')
  })

  it('says how to start a node when none runs, and fails usage errors with code 2', async () => {
    const empty = await tempDir('icn-cli-empty-')
    const res = await icn(['--data', empty.path, 'status'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('error[NODE_NOT_RUNNING]')
    expect(res.stderr).toContain(`icn node start --data ${empty.path}`)
    await empty.cleanup()
    expect((await icn(['dag', 'frobnicate'])).code).toBe(2)
    const missing = await icn(['--data', dir.path, 'dag', 'get', 'not-a-cid'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('error[INVALID_ARGUMENT]')
  })

  it('backs up the running node and restores it into another data dir', async () => {
    const file = join(dir.path, 'node.icnbak')
    const backup = await icn(['--data', dir.path, '--json', 'backup', file])
    expect(backup.code).toBe(0)
    expect(JSON.parse(backup.stdout)).toMatchObject({
      path: file,
      files: expect.arrayContaining(['keystore.json']),
    })
    const target = await tempDir('icn-cli-restore-')
    const restore = await icn(['--data', target.path, 'restore', file])
    expect(restore.code).toBe(0)
    const copy = await startDaemonProcess(target.path)
    const [a, b] = await Promise.all([
      icn(['--data', dir.path, '--json', 'status']),
      icn(['--data', target.path, '--json', 'status']),
    ])
    const [sa, sb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)]
    expect(sb.did).toBe(sa.did)
    expect(sb.stateRoot).toBe(sa.stateRoot)
    await copy.stop()
    await target.cleanup()
  })

  it('shows the node memory, and after --gc what a full collection leaves', async () => {
    const plain = await icn(['--data', dir.path, '--json', 'memory'])
    expect(plain.code).toBe(0)
    const before = JSON.parse(plain.stdout) as { rss: number; heapUsed: number; collected: boolean }
    expect(before).toMatchObject({ collected: false, gcMs: null, gcRounds: 0, jobWorkersEnded: 0 })
    expect(before.rss).toBeGreaterThan(before.heapUsed)
    // The heap by space: what is committed and what is in use, young generation and old.
    const spaces = (before as unknown as { spaces: Record<string, { size: number; used: number }> }).spaces
    for (const name of ['new', 'old', 'code', 'large_object']) {
      expect(spaces[name]!.size).toBeGreaterThanOrEqual(spaces[name]!.used)
    }
    expect(spaces['old']!.used).toBeGreaterThan(1024 * 1024)
    const collected = await icn(['--data', dir.path, 'memory', '--gc'])
    expect(collected.code).toBe(0)
    // On Linux the resident set splits into anonymous and file-backed memory, which add up to it.
    expect(collected.stdout).toMatch(
      /^resident\s+\d+\.\d MiB \(anonymous \d+\.\d MiB, file-backed \d+\.\d MiB\)$/m,
    )
    const split = before as unknown as { rssAnon: number; rssFile: number }
    expect(split.rssAnon).toBeGreaterThan(before.heapUsed)
    expect(split.rssFile).toBeGreaterThan(0)
    expect(Math.abs(split.rssAnon + split.rssFile - before.rss)).toBeLessThan(4 * 1024 * 1024)
    // The DAG's read cache against its bounds (8 MiB by default: 12,500 decoded entries; filling: dag.test.ts).
    const cache = (before as unknown as { readCache: { entries: number; maxEntries: number } }).readCache
    expect(cache.maxEntries).toBe(12_500)
    expect(cache.entries).toBeLessThanOrEqual(12_500)
    expect(collected.stdout).toMatch(/^read cache {2}\d+ of 12500 entries, \d+\.\d MiB of 8\.0 MiB of bytes$/m)
    expect(collected.stdout).toMatch(
      /^heap spaces new \d+\.\d MiB of \d+\.\d MiB, old \d+\.\d MiB of \d+\.\d MiB/m,
    )
    // LevelDB's memtables and block cache, outside the V8 heap: a running node has written to its store.
    expect(collected.stdout).toMatch(/^store\s+\d+\.\d MiB \(LevelDB memtables and block cache\)$/m)
    // Idle job workers end before the collection, so none is left when no job is running.
    expect(collected.stdout).toMatch(/^job workers 0( \(\d+ idle ended first\))?$/m)
    expect(collected.stdout).toMatch(/after [2-4] full garbage collections \(\d+(\.\d)? ms\)/)
  })

  it('stops cleanly on SIGTERM and removes api.json', async () => {
    const other = await tempDir('icn-cli-stop-')
    const d = await startDaemonProcess(other.path)
    expect(await d.stop('SIGTERM')).toBe(0)
    await expect(readFile(join(other.path, 'api.json'))).rejects.toMatchObject({ code: 'ENOENT' })
    await other.cleanup()
  })
})
