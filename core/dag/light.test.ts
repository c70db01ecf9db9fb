import { afterEach, describe, expect, it } from 'vitest'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { startTestNode, tempDir, type TestNode } from '../test/helpers'
import { testAuthor } from '../test/events'
import type { IcnNode } from '../node'
import { createStorage } from '../storage'
import type { CID } from './codec'

async function dirBytes(path: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const p = join(path, entry.name)
    total += entry.isDirectory() ? await dirBytes(p) : (await stat(p)).size
  }
  return total
}

/** A light node whose "network" is a full node's block store (the block exchange, without sockets). */
function fetchFrom(full: () => IcnNode) {
  return {
    async fetchBlocks(cids: CID[]): Promise<Map<string, Uint8Array>> {
      const out = new Map<string, Uint8Array>()
      for (const cid of cids) {
        const bytes = await full().dag.blocks.get(cid)
        if (bytes !== undefined) out.set(cid.toString(), bytes)
      }
      return out
    },
  }
}

describe('light node storage (dag light mode)', () => {
  const nodes: TestNode[] = []
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.destroy()
  })

  it('applies every event with the same root, stores far less, fetches bodies on demand and survives a restart and a refold', async () => {
    const full = await startTestNode({ init: { network: { enabled: false } } })
    nodes.push(full)
    const lightDir = await tempDir()
    let light = await startTestNode({ dir: lightDir, init: { role: 'light', network: { enabled: false } } })
    const patch = (n: IcnNode): void => {
      Object.assign(
        n.network,
        fetchFrom(() => full.node),
      )
    }
    patch(light.node)
    const authors = Array.from({ length: 20 }, () => testAuthor(undefined, Date.now() - 3_600_000))
    const events = []
    for (let i = 0; i < 1000; i++) {
      const from = authors[i % 20]!
      const to = authors[(i * 7 + 3) % 20]!
      events.push(from.next('mana/transfer', { to: to.did, amount: 1n, memo: '' }))
    }
    for (const node of [full.node, light.node]) {
      const results = await Promise.all(events.map((e) => node.dag.ingest(e.bytes)))
      expect(results.every((r) => r.status === 'applied')).toBe(true)
    }
    // The light member's own events are stored whole.
    const own = await light.node.dag.append({
      type: 'note',
      scope: 'global',
      body: { text: 'mine', refs: [] },
    })
    await full.node.dag.ingest(own.bytes)
    const root = await full.node.dag.stateRoot()
    expect(await light.node.dag.stateRoot()).toBe(root)
    expect(await light.node.dag.blocks.has(own.cid)).toBe(true)
    expect((await light.node.dag.servableHeads()).map((h) => h.author)).toEqual([light.node.identity.did()])

    // Others' bodies are not stored; opening one fetches it (and caches it).
    const other = events[10]!
    expect(await light.node.dag.blocks.has(other.cid)).toBe(false)
    expect(await light.node.dag.chainRange(other.event.author, 1, 10)).toEqual([])
    expect((await light.node.dag.getEvent(other.id))?.id).toBe(other.id)
    expect(await light.node.dag.blocks.has(other.cid)).toBe(true)
    // A duplicate is still recognised.
    expect((await light.node.dag.ingest(other.bytes)).status).toBe('duplicate')

    const fullBytes = (await full.node.storage.db.iterator().all()).reduce(
      (n, [k, v]) => n + k.length + v.length,
      0,
    )
    const lightBytes = (await light.node.storage.db.iterator().all()).reduce(
      (n, [k, v]) => n + k.length + v.length,
      0,
    )
    expect(lightBytes).toBeLessThan(fullBytes * 0.25)

    // Restart: the same root without anything fetched.
    await light.node.stop()
    light = await startTestNode({ dir: lightDir, init: { role: 'light', network: { enabled: false } } })
    nodes.push(light)
    patch(light.node)
    expect(await light.node.dag.stateRoot()).toBe(root)
    // A refold rebuilds from fetched bodies and lands on the same root.
    await light.node.dag.refold()
    expect(await light.node.dag.stateRoot()).toBe(root)
    expect(await dirBytes(lightDir.path)).toBeGreaterThan(0)

    // Killed mid-refold: the marker is found at start. The node still starts (the rebuild needs peers, which come
    // up after it) and rebuilds once it can fetch.
    await light.node.stop()
    const storage = createStorage({ location: join(lightDir.path, 'db') })
    await storage.start()
    await storage.json<{ startedAt: number }>('refold').put('pending', { startedAt: 1 })
    await storage.stop()
    light = await startTestNode({ dir: lightDir, init: { role: 'light', network: { enabled: false } } })
    nodes.push(light)
    patch(light.node)
    await light.node.dag.refold()
    expect(await light.node.dag.stateRoot()).toBe(root)
    expect(await light.node.storage.json('refold').get('pending')).toBeUndefined()
  }, 60_000)

  it('refuses to refold (and clears nothing) when the bodies cannot be fetched', async () => {
    const light = await startTestNode({ init: { role: 'light', network: { enabled: false } } })
    nodes.push(light)
    Object.assign(light.node.network, { fetchBlocks: async () => new Map() })
    const a = testAuthor()
    for (let i = 0; i < 5; i++) await light.node.dag.ingest(a.next('note', { text: `n${i}`, refs: [] }).bytes)
    const root = await light.node.dag.stateRoot()
    await expect(light.node.dag.refold()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(await light.node.dag.stateRoot()).toBe(root)
  })
})
