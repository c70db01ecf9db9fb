import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../../core/test/helpers'
import { testAuthor } from '../../core/test/events'
import { createClient, httpTransport, type IcnClient } from '../client'
import { readApiFile } from '../daemon'
import { icn, startDaemonProcess, type DaemonProcess } from '../test/cli-process'

let dir: TempDir
let daemon: DaemonProcess
let client: IcnClient
const env = { ICN_PASSPHRASE: 'credentials cli passphrase' }
const run = (...args: string[]) => icn(['--data', dir.path, ...args], env)
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await icn(['--data', dir.path, '--json', ...args], env)
  if (r.code !== 0) throw new Error(`icn ${args.join(' ')} failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    if (i > 300) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

beforeAll(async () => {
  dir = await tempDir('icn-cred-cli-')
  daemon = await startDaemonProcess(dir.path)
  expect((await run('id', 'create')).code).toBe(0)
  const { api, token } = await readApiFile(dir.path)
  client = createClient(httpTransport({ url: api.url, token, reconnect: false }))
}, 60_000)
afterAll(async () => {
  client?.close()
  await daemon?.stop()
  await dir?.cleanup()
})

describe('icn cred against a real daemon', () => {
  it('lists the credentials a passed admission issued, verifies a file, detects tampering and revocation', async () => {
    const init = await run(
      'gov',
      'init',
      '--name',
      'Seed Library',
      '--param',
      'gov.votingPeriodMs=4000',
      '--bound',
      'gov.votingPeriodMs=1000:600000',
    )
    expect(init.code).toBe(0)
    const scope = /did:icn:[a-z2-7]+/.exec(init.stdout)?.[0] as string
    const member = testAuthor().did
    const p = await json<{ id: string }>(
      'gov',
      'propose',
      scope,
      '--kind',
      'admit',
      '--member',
      member,
      '--role',
      'steward',
      '--title',
      'Admit a gardener',
    )
    await client.call('gov.vote', { proposal: p.id, choice: 'yes' })
    await until('the automatic credentials', async () =>
      client.call('identity.credentials', { scope }).then((r) => r.credentials.length === 2),
    )

    const listed = await run('cred', 'list', '--scope', scope)
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(`membership in ${scope} for ${member} — valid`)
    expect(listed.stdout).toContain('role steward')
    const { credentials } = await json<{ credentials: { id: string; kind: string }[] }>(
      'cred',
      'list',
      '--did',
      member,
    )
    const id = credentials.find((c) => c.kind === 'membership')!.id

    // A capability grant: proposed with the CLI, issued automatically, listed in words.
    const cap = await json<{ id: string; kind: string }>(
      'gov',
      'propose',
      scope,
      '--kind',
      'capability',
      '--member',
      member,
      '--capability',
      'seed.lend',
      '--note',
      'the lending shelf',
      '--title',
      'The gardener lends seeds',
    )
    expect(cap.kind).toBe('capability')
    expect((await run('gov', 'show', cap.id)).stdout).toContain(
      `grant capability seed.lend to ${member} — the lending shelf`,
    )
    await client.call('gov.vote', { proposal: cap.id, choice: 'yes' })
    await until('the capability credential', async () =>
      client.call('identity.credentials', { scope }).then((r) => r.credentials.length === 3),
    )
    expect((await run('cred', 'list', '--did', member)).stdout).toContain(
      `capability seed.lend in ${scope} for ${member} — valid`,
    )
    const again = await run('cred', 'issue', cap.id, '--kind', 'capability', '--capability', 'seed.lend')
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(`Issued urn:icn:credential:${cap.id}:capability:seed.lend`)

    const file = join(dir.path, 'membership.json')
    expect((await run('cred', 'show', id, '--out', file)).code).toBe(0)
    const ok = await run('cred', 'verify', file)
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^VALID credential/)
    expect(ok.stdout).toMatch(/✓ anchor/)

    const tampered = JSON.parse(await readFile(file, 'utf8')) as { credentialSubject: { id: string } }
    tampered.credentialSubject.id = testAuthor().did
    const bad = join(dir.path, 'tampered.json')
    await writeFile(bad, JSON.stringify(tampered))
    const rejected = await run('cred', 'verify', bad)
    expect(rejected.code).toBe(1)
    expect(rejected.stdout).toContain('INVALID credential [CRED_BAD_SIGNATURE]')

    // This node's member signed it, so may withdraw it without a decision.
    const revoked = await run('cred', 'revoke', id, '--reason', 'issued by mistake')
    expect(revoked.code).toBe(0)
    expect(revoked.stdout).toContain(`Revoked ${id}`)
    const after = await run('cred', 'verify', file)
    expect(after.code).toBe(1)
    expect(after.stdout).toContain('[CRED_REVOKED]')
    expect((await run('cred', 'show', id)).stdout).toContain('issued by mistake')
  }, 120_000)

  it('prints stable codes for bad input and usage mistakes', async () => {
    const missing = await run('cred', 'show', 'urn:icn:credential:none')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('error[CRED_NOT_FOUND]')
    const notJson = join(dir.path, 'not.json')
    await writeFile(notJson, 'hello')
    expect((await run('cred', 'verify', notJson)).code).toBe(2)
    const usage = await run(
      'cred',
      'issue',
      'bafyreigtkqtgsw7yllpyysjnxj2c3gwmq7ishc2up6dswkbwa246edui2q',
      '--kind',
      'maybe',
    )
    expect(usage.code).toBe(2)
    const badName = await run(
      'gov',
      'propose',
      'did:icn:bafyreigtkqtgsw7yllpyysjnxj2c3gwmq7ishc2up6dswkbwa246edui2q',
      '--kind',
      'capability',
      '--member',
      testAuthor().did,
      '--capability',
      'Seed Lend',
      '--title',
      'Bad name',
    )
    expect(badName.code).toBe(2)
    expect(badName.stderr).toContain('is not a capability name')
    const unknown = await run('cred', 'issue', 'bafyreigtkqtgsw7yllpyysjnxj2c3gwmq7ishc2up6dswkbwa246edui2q')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('error[GOV_UNKNOWN_PROPOSAL]')
  }, 60_000)
})
