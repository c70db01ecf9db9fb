import { afterEach, describe, expect, it } from 'vitest'
import type { VerifiedEvent } from '../dag'
import { startTestNode, type TestNode } from './helpers'
import { testAuthor } from './events'

/**
 * An event that depends on the second branch of a fork must end the same way on every node, whether it arrived
 * before the fork's second event (parked, then released when that event is recorded as evidence) or after it.
 */
const nodes: TestNode[] = []
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.destroy()
})

describe('dependents of an equivocation', () => {
  it('are settled identically whichever order the fork and its dependents arrive in', async () => {
    const start = Date.now() - 3_600_000
    const forker = testAuthor(undefined, start)
    const victim = testAuthor(undefined, start)
    const third = testAuthor(undefined, start)
    const first = forker.next('mana/transfer', { to: victim.did, amount: 3n, memo: 'a' })
    const second = forker.at(1, null, 'mana/transfer', { to: victim.did, amount: 4n, memo: 'b' })
    // The victim's node saw the second branch first and acknowledged it, then spent.
    const receive = victim.next('mana/receive', { credits: [{ source: second.cid, index: 0 }] })
    const spend = victim.next('mana/transfer', { to: third.did, amount: 2n, memo: 'c' })

    const feed = async (node: TestNode, events: VerifiedEvent[]): Promise<void> => {
      for (const e of events) await node.node.dag.ingest(e.bytes).catch(() => undefined)
    }
    const a = await startTestNode()
    const b = await startTestNode()
    nodes.push(a, b)
    await feed(a, [first, receive, spend, second])
    await feed(b, [first, second, receive, spend])

    for (const n of [a, b]) expect(n.node.dag.evidence().map((e) => e.author)).toEqual([forker.did])
    const ledger = async (n: TestNode, did: string): Promise<unknown> => {
      const { available, reserved, opened } = await n.node.economics.balance({ did })
      return { available, reserved, opened }
    }
    const balances = await Promise.all(
      [a, b].map(async (n) => ({ victim: await ledger(n, victim.did), third: await ledger(n, third.did) })),
    )
    expect(balances[0]).toEqual(balances[1])
    expect(await a.node.dag.stateRoot()).toBe(await b.node.dag.stateRoot())
    // Nothing is left waiting on either node.
    for (const n of [a, b]) expect((await n.node.dag.stats()).pending).toBe(0)
  })
})
