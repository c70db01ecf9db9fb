import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../../core/test/helpers'
import { icn, REPO } from '../test/cli-process'

let dir: TempDir
beforeAll(async () => {
  dir = await tempDir('icn-ccl-cli-')
})
afterAll(async () => {
  await dir.cleanup()
})

describe('icn ccl', () => {
  it('checks a policy and prints every error with line:column, code and caret; exit 1', async () => {
    const file = join(dir.path, 'broken.ccl')
    await writeFile(file, 'fn vote_weight(voter: Did) -> Int {\n  let x: Int = "no";\n  return y;\n}\n')
    const res = await icn(['ccl', 'check', file])
    expect(res.code).toBe(1)
    expect(res.stdout).toContain('broken.ccl:2:16: error[CCL0204]')
    expect(res.stdout).toContain('broken.ccl:3:10: error[CCL0201]')
    expect(res.stdout).toMatch(/\n\s+\^+/)
  })

  it('compiles an example policy to a valid module and reports its CID', async () => {
    const out = join(dir.path, 'allow.wasm')
    const res = await icn([
      '--json',
      'ccl',
      'compile',
      join(REPO, 'resources/ccl/job-allow-list.ccl'),
      '-o',
      out,
    ])
    expect(res.code).toBe(0)
    const report = JSON.parse(res.stdout)
    expect(report).toMatchObject({
      file: out,
      policies: ['job_admission'],
      cid: expect.stringMatching(/^bafkrei/),
    })
    expect(WebAssembly.validate(await readFile(out))).toBe(true)
  })
})
