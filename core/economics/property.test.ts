/**
 * Property tests of the ledger over random event sequences from several authors: transfers (some overspending),
 * receipts (some duplicate or addressed to others), escrow (reserve / settle / release), fee-paying events and
 * equivocating double spends, delivered to fresh nodes in generation order and in random orders with replays.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { VerifiedEvent } from '../dag'
import { testAuthor, type TestAuthor } from '../test/events'
import { big } from './amounts'
import { econKeys } from './keys'
import { readCredit } from './ledger'
import { advance, decodeAccount, openingAccount, type ManaParams } from './mana'
import { startEconNode, TEST_LEDGER_TYPE, type EconTestNode } from './test-support'
import type { CreditRecord } from './types'

const HOUR = 3_600_000
const NOW = Date.now()
const AUTHORS = 4
const TOKEN_CLASS_FEE = 5n // cost.mint in the global economy

type Op =
  | { t: 'transfer'; from: number; to: number; amount: number; dt: number }
  | { t: 'receive'; by: number; pick: number; dt: number }
  | { t: 'reserve'; by: number; amount: number; dt: number }
  | { t: 'settle'; by: number; to: number; price: number; dt: number }
  | { t: 'release'; by: number; dt: number }
  | { t: 'class'; by: number; dt: number }
  | { t: 'fork'; by: number; to1: number; to2: number; amount: number; dt: number }

const who = fc.integer({ min: 0, max: AUTHORS - 1 })
const dt = fc.oneof(
  fc.constant(1),
  fc.integer({ min: 1, max: 120_000 }),
  fc.integer({ min: 1, max: 3 * HOUR }),
)
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('transfer' as const),
      from: who,
      to: who,
      amount: fc.integer({ min: 1, max: 700 }),
      dt,
    }),
  },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('receive' as const), by: who, pick: fc.nat(), dt }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('reserve' as const),
      by: who,
      amount: fc.integer({ min: 1, max: 400 }),
      dt,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('settle' as const),
      by: who,
      to: who,
      price: fc.integer({ min: 0, max: 450 }),
      dt,
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('release' as const), by: who, dt }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('class' as const), by: who, dt }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('fork' as const),
      by: who,
      to1: who,
      to2: who,
      amount: fc.integer({ min: 200, max: 500 }),
      dt,
    }),
  },
)

interface Scenario {
  events: VerifiedEvent[]
  authors: TestAuthor[]
  /** Both events of every double spend. */
  forks: VerifiedEvent[][]
  classEvents: VerifiedEvent[]
}

/** Turns ops into signed events, in an order where every event comes after what it depends on. */
function build(ops: Op[], seed: number): Scenario {
  const span = ops.reduce((s, o) => s + o.dt, 0)
  let ts = NOW - span - 60_000
  const authors = Array.from({ length: AUTHORS }, (_, i) => {
    const key = new Uint8Array(32).fill(i + 1)
    key[0] = seed & 0xff
    key[1] = (seed >> 8) & 0xff
    return testAuthor(key, ts)
  })
  const events: VerifiedEvent[] = []
  const forks: VerifiedEvent[][] = []
  const classEvents: VerifiedEvent[] = []
  const credits: { source: VerifiedEvent; to: number }[] = []
  const reservations = authors.map(() => [] as { key: string; amount: number }[])
  const forked = new Set<number>()
  const received = new Set<string>()
  let keys = 0
  for (const o of ops) {
    ts += o.dt
    const by = 'by' in o ? o.by : o.from
    // An author stops after equivocating: events a flagged author signs past its fork are refused by nodes that
    // already know of the fork, so anything built on them parks there forever (a DAG limitation, see
    // docs/economics.md, open issues).
    if (forked.has(by)) continue
    const a = authors[by]!
    const opts = { ts }
    switch (o.t) {
      case 'transfer': {
        if (o.to === o.from) break
        const e = a.next(
          'mana/transfer',
          { to: authors[o.to]!.did, amount: BigInt(o.amount), memo: '' },
          opts,
        )
        events.push(e)
        credits.push({ source: e, to: o.to })
        break
      }
      case 'receive': {
        // Mostly credits addressed to the author and not received yet (one to three per receive); sometimes a
        // duplicate or someone else's, which voids the whole receive.
        const fresh = credits.filter((c) => c.to === by && !received.has(c.source.id))
        const pool = o.pick % 6 === 0 ? credits : fresh
        if (pool.length === 0) break
        const count = Math.min(pool.length, 1 + (o.pick % 3))
        const picked = Array.from({ length: count }, (_, k) => pool[(o.pick + k) % pool.length]!)
        for (const c of picked) if (c.to === by) received.add(c.source.id)
        events.push(
          a.next('mana/receive', { credits: picked.map((c) => ({ source: c.source.cid, index: 0 })) }, opts),
        )
        break
      }
      case 'reserve': {
        const key = `k${keys++}`
        reservations[by]!.push({ key, amount: o.amount })
        events.push(a.next(TEST_LEDGER_TYPE, { op: 'reserve', key, amount: BigInt(o.amount) }, opts))
        break
      }
      case 'settle': {
        if (o.to === by) break
        // Usually the author's oldest reservation at a price within it; sometimes overpaid or unknown.
        const r = reservations[by]!.shift()
        const key = r?.key ?? `k${keys++}`
        const price = r === undefined || o.price % 7 === 0 ? o.price : o.price % (r.amount + 1)
        const e = a.next(
          TEST_LEDGER_TYPE,
          { op: 'settle', key, to: authors[o.to]!.did, price: BigInt(price) },
          opts,
        )
        events.push(e)
        credits.push({ source: e, to: o.to })
        break
      }
      case 'release': {
        const key = reservations[by]!.shift()?.key ?? `k${keys++}`
        events.push(a.next(TEST_LEDGER_TYPE, { op: 'release', key }, opts))
        break
      }
      case 'class': {
        const e = a.next(
          'token/class',
          {
            symbol: `T${keys++}`,
            name: '',
            decimals: 0,
            fungible: true,
            transferable: true,
            metadata: null,
            scopeMint: false,
          },
          opts,
        )
        events.push(e)
        classEvents.push(e)
        break
      }
      case 'fork': {
        if (o.to1 === by || o.to2 === by) break
        forked.add(by)
        const left = a.next(
          'mana/transfer',
          { to: authors[o.to1]!.did, amount: BigInt(o.amount), memo: 'left' },
          opts,
        )
        const right = a.at(
          left.event.seq,
          left.event.prev,
          'mana/transfer',
          { to: authors[o.to2]!.did, amount: BigInt(o.amount), memo: 'right' },
          opts,
        )
        events.push(left, right)
        forks.push([left, right])
        // Receipts of a fork's credits are left out: when one arrives before the fork event it depends on and
        // that event is then stored as evidence, the DAG never releases it (see docs/economics.md, open issues).
        // The unit tests cover receipts of voided sources.
        break
      }
    }
  }
  return { events, authors, forks, classEvents }
}

interface Ledger {
  root: string
  accounts: Map<string, { balance: bigint; reserved: bigint; opening: bigint; regenerated: bigint }>
  reservations: Map<string, bigint>
  pendingMana: bigint
  credits: CreditRecord[]
}

async function snapshot(n: EconTestNode): Promise<Ledger> {
  const view = n.node.dag.view()
  const accounts = new Map<
    string,
    { balance: bigint; reserved: bigint; opening: bigint; regenerated: bigint }
  >()
  for (const row of await view.list<never>(econKeys.accountPrefix('global'), { limit: 100_000 })) {
    const a = decodeAccount(row.value)
    accounts.set(row.key.slice(econKeys.accountPrefix('global').length), a)
  }
  const reservations = new Map<string, bigint>()
  for (const row of await view.list<{ amount: bigint | number }>('econ/resv/global/', { limit: 100_000 })) {
    const owner = row.key.split('/')[3]!
    reservations.set(owner, (reservations.get(owner) ?? 0n) + big(row.value.amount))
  }
  const credits: CreditRecord[] = []
  for (const row of await view.list('econ/credit/', { limit: 100_000 }))
    credits.push((await readCredit(view, row.key.slice('econ/credit/'.length)))!)
  let pendingMana = 0n
  // The state holds open credits only: a receive deletes the credit it takes.
  for (const c of credits) if (c.asset === 'mana') pendingMana += c.amount
  return { root: await n.node.dag.stateRoot(), accounts, reservations, pendingMana, credits }
}

/** A fixed stream of naturals for the pinned example's shuffle. */
function* pseudoRandom(seed: number): Generator<number> {
  let x = seed
  for (;;) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648
    yield x
  }
}

async function deliver(n: EconTestNode, events: VerifiedEvent[]): Promise<void> {
  for (const e of events) {
    try {
      await n.node.dag.ingest(e.bytes)
    } catch (err) {
      // The only refusal a well-formed event may meet: its author equivocated earlier in this delivery.
      expect((err as { code?: string }).code).toBe('DAG_AUTHOR_FLAGGED')
    }
  }
}

const stats = { runs: 0, counts: {} as Record<string, number> }

/**
 * A sequence that reaches every rule the final check asks for, run before the random ones: with 20 random
 * sequences a rule is usually but not always reached (CI once drew none with an applied settle), and a coverage
 * check must not depend on the draw.
 */
const REACHES_EVERY_RULE: Op[] = [
  { t: 'transfer', from: 0, to: 1, amount: 10, dt: 1 }, // applied
  { t: 'receive', by: 1, pick: 1, dt: 1 }, // applied: the fresh credit
  { t: 'receive', by: 1, pick: 0, dt: 1 }, // voided: the same credit again
  ...Array.from({ length: 6 }, () => ({ t: 'transfer' as const, from: 2, to: 3, amount: 700, dt: 1 })), // some voided
  { t: 'reserve', by: 0, amount: 50, dt: 1 }, // applied
  { t: 'settle', by: 0, to: 1, price: 20, dt: 1 }, // applied: within the reservation
  { t: 'settle', by: 0, to: 2, price: 30, dt: 1 }, // voided: no reservation left
  { t: 'fork', by: 3, to1: 0, to2: 1, amount: 300, dt: 1 }, // evidence
]

describe('ledger properties over random event sequences', () => {
  it('conserves value, never goes negative, is order-independent, never pays a double spend, ignores replays', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 10, maxLength: 45 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.infiniteStream(fc.nat()),
        async (ops, seed, randomness) => {
          const s = build(ops, seed)
          // Balances are compared at one fixed "now" on both nodes.
          const init = { economics: { now: () => NOW } }
          const a = await startEconNode({ withIdentity: false, init })
          const b = await startEconNode({ withIdentity: false, init })
          try {
            await deliver(a, s.events)
            // Another node: a random order, with some events delivered twice.
            const rnd = randomness[Symbol.iterator]()
            const next = (): number => rnd.next().value as number
            const shuffled = [...s.events]
            for (let i = shuffled.length - 1; i > 0; i--) {
              const j = next() % (i + 1)
              ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
            }
            const replays = shuffled.filter(() => next() % 4 === 0)
            await deliver(b, [...shuffled, ...replays])
            expect(b.node.dag.missing()).toEqual([])

            const la = await snapshot(a)
            const lb = await snapshot(b)
            // Any delivery order of the same events gives the same state.
            expect(lb.root).toBe(la.root)
            for (const author of s.authors) {
              const [ba, bb] = await Promise.all([
                a.node.economics.balance({ did: author.did }),
                b.node.economics.balance({ did: author.did }),
              ])
              expect(bb).toEqual(ba)
            }

            // No balance or escrow goes negative, and escrow adds up per account.
            for (const [did, acct] of la.accounts) {
              expect(acct.balance >= 0n).toBe(true)
              expect(acct.reserved >= 0n).toBe(true)
              expect(acct.reserved).toBe(la.reservations.get(did) ?? 0n)
            }
            // Value is conserved: what accounts hold, escrow and credits in flight equals what was opened and
            // regenerated minus the fees burned.
            let held = la.pendingMana
            let created = 0n
            for (const acct of la.accounts.values()) {
              held += acct.balance + acct.reserved
              created += acct.opening + acct.regenerated
            }
            let fees = 0n
            for (const e of s.classEvents)
              if (await a.node.dag.view().isEffective(e.id)) fees += TOKEN_CLASS_FEE
            expect(held).toBe(created - fees)

            // A double spend pays neither side, on every node, and its author is flagged.
            for (const [left, right] of s.forks) {
              for (const n of [a, b]) {
                const view = n.node.dag.view()
                expect(await view.flagged(left!.event.author)).toBeDefined()
                expect(await view.isEffective(left!.id)).toBe(false)
                expect(await view.isEffective(right!.id)).toBe(false)
              }
              expect(la.credits.some((c) => c.source === left!.id || c.source === right!.id)).toBe(false)
            }

            stats.runs++
            for (const e of s.events) {
              const st = (await a.node.dag.getSummary(e.id))?.status ?? 'refused'
              const key = `${e.event.type === TEST_LEDGER_TYPE ? (e.event.body as { op: string }).op : e.event.type} ${st}`
              stats.counts[key] = (stats.counts[key] ?? 0) + 1
            }
            // Replays change nothing.
            await deliver(a, s.events)
            expect(await a.node.dag.stateRoot()).toBe(la.root)
          } finally {
            await Promise.all([a.destroy(), b.destroy()])
          }
        },
      ),
      {
        numRuns: Number(process.env['ICN_PROPERTY_RUNS'] ?? 20),
        examples: [[REACHES_EVERY_RULE, 1, new fc.Stream(pseudoRandom(7))]],
      },
    )
    // The pinned sequence, then the generator, reach the rules both ways (a property that only ever saw voided
    // events would prove little).
    for (const key of [
      'mana/transfer applied',
      'mana/transfer voided',
      'mana/receive applied',
      'mana/receive voided',
    ])
      expect(stats.counts[key] ?? 0, key).toBeGreaterThan(0)
    for (const key of ['reserve applied', 'settle applied', 'settle voided'])
      expect(stats.counts[key] ?? 0, key).toBeGreaterThan(0)
    expect(stats.counts['mana/transfer evidence'] ?? 0).toBeGreaterThan(0)
  }, 120_000)
})

describe('regeneration arithmetic', () => {
  const params = fc.record({
    capacity: fc.bigInt({ min: 1n, max: 10n ** 15n }),
    ratePerHour: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    opening: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  })

  it('many small steps regenerate exactly what one step does: no fraction lost or created', () => {
    fc.assert(
      fc.property(
        params,
        fc.array(fc.integer({ min: 0, max: 10 * HOUR }), { minLength: 1, maxLength: 200 }),
        (mana: ManaParams, steps) => {
          const start = openingAccount(1_000, mana)
          let stepwise = start
          let t = 1_000
          for (const d of steps) stepwise = advance(stepwise, (t += d), mana)
          const once = advance(start, t, mana)
          expect(stepwise).toEqual(once)
          const expected =
            start.balance >= mana.capacity
              ? start.balance
              : (() => {
                  const total = start.balance * 3_600_000n + mana.ratePerHour * BigInt(t - 1_000)
                  return total >= mana.capacity * 3_600_000n ? mana.capacity : total / 3_600_000n
                })()
          expect(once.balance).toBe(expected)
          expect(once.regenerated).toBe(once.balance - start.balance)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('one unit at 10 per hour over 360,000 one-millisecond steps', () => {
    const mana = { capacity: 10n, ratePerHour: 10n, opening: 0n }
    let a = openingAccount(0, mana)
    for (let t = 1; t <= 360_000; t++) a = advance(a, t, mana)
    expect(a.balance).toBe(1n)
    expect(a.frac).toBe(0n)
  })
})
