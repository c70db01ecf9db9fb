import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../../core/test/helpers'
import { createClient, httpTransport } from '../client'
import { readApiFile } from '../daemon'
import { icn, startDaemonProcess, type DaemonProcess } from '../test/cli-process'
import { parseDuration } from './gov'

let dir: TempDir
let daemon: DaemonProcess
const env = { ICN_PASSPHRASE: 'governance cli passphrase' }
const run = (...args: string[]) => icn(['--data', dir.path, ...args], env)
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await icn(['--data', dir.path, '--json', ...args], env)
  if (r.code !== 0) throw new Error(`icn ${args.join(' ')} failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

beforeAll(async () => {
  dir = await tempDir('icn-gov-cli-')
  daemon = await startDaemonProcess(dir.path)
  expect((await run('id', 'create')).code).toBe(0)
})
afterAll(async () => {
  await daemon?.stop()
  await dir?.cleanup()
})

describe('icn gov against a real daemon', () => {
  it('creates a cooperative, passes a proposal with the live and final tally shown, and explains eligibility', async () => {
    const init = await run(
      'gov',
      'init',
      '--name',
      'Tool Library',
      '--param',
      'gov.votingPeriodMs=5000',
      '--bound',
      'gov.votingPeriodMs=1000:600000',
    )
    expect(init.code).toBe(0)
    const scope = /did:icn:[a-z2-7]+/.exec(init.stdout)?.[0] as string
    expect(scope).toBeDefined()
    const p = await json<{ id: string; eligible: number }>(
      'gov',
      'propose',
      scope,
      '--title',
      'Buy a drill',
      '--summary',
      'A good one.',
    )
    expect(p.eligible).toBe(1)
    const vote = await run('gov', 'vote', p.id, 'yes', '--reason', 'we need it')
    expect(vote.code).toBe(0)
    expect(vote.stdout).toContain('Voted yes')
    const live = await run('gov', 'show', p.id)
    expect(live.stdout).toMatch(/live tally/)
    expect(live.stdout).toMatch(/quorum\s+1\/1 voted/)
    // Wait through the API (cheaper than a process per poll), then look at it with the CLI.
    const { api, token } = await readApiFile(dir.path)
    const client = createClient(httpTransport({ url: api.url, token, reconnect: false }))
    try {
      for (let i = 0; (await client.call('gov.get', { proposal: p.id })).result === null; i++) {
        if (i > 300) throw new Error('the proposal was not finalized')
        await new Promise((r) => setTimeout(r, 100))
      }
    } finally {
      client.close()
    }
    const shown = (await run('gov', 'show', p.id)).stdout
    expect(shown).toContain('PASSED')
    expect(shown).toMatch(/final tally/)
    expect(shown).toMatch(/execution\s+done/)
    const why = await run('gov', 'why', p.id)
    expect(why.stdout).toContain('Cannot vote [GOV_PROPOSAL_CLOSED]')
    const listed = await json<{ proposals: { id: string; status: string }[] }>(
      'gov',
      'list',
      '--scope',
      scope,
      '--status',
      'passed',
    )
    expect(listed.proposals.map((x) => x.id)).toEqual([p.id])
    const members = await run('gov', 'members', scope)
    expect(members.stdout).toMatch(/^1 member\(s\)/)
    const params = await run('gov', 'params', scope)
    expect(params.stdout).toMatch(/gov\.votingPeriodMs\s+5000 ms\s+\[1000\.\.600000\]/)
    const invite = await run('gov', 'invite', scope, '--expires', '1h')
    expect(invite.stdout.trim()).toMatch(/^icn:\/\/invite\/[A-Za-z0-9_-]+$/)
  }, 90_000)

  it('prints stable codes for bad input and usage mistakes', async () => {
    const [scope] = await json<{ scope: string }[]>('gov', 'scopes')
    const below = await run('gov', 'propose', scope!.scope, '--title', 'Fast', '--period', '500ms')
    expect(below.code).toBe(1)
    expect(below.stderr).toContain('error[GOV_BELOW_CHARTER_BOUNDS]')
    const unknown = await run(
      'gov',
      'vote',
      'bafyreigtkqtgsw7yllpyysjnxj2c3gwmq7ishc2up6dswkbwa246edui2q',
      'yes',
    )
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('error[GOV_UNKNOWN_PROPOSAL]')
    const badJoin = await run('gov', 'join', 'icn://invite/garbage')
    expect(badJoin.stderr).toContain('error[GOV_INVALID_INVITE]')
    const usage = await run('gov', 'vote', 'x', 'maybe')
    expect(usage.code).toBe(2)
  })

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000)
    expect(parseDuration('7d')).toBe(7 * 86_400_000)
    expect(parseDuration('1500')).toBe(1500)
    expect(() => parseDuration('soon')).toThrow()
  })
})
