import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VerifiedEvent } from '../dag'
import { testAuthor, note, type TestAuthor } from '../test/events'
import { startEconNode, type EconTestNode } from './test-support'

let n: EconTestNode
beforeEach(async () => {
  n = await startEconNode()
})
afterEach(async () => {
  await n.destroy()
})

const HOUR = 3_600_000

const transfer = (
  a: TestAuthor,
  to: string,
  amount: bigint | number,
  options?: { ts?: number; memo?: string },
) => a.next('mana/transfer', { to, amount: BigInt(amount), memo: options?.memo ?? '' }, options)
const receive = (a: TestAuthor, source: VerifiedEvent, options?: { ts?: number; index?: number }) =>
  a.next('mana/receive', { credits: [{ source: source.cid, index: options?.index ?? 0 }] }, options)

async function ingest(...events: VerifiedEvent[]): Promise<void> {
  for (const e of events) await n.node.dag.ingest(e.bytes)
}

async function status(e: VerifiedEvent): Promise<string | undefined> {
  return (await n.node.dag.getSummary(e.id))?.status
}

async function available(did: string): Promise<bigint> {
  return (await n.node.economics.balance({ did })).available
}

/** Waits until the node's own chain has acknowledged everything addressed to it. */
async function settled(node = n): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await node.node.economics.pending({ limit: 1 })).length === 0) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('credits were not acknowledged')
}

describe('mana: opening balance, regeneration, balance', () => {
  it('shows the opening balance to a newcomer and opens the account at its first event', async () => {
    const fresh = testAuthor()
    expect(await n.node.economics.balance({ did: fresh.did })).toMatchObject({
      available: 500n,
      reserved: 0n,
      capacity: 1000n,
      ratePerHour: 50n,
      opened: false,
      economy: 'global',
    })
    const t0 = Date.now() - 10 * HOUR
    await ingest(transfer(fresh, n.did, 100, { ts: t0 }))
    // 10 hours at 50/h since its first event: 500 − 100 + 500 = 900.
    const b = await n.node.economics.balance({ did: fresh.did })
    expect(b.opened).toBe(true)
    expect(b.available).toBe(900n)
    expect(b.fullAt).toBeGreaterThan(Date.now())
  })

  it('regenerates exactly at event timestamps and stops at capacity', async () => {
    const a = testAuthor()
    const t0 = Date.now() - 100 * HOUR
    // 500 opening − 500 sent = 0, then 36 seconds later (0.5 mana at 50/h) nothing whole has regenerated.
    await ingest(transfer(a, n.did, 500, { ts: t0 }))
    await expect(n.node.dag.ingest(transfer(a, n.did, 1, { ts: t0 + 36_000 }).bytes)).resolves.toMatchObject({
      status: 'applied',
    })
    const voided = await n.node.dag.listEvents({ author: a.did })
    expect(voided.events[0]?.status).toBe('voided')
    // Another 36 s: the two halves add up to one whole unit, which the next transfer spends.
    const ok = transfer(a, n.did, 1, { ts: t0 + 72_000 })
    await ingest(ok)
    expect(await status(ok)).toBe('applied')
    const acct = await n.node.economics.balance({ did: a.did })
    expect(acct.available).toBe(1000n) // 100 hours later it is full, not 5000
    expect(acct.full).toBe(true)
    expect(acct.fullAt).toBeNull()
  })
})

describe('transfers and receipts', () => {
  it('debits the sender at once and credits the recipient only when its chain acknowledges', async () => {
    const alice = testAuthor()
    const bob = testAuthor()
    const t = transfer(alice, bob.did, 120, { memo: 'rent' })
    await ingest(t)
    expect(await available(alice.did)).toBeLessThanOrEqual(380n)
    expect((await n.node.economics.balance({ did: bob.did })).opened).toBe(false)
    expect(await n.node.economics.pending({ did: bob.did })).toMatchObject([
      { credit: `${t.id}:0`, from: alice.did, amount: 120n, kind: 'transfer' },
    ])
    const r = receive(bob, t)
    await ingest(r)
    expect(await status(r)).toBe('applied')
    expect(await available(bob.did)).toBeGreaterThanOrEqual(620n)
    expect(await n.node.economics.pending({ did: bob.did })).toEqual([])
    // A received credit leaves the state (it holds open credits only); the archive still answers for it.
    expect(await n.node.dag.view().get(`econ/credit/${t.id}:0`)).toBeUndefined()
    expect(await n.node.economics.credit(`${t.id}:0`)).toMatchObject({
      received: true,
      from: alice.did,
      to: bob.did,
      amount: 120n,
      memo: 'rent',
    })
    // The same credit cannot be received twice, nor by someone else.
    const again = receive(bob, t)
    const carol = testAuthor()
    const stolen = receive(carol, t)
    await ingest(again, stolen)
    expect(await status(again)).toBe('voided')
    expect(await status(stolen)).toBe('voided')
    expect((await n.node.economics.balance({ did: carol.did })).opened).toBe(false)
  })

  it('acknowledges credits to the local member automatically, also after an unlock', async () => {
    const alice = testAuthor()
    await ingest(transfer(alice, n.did, 50))
    await settled()
    expect(await available(n.did)).toBeGreaterThanOrEqual(550n)
    const mine = await n.node.dag.listEvents({ author: n.did })
    expect(mine.events.map((e) => e.type)).toEqual(['mana/receive'])

    n.node.identity.lock()
    await ingest(transfer(alice, n.did, 25))
    await new Promise((r) => setTimeout(r, 50))
    expect((await n.node.economics.pending({ did: n.did })).length).toBe(1)
    await n.node.identity.unlock('test passphrase 1')
    await settled()
    expect(await available(n.did)).toBeGreaterThanOrEqual(575n)
  })

  it('sends from the API, refusing bad input before anything is signed', async () => {
    const bob = testAuthor()
    const before = await n.node.dag.stateRoot()
    const cases: [Record<string, unknown>, string][] = [
      [{ to: bob.did, amount: -5 }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: bob.did, amount: 0 }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: bob.did, amount: 1.5 }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: bob.did, amount: '1e3' }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: bob.did, amount: '9223372036854775808' }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: bob.did, amount: '99999999999999999999999' }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: bob.did, amount: 1001 }, 'ECONOMICS_INVALID_AMOUNT'], // above the capacity
      [{ to: bob.did, amount: 501 }, 'ECONOMICS_INSUFFICIENT_MANA'],
      [{ to: 'did:key:nope', amount: 5 }, 'ECONOMICS_INVALID_RECIPIENT'],
      [{ to: n.did, amount: 5 }, 'ECONOMICS_INVALID_RECIPIENT'],
      [{ to: bob.did, amount: 5, memo: 'x'.repeat(281) }, 'INVALID_ARGUMENT'],
    ]
    for (const [input, code] of cases) {
      await expect(n.node.economics.transfer(input as never), JSON.stringify(input)).rejects.toMatchObject({
        code,
      })
    }
    expect((await n.node.dag.stats()).events).toBe(0)
    expect(await n.node.dag.stateRoot()).toBe(before)
    const short = await n.node.economics.transfer({ to: bob.did, amount: 600 }).catch((e: unknown) => e)
    expect(short).toMatchObject({
      code: 'ECONOMICS_INSUFFICIENT_MANA',
      details: { needed: '600', available: '500', shortfall: '100', availableAt: expect.any(Number) },
    })
    const sent = await n.node.economics.transfer({ to: bob.did, amount: '200', memo: 'thanks' })
    expect(sent.event).toMatchObject({
      type: 'mana/transfer',
      body: { to: bob.did, amount: 200n, memo: 'thanks' },
    })
    expect(await available(n.did)).toBe(300n)
  })

  it('rejects malformed received events and stores state-rule failures as void, changing nothing', async () => {
    const alice = testAuthor()
    const bad: [unknown, string][] = [
      [{ to: n.did, amount: -1, memo: '' }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: n.did, amount: 0, memo: '' }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: n.did, amount: 2n ** 63n, memo: '' }, 'ECONOMICS_INVALID_AMOUNT'],
      [{ to: 'did:key:z6Mkbogus', amount: 1, memo: '' }, 'ECONOMICS_INVALID_RECIPIENT'],
      [{ to: alice.did, amount: 1, memo: '' }, 'ECONOMICS_INVALID_RECIPIENT'],
      [{ to: n.did, amount: 1 }, 'DAG_INVALID_EVENT'],
      [{ to: n.did, amount: 1, memo: '', extra: 1 }, 'DAG_INVALID_EVENT'],
    ]
    for (const [body, code] of bad) {
      const e = alice.at(1, null, 'mana/transfer', body)
      await expect(n.node.dag.ingest(e.bytes)).rejects.toMatchObject({ code })
    }
    expect((await n.node.dag.stats()).events).toBe(0)
    const root = await n.node.dag.stateRoot()
    // Well-formed but breaking a state rule: stored void, no state change.
    const tooMuch = transfer(alice, n.did, 501)
    const overCapacity = transfer(alice, n.did, 1001)
    const unknownCredit = receive(alice, tooMuch)
    await ingest(tooMuch, overCapacity, unknownCredit)
    for (const e of [tooMuch, overCapacity, unknownCredit]) expect(await status(e)).toBe('voided')
    expect(await n.node.dag.stateRoot()).toBe(root)
  })
})

describe('fees', () => {
  it('charges every event type with a cost, whoever owns it, from the author’s available mana', async () => {
    const issuer = testAuthor()
    const t0 = Date.now() - 1000
    // token/class costs cost.mint = 5 in the global economy.
    const klass = issuer.next(
      'token/class',
      {
        symbol: 'HRS',
        name: 'Hours',
        decimals: 2,
        fungible: true,
        transferable: true,
        metadata: null,
        scopeMint: false,
      },
      { ts: t0 },
    )
    await ingest(klass)
    expect(await status(klass)).toBe('applied')
    expect(await available(issuer.did)).toBe(495n)
    // Notes cost nothing by default and touch no account.
    const writer = testAuthor()
    await ingest(writer.next('note', note('hello')))
    expect((await n.node.economics.balance({ did: writer.did })).opened).toBe(false)
    const quote = await n.node.economics.cost({ type: 'create-class', did: issuer.did })
    expect(quote).toMatchObject({ type: 'token/class', fee: 5n, total: 5n, covered: true, shortfall: 0n })
    const transferQuote = await n.node.economics.cost({ type: 'transfer', amount: '600' })
    expect(transferQuote).toMatchObject({ covered: false, shortfall: 100n, availableAt: expect.any(Number) })
    await expect(n.node.economics.cost({ type: 'frobnicate' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })
})

describe('notifications', () => {
  it('tells front ends when balances change and when value is on its way', async () => {
    const seen: { name: string; payload: unknown }[] = []
    const off = n.node.events.onAny((name, payload) => {
      if (name.startsWith('economics:')) seen.push({ name, payload })
    })
    const bob = testAuthor()
    const sent = await n.node.economics.transfer({ to: bob.did, amount: 40 })
    await ingest(receive(bob, sent))
    off()
    expect(seen).toEqual([
      {
        name: 'economics:balance-changed',
        payload: { did: n.did, economy: 'global', asset: 'mana', event: sent.id },
      },
      {
        name: 'economics:credit',
        payload: expect.objectContaining({
          id: `${sent.id}:0`,
          from: n.did,
          to: bob.did,
          amount: '40',
          kind: 'transfer',
        }),
      },
      {
        name: 'economics:balance-changed',
        payload: { did: bob.did, economy: 'global', asset: 'mana', event: expect.any(String) },
      },
    ])
  })
})

describe('receipts of several credits', () => {
  it('acknowledges a burst of payments with a few receives, all or nothing per receive', async () => {
    const senders = Array.from({ length: 10 }, () => testAuthor())
    const transfers = Array.from({ length: 100 }, (_, i) => transfer(senders[i % 10]!, n.did, 2))
    await Promise.all(transfers.map((t) => n.node.dag.ingest(t.bytes)))
    await settled()
    const receipts = await n.node.dag.listEvents({ author: n.did, type: 'mana/receive' })
    expect(receipts.events.length).toBeLessThan(10)
    expect(receipts.events.every((e) => e.status === 'applied')).toBe(true)
    expect(await available(n.did)).toBe(700n)
    const history = await n.node.economics.history({ kind: 'transfer', limit: 1000 })
    expect(history.entries).toHaveLength(100)
  })

  it('paces receives under a stream of payments: the first at once, then one round per interval', async () => {
    const senders = Array.from({ length: 20 }, () => testAuthor())
    const started = performance.now()
    await ingest(transfer(senders[0]!, n.did, 1))
    await settled()
    // After a quiet interval the credit is taken at once.
    expect(performance.now() - started).toBeLessThan(500)
    const stream = performance.now()
    for (const s of senders.slice(1)) {
      await ingest(transfer(s, n.did, 1))
      await new Promise((r) => setTimeout(r, 20))
    }
    await settled()
    const receipts = await n.node.dag.listEvents({ author: n.did, type: 'mana/receive' })
    // 19 payments over ~0.4 s: one more receive, written a second after the first (the default interval).
    expect(receipts.events).toHaveLength(2)
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(performance.now() - stream).toBeLessThan(1500)
    expect(await available(n.did)).toBe(520n)
    const history = await n.node.economics.history({ kind: 'transfer', limit: 100 })
    expect(history.entries).toHaveLength(20)
  })

  it('does not wait for the interval to stop, nor with the interval set to 0', async () => {
    const alice = testAuthor()
    await ingest(transfer(alice, n.did, 1))
    await settled()
    await ingest(transfer(alice, n.did, 1))
    // The second credit waits for the round a second after the first; stopping ends the wait.
    const stopping = performance.now()
    await n.node.stop()
    expect(performance.now() - stopping).toBeLessThan(500)

    const eager = await startEconNode({ init: { economics: { receiveIntervalMs: 0 } } })
    try {
      const bob = testAuthor()
      for (let i = 0; i < 3; i++) {
        await eager.node.dag.ingest(transfer(bob, eager.did, 1).bytes)
        await settled(eager)
      }
      const receipts = await eager.node.dag.listEvents({ author: eager.did, type: 'mana/receive' })
      expect(receipts.events).toHaveLength(3)
    } finally {
      await eager.destroy()
    }
  })

  it('voids a receive that lists a credit it may not take, and rejects malformed lists', async () => {
    const alice = testAuthor()
    const bob = testAuthor()
    const toBob = transfer(alice, bob.did, 10)
    const toCarol = transfer(alice, testAuthor().did, 10)
    await ingest(toBob, toCarol)
    const mixed = bob.next('mana/receive', {
      credits: [
        { source: toBob.cid, index: 0 },
        { source: toCarol.cid, index: 0 },
      ],
    })
    await ingest(mixed)
    expect(await status(mixed)).toBe('voided')
    expect((await n.node.economics.balance({ did: bob.did })).opened).toBe(false)
    const twice = bob.at(2, mixed.cid, 'mana/receive', {
      credits: [
        { source: toBob.cid, index: 0 },
        { source: toBob.cid, index: 0 },
      ],
    })
    const tooMany = bob.at(2, mixed.cid, 'mana/receive', {
      credits: Array.from({ length: 65 }, (_, i) => ({ source: toBob.cid, index: i })),
    })
    const empty = bob.at(2, mixed.cid, 'mana/receive', { credits: [] })
    for (const e of [twice, tooMany, empty])
      await expect(n.node.dag.ingest(e.bytes)).rejects.toMatchObject({ code: 'DAG_INVALID_EVENT' })
    const ok = bob.next('mana/receive', { credits: [{ source: toBob.cid, index: 0 }] })
    await ingest(ok)
    expect(await status(ok)).toBe('applied')
  })
})
