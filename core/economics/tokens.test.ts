import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VerifiedEvent } from '../dag'
import { CID } from '../dag/codec'
import { testAuthor } from '../test/events'
import { startEconNode, type EconTestNode } from './test-support'

let n: EconTestNode
beforeEach(async () => {
  n = await startEconNode()
})
afterEach(async () => {
  await n.destroy()
})

async function settled(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await n.node.economics.pending({ limit: 1 })).length === 0) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('credits were not acknowledged')
}
async function status(e: VerifiedEvent): Promise<string | undefined> {
  return (await n.node.dag.getSummary(e.id))?.status
}

describe('fungible tokens', () => {
  it('creates a class, mints, transfers, receives and burns, with supply and balances on every step', async () => {
    const klass = await n.node.economics.createClass({ symbol: 'HRS', name: 'Volunteer hours', decimals: 2 })
    expect(klass).toMatchObject({
      symbol: 'HRS',
      issuer: n.did,
      decimals: 2,
      fungible: true,
      transferable: true,
    })
    expect((await n.node.economics.balance()).available).toBe(495n) // cost.mint
    await n.node.economics.mint({ class: klass.id, amount: '10000' })
    expect((await n.node.economics.balance()).available).toBe(490n)
    const bob = testAuthor()
    const sent = await n.node.economics.transferTokens({
      class: klass.id,
      to: bob.did,
      amount: 2500,
      memo: 'thanks',
    })
    expect(await n.node.economics.tokenBalances()).toMatchObject([{ class: { id: klass.id }, amount: 7500n }])
    const got = bob.next('token/receive', { credits: [{ source: sent.cid, index: 0 }] })
    await n.node.dag.ingest(got.bytes)
    expect(await status(got)).toBe('applied')
    expect(await n.node.economics.tokenBalances({ did: bob.did })).toMatchObject([{ amount: 2500n }])
    const burn = bob.next('token/burn', { class: CID.parse(klass.id), amount: 500n })
    await n.node.dag.ingest(burn.bytes)
    expect(await n.node.economics.tokenClass(klass.id)).toMatchObject({ minted: 10000n, burned: 500n })
    expect(await n.node.economics.tokenBalances({ did: bob.did })).toMatchObject([{ amount: 2000n }])
    const history = await n.node.economics.history({ did: bob.did })
    expect(history.entries.map((e) => [e.kind, e.direction, e.symbol, e.amount])).toEqual([
      ['burn', 'out', 'HRS', 500n],
      ['transfer', 'in', 'HRS', 2500n],
    ])
  })

  it('refuses unknown classes, other issuers, non-transferable tokens and overdrafts with clear codes', async () => {
    const klass = await n.node.economics.createClass({ symbol: 'BADGE', transferable: false })
    await expect(n.node.economics.createClass({ symbol: 'badge' })).rejects.toMatchObject({
      code: 'ECONOMICS_TOKEN_CLASS_EXISTS',
    })
    const unknown = 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    await expect(n.node.economics.mint({ class: unknown, amount: 1 })).rejects.toMatchObject({
      code: 'ECONOMICS_UNKNOWN_TOKEN_CLASS',
    })
    await expect(n.node.economics.mint({ class: 'not-a-cid', amount: 1 })).rejects.toMatchObject({
      code: 'ECONOMICS_UNKNOWN_TOKEN_CLASS',
    })
    await expect(n.node.economics.mint({ class: klass.id, amount: 0 })).rejects.toMatchObject({
      code: 'ECONOMICS_INVALID_AMOUNT',
    })
    await expect(n.node.economics.mint({ class: klass.id, items: [{ id: 'a' }] })).rejects.toMatchObject({
      code: 'ECONOMICS_INVALID_AMOUNT',
    })
    const bob = testAuthor()
    await n.node.economics.mint({ class: klass.id, amount: 3, to: bob.did })
    await expect(
      n.node.economics.transferTokens({ class: klass.id, to: bob.did, amount: 1 }),
    ).rejects.toMatchObject({
      code: 'ECONOMICS_INSUFFICIENT_TOKENS',
    })
    // Bob received badges from the issuer but cannot pass them on; nor can he mint.
    const mint = (await n.node.dag.listEvents({ type: 'token/mint' })).events[0]!
    const got = bob.next('token/receive', { credits: [{ source: CID.parse(mint.id), index: 0 }] })
    const pass = bob.next('token/transfer', { class: CID.parse(klass.id), to: n.did, amount: 1n, memo: '' })
    const forge = bob.next('token/mint', { class: CID.parse(klass.id), to: bob.did, amount: 5n })
    for (const e of [got, pass, forge]) await n.node.dag.ingest(e.bytes)
    expect([await status(got), await status(pass), await status(forge)]).toEqual([
      'applied',
      'voided',
      'voided',
    ])
    expect(await n.node.economics.tokenBalances({ did: bob.did })).toMatchObject([{ amount: 3n }])
  })
})

describe('non-fungible tokens', () => {
  it('mints unique ids with metadata CIDs and moves them between holders', async () => {
    const klass = await n.node.economics.createClass({ symbol: 'SEAT', fungible: false })
    const meta = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
    await n.node.economics.mint({ class: klass.id, items: [{ id: 'a1', metadata: meta }, { id: 'a2' }] })
    await expect(n.node.economics.mint({ class: klass.id, items: [{ id: 'a1' }] })).rejects.toMatchObject({
      code: 'ECONOMICS_TOKEN_EXISTS',
    })
    await expect(n.node.economics.mint({ class: klass.id, amount: 1 })).rejects.toMatchObject({
      code: 'ECONOMICS_INVALID_AMOUNT',
    })
    const alice = testAuthor()
    const sent = await n.node.economics.transferTokens({ class: klass.id, to: alice.did, ids: ['a1'] })
    await n.node.dag.ingest(alice.next('token/receive', { credits: [{ source: sent.cid, index: 0 }] }).bytes)
    expect(await n.node.economics.tokenBalances({ did: alice.did })).toMatchObject([
      { amount: 1n, items: [{ id: 'a1', metadata: meta }] },
    ])
    expect(await n.node.economics.tokenBalances()).toMatchObject([
      { amount: 1n, items: [{ id: 'a2', metadata: null }] },
    ])
    await expect(
      n.node.economics.transferTokens({ class: klass.id, to: alice.did, ids: ['a1'] }),
    ).rejects.toMatchObject({
      code: 'ECONOMICS_INSUFFICIENT_TOKENS',
    })
    await n.node.economics.burn({ class: klass.id, ids: ['a2'] })
    expect(await n.node.economics.tokenBalances()).toEqual([])
    expect(await n.node.economics.classes()).toMatchObject([{ symbol: 'SEAT', issuer: n.did }])
  })

  it('acknowledges tokens sent to the local member automatically', async () => {
    const issuer = testAuthor()
    const klassEvent = issuer.next('token/class', {
      symbol: 'ART',
      name: 'Art',
      decimals: 0,
      fungible: false,
      transferable: true,
      metadata: null,
      scopeMint: false,
    })
    const mint = issuer.next('token/mint', {
      class: klassEvent.cid,
      to: n.did,
      items: [{ id: 'x', metadata: null }],
    })
    for (const e of [klassEvent, mint]) await n.node.dag.ingest(e.bytes)
    await settled()
    expect(await n.node.economics.tokenBalances()).toMatchObject([
      { class: { symbol: 'ART' }, items: [{ id: 'x' }] },
    ])
  })
})
