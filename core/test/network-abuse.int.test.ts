// Node 20 lacks Promise.withResolvers and a global WebSocket, which libp2p needs: set up the runtime first.
import '../network/polyfills'
import { randomBytes } from 'node:crypto'
import { connect as tcpConnect, type Socket } from 'node:net'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import * as dagCbor from '@ipld/dag-cbor'
import * as lp from 'it-length-prefixed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestNode } from './helpers'
import { capturingLogger, startNetNode, tcpAddr, waitFor, waitForMesh } from './network-helpers'

/** A stock libp2p peer with a fresh identity: what an attacker can make for free. */
function attacker(): Promise<Libp2p<{ identify: unknown }>> {
  return createLibp2p({
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify() },
  })
}

/** Sends raw bytes on a fresh stream, closes our side and drains whatever comes back (at most 3 s). */
async function sendRaw(peer: Libp2p, target: string, protocol: string, bytes: Uint8Array): Promise<string> {
  let stream: Stream
  try {
    stream = await peer.dialProtocol(multiaddr(target), protocol, { signal: AbortSignal.timeout(5000) })
  } catch (err) {
    return `refused: ${(err as Error).name}`
  }
  const exchange = (async () => {
    stream.send(bytes)
    await stream.close()
    for await (const _ of stream) {
      // drain
    }
    return stream.status
  })().catch((err: unknown) => `reset: ${(err as Error).name}`)
  // Some protocols never answer garbage at all; an attacker does not wait forever either.
  let timer: NodeJS.Timeout | undefined
  const giveUp = new Promise<string>((resolve) => {
    timer = setTimeout(() => {
      stream.abort(new Error('gave up waiting'))
      resolve('gave up')
    }, 3000)
  })
  try {
    return await Promise.race([exchange, giveUp])
  } finally {
    clearTimeout(timer)
  }
}

const varint = (n: number): Uint8Array => {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return new Uint8Array(out)
}

describe('bad input from peers', () => {
  const log = capturingLogger()
  let target: TestNode
  let honest: TestNode
  const attackers: Libp2p[] = []
  const limits = {
    maxConnections: 8,
    maxIncomingPendingConnections: 3,
    inboundUpgradeTimeout: 1500,
    syncRequestTimeout: 1000,
    blocksTimeout: 1000,
    banAfterViolations: 4,
  }

  beforeAll(async () => {
    target = await startNetNode({ logger: log.logger, network: { limits } })
    honest = await startNetNode()
    await honest.node.network.connect(tcpAddr(target))
    await waitForMesh(target, 1)
  })

  afterAll(async () => {
    await Promise.all(
      attackers.map(async (a) => {
        await a.stop()
      }),
    )
    await Promise.all([target.destroy(), honest.destroy()])
  })

  /** The node still works for its member and its honest peer: gossip flows both ways and reads answer. */
  async function expectHealthy(): Promise<void> {
    const arrived = new Promise<string>((resolve) =>
      target.node.events.on('dag:event-applied', (e) => {
        if (!e.local) resolve(e.cid)
      }),
    )
    const event = await honest.node.dag.append({
      type: 'note',
      scope: 'global',
      body: { text: `still talking ${Date.now()}`, refs: [] },
    })
    expect(await arrived).toBe(event.id)
    await new Promise((r) => setImmediate(r))
    expect(await target.node.dag.stateRoot()).toMatch(/^[0-9a-f]{64}$/)
    expect(target.node.network.status().running).toBe(true)
  }

  it('survives garbage on every protocol it speaks, and logs ICN protocol abuse with the peer id', async () => {
    const bad = await attacker()
    attackers.push(bad)
    const addr = tcpAddr(target)
    await bad.dial(multiaddr(addr))
    await waitFor(
      'identify',
      async () => (await bad.peerStore.get(target.node.network.peerId() as never)).protocols.length > 0,
    ).catch(() => undefined)
    const peerId = bad.peerId.toString()
    const garbage = [
      new Uint8Array(randomBytes(200)),
      // a length prefix claiming a gigabyte: refused before anything is allocated
      new Uint8Array([...varint(1024 * 1024 * 1024), 1, 2, 3]),
      // a frame cut short: 100 bytes announced, 10 sent, then the stream closes
      new Uint8Array([...varint(100), ...randomBytes(10)]),
    ]
    for (const protocol of ['/icn/kad/1.0.0', '/ipfs/id/1.0.0', '/ipfs/ping/1.0.0', '/meshsub/1.2.0']) {
      for (const bytes of garbage) await sendRaw(bad, addr, protocol, bytes)
    }
    await expectHealthy()
    // Our own protocols: each malformed request is a logged violation.
    await sendRaw(bad, addr, '/icn/blocks/1.0.0', garbage[0]!)
    await sendRaw(
      bad,
      addr,
      '/icn/sync/1.0.0',
      lp.encode.single(dagCbor.encode({ op: 'drop-tables' })).subarray(),
    )
    await sendRaw(bad, addr, '/icn/sync/1.0.0', garbage[1]!)
    await waitFor('three violations logged', () => violations(peerId) >= 3)
    for (const line of log.lines.filter((l) => l.msg === 'peer broke the protocol')) {
      expect(line).toMatchObject({ peer: peerId, protocol: expect.stringMatching(/^\/icn\//) })
    }
    await expectHealthy()
  })

  it('bans a peer that keeps breaking the protocol: its connection is closed and it cannot come back', async () => {
    const bad = attackers[0]!
    const addr = tcpAddr(target)
    await sendRaw(bad, addr, '/icn/blocks/1.0.0', new Uint8Array([...varint(100), ...randomBytes(10)]))
    await waitFor('the ban', () =>
      log.lines.some((l) => l.msg === 'peer banned' && l.peer === bad.peerId.toString()),
    )
    await waitFor('the connection to close', () => bad.getConnections().length === 0)
    // Coming back is refused during the handshake (the dialler may see the socket open before it is shut).
    await bad.dial(multiaddr(addr), { signal: AbortSignal.timeout(3000) }).catch(() => undefined)
    await waitFor('the new connection to be refused', () => bad.getConnections().length === 0)
    expect((await target.node.network.peers()).map((p) => p.peerId)).not.toContain(bad.peerId.toString())
    await expectHealthy()
  })

  it('drops a slow peer that opens a sync stream and says nothing', async () => {
    const slow = await attacker()
    attackers.push(slow)
    const stream = await slow.dialProtocol(multiaddr(tcpAddr(target)), '/icn/sync/1.0.0')
    const started = Date.now()
    await waitFor(
      'the server to give up',
      () => stream.status !== 'open' || stream.remoteWriteStatus !== 'writable',
      5000,
    )
    expect(Date.now() - started).toBeLessThan(4000)
    await expectHealthy()
  })

  it('holds its limits under a flood of connections and half-open sockets', async () => {
    const [host, port] = /\/ip4\/([\d.]+)\/tcp\/(\d+)/.exec(tcpAddr(target))!.slice(1) as [string, string]
    // Slowloris: TCP sockets that never start the handshake are closed after the upgrade timeout.
    const sockets: Socket[] = []
    const closed: boolean[] = []
    for (let i = 0; i < 20; i++) {
      const s = tcpConnect(Number(port), host)
      s.on('error', () => undefined)
      s.on('close', () => (closed[i] = true))
      sockets.push(s)
    }
    // Many cheap identities dialling at once.
    const flood = await Promise.all(Array.from({ length: 16 }, () => attacker()))
    attackers.push(...flood)
    let most = 0
    const sampler = setInterval(() => {
      most = Math.max(most, target.node.network.status().connections)
    }, 20)
    await Promise.allSettled(
      flood.map((a) => a.dial(multiaddr(tcpAddr(target)), { signal: AbortSignal.timeout(5000) })),
    )
    await waitFor(
      'the half-open sockets to be closed',
      () => closed.filter(Boolean).length === sockets.length,
      10_000,
    )
    await new Promise((r) => setTimeout(r, 500))
    clearInterval(sampler)
    for (const s of sockets) s.destroy()
    // libp2p prunes back to the limit; it may overshoot briefly while it decides whom to drop.
    await waitFor(
      'connections to be back within the limit',
      () => target.node.network.status().connections <= limits.maxConnections,
    )
    expect(most).toBeLessThanOrEqual(limits.maxConnections + limits.maxIncomingPendingConnections + 2)
    // The honest peer is in the gossip mesh (tagged, so pruned last) and is still connected.
    expect((await target.node.network.peers()).map((p) => p.peerId)).toContain(honest.node.network.peerId())
    await expectHealthy()
  })

  function violations(peerId: string): number {
    return log.lines.filter((l) => l.msg === 'peer broke the protocol' && l.peer === peerId).length
  }
})
