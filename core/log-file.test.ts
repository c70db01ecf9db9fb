import { readdir, readFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from './test/helpers'
import { createRotatingLog } from './log-file'

let dir: TempDir
beforeEach(async () => {
  dir = await tempDir('icn-logs-')
})
afterEach(() => dir.cleanup())

describe('rotating log file', () => {
  it('appends lines and rotates by size, keeping a bounded number of files', async () => {
    const log = createRotatingLog({ dir: dir.path, maxBytes: 1000, keep: 2 })
    for (let i = 0; i < 100; i++) log.write(JSON.stringify({ i, msg: 'x'.repeat(40) }) + '\n')
    log.close()
    const files = (await readdir(dir.path)).sort()
    expect(files).toEqual(['main.1.log', 'main.2.log', 'main.log'])
    for (const f of files) {
      const text = await readFile(`${dir.path}/${f}`, 'utf8')
      expect(text.length).toBeLessThanOrEqual(1000)
      // Whole lines only: rotation never splits one.
      for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow()
    }
    expect(await readFile(log.path, 'utf8')).toContain('"i":99')
  })

  it('tails the newest whole lines and continues an existing file', async () => {
    const first = createRotatingLog({ dir: dir.path })
    for (let i = 0; i < 50; i++) first.write(`line ${i}`)
    first.close()
    const again = createRotatingLog({ dir: dir.path })
    again.write('line 50')
    const tail = again.tail(40)
    expect(tail.endsWith('line 50\n')).toBe(true)
    expect(tail.split('\n')[0]).toMatch(/^line \d+$/)
    expect(again.tail()).toContain('line 0\n')
    again.close()
    again.write('after close is ignored')
    expect(await readFile(again.path, 'utf8')).not.toContain('after close')
  })
})
