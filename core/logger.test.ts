import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IcnError } from './errors'
import { createFileSink, createLogger } from './logger'
import { tempDir, type TempDir } from './test/helpers'

let dir: TempDir
beforeEach(async () => {
  dir = await tempDir('icn-log-')
})
afterEach(async () => {
  await dir.cleanup()
})

describe('logger', () => {
  it('writes JSON lines with the error code and cause chain, honouring the level', async () => {
    const lines: string[] = []
    const log = createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } }).child('dag')
    log.debug('not shown')
    log.warn('rejected', {
      err: new IcnError('DAG_BAD_SIGNATURE', 'bad sig', { cause: new Error('inner') }),
      bytes: new Uint8Array(3),
    })
    expect(lines).toHaveLength(1)
    const record = JSON.parse(lines[0]!)
    expect(record).toMatchObject({ level: 'warn', msg: 'rejected', component: 'dag', bytes: '<3 bytes>' })
    expect(record.err).toMatchObject({
      code: 'DAG_BAD_SIGNATURE',
      message: 'bad sig',
      cause: { message: 'inner' },
    })
  })

  it('rotates the log file by size and keeps a bounded number of old files', async () => {
    const sink = createFileSink({ dir: join(dir.path, 'logs'), maxBytes: 1000, keep: 3 })
    const log = createLogger({ sink })
    for (let i = 0; i < 100; i++) log.info('line', { i, pad: 'x'.repeat(50) })
    const files = (await readdir(join(dir.path, 'logs'))).sort()
    expect(files).toEqual(['node.1.log', 'node.2.log', 'node.3.log', 'node.log'])
    const last = (await readFile(join(dir.path, 'logs', 'node.log'), 'utf8')).trim().split('\n').at(-1)!
    expect(JSON.parse(last).i).toBe(99)
    for (const f of files)
      expect((await readFile(join(dir.path, 'logs', f))).length).toBeLessThanOrEqual(1000)
  })
})
