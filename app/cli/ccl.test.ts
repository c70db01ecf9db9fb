import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../../core/test/helpers'
import { icn, REPO, startDaemonProcess, type DaemonProcess } from '../test/cli-process'

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

describe('icn ccl run and policies against a real daemon', () => {
  let data: TempDir
  let daemon: DaemonProcess
  const env = { ICN_PASSPHRASE: 'ccl cli passphrase' }
  const on = (...args: string[]) => icn(['--data', data.path, ...args], env)
  beforeAll(async () => {
    data = await tempDir('icn-ccl-daemon-')
    daemon = await startDaemonProcess(data.path)
  })
  afterAll(async () => {
    await daemon?.stop()
    await data?.cleanup()
  })

  it('compiles an example, then evaluates it on the node against a scope; failures fall back', async () => {
    const created = await on('--json', 'id', 'create')
    expect(created.code).toBe(0)
    const me = /did:key:[A-Za-z0-9]+/.exec(created.stdout)?.[0] as string
    const init = await on('gov', 'init', '--name', 'Policy Lab')
    expect(init.code).toBe(0)
    const scope = /did:icn:[a-z2-7]+/.exec(init.stdout)?.[0] as string

    const wasm = join(dir.path, 'quorum.wasm')
    const compiled = await icn(['ccl', 'compile', join(REPO, 'resources/ccl/quorum-by-role.ccl'), '-o', wasm])
    expect(compiled.code).toBe(0)

    // The founder holds no treasurer role: the policy refuses a budget proposal the built-in rule allows.
    const budget = await on(
      'ccl',
      'run',
      wasm,
      '--entry',
      'can_propose',
      '--scope',
      scope,
      '--input',
      `proposer=${me}`,
      '--input',
      'kind=budget',
    )
    expect(budget.code).toBe(0)
    expect(budget.stdout).toContain('can_propose = false')
    expect(budget.stdout).toContain('built-in rule would give true')

    const tally = await on(
      '--json',
      'ccl',
      'run',
      wasm,
      '--entry',
      'proposal_passes',
      '--scope',
      scope,
      '--input',
      'yes=3',
      '--input',
      'no=2',
      '--input',
      'abstain=0',
      '--input',
      'eligible=5',
    )
    expect(tally.code).toBe(0)
    // 3 / 5 = 60% meets the 60% threshold, 3 > 2.
    expect(JSON.parse(tally.stdout)).toMatchObject({
      value: 'true',
      policyValue: 'true',
      fallback: false,
      error: null,
    })

    const spin = join(dir.path, 'spin.ccl')
    await writeFile(
      spin,
      'fn vote_weight(voter: Did) -> Int {\n  let mut i = 0;\n  while true { i += 1; }\n  return i;\n}\n',
    )
    const failed = await on(
      '--json',
      'ccl',
      'run',
      spin,
      '--entry',
      'vote_weight',
      '--scope',
      scope,
      '--input',
      `voter=${me}`,
      '--fuel',
      '20000',
    )
    expect(failed.code).toBe(0)
    expect(JSON.parse(failed.stdout)).toMatchObject({
      value: '1',
      fallback: true,
      fuelUsed: '20000',
      error: { code: 'RUNTIME_OUT_OF_FUEL' },
    })

    const bad = await on(
      'ccl',
      'run',
      wasm,
      '--entry',
      'can_propose',
      '--input',
      'proposer=nobody',
      '--input',
      'kind=text',
    )
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/must be a DID/)

    const policies = await on('ccl', 'policies', '--scope', scope)
    expect(policies.code).toBe(0)
    expect(policies.stdout).toContain('No active policies')
  }, 40_000)
})
