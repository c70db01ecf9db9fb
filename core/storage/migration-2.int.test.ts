/**
 * Schema 2 (received credits leave the state): a store written under schema 1 — received credits kept in the
 * state with an `econ/recv/` row each — is rebuilt at its first start, and its state root is the one every
 * node computes under the new rules.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Level } from 'level'
import { join } from 'node:path'
import { startEconNode, type EconTestNode } from '../economics/test-support'
import { testAuthor } from '../test/events'

let n: EconTestNode | undefined
afterEach(async () => {
  await n?.destroy()
})

describe('storage schema 2', () => {
  it('rebuilds a schema-1 state that kept received credits, to the root other nodes compute', async () => {
    n = await startEconNode()
    const alice = testAuthor()
    const bob = testAuthor()
    const t = alice.next('mana/transfer', { to: bob.did, amount: 30n, memo: '' })
    const r = bob.next('mana/receive', { credits: [{ source: t.cid, index: 0 }] })
    for (const e of [t, r]) await n.node.dag.ingest(e.bytes)
    const root = await n.node.dag.stateRoot()
    const dir = n.node.dataDir
    await n.node.stop()

    // What schema 1 left: the received credit and its receipt row in the state, and version 1.
    const db = new Level<string, Uint8Array>(join(dir, 'db'), { valueEncoding: 'view' })
    await db.open()
    const state = db.sublevel<string, Uint8Array>('state', { valueEncoding: 'view' })
    await state.put(`econ/recv/${t.id}:0`, new Uint8Array([0xa0]))
    await state.put(`econ/credit/${t.id}:0`, new Uint8Array([0xa0]))
    await db.sublevel<string, unknown>('meta', { valueEncoding: 'json' }).put('schemaVersion', 1)
    await db.close()

    await n.node.start()
    expect(n.node.storage.schemaVersion()).toBe(2)
    expect(await n.node.dag.stateRoot()).toBe(root)
    expect(await n.node.economics.credit(`${t.id}:0`)).toMatchObject({ received: true, amount: 30n })
    expect(await n.node.dag.view().get(`econ/recv/${t.id}:0`)).toBeUndefined()
  })
})
