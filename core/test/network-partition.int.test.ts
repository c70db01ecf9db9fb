import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestNode } from './helpers'
import { note, testAuthor } from './events'
import { roots, startNetNode, tcpAddr, waitForSameState } from './network-helpers'

describe('a partition heals', () => {
  const nodes: TestNode[] = []

  beforeAll(async () => {
    // Periodic sync every second stands in for the default minute: it is how nodes that see no new
    // connection (the ends of each group) learn what the other side had.
    for (let i = 0; i < 4; i++)
      nodes.push(await startNetNode({ network: { dht: false, syncIntervalMs: 1000 } }))
  })

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  it('two groups that worked apart, one of them seeing a fork the other did not, end with one state', async () => {
    const [a, b, c, d] = nodes as [TestNode, TestNode, TestNode, TestNode]
    await b.node.network.connect(tcpAddr(a))
    await d.node.network.connect(tcpAddr(c))

    const post = (n: TestNode, text: string) =>
      n.node.dag.append({ type: 'note', scope: 'global', body: { text, refs: [] } })
    for (let i = 0; i < 5; i++) await Promise.all(nodes.map((n, j) => post(n, `node ${j} note ${i}`)))

    // An author equivocates across the partition: one version of seq 1 on each side.
    const forker = testAuthor()
    const left = forker.at(1, null, 'note', note('version for the left group'))
    const right = forker.at(1, null, 'note', note('version for the right group'))
    await a.node.dag.ingest(left.bytes)
    await c.node.dag.ingest(right.bytes)

    await waitForSameState([a, b], 10 + 1)
    await waitForSameState([c, d], 10 + 1)
    // Apart, neither side has the other's events.
    expect(await a.node.dag.getSummary(right.id)).toBeUndefined()
    expect(await a.node.dag.head(c.node.identity.did())).toBeUndefined()
    expect(await d.node.dag.head(b.node.identity.did())).toBeUndefined()

    await c.node.network.connect(tcpAddr(b))
    // 20 notes plus both versions of the fork on every node (the second one kept as evidence).
    await waitForSameState(nodes, 20 + 2, 30_000)
    expect(new Set(await roots(nodes)).size).toBe(1)
    for (const n of nodes) {
      expect(await n.node.dag.view().flagged(forker.did)).toEqual({
        author: forker.did,
        seq: 1,
        evidence: [left.id, right.id].sort(),
      })
    }
  })
})
