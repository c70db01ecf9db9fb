/**
 * The "done when" flows of the Governance and Mesh issues, from the CLI, between two real daemon processes that
 * replicate over real libp2p on 127.0.0.1: create a cooperative, invite and admit a second member, pass a
 * parameter change with both votes; then a job submitted on one daemon runs on the other, and its output, receipt
 * and payment show on both; then a CCL policy passed by both members changes how the next proposal is counted on
 * both daemons.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../../core/test/helpers'
import { icn, startDaemonProcess, type DaemonProcess } from '../test/cli-process'

const env = { ICN_PASSPHRASE: 'two daemons passphrase' }
let dirs: TempDir[] = []
let daemons: DaemonProcess[] = []
const dids: string[] = []

const run = (i: number, ...args: string[]) => icn(['--data', dirs[i]!.path, ...args], env)
async function json<T>(i: number, ...args: string[]): Promise<T> {
  const r = await icn(['--data', dirs[i]!.path, '--json', ...args], env)
  if (r.code !== 0) throw new Error(`icn ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}
async function stateRoot(i: number): Promise<string> {
  const { stateRoot: root } = await json<{ stateRoot?: unknown }>(i, 'status')
  if (typeof root !== 'string' || root.length < 10)
    throw new Error(`icn status --json has no state root: ${String(root)}`)
  return root
}

interface Proposal {
  id: string
  status: string
  type?: string
}

beforeAll(async () => {
  dirs = await Promise.all([tempDir('icn-two-a-'), tempDir('icn-two-b-')])
  daemons = await Promise.all(dirs.map((d) => startDaemonProcess(d.path)))
  for (let i = 0; i < 2; i++) {
    {
      const r = await run(i, 'id', 'create')
      expect(r.code, r.stderr).toBe(0)
    }
    dids.push((await json<{ did: string }>(i, 'id', 'show')).did)
  }
}, 60_000)
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop()))
  await Promise.all(dirs.map((d) => d.cleanup()))
})

describe('two daemons from the CLI', () => {
  let scope = ''

  it('create a cooperative, admit a second member by invite and pass a parameter change with both votes', async () => {
    const init = await run(
      0,
      'gov',
      'init',
      '--name',
      'Two Daemons Coop',
      '--param',
      'gov.votingPeriodMs=10000',
      '--bound',
      'gov.votingPeriodMs=1000:600000',
    )
    expect(init.code, init.stderr).toBe(0)
    scope = /did:icn:[a-z2-7]+/.exec(init.stdout)![0]
    const link = (await run(0, 'gov', 'invite', scope, '--expires', '1h')).stdout.trim()
    expect(link).toMatch(/^icn:\/\/invite\//)
    // B reaches A at the addresses the invite carries, syncs the cooperative and asks to be admitted.
    const joined = await run(1, 'gov', 'join', link, '--message', 'hello')
    expect(joined.code, joined.stderr).toBe(0)
    // A's node turns the request into an admit proposal by itself; A, the only member, votes for it.
    const admit = await until('the admit proposal', async () => {
      const { proposals } = await json<{ proposals: Proposal[] }>(
        0,
        'gov',
        'list',
        '--scope',
        scope,
        '--type',
        'admit',
      )
      return proposals[0]
    })
    {
      const r = await run(0, 'gov', 'vote', admit.id, 'yes')
      expect(r.code, r.stderr).toBe(0)
    }
    await until('B admitted on both nodes', async () => {
      for (const i of [0, 1]) {
        const members = await run(i, 'gov', 'members', scope)
        if (!members.stdout.includes(dids[1]!)) return undefined
      }
      return true
    })
    // A parameter change that both members vote for.
    const change = await json<{ id: string; eligible: number }>(
      0,
      'gov',
      'propose',
      scope,
      '--kind',
      'parameter',
      '--title',
      'Longer votes',
      '--set',
      'gov.votingPeriodMs=12000',
    )
    expect(change.eligible).toBe(2)
    await until('the proposal on B', async () =>
      (await run(1, 'gov', 'show', change.id)).code === 0 ? true : undefined,
    )
    {
      const r = await run(0, 'gov', 'vote', change.id, 'yes')
      expect(r.code, r.stderr).toBe(0)
    }
    const voteB = await run(1, 'gov', 'vote', change.id, 'yes', '--reason', 'fine by me')
    expect(voteB.code, voteB.stderr).toBe(0)
    for (const i of [0, 1]) {
      const shown = await until(`the result on node ${i}`, async () => {
        const out = (await run(i, 'gov', 'show', change.id)).stdout
        return out.includes('PASSED') ? out : undefined
      })
      expect(shown).toMatch(/final tally/)
      expect((await run(i, 'gov', 'params', scope)).stdout).toMatch(/gov\.votingPeriodMs\s+12000 ms/)
    }
    await until('the same state root', async () =>
      (await stateRoot(0)) === (await stateRoot(1)) ? true : undefined,
    )
  }, 150_000)

  it('run a job submitted on one daemon on the other; output, receipt and payment show on both', async () => {
    const submitted = await json<{ job: string }>(
      0,
      'job',
      'submit',
      'resources/jobs/wat/hello.wasm',
      '--max-price',
      '10',
      '--bid-window',
      '300',
      '--verify',
    )
    const paid = await until('the job paid on A', async () => {
      const d = await json<{ status: string; executor: string | null }>(0, 'job', 'show', submitted.job)
      return d.status === 'paid' ? d : undefined
    })
    expect(paid.executor).toBe(dids[1])
    const onB = await until('the job paid on B', async () => {
      const d = await json<{ status: string; role: string }>(1, 'job', 'show', submitted.job)
      return d.status === 'paid' ? d : undefined
    })
    expect(onB.role).toBe('executor')
    const out = await run(0, 'job', 'output', submitted.job)
    expect(out.stdout).toContain('Hello from an ICN job!')
    // The payment: out of A's wallet, into B's (B's node acknowledges the settlement credit).
    const paidOut = await json<{ entries: { kind: string; direction: string; amount: string }[] }>(
      0,
      'wallet',
      'history',
      '--kind',
      'settlement',
    )
    expect(paidOut.entries).toEqual([expect.objectContaining({ direction: 'out' })])
    const earned = await until('the settlement credited on B', async () => {
      const h = await json<{ entries: { direction: string; amount: string }[] }>(
        1,
        'wallet',
        'history',
        '--kind',
        'settlement',
      )
      return h.entries.length === 1 ? h.entries[0] : undefined
    })
    expect(earned).toMatchObject({ direction: 'in', amount: paidOut.entries[0]!.amount })
    await until('the same state root', async () =>
      (await stateRoot(0)) === (await stateRoot(1)) ? true : undefined,
    )
  }, 90_000)

  it('activate a CCL policy passed by both members; the next tally follows it on both daemons', async () => {
    const source = join(dirs[0]!.path, 'founder-weighs-3.ccl')
    await writeFile(
      source,
      `const FOUNDER: String = "${dids[0]!}";\n` +
        'fn vote_weight(voter: Did) -> Int {\n' +
        '    if !is_member(voter) { return 0; }\n' +
        '    if string(voter) == FOUNDER { return 3; }\n' +
        '    return 1;\n' +
        '}\n',
    )
    const checked = await run(0, 'ccl', 'check', source)
    expect(checked.code, checked.stderr).toBe(0)
    const policy = await json<{ id: string }>(
      0,
      'gov',
      'propose',
      scope,
      '--kind',
      'policy',
      '--policy',
      'vote_weight',
      '--source',
      source,
      '--title',
      'The founder weighs 3',
    )
    await until('the policy proposal on B', async () =>
      (await run(1, 'gov', 'show', policy.id)).code === 0 ? true : undefined,
    )
    for (const i of [0, 1]) {
      const r = await run(i, 'gov', 'vote', policy.id, 'yes')
      expect(r.code, r.stderr).toBe(0)
    }
    for (const i of [0, 1]) {
      await until(`the policy active on node ${i}`, async () => {
        const active = await json<{ policies: { policy: string; proposal: string }[] }>(
          i,
          'ccl',
          'policies',
          '--scope',
          scope,
        )
        return active.policies.some((p) => p.policy === 'vote_weight' && p.proposal === policy.id)
          ? true
          : undefined
      })
    }
    // The founder votes no, the other member yes: 1 : 1 under the built-in rule, 1 yes : 3 no under the policy.
    const later = await json<{ id: string }>(0, 'gov', 'propose', scope, '--title', 'After the policy')
    await until('the later proposal on B', async () =>
      (await run(1, 'gov', 'show', later.id)).code === 0 ? true : undefined,
    )
    {
      const r = await run(0, 'gov', 'vote', later.id, 'no')
      expect(r.code, r.stderr).toBe(0)
    }
    {
      const r = await run(1, 'gov', 'vote', later.id, 'yes')
      expect(r.code, r.stderr).toBe(0)
    }
    for (const i of [0, 1]) {
      const done = await until(`the result of the later proposal on node ${i}`, async () => {
        const p = await json<{ status: string; tally: { yes: number; no: number } }>(
          i,
          'gov',
          'show',
          later.id,
        )
        return p.status === 'passed' || p.status === 'failed' ? p : undefined
      })
      expect(done.status).toBe('failed')
      expect(done.tally).toMatchObject({ yes: 1, no: 3 })
    }
    await until('the same state root', async () =>
      (await stateRoot(0)) === (await stateRoot(1)) ? true : undefined,
    )
  }, 120_000)
})
