import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VerifiedEvent } from '../dag'
import { testAuthor, type TestAuthor } from '../test/events'
import { reputationScore } from './ledger'
import { startEconNode, TEST_LEDGER_TYPE, TEST_SCOPE_TYPE, type EconTestNode } from './test-support'

let n: EconTestNode
beforeEach(async () => {
  n = await startEconNode({ withIdentity: false })
})
afterEach(async () => {
  await n.destroy()
})

async function ingest(...events: VerifiedEvent[]): Promise<void> {
  for (const e of events) await n.node.dag.ingest(e.bytes)
}
async function status(e: VerifiedEvent): Promise<string | undefined> {
  return (await n.node.dag.getSummary(e.id))?.status
}
const ledger = (a: TestAuthor, body: Record<string, unknown>, ts?: number) =>
  a.next(TEST_LEDGER_TYPE, body, ts === undefined ? undefined : { ts })
const balance = (did: string, scope?: string) =>
  n.node.economics.balance({ did, ...(scope === undefined ? {} : { scope }) })

describe('reservations (escrow for jobs)', () => {
  it('reserves, settles to the executor as a credit and refunds the remainder', async () => {
    const submitter = testAuthor()
    const executor = testAuthor()
    const t0 = Date.now() - 60_000
    const r = ledger(submitter, { op: 'reserve', key: 'job-1', amount: 300 }, t0)
    await ingest(r)
    expect(await balance(submitter.did)).toMatchObject({ available: 200n, reserved: 300n })
    const s = ledger(submitter, { op: 'settle', key: 'job-1', to: executor.did, price: 120 }, t0 + 1)
    await ingest(s)
    expect(await status(s)).toBe('applied')
    expect(await balance(submitter.did)).toMatchObject({ available: 380n, reserved: 0n })
    expect(await n.node.economics.pending({ did: executor.did })).toMatchObject([
      { credit: `${s.id}:0`, kind: 'settlement', amount: 120n, from: submitter.did },
    ])
    const got = executor.next('mana/receive', { credits: [{ source: s.cid, index: 0 }] })
    await ingest(got)
    expect((await balance(executor.did)).available).toBe(620n)
    const history = await n.node.economics.history({ did: submitter.did })
    expect(history.entries.map((e) => [e.kind, e.direction, e.amount])).toEqual([
      ['release', 'in', 180n],
      ['settlement', 'out', 120n],
      ['reserve', 'out', 300n],
      ['opening', 'in', 500n],
    ])
  })

  it('releases a reservation in full and refuses unknown, duplicate or overpaid ones', async () => {
    const a = testAuthor()
    const b = testAuthor()
    const events = [
      ledger(a, { op: 'reserve', key: 'job-2', amount: 100 }),
      ledger(a, { op: 'reserve', key: 'job-2', amount: 50 }), // exists
      ledger(a, { op: 'reserve', key: 'job-3', amount: 401 }), // more than available
      ledger(a, { op: 'settle', key: 'job-2', to: b.did, price: 101 }), // more than reserved
      ledger(a, { op: 'settle', key: 'nope', to: b.did, price: 1 }),
      ledger(a, { op: 'release', key: 'job-2' }),
      ledger(a, { op: 'release', key: 'job-2' }), // already released
    ]
    await ingest(...events)
    expect(await Promise.all(events.map(status))).toEqual([
      'applied',
      'voided',
      'voided',
      'voided',
      'voided',
      'applied',
      'voided',
    ])
    expect(await balance(a.did)).toMatchObject({ available: 500n, reserved: 0n })
  })
})

describe('reputation', () => {
  it('derives a score from recorded outcomes only, once per key', async () => {
    const submitter = testAuthor()
    const executor = testAuthor()
    expect(await n.node.economics.reputation({ did: executor.did })).toMatchObject({
      score: 500,
      successes: 0,
    })
    const events = [
      ledger(submitter, { op: 'outcome', subject: executor.did, outcome: 'success', key: 'job-1' }),
      ledger(submitter, { op: 'outcome', subject: executor.did, outcome: 'success', key: 'job-2' }),
      ledger(submitter, { op: 'outcome', subject: executor.did, outcome: 'success', key: 'job-2' }), // again
      ledger(submitter, { op: 'outcome', subject: executor.did, outcome: 'timeout', key: 'job-3' }),
      ledger(submitter, { op: 'outcome', subject: submitter.did, outcome: 'success', key: 'self' }),
    ]
    await ingest(...events)
    expect(await Promise.all(events.map(status))).toEqual([
      'applied',
      'applied',
      'voided',
      'applied',
      'voided',
    ])
    const rep = await n.node.economics.reputation({ did: executor.did })
    expect(rep).toMatchObject({ successes: 2, failures: 0, timeouts: 1, score: reputationScore(rep) })
    // (2 + 1) / (2 + 2·1 + 2) = 0.5
    expect(rep.score).toBe(500)
    expect(reputationScore({ successes: 10, failures: 0, timeouts: 0 })).toBe(916)
    expect(reputationScore({ successes: 10, failures: 1, timeouts: 0 })).toBe(733)
    expect(reputationScore({ successes: 0, failures: 5, timeouts: 0 })).toBe(58)
  })
})

describe('economies of scopes', () => {
  it('a cooperative inside a federation uses the federation’s mana and parameters', async () => {
    const founder = testAuthor()
    const member = testAuthor()
    const fed = 'did:icn:bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const coop = 'did:icn:bafyreidykglsfhoixmivffc5uwhcgshx4j465xwqntbmu43nb2dzqwfvae'
    const setup = [
      founder.next(TEST_SCOPE_TYPE, {
        scope: fed,
        parent: null,
        params: { 'mana.opening': 100, 'mana.capacity': 200, 'mana.regenPerHour': 0, 'cost.transfer': 3 },
        members: [founder.did, member.did],
      }),
      founder.next(TEST_SCOPE_TYPE, {
        scope: coop,
        parent: fed,
        params: {},
        members: [founder.did, member.did],
      }),
    ]
    await ingest(...setup)
    expect(await n.node.economics.economyOf(coop)).toBe(fed)
    expect(await balance(member.did, coop)).toMatchObject({ economy: fed, available: 100n, capacity: 200n })
    const t = founder.next('mana/transfer', { to: member.did, amount: 40n, memo: '' }, { scope: coop })
    await ingest(t)
    // 40 plus the federation's transfer fee of 3, from the federation account; the global account is untouched.
    expect((await balance(founder.did, fed)).available).toBe(57n)
    expect((await balance(founder.did, coop)).available).toBe(57n)
    expect((await balance(founder.did)).opened).toBe(false)
    const tooMuch = founder.next('mana/transfer', { to: member.did, amount: 55n, memo: '' }, { scope: coop })
    const outsider = testAuthor()
    const notMember = outsider.next(
      'mana/transfer',
      { to: member.did, amount: 1n, memo: '' },
      { scope: coop },
    )
    const toOutsider = member.next(
      'mana/transfer',
      { to: outsider.did, amount: 1n, memo: '' },
      { scope: coop },
    )
    await ingest(tooMuch, notMember, toOutsider)
    expect(await Promise.all([tooMuch, notMember, toOutsider].map(status))).toEqual([
      'voided',
      'voided',
      'voided',
    ])
    // The receive must happen in the credit's scope.
    const wrongScope = member.next('mana/receive', { credits: [{ source: t.cid, index: 0 }] }, { scope: fed })
    const ok = member.next('mana/receive', { credits: [{ source: t.cid, index: 0 }] }, { scope: coop })
    await ingest(wrongScope, ok)
    expect([await status(wrongScope), await status(ok)]).toEqual(['voided', 'applied'])
    expect((await balance(member.did, fed)).available).toBe(140n)
  })

  it('grants new mana from the economy’s own scope and tokens only of classes that allow it', async () => {
    const founder = testAuthor()
    const member = testAuthor()
    const fed = 'did:icn:bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const coop = 'did:icn:bafyreidykglsfhoixmivffc5uwhcgshx4j465xwqntbmu43nb2dzqwfvae'
    await ingest(
      founder.next(TEST_SCOPE_TYPE, {
        scope: fed,
        parent: null,
        params: {},
        members: [founder.did, member.did],
      }),
      founder.next(TEST_SCOPE_TYPE, {
        scope: coop,
        parent: fed,
        params: {},
        members: [founder.did, member.did],
      }),
    )
    const grant = ledger(founder, {
      op: 'grant',
      scope: fed,
      to: member.did,
      asset: 'mana',
      token: null,
      amount: 700,
    })
    const coopGrant = ledger(founder, {
      op: 'grant',
      scope: coop,
      to: member.did,
      asset: 'mana',
      token: null,
      amount: 1,
    })
    await ingest(grant, coopGrant)
    expect([await status(grant), await status(coopGrant)]).toEqual(['applied', 'voided'])
    expect(await n.node.economics.pending({ did: member.did })).toMatchObject([
      { kind: 'grant', from: fed, amount: 700n },
    ])
    await ingest(member.next('mana/receive', { credits: [{ source: grant.cid, index: 0 }] }, { scope: fed }))
    // Received value may exceed the capacity; regeneration then pauses.
    expect(await balance(member.did, fed)).toMatchObject({ available: 1200n, full: true, fullAt: null })

    const klass = (scopeMint: boolean, symbol: string) =>
      founder.next(
        'token/class',
        { symbol, name: '', decimals: 0, fungible: true, transferable: true, metadata: null, scopeMint },
        { scope: fed },
      )
    const open = klass(true, 'OPEN')
    const closed = klass(false, 'SHUT')
    await ingest(open, closed)
    const g1 = ledger(founder, {
      op: 'grant',
      scope: fed,
      to: member.did,
      asset: 'token',
      token: open.id,
      amount: 9,
    })
    const g2 = ledger(founder, {
      op: 'grant',
      scope: fed,
      to: member.did,
      asset: 'token',
      token: closed.id,
      amount: 9,
    })
    await ingest(g1, g2)
    expect([await status(g1), await status(g2)]).toEqual(['applied', 'voided'])
    await ingest(member.next('token/receive', { credits: [{ source: g1.cid, index: 0 }] }, { scope: fed }))
    expect(await n.node.economics.tokenBalances({ did: member.did })).toMatchObject([
      { class: { symbol: 'OPEN' }, amount: 9n },
    ])
    expect(await n.node.economics.tokenClass(open.id)).toMatchObject({ minted: 9n, burned: 0n })
  })
})
