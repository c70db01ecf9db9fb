/**
 * Several real nodes (level stores in temp dirs, real keys) exchanging the actual event bytes, in different
 * orders, as replication would deliver them. The libp2p-backed variant replaces the relay below with the Network
 * service once both are merged.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { VerifiedEvent } from '../dag'
import { startEconNode, type EconTestNode } from '../economics/test-support'
import { testAuthor } from './events'

type Order = 'forward' | 'reverse' | 'interleaved'

/** Forwards every event a node creates to the others; each receiving node gets its own delivery order. */
class Relay {
  private readonly queue: { from: EconTestNode; bytes: Uint8Array }[] = []
  private readonly offs: (() => void)[] = []
  constructor(
    private readonly nodes: EconTestNode[],
    private readonly orders: Order[],
  ) {
    for (const n of nodes)
      this.offs.push(
        n.node.events.on('dag:event-created', (e) => this.queue.push({ from: n, bytes: e.bytes })),
      )
  }

  /** Delivers what is queued (and what the deliveries cause: receipts) until every node is quiet. */
  async converge(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      await this.quiet()
      if (this.queue.length === 0) return
      const batch = this.queue.splice(0)
      await Promise.all(
        this.nodes.map(async (n, i) => {
          const mine = batch.filter((m) => m.from !== n).map((m) => m.bytes)
          for (const bytes of arrange(mine, this.orders[i] ?? 'forward')) await n.node.dag.ingest(bytes)
        }),
      )
    }
    throw new Error('the nodes did not converge')
  }

  async inject(events: VerifiedEvent[], to: EconTestNode[]): Promise<void> {
    for (const n of to) for (const e of events) await n.node.dag.ingest(e.bytes)
  }

  /** Waits until no node has credits to its own member left to acknowledge. */
  private async quiet(): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const pending = await Promise.all(this.nodes.map((n) => n.node.economics.pending({ limit: 1 })))
      if (pending.every((p) => p.length === 0)) {
        await new Promise((r) => setTimeout(r, 20))
        return
      }
      await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error('credits were not acknowledged')
  }

  close(): void {
    for (const off of this.offs) off()
  }
}

function arrange(items: Uint8Array[], order: Order): Uint8Array[] {
  if (order === 'reverse') return [...items].reverse()
  if (order === 'interleaved') {
    // Odd positions first, then even ones, then everything again (duplicates are no-ops).
    return [...items.filter((_, i) => i % 2 === 1), ...items.filter((_, i) => i % 2 === 0), ...items]
  }
  return items
}

let nodes: EconTestNode[] = []
let relay: Relay | undefined
afterEach(async () => {
  relay?.close()
  await Promise.all(nodes.map((n) => n.destroy()))
  nodes = []
})

async function start(count: number, orders: Order[]): Promise<EconTestNode[]> {
  nodes = await Promise.all(Array.from({ length: count }, () => startEconNode()))
  relay = new Relay(nodes, orders)
  return nodes
}

async function expectSameEverywhere(dids: string[]): Promise<void> {
  const roots = await Promise.all(nodes.map((n) => n.node.dag.stateRoot()))
  expect(new Set(roots).size).toBe(1)
  for (const did of dids) {
    const seen = await Promise.all(
      nodes.map(async (n) => {
        const b = await n.node.economics.balance({ did })
        return { available: b.available, reserved: b.reserved, opened: b.opened }
      }),
    )
    for (const s of seen) expect(s).toEqual(seen[0])
  }
}

describe('economics across nodes', () => {
  it('a transfer made on one node shows the same balances on every node, whatever the delivery order', async () => {
    const [a, b, c] = await start(3, ['forward', 'reverse', 'interleaved'])
    await a!.node.economics.transfer({ to: b!.did, amount: 120, memo: 'first' })
    await a!.node.economics.transfer({ to: c!.did, amount: 30 })
    await b!.node.economics.transfer({ to: c!.did, amount: 10 })
    await relay!.converge()
    // B's node acknowledged A's transfer on its own; C's acknowledged both of its.
    for (const n of nodes) {
      expect((await n.node.economics.pending({ did: b!.did })).length).toBe(0)
      expect((await n.node.economics.balance({ did: a!.did })).available).toBe(350n)
      expect((await n.node.economics.balance({ did: b!.did })).available).toBeGreaterThanOrEqual(610n)
      expect((await n.node.economics.balance({ did: c!.did })).available).toBeGreaterThanOrEqual(540n)
    }
    const receipts = await c!.node.dag.listEvents({ author: b!.did, type: 'mana/receive' })
    expect(receipts.events).toHaveLength(1)
    await expectSameEverywhere([a!.did, b!.did, c!.did])
    const history = await c!.node.economics.history({ did: b!.did })
    expect(history.entries.map((e) => [e.kind, e.direction, e.amount, e.counterparty])).toEqual([
      ['transfer', 'in', 120n, a!.did],
      ['transfer', 'out', 10n, c!.did],
      ['opening', 'in', 500n, null],
    ])
  })

  it('an equivocating double spend pays nobody on any node and its author is flagged everywhere', async () => {
    const [a, b, c] = await start(3, ['forward', 'reverse', 'interleaved'])
    const mallory = testAuthor()
    // Two different transfers of 400 (of 500) with the same seq: each alone is valid.
    const toB = mallory.next('mana/transfer', { to: b!.did, amount: 400n, memo: 'for b' })
    const toC = mallory.at(1, null, 'mana/transfer', { to: c!.did, amount: 400n, memo: 'for c' })
    // Each victim's node sees only its own branch first and acknowledges it.
    await relay!.inject([toB], [b!])
    await relay!.inject([toC], [c!])
    await relay!.converge()
    // Now every node learns both branches (B's and C's receipts travelled with the relay above).
    await relay!.inject([toB, toC], [a!, b!, c!])
    await relay!.converge()
    for (const n of nodes) {
      const view = n.node.dag.view()
      expect(await view.flagged(mallory.did)).toMatchObject({ seq: 1 })
      expect(n.node.dag.evidence()).toMatchObject([{ author: mallory.did, seq: 1 }])
      expect(await view.isEffective(toB.id)).toBe(false)
      expect(await view.isEffective(toC.id)).toBe(false)
      expect((await n.node.economics.balance({ did: b!.did })).available).toBe(500n)
      expect((await n.node.economics.balance({ did: c!.did })).available).toBe(500n)
      expect((await n.node.economics.balance({ did: mallory.did })).opened).toBe(false)
    }
    // The receipts the victims' nodes wrote stay in their chains, void.
    const receiptOfB = (await a!.node.dag.listEvents({ author: b!.did })).events
    expect(receiptOfB.map((e) => [e.type, e.status])).toEqual([['mana/receive', 'voided']])
    await expectSameEverywhere([b!.did, c!.did, mallory.did])
    // Mallory's later events are refused everywhere.
    const later = mallory.at(2, toB.cid, 'mana/transfer', { to: b!.did, amount: 1n, memo: '' })
    for (const n of nodes)
      await expect(n.node.dag.ingest(later.bytes)).rejects.toMatchObject({ code: 'DAG_AUTHOR_FLAGGED' })
  })

  it('replayed events change nothing on any node', async () => {
    const [a, b] = await start(2, ['forward', 'reverse'])
    const sent = await a!.node.economics.transfer({ to: b!.did, amount: 75 })
    await relay!.converge()
    const roots = await Promise.all(nodes.map((n) => n.node.dag.stateRoot()))
    const all = await a!.node.dag.listEvents({ limit: 1000 })
    for (const n of nodes) {
      for (const summary of all.events) {
        const e = await a!.node.dag.getEvent(summary.id)
        expect((await n.node.dag.ingest(e!.bytes)).status).toBe('duplicate')
      }
      expect((await n.node.dag.ingest(sent.bytes)).status).toBe('duplicate')
    }
    expect(await Promise.all(nodes.map((n) => n.node.dag.stateRoot()))).toEqual(roots)
    expect((await b!.node.economics.balance()).available).toBeGreaterThanOrEqual(575n)
  })
})
