import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VerifiedEvent } from '../dag'
import { testAuthor } from '../test/events'
import { historyCsvHeader, historyCsvRows } from './csv'
import { startEconNode, type EconTestNode } from './test-support'

let n: EconTestNode
const alice = testAuthor()
const bob = testAuthor()
const carol = testAuthor()
const t0 = Date.now() - 24 * 3_600_000
const sent: VerifiedEvent[] = []

beforeAll(async () => {
  n = await startEconNode({ withIdentity: false })
  // Alice alternates payments to Bob and Carol, one per minute; Bob acknowledges his.
  const events: VerifiedEvent[] = []
  for (let i = 0; i < 30; i++) {
    const to = i % 2 === 0 ? bob : carol
    const t = alice.next(
      'mana/transfer',
      { to: to.did, amount: 3n, memo: `payment ${i}` },
      { ts: t0 + i * 60_000 },
    )
    sent.push(t)
    events.push(t)
    if (to === bob)
      events.push(
        bob.next('mana/receive', { credits: [{ source: t.cid, index: 0 }] }, { ts: t0 + i * 60_000 + 1 }),
      )
  }
  for (const e of events) await n.node.dag.ingest(e.bytes)
})
afterAll(async () => {
  await n.destroy()
})

describe('history', () => {
  it('lists newest first with paging that neither repeats nor skips', async () => {
    const seen: string[] = []
    let cursor: string | undefined
    for (;;) {
      const page = await n.node.economics.history({
        did: alice.did,
        limit: 7,
        ...(cursor === undefined ? {} : { cursor }),
      })
      seen.push(...page.entries.map((e) => e.event + e.kind))
      if (page.next === null) break
      expect(page.entries).toHaveLength(7)
      cursor = page.next
    }
    expect(seen).toHaveLength(31) // 30 transfers + the opening
    expect(new Set(seen).size).toBe(31)
    const all = await n.node.economics.history({ did: alice.did, limit: 100 })
    expect(all.entries.map((e) => e.ts)).toEqual([...all.entries.map((e) => e.ts)].sort((a, b) => b - a))
    expect(all.entries[0]).toMatchObject({
      kind: 'transfer',
      direction: 'out',
      amount: 3n,
      counterparty: carol.did,
      memo: 'payment 29',
      balance: expect.any(BigInt),
    })
    expect(all.entries.at(-1)).toMatchObject({ kind: 'opening', amount: 500n, balance: 500n })
  })

  it('filters by counterparty, kind and time range', async () => {
    const toBob = await n.node.economics.history({ did: alice.did, counterparty: bob.did, limit: 100 })
    expect(toBob.entries).toHaveLength(15)
    expect(toBob.entries.every((e) => e.counterparty === bob.did)).toBe(true)
    const openings = await n.node.economics.history({ did: alice.did, kind: 'opening' })
    expect(openings.entries).toHaveLength(1)
    const window = await n.node.economics.history({
      did: alice.did,
      since: t0 + 10 * 60_000,
      until: t0 + 14 * 60_000,
      limit: 100,
    })
    expect(window.entries.map((e) => e.memo)).toEqual([
      'payment 14',
      'payment 13',
      'payment 12',
      'payment 11',
      'payment 10',
    ])
    expect(window.next).toBeNull()
    const both = await n.node.economics.history({
      did: alice.did,
      counterparty: carol.did,
      kind: 'transfer',
      until: t0 + 5 * 60_000,
    })
    expect(both.entries.map((e) => e.memo)).toEqual(['payment 5', 'payment 3', 'payment 1'])
    const received = await n.node.economics.history({ did: bob.did, kind: 'transfer', limit: 3 })
    expect(received.entries.map((e) => [e.direction, e.counterparty])).toEqual([
      ['in', alice.did],
      ['in', alice.did],
      ['in', alice.did],
    ])
    await expect(n.node.economics.history({ did: alice.did, kind: 'nope' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(
      n.node.economics.history({ did: alice.did, cursor: 'econ/h/global/someone-else/' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('exports CSV with one row per entry, quoting and defusing memos', async () => {
    const page = await n.node.economics.history({ did: alice.did, limit: 2 })
    const csv = historyCsvHeader() + historyCsvRows(page.entries)
    const lines = csv.trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'time,ts,event,kind,direction,asset,symbol,amount,counterparty,balance,memo,scope,items',
    )
    expect(lines).toHaveLength(3)
    expect(lines[1]).toContain(`,transfer,out,mana,mana,3,${carol.did},`)
    const tricky = historyCsvRows([{ ...page.entries[0]!, memo: '=HYPERLINK("x"), "quoted"' }])
    expect(tricky).toContain(`"'=HYPERLINK(""x""), ""quoted"""`)
  })
})
