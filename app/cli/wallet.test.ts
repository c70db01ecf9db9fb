/**
 * `icn wallet` and `icn token` against two real daemons (separate processes, real data dirs). Until the Network
 * service is merged the test carries each node's signed events to the other over the API (events.get →
 * events.ingest), exactly the bytes gossip would carry.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { tempDir, type TempDir } from '../../core/test/helpers'
import { createClient, httpTransport, type IcnClient, type WebSocketConstructor } from '../client'
import { readApiFile } from '../daemon'
import { icn, startDaemonProcess, type DaemonProcess } from '../test/cli-process'

const env = { ICN_PASSPHRASE: 'the wallet passphrase' }
let dirs: TempDir[] = []
let daemons: DaemonProcess[] = []
let clients: IcnClient[] = []
let dids: string[] = []

async function clientFor(dataDir: string): Promise<IcnClient> {
  const { api, token } = await readApiFile(dataDir)
  const client = createClient(
    httpTransport({
      url: api.url,
      token,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: false,
    }),
  )
  clients.push(client)
  return client
}

/** Copies every event one node has that the other lacks (both ways) until both hold the same events. */
async function sync(a: IcnClient, b: IcnClient): Promise<void> {
  for (let round = 0; round < 20; round++) {
    let copied = 0
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const { events } = await from.call('events.list', { limit: 1000 })
      for (const summary of events.reverse()) {
        const { bytes } = await from.call('events.get', { id: summary.id })
        const result = await to.call('events.ingest', { bytes: new Uint8Array(bytes) })
        if (result.status !== 'duplicate') copied++
      }
    }
    const pending = await Promise.all([a, b].map((c) => c.call('wallet.pending')))
    if (copied === 0 && pending.every((p) => p.credits.length === 0)) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('the two nodes did not converge')
}

const run = (i: number, args: string[]) => icn(['--data', dirs[i]!.path, ...args], env)

beforeAll(async () => {
  dirs = await Promise.all([tempDir('icn-wallet-a-'), tempDir('icn-wallet-b-')])
  daemons = await Promise.all(dirs.map((d) => startDaemonProcess(d.path)))
  for (let i = 0; i < 2; i++) {
    const created = await run(i, ['id', 'create'])
    expect(created.code).toBe(0)
    dids.push((await (await clientFor(dirs[i]!.path)).call('identity.get')).did!)
  }
})
afterAll(async () => {
  for (const c of clients) c.close()
  await Promise.all(daemons.map((d) => d.stop()))
  await Promise.all(dirs.map((d) => d.cleanup()))
  clients = []
  daemons = []
  dids = []
})

describe('icn wallet between two daemons', () => {
  it('sends mana on one node and both show the same balances', async () => {
    const [a, b] = await Promise.all(dirs.map((d) => clientFor(d.path)))
    const before = await run(0, ['wallet', 'balance'])
    expect(before.code).toBe(0)
    expect(before.stdout).toMatch(/available\s+500 mana/)

    const sent = await run(0, ['wallet', 'send', dids[1]!, '120', '--memo', 'for the bikes'])
    expect(sent.stderr).toBe('')
    expect(sent.stdout).toContain(`Sent 120 mana to ${dids[1]}`)
    await sync(a!, b!)

    for (const did of dids) {
      const seen = await Promise.all([a!, b!].map((c) => c.call('wallet.balance', { did })))
      expect(seen[0]).toMatchObject({ available: seen[1]!.available, reserved: '0', opened: true })
    }
    const onB = JSON.parse((await run(1, ['--json', 'wallet', 'balance'])).stdout)
    expect(BigInt(onB.available)).toBeGreaterThanOrEqual(620n)
    expect(BigInt((await b!.call('wallet.balance', { did: dids[0]! })).available)).toBeLessThan(500n)
    const roots = await Promise.all([a!, b!].map(async (c) => (await c.call('node.status')).stateRoot))
    expect(roots[0]).toBe(roots[1])

    const history = await run(1, ['wallet', 'history'])
    expect(history.stdout).toMatch(/transfer\s+\+120 mana\s+from did:key:z6Mk/)
    expect(history.stdout).toContain('for the bikes')
    const csvFile = join(dirs[1]!.path, 'history.csv')
    const exported = await run(1, ['wallet', 'history', '--csv', csvFile])
    expect(exported.stdout).toContain('2 entries')
    const csv = (await readFile(csvFile, 'utf8')).split('\r\n')
    expect(csv[0]).toBe(
      'time,ts,event,kind,direction,asset,symbol,amount,counterparty,balance,memo,scope,items',
    )
    expect(csv[1]).toContain(`,transfer,in,mana,mana,120,${dids[0]},`)
  })

  it('refuses bad input with clear codes and signs nothing', async () => {
    const [a] = await Promise.all(dirs.slice(0, 1).map((d) => clientFor(d.path)))
    const count = (await a!.call('node.status')).events
    // Every rule is unit-tested in core; here: the codes and messages reach the terminal.
    const cases: [string[], string][] = [
      [['wallet', 'send', dids[1]!, '1.5'], 'ECONOMICS_INVALID_AMOUNT'],
      [['wallet', 'send', 'did:key:z6Mkbogus', '5'], 'ECONOMICS_INVALID_RECIPIENT'],
      [['wallet', 'send', dids[1]!, '999'], 'ECONOMICS_INSUFFICIENT_MANA'],
    ]
    for (const [args, code] of cases) {
      const res = await run(0, args)
      expect(res.code, args.join(' ')).toBe(1)
      expect(res.stderr).toContain(`error[${code}]`)
      if (code === 'ECONOMICS_INSUFFICIENT_MANA')
        expect(res.stderr).toMatch(/needs 999 mana but only \d+ is available/)
    }
    expect((await a!.call('node.status')).events).toBe(count)
    const cost = await run(0, ['wallet', 'cost', 'transfer', '--amount', '999'])
    expect(cost.stdout).toMatch(/mana\/transfer costs 999 mana .*short by \d+; covered in/)
  })

  it('creates, mints and sends tokens with display decimals', async () => {
    const created = await run(0, ['token', 'create', 'HRS', '--name', 'Volunteer hours', '--decimals', '2'])
    expect(created.stdout).toMatch(/^Created HRS: bafyrei/)
    expect((await run(0, ['token', 'mint', 'HRS', '10.5'])).code).toBe(0)
    expect((await run(0, ['token', 'send', 'HRS', dids[1]!, '0.25'])).code).toBe(0)
    const balances = await run(0, ['token', 'balances'])
    expect(balances.stdout).toMatch(/HRS\s+10\.25/)
    const tooPrecise = await run(0, ['token', 'send', 'HRS', dids[1]!, '0.001'])
    expect(tooPrecise.stderr).toContain('error[ECONOMICS_INVALID_AMOUNT]')
    const [a, b] = await Promise.all(dirs.map((d) => clientFor(d.path)))
    await sync(a!, b!)
    const onB = await b!.call('tokens.balances')
    expect(onB.balances).toMatchObject([{ class: { symbol: 'HRS', name: 'Volunteer hours' }, amount: '25' }])
  })
})
