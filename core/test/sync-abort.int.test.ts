/**
 * A sync session that fails while the next page is already requested (here: the caller aborts during an ingest)
 * must end with its error and leave the process alive. The prefetched request's rejection used to go unobserved,
 * and an unhandled rejection ends a Node process (the soak saw a daemon exit with StreamStateError).
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { TestNode } from './helpers'
import { startNetNode, tcpAddr } from './network-helpers'

const EVENTS = 2_000

describe('an aborted sync session', () => {
  const nodes: TestNode[] = []
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  it('fails with its error while a page is in flight, and a later session completes', async () => {
    const a = await startNetNode()
    const b = await startNetNode({ network: { syncOnConnect: false } })
    nodes.push(a, b)
    await Promise.all(
      Array.from({ length: EVENTS }, (_, i) =>
        a.node.dag.append({ type: 'note', scope: 'global', body: { text: `page filler #${i}`, refs: [] } }),
      ),
    )
    await b.node.network.connect(tcpAddr(a))
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const controller = new AbortController()
      const run = b.node.network.sync({
        peerId: a.node.network.peerId() as string,
        signal: controller.signal,
        // The first page is being ingested and the second one is requested: abort now.
        onProgress: (p) => {
          if (p.phase === 'events') controller.abort(new Error('stop'))
        },
      })
      const outcome = await run.then(
        (runs) => runs.map((r) => r.error?.code ?? 'ok'),
        (err: unknown) => [(err as { code?: string }).code ?? 'thrown'],
      )
      expect(outcome.every((code) => code !== 'ok')).toBe(true)
      await new Promise((r) => setTimeout(r, 500))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    const again = await b.node.network.sync({ peerId: a.node.network.peerId() as string })
    expect(again.every((r) => r.error === undefined)).toBe(true)
    expect((await b.node.dag.stats()).events).toBe(EVENTS)
  }, 60_000)
})
