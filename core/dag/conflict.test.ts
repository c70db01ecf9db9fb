import { afterEach, describe, expect, it } from 'vitest'
import { IcnError } from '../errors'
import type { IcnNode } from '../node'
import { startTestNode, type TestNode } from '../test/helpers'
import { testAuthor } from '../test/events'
import type { EventTypeHandler } from './index'

/** A test-only event type: authors claim a slot; only one claim per slot may win. */
interface Claim {
  slot: string
  rank: number
  valid: boolean
}

const claimHandler: EventTypeHandler<Claim> = {
  parseBody(body) {
    return body as Claim
  },
  conflict(body) {
    return { key: `slot/${body.slot}`, rank: body.rank }
  },
  async validate(ctx) {
    if (!ctx.body.valid) throw new IcnError('INVALID_ARGUMENT', 'this claim is invalid')
  },
  async apply(ctx, tx) {
    tx.put(`claims/${ctx.body.slot}`, ctx.event.author)
  },
}

const nodes: TestNode[] = []
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.destroy()
})

async function node(): Promise<IcnNode> {
  const t = await startTestNode({ beforeStart: (n) => n.dag.register('test/claim', claimHandler) })
  nodes.push(t)
  return t.node
}

describe('conflicting alternatives', () => {
  it('applies the same winner on every node whatever the arrival order, refolding when a better one arrives late', async () => {
    const [alice, bob, carol] = [testAuthor(), testAuthor(), testAuthor()]
    const worse = alice.next('test/claim', { slot: 'a', rank: 2, valid: true })
    const better = bob.next('test/claim', { slot: 'a', rank: 1, valid: true })
    const other = carol.next('test/claim', { slot: 'b', rank: 5, valid: true })
    const n1 = await node()
    const n2 = await node()
    for (const e of [worse, other, better]) await n1.dag.ingest(e.bytes)
    for (const e of [better, worse, other]) await n2.dag.ingest(e.bytes)
    for (const n of [n1, n2]) {
      expect(await n.dag.view().get('claims/a')).toBe(bob.did)
      expect(await n.dag.view().isEffective(better.id)).toBe(true)
      expect(await n.dag.view().isEffective(worse.id)).toBe(false)
      expect((await n.dag.getSummary(worse.id))?.status).toBe('voided')
    }
    expect(await n1.dag.stateRoot()).toBe(await n2.dag.stateRoot())
  })

  it('falls back to the next alternative when the best one fails validation', async () => {
    const [alice, bob] = [testAuthor(), testAuthor()]
    const bestButInvalid = alice.next('test/claim', { slot: 'x', rank: 0, valid: false })
    const next = bob.next('test/claim', { slot: 'x', rank: 1, valid: true })
    const n1 = await node()
    const n2 = await node()
    await n1.dag.ingest(bestButInvalid.bytes)
    await n1.dag.ingest(next.bytes)
    await n2.dag.ingest(next.bytes)
    await n2.dag.ingest(bestButInvalid.bytes)
    for (const n of [n1, n2]) expect(await n.dag.view().get('claims/x')).toBe(bob.did)
    expect(await n1.dag.stateRoot()).toBe(await n2.dag.stateRoot())
  })

  it('refuses a local event for a place already taken, storing nothing', async () => {
    const n = await node()
    const bob = testAuthor()
    await n.dag.ingest(bob.next('test/claim', { slot: 'z', rank: 0, valid: true }).bytes)
    const before = (await n.dag.stats()).events
    await expect(
      n.dag.append({ type: 'test/claim', scope: 'global', body: { slot: 'z', rank: 3, valid: true } }),
    ).rejects.toMatchObject({
      code: 'DAG_SUPERSEDED',
    })
    expect((await n.dag.stats()).events).toBe(before)
  })
})
