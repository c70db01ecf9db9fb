import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestNode } from './helpers'
import { note, testAuthor } from './events'
import { startNetNode, tcpAddr, waitFor } from './network-helpers'

describe('the DHT, with newcomers that reach a only through b', () => {
  const nodes: TestNode[] = []
  const a = (): TestNode => nodes[0]!
  const b = (): TestNode => nodes[1]!

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) nodes.push(await startNetNode())
    await b().node.network.connect(tcpAddr(a()))
  })

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  /** A node that joins through b only: at first a is not among its connections. */
  async function newcomer(): Promise<TestNode> {
    const node = await startNetNode()
    nodes.push(node)
    await node.node.network.connect(tcpAddr(b()))
    expect((await node.node.network.peers()).map((p) => p.peerId)).toEqual([b().node.network.peerId()])
    return node
  }

  it('resolves a member DID to its peer id from the signed record in the DHT', async () => {
    const c = await newcomer()
    const did = a().node.identity.did()
    // c never ran a sync handshake with a, so only the DHT can tell it.
    expect(c.node.network.didOf(a().node.network.peerId()!)).toBeUndefined()
    let found: { peerId: string } | undefined
    await waitFor('the record to be found in the DHT', async () => {
      found = await c.node.network.resolveDid(did)
      return found !== undefined
    })
    expect(found?.peerId).toBe(a().node.network.peerId())
  })

  it('fetches a block that no connected peer has from a DHT provider, verified against its CID', async () => {
    const content = new TextEncoder().encode('minutes of the general assembly, only on a')
    const cid = await a().node.dag.blocks.put(content)
    a().node.network.provide(cid)
    const d = await newcomer()
    let missing: string[] = [cid.toString()]
    await waitFor('the provider record to be found', async () => {
      missing = (await d.node.network.fetch([cid])).missing
      return missing.length === 0
    })
    expect(await d.node.dag.blocks.get(cid)).toEqual(content)
    // b was asked and did not have it, and nobody stored it on the way: d found a through the DHT.
    expect(await b().node.dag.blocks.has(cid)).toBe(false)
    expect((await d.node.network.peers()).map((p) => p.peerId)).toContain(a().node.network.peerId())
  })
})

describe('fetching what a parked event waits for', () => {
  const nodes: TestNode[] = []

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  it('fills a chain gap over /icn/blocks/1.0.0: the missing events are fetched, verified and applied', async () => {
    // No sync at all: only the block exchange can fill the gap.
    const [a, b] = [await startNetNode(), await startNetNode({ network: { syncOnConnect: false } })]
    nodes.push(a, b)
    await b.node.network.connect(tcpAddr(a))
    const author = testAuthor()
    const chain = [1, 2, 3, 4].map((i) => author.next('note', note(`chain ${i}`)))
    for (const e of chain) await a.node.dag.ingest(e.bytes)
    // b hears of the last event only (as if from an API client or a late gossip message).
    expect((await b.node.dag.ingest(chain[3]!.bytes)).status).toBe('pending')
    await waitFor('the gap to be filled', async () => (await b.node.dag.head(author.did))?.seq === 4)
    for (const e of chain) expect((await b.node.dag.getSummary(e.id))?.status).toBe('applied')
    expect(await b.node.dag.stateRoot()).toBe(await a.node.dag.stateRoot())
  })
})
