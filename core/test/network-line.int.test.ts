import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestNode } from './helpers'
import { roots, startNetNode, tcpAddr, waitFor, waitForMesh, waitForSameState } from './network-helpers'

describe('five nodes in a line', () => {
  const nodes: TestNode[] = []

  beforeAll(async () => {
    // No DHT: its queries dial the peers they find, which would turn the line into a mesh.
    for (let i = 0; i < 5; i++) nodes.push(await startNetNode({ network: { dht: false } }))
    // 0 — 1 — 2 — 3 — 4: each node knows only its neighbours.
    for (let i = 0; i < 4; i++) await nodes[i + 1]!.node.network.connect(tcpAddr(nodes[i]!))
    for (const [i, n] of nodes.entries()) await waitForMesh(n, i === 0 || i === 4 ? 1 : 2)
  })

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  it('keeps to the topology: the ends are not connected to each other', async () => {
    const first = nodes[0]!.node.network
    const last = nodes[4]!.node.network
    expect((await first.peers()).map((p) => p.peerId)).toEqual([nodes[1]!.node.network.peerId()])
    expect((await last.peers()).map((p) => p.peerId)).toEqual([nodes[3]!.node.network.peerId()])
  })

  it('an event posted at one end reaches the other end by gossip, validated at every hop', async () => {
    const arrived = new Promise<string>((resolve) =>
      nodes[4]!.node.events.on('dag:event-applied', (e) => {
        if (!e.local) resolve(e.cid)
      }),
    )
    const started = Date.now()
    const event = await nodes[0]!.node.dag.append({
      type: 'note',
      scope: 'global',
      body: { text: 'from one end of the line', refs: [] },
    })
    expect(await arrived).toBe(event.id)
    // Periodic sync is off: only gossip can have carried it, hop by hop.
    expect(Date.now() - started).toBeLessThan(5_000)
    for (const n of nodes) expect((await n.node.dag.getSummary(event.id))?.status).toBe('applied')
  })

  it('every node ends with the same state root after each posts', async () => {
    await Promise.all(
      nodes.map((n, i) =>
        n.node.dag.append({
          type: 'note',
          scope: 'global',
          body: { text: `node ${i} says hello`, refs: [] },
        }),
      ),
    )
    await waitForSameState(nodes, 6)
    expect(new Set(await roots(nodes)).size).toBe(1)
  })

  it('shows the member DID of each connected peer from its signed record', async () => {
    const middle = nodes[2]!.node.network
    await waitFor('both records', async () => (await middle.peers()).every((p) => p.did !== null))
    const peers = await middle.peers()
    expect(peers.map((p) => p.did).sort()).toEqual(
      [nodes[1]!.node.identity.did(), nodes[3]!.node.identity.did()].sort(),
    )
    expect(middle.didOf(nodes[1]!.node.network.peerId()!)).toBe(nodes[1]!.node.identity.did())
  })
})

describe('mesh messages along a line', () => {
  // A cooperative scope of its own (any scope DID): the mesh service judges 'global' mesh messages itself.
  let SCOPE = ''
  const nodes: TestNode[] = []
  const received: string[][] = [[], [], [], []]

  beforeAll(async () => {
    for (let i = 0; i < 4; i++) nodes.push(await startNetNode({ network: { dht: false } }))
    for (let i = 0; i < 3; i++) await nodes[i + 1]!.node.network.connect(tcpAddr(nodes[i]!))
    SCOPE = 'did:icn:bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    for (const n of nodes) await n.node.network.subscribe(SCOPE)
    nodes.forEach((n, i) =>
      n.node.network.onMesh(SCOPE, (m) => {
        const text = new TextDecoder().decode(m.data)
        received[i]!.push(text)
        // Node 1 judges "bad …" messages invalid: they must stop there.
        return i === 1 && text.startsWith('bad') ? 'reject' : 'accept'
      }),
    )
    for (const [i, n] of nodes.entries())
      await waitForMesh(n, i === 0 || i === 3 ? 1 : 2, `/icn/${SCOPE}/mesh/1`)
  })

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  it('travel as far as every hop accepts them, and no further than a hop that rejects them', async () => {
    await nodes[0]!.node.network.publishMesh(SCOPE, new TextEncoder().encode('bad job offer'))
    await nodes[0]!.node.network.publishMesh(SCOPE, new TextEncoder().encode('job offer'))
    await waitFor('the good message at the far end', () => received[3]!.includes('job offer'))
    expect(received[1]).toEqual(['bad job offer', 'job offer'])
    expect(received[2]).toEqual(['job offer'])
    expect(received[3]).toEqual(['job offer'])
    expect(received[0]).toEqual([])
  })
})
