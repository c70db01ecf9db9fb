import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../core/test/helpers'
import { waitFor } from '../core/test/network-helpers'
import { icn, startDaemonProcess, type DaemonProcess } from './test/cli-process'
import { createClient, httpTransport, type IcnClient } from './client'
import { readApiFile } from './daemon'

const env = { ICN_PASSPHRASE: 'the network passphrase' }
/** Loopback only and no LAN discovery: the two daemons meet only because the member connects them. */
const P2P = ['--p2p-host', '127.0.0.1', '--no-mdns']

describe('two real daemons and the icn command', () => {
  const dirs: TempDir[] = []
  const daemons: DaemonProcess[] = []
  /** The API, for waiting on state; the commands under test go through the real \`icn\` process. */
  const clients: IcnClient[] = []
  const data = (i: number): string => dirs[i]!.path
  const run = (i: number, ...args: string[]) => icn(['--data', data(i), ...args], env)
  const json = async (i: number, ...args: string[]): Promise<any> => {
    const result = await run(i, '--json', ...args)
    expect(result.stderr).toBe('')
    return JSON.parse(result.stdout)
  }

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      dirs.push(await tempDir('icn-cli-net-'))
      daemons.push(await startDaemonProcess(data(i), P2P, env))
      expect((await run(i, 'id', 'create')).code).toBe(0)
      const { api, token } = await readApiFile(data(i))
      clients.push(createClient(httpTransport({ url: api.url, token, reconnect: false })))
    }
  })

  afterAll(async () => {
    for (const c of clients) c.close()
    for (const d of daemons) await d.stop()
    for (const d of dirs) await d.cleanup()
  })

  it('connects B to A by multiaddr; each lists the other, with its member DID, in icn peers', async () => {
    await waitFor('A to listen', async () => (await clients[0]!.call('node.status')).listenAddrs.length > 0)
    const statusA = await clients[0]!.call('node.status')
    const addr = statusA.listenAddrs.find((a) => a.includes('/tcp/') && !a.includes('/ws'))!
    const connected = await run(1, 'connect', addr)
    expect(connected.code).toBe(0)
    expect(connected.stdout).toContain(`connected to ${statusA.peerId}`)

    const statusB = await clients[1]!.call('node.status')
    const didA = statusA.did
    const didB = statusB.did
    await waitFor('both to know the other member', async () => {
      const [a, b] = [await clients[0]!.call('network.peers'), await clients[1]!.call('network.peers')]
      return (
        a.peers.some((p) => p.peerId === statusB.peerId && p.did === didB) &&
        b.peers.some((p) => p.peerId === statusA.peerId && p.did === didA)
      )
    })
    const [onA, onB] = [await run(0, 'peers'), await run(1, 'peers')]
    expect(onA.stdout).toContain(`${statusB.peerId}  ${didB}`)
    expect(onB.stdout).toContain(`${statusA.peerId}  ${didA}`)
  })

  it('an event posted on A is listed on B', async () => {
    const posted = await run(0, 'events', 'post', 'minutes of the assembly, from A')
    expect(posted.code).toBe(0)
    const id = posted.stdout.trim()
    await waitFor('the event on B', async () =>
      (await clients[1]!.call('events.list', {})).events.some((e) => e.id === id),
    )
    const listed = await run(1, 'events', 'list')
    expect(listed.stdout).toContain(id)
  })

  it('syncs on request, shows the network status, and disconnects', async () => {
    const sync = await json(1, 'sync')
    expect(sync.runs).toHaveLength(1)
    expect(sync.runs[0].error).toBeUndefined()
    const status = await run(1, 'network', 'status')
    expect(status.stdout).toMatch(/gossip\s+\/icn\/global\/events\/1 mesh 1\/1/)
    expect(status.stdout).toMatch(/discovery\s+mDNS off/)
    const peerA = (await clients[0]!.call('node.status')).peerId!
    expect((await run(1, 'disconnect', peerA)).code).toBe(0)
    // Disconnected means gone, not redialled a second later by either side's DHT.
    await new Promise((r) => setTimeout(r, 1500))
    expect((await json(1, 'peers')).length).toBe(0)
    expect((await clients[0]!.call('network.peers')).peers).toEqual([])
  })

  it('answers bad input with a stable code', async () => {
    const bad = await run(1, 'connect', '/not/a/multiaddr')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('error[NETWORK_INVALID_MULTIADDR]')
    const gone = await run(1, 'disconnect', '12D3KooWQmXrDUof9ADwJDdMaqTcyfFrLMkr5SSkwcNRiYkZ32Ft')
    expect(gone.stderr).toContain('error[NETWORK_PEER_NOT_FOUND]')
    const port = await icn(['--data', data(1), 'node', 'start', '--p2p-port', '70000'])
    expect(port.code).toBe(2)
  })
})
