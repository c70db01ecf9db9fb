import { afterAll, describe, expect, it } from 'vitest'
import type { TestNode } from './helpers'
import { startNetNode, tcpAddr, waitFor, waitForSameState } from './network-helpers'

const EVENTS = 1000

describe('a node that was offline catches up', () => {
  const nodes: TestNode[] = []

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  it(`receives the ${EVENTS} events made while it was stopped and matches the state root`, async () => {
    const a = await startNetNode()
    const b = await startNetNode()
    let c = await startNetNode()
    nodes.push(a, b)
    await b.node.network.connect(tcpAddr(a))
    await c.node.network.connect(tcpAddr(b))
    await c.node.dag.append({ type: 'note', scope: 'global', body: { text: 'c was here first', refs: [] } })
    await waitForSameState([a, b, c], 1)
    const cPeerId = c.node.network.peerId()
    // Joined scopes survive the restart too (governance joins cooperatives once).
    const coop = 'did:icn:bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqmqqme5yje'
    await c.node.network.subscribe(coop)

    await c.node.stop()
    const made = []
    for (let i = 0; i < EVENTS; i++)
      made.push(
        a.node.dag.append({
          type: 'note',
          scope: 'global',
          body: { text: `while c was away #${i}`, refs: [] },
        }),
      )
    await Promise.all(made)
    await waitForSameState([a, b], EVENTS + 1)

    // The same data dir again: same peer key, same database, nothing of the last 1000 events.
    c = await startNetNode({ dir: c.dir })
    nodes.push(c)
    expect(c.node.network.peerId()).toBe(cPeerId)
    expect((await c.node.dag.stats()).events).toBe(1)
    expect(c.node.network.scopes()).toEqual([coop, 'global'].sort())
    expect(c.node.network.status().topics.map((t) => t.topic)).toContain(`/icn/${coop}/events/1`)
    const progress: { phase: string; done: number; total: number }[] = []
    c.node.events.on('network:sync-progress', (p) => progress.push(p))
    const started = Date.now()
    await c.node.network.connect(tcpAddr(b))
    await waitForSameState([a, b, c], EVENTS + 1, 30_000)
    const seconds = (Date.now() - started) / 1000
    expect(seconds).toBeLessThan(30)
    expect(await c.node.dag.stateRoot()).toBe(await a.node.dag.stateRoot())
    // Progress was reported while syncing, ending with everything received.
    expect(progress.some((p) => p.phase === 'events' && p.total === EVENTS)).toBe(true)
    await waitFor('the session to report it is done', () =>
      progress.some((p) => p.phase === 'done' && p.done === EVENTS),
    )
  })
})
