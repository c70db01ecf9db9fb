import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestNode } from './helpers'
import { startNetNode, tcpAddr, waitFor } from './network-helpers'

describe('the DHT across three nodes in a line (a — b — c)', () => {
  const nodes: TestNode[] = []
  const a = (): TestNode => nodes[0]!
  const b = (): TestNode => nodes[1]!
  const c = (): TestNode => nodes[2]!

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) nodes.push(await startNetNode())
    await b().node.network.connect(tcpAddr(a()))
    await c().node.network.connect(tcpAddr(b()))
  })

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  it('resolves a member DID to its peer id from the signed record in the DHT', async () => {
    const did = a().node.identity.did()
    // c never spoke to a: it cannot have seen a's record in a sync handshake.
    expect(c().node.network.didOf(a().node.network.peerId()!)).toBeUndefined()
    let found: { peerId: string } | undefined
    await waitFor('the record to be found in the DHT', async () => {
      found = await c().node.network.resolveDid(did)
      return found !== undefined
    })
    expect(found?.peerId).toBe(a().node.network.peerId())
  })

  it('fetches a block that no connected peer has from a DHT provider, verified against its CID', async () => {
    const content = new TextEncoder().encode('minutes of the general assembly, only on a')
    const cid = await a().node.dag.blocks.put(content)
    a().node.network.provide(cid)
    expect(await b().node.dag.blocks.has(cid)).toBe(false)
    // DHT queries may have connected c to a meanwhile; drop that link so only a provider lookup can find a.
    const aId = a().node.network.peerId()!
    if ((await c().node.network.peers()).some((p) => p.peerId === aId)) await c().node.network.disconnect(aId)
    expect((await c().node.network.peers()).map((p) => p.peerId)).not.toContain(aId)
    let missing: string[] = [cid.toString()]
    await waitFor('the provider record to be found', async () => {
      missing = (await c().node.network.fetch([cid])).missing
      return missing.length === 0
    })
    expect(await c().node.dag.blocks.get(cid)).toEqual(content)
    // b was asked and did not have it; nobody stored it on the way.
    expect(await b().node.dag.blocks.has(cid)).toBe(false)
  })
})
