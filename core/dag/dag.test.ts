import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { encode } from './codec'
import { decodeEvent, decodeEventAsync, MAX_EVENT_BYTES, signEvent } from './event'
import { startTestNode, type TestNode } from '../test/helpers'
import { note, testAuthor } from '../test/events'

let a: TestNode
let b: TestNode
beforeEach(async () => {
  a = await startTestNode()
  b = await startTestNode()
})
afterEach(async () => {
  await a.destroy()
  await b.destroy()
})

describe('dag: local events', () => {
  it('appends signed events that chain by seq and prev, with CIDv1 dag-cbor ids', async () => {
    const e1 = await a.node.dag.append({ type: 'note', scope: 'global', body: note('hello') })
    const e2 = await a.node.dag.append({ type: 'note', scope: 'global', body: note('again') })
    expect(e1.id).toMatch(/^bafyrei[a-z2-7]+$/)
    expect(e1.event).toMatchObject({ seq: 1, prev: null, author: a.node.identity.did() })
    expect(e2.event.seq).toBe(2)
    expect(e2.event.prev?.toString()).toBe(e1.id)
    expect(e2.event.ts).toBeGreaterThan(e1.event.ts)
    expect(await a.node.dag.head(a.node.identity.did())).toMatchObject({ seq: 2, id: e2.id })
    const listed = await a.node.dag.listEvents()
    expect(listed.events.map((e) => e.id)).toEqual([e2.id, e1.id])
  })

  it('refuses to sign while the identity is locked and stores nothing', async () => {
    a.node.identity.lock()
    await expect(a.node.dag.append({ type: 'note', scope: 'global', body: note('x') })).rejects.toMatchObject(
      { code: 'IDENTITY_LOCKED' },
    )
    expect((await a.node.dag.stats()).events).toBe(0)
  })

  it('rejects an invalid local body with the reason and stores nothing', async () => {
    await expect(
      a.node.dag.append({ type: 'note', scope: 'global', body: { text: 'x'.repeat(5000), refs: [] } }),
    ).rejects.toMatchObject({
      code: 'DAG_INVALID_EVENT',
    })
    await expect(a.node.dag.append({ type: 'nope', scope: 'global', body: {} })).rejects.toMatchObject({
      code: 'DAG_UNKNOWN_TYPE',
    })
    expect((await a.node.dag.stats()).events).toBe(0)
  })
})

describe('dag: read cache', () => {
  it('fills with what events write and read, and stays within its bounds; null while stopped', async () => {
    // 0.1 MiB: at most 156 decoded entries (1,562.5 a MiB).
    const small = await startTestNode({ init: { dag: { cacheBytes: 0.1 * 2 ** 20 } } })
    try {
      expect(small.node.dag.readCache()).toMatchObject({
        entries: 0,
        maxEntries: 156,
        maxBytes: 0.1 * 2 ** 20,
      })
      const sender = testAuthor()
      const fill: number[] = []
      for (let i = 0; i < 400; i += 40) {
        const events = Array.from({ length: 40 }, (_, k) => sender.next('note', note(`n${i + k}`)))
        for (const e of events) expect((await small.node.dag.ingest(e.bytes)).status).toBe('applied')
        const size = small.node.dag.readCache()!
        expect(size.entries).toBeLessThanOrEqual(size.maxEntries)
        expect(size.bytes).toBeLessThanOrEqual(size.maxBytes)
        fill.push(size.entries)
      }
      // It grew, then held at the bound while 400 events went through.
      expect(fill[0]).toBeGreaterThan(0)
      expect(fill.at(-1)).toBe(156)
      await small.node.stop()
      expect(small.node.dag.readCache()).toBeNull()
    } finally {
      await small.destroy()
    }
  })
})

describe('dag: replication', () => {
  it('replays events on another node to the same state root; replays are duplicates', async () => {
    const made = []
    for (let i = 0; i < 5; i++)
      made.push(await a.node.dag.append({ type: 'note', scope: 'global', body: note(`n${i}`) }))
    for (const e of made) expect((await b.node.dag.ingest(e.bytes)).status).toBe('applied')
    expect(await b.node.dag.stateRoot()).toBe(await a.node.dag.stateRoot())
    expect((await b.node.dag.ingest(made[2]!.bytes)).status).toBe('duplicate')
    expect(await b.node.dag.stateRoot()).toBe(await a.node.dag.stateRoot())
  })

  it('parks an event whose prev is missing and applies it when the gap is filled', async () => {
    const author = testAuthor()
    const e1 = author.next('note', note('1'))
    const e2 = author.next('note', note('2'))
    const e3 = author.next('note', note('3'))
    expect(await b.node.dag.ingest(e3.bytes)).toMatchObject({ status: 'pending', missing: [e2.id] })
    expect(b.node.dag.missing()).toEqual([e2.id])
    expect((await b.node.dag.ingest(e2.bytes)).status).toBe('pending')
    expect((await b.node.dag.ingest(e1.bytes)).status).toBe('applied')
    expect(await b.node.dag.head(author.did)).toMatchObject({ seq: 3, id: e3.id })
    expect(b.node.dag.missing()).toEqual([])
  })
})

describe('dag: bad input', () => {
  const expectNothingStored = async (node: TestNode): Promise<void> => {
    expect((await node.node.dag.stats()).events).toBe(0)
  }

  it('rejects garbage, oversize, malformed and forged events with stable codes', async () => {
    const author = testAuthor()
    const good = author.next('note', note('hi'))
    await expect(b.node.dag.ingest(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'DAG_DECODE_FAILED',
    })
    await expect(b.node.dag.ingest(new Uint8Array(MAX_EVENT_BYTES + 1))).rejects.toMatchObject({
      code: 'DAG_TOO_LARGE',
    })
    await expect(b.node.dag.ingest(encode({ hello: 'world' }))).rejects.toMatchObject({
      code: 'DAG_INVALID_EVENT',
    })
    // Same signature, different body: forged.
    const forged = encode({ ...good.event, body: note('changed') })
    await expect(b.node.dag.ingest(forged)).rejects.toMatchObject({ code: 'DAG_BAD_SIGNATURE' })
    // Correctly signed by someone else than the claimed author.
    const mallory = testAuthor()
    const impostor = signEvent({ ...good.event, body: note('mine') }, mallory.signer)
    await expect(b.node.dag.ingest(impostor.bytes)).rejects.toMatchObject({ code: 'DAG_BAD_SIGNATURE' })
    await expectNothingStored(b)
  })

  it('a burst larger than the decode window: every event gets its own answer, good ones applied in chain order', async () => {
    // 3,000 events handed over in one tick: beyond the first 1,024 they are decoded only as the writer frees slots.
    const authors = Array.from({ length: 20 }, () => testAuthor())
    const events = Array.from({ length: 150 }, (_, i) =>
      authors.map((au) => au.next('note', note(`n${i}`))),
    ).flat()
    const forged = encode({ ...events[2500]!.event, body: note('changed') })
    const inputs: Uint8Array[] = events.map((e) => e.bytes)
    inputs.splice(2200, 0, new Uint8Array([1, 2, 3]))
    inputs.splice(2900, 0, forged)
    const results = await Promise.allSettled(inputs.map((bytes) => b.node.dag.ingest(bytes)))
    const codes = results.map((r) =>
      r.status === 'fulfilled' ? r.value.status : (r.reason as { code: string }).code,
    )
    expect(codes[2200]).toBe('DAG_DECODE_FAILED')
    expect(codes[2900]).toBe('DAG_BAD_SIGNATURE')
    expect(codes.filter((c) => c === 'applied')).toHaveLength(3000)
    expect((await b.node.dag.stats()).events).toBe(3000)
    for (const au of authors) expect((await b.node.dag.head(au.did))?.seq).toBe(150)
  })

  it('rejects events from the future, unknown types, broken chains and non-increasing timestamps', async () => {
    const author = testAuthor()
    await expect(
      b.node.dag.ingest(author.at(1, null, 'note', note('x'), { ts: Date.now() + 3_600_000 }).bytes),
    ).rejects.toMatchObject({
      code: 'DAG_BAD_TIMESTAMP',
    })
    await expect(b.node.dag.ingest(author.at(1, null, 'mystery', {}).bytes)).rejects.toMatchObject({
      code: 'DAG_UNKNOWN_TYPE',
    })
    const e1 = author.at(1, null, 'note', note('1'), { ts: 1000 })
    await b.node.dag.ingest(e1.bytes)
    const skip = author.at(3, e1.cid, 'note', note('3'), { ts: 2000 })
    await expect(b.node.dag.ingest(skip.bytes)).rejects.toMatchObject({ code: 'DAG_BAD_CHAIN' })
    const backwards = author.at(2, e1.cid, 'note', note('2'), { ts: 1000 })
    await expect(b.node.dag.ingest(backwards.bytes)).rejects.toMatchObject({ code: 'DAG_BAD_TIMESTAMP' })
    const other = testAuthor()
    const foreignPrev = other.at(2, e1.cid, 'note', note('2'), { ts: 3000 })
    await expect(b.node.dag.ingest(foreignPrev.bytes)).rejects.toMatchObject({ code: 'DAG_BAD_CHAIN' })
    expect((await b.node.dag.stats()).events).toBe(1)
  })

  it('fuzz: random bytes and mutations of a valid event are never accepted as something else', async () => {
    const author = testAuthor()
    const good = author.next('note', note('fuzz me'))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeEvent(bytes)
          return false
        } catch (err) {
          return typeof (err as { code?: unknown }).code === 'string'
        }
      }),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.nat(good.bytes.length - 1), fc.integer({ min: 1, max: 255 }), (index, xor) => {
        const mutated = new Uint8Array(good.bytes)
        mutated[index]! ^= xor
        try {
          decodeEvent(mutated)
          return false
        } catch (err) {
          return /^DAG_/.test(String((err as { code?: unknown }).code))
        }
      }),
      { numRuns: 2000 },
    )
    expect(decodeEvent(good.bytes).id).toBe(good.id)
  })

  it('the off-thread check (decodeEventAsync, used by ingest) answers as decodeEvent does on every mutation', async () => {
    const good = testAuthor().next('note', note('async'))
    const codeOf = async (f: () => unknown): Promise<string> => {
      try {
        const v = (await f()) as { id: string }
        return `ok ${v.id}`
      } catch (err) {
        return String((err as { code?: unknown }).code)
      }
    }
    expect(await codeOf(() => decodeEventAsync(good.bytes))).toBe(`ok ${good.id}`)
    const codes = new Set<string>()
    for (let index = 0; index < good.bytes.length; index++) {
      const mutated = new Uint8Array(good.bytes)
      mutated[index]! ^= 0x01
      const sync = await codeOf(() => decodeEvent(mutated))
      expect(await codeOf(() => decodeEventAsync(mutated))).toBe(sync)
      codes.add(sync)
    }
    // The mutations reach the signature check, not only the decoder.
    expect(codes).toContain('DAG_BAD_SIGNATURE')
    expect(codes).toContain('DAG_DECODE_FAILED')
  })
})

describe('dag: equivocation', () => {
  it('keeps both events as evidence, flags the author and voids the fork, whatever the arrival order', async () => {
    const author = testAuthor()
    const e1 = author.next('note', note('base'))
    const left = author.at(2, e1.cid, 'note', note('left'))
    const right = author.at(2, e1.cid, 'note', note('right'))
    const honest = testAuthor()
    const h1 = honest.next('note', note('honest'))

    for (const e of [h1, e1, left]) await a.node.dag.ingest(e.bytes)
    expect((await a.node.dag.ingest(right.bytes)).status).toBe('equivocation')
    for (const e of [right, e1, h1]) await b.node.dag.ingest(e.bytes)
    expect((await b.node.dag.ingest(left.bytes)).status).toBe('equivocation')

    for (const n of [a, b]) {
      const flag = await n.node.dag.view().flagged(author.did)
      expect(flag).toEqual({ author: author.did, seq: 2, evidence: [left.id, right.id].sort() })
      expect(await n.node.dag.view().isEffective(e1.id)).toBe(true)
      expect(await n.node.dag.view().isEffective(left.id)).toBe(false)
      expect(await n.node.dag.view().isEffective(right.id)).toBe(false)
      expect(await n.node.dag.view().isEffective(h1.id)).toBe(true)
    }
    expect(await a.node.dag.stateRoot()).toBe(await b.node.dag.stateRoot())
    // Later events of the flagged author are refused.
    const later = author.at(3, left.cid, 'note', note('later'))
    await expect(a.node.dag.ingest(later.bytes)).rejects.toMatchObject({ code: 'DAG_AUTHOR_FLAGGED' })
  })
})

describe('dag: determinism', () => {
  it('any delivery order of the same events gives the same state root', async () => {
    const authors = [testAuthor(), testAuthor(), testAuthor()]
    const events = []
    for (let i = 0; i < 12; i++)
      events.push(authors[i % 3]!.next('note', note(`e${i}`, []), { scope: 'global' }))
    await Promise.all(events.map((e) => a.node.dag.ingest(e.bytes)))
    const expected = await a.node.dag.stateRoot()
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        async (order) => {
          const n = await startTestNode({ withIdentity: false })
          try {
            for (const e of order) await n.node.dag.ingest(e.bytes)
            expect(await n.node.dag.stateRoot()).toBe(expected)
            expect(n.node.dag.missing()).toEqual([])
          } finally {
            await n.destroy()
          }
        },
      ),
      { numRuns: 8 },
    )
  })

  it('survives a restart with the same state root and chain heads', async () => {
    for (let i = 0; i < 3; i++)
      await a.node.dag.append({ type: 'note', scope: 'global', body: note(`n${i}`) })
    const root = await a.node.dag.stateRoot()
    await a.node.stop()
    await a.node.start()
    await a.node.identity.unlock('test passphrase 1')
    expect(await a.node.dag.stateRoot()).toBe(root)
    const e = await a.node.dag.append({ type: 'note', scope: 'global', body: note('after restart') })
    expect(e.event.seq).toBe(4)
  })

  it('a refold cut short by a crash is redone at the next start, not served half-done', async () => {
    // Value moves between members: the economics fold writes state that a lost refold would drop.
    const alice = testAuthor(undefined, Date.now() - 3_600_000)
    const bob = testAuthor(undefined, Date.now() - 3_600_000)
    for (let i = 0; i < 5; i++) {
      const t = alice.next('mana/transfer', { to: bob.did, amount: 2n, memo: '' })
      await a.node.dag.ingest(t.bytes)
      await a.node.dag.ingest(bob.next('mana/receive', { credits: [{ source: t.cid, index: 0 }] }).bytes)
    }
    const root = await a.node.dag.stateRoot()
    const { available } = await a.node.economics.balance({ did: bob.did })
    // What kill -9 leaves mid-refold: the marker written, state and index cleared, the rebuild not landed.
    await a.node.storage.json<{ startedAt: number }>('refold').put('pending', { startedAt: 1 })
    await a.node.storage.bytes('state').clear()
    await a.node.storage.bytes('index').clear()
    await a.node.stop()
    await a.node.start()
    expect(await a.node.dag.stateRoot()).toBe(root)
    expect((await a.node.economics.balance({ did: bob.did })).available).toBe(available)
    expect(await a.node.storage.json('refold').get('pending')).toBeUndefined()
    // A finished refold leaves no marker behind either.
    await a.node.dag.refold()
    expect(await a.node.storage.json('refold').get('pending')).toBeUndefined()
    expect(await a.node.dag.stateRoot()).toBe(root)
  })

  it('refold recomputes exactly the incremental state', async () => {
    for (let i = 0; i < 5; i++)
      await a.node.dag.append({ type: 'note', scope: 'global', body: note(`n${i}`) })
    const root = await a.node.dag.stateRoot()
    await a.node.dag.refold()
    expect(await a.node.dag.stateRoot()).toBe(root)
  })
})

describe('dag: serial writer', () => {
  it('never strands a write enqueued by the continuation of the previous one', async () => {
    // Each append starts from the resolution of the previous: the writer goes idle and must wake up again.
    for (let i = 0; i < 50; i++) {
      const done = await Promise.race([
        a.node.dag.append({ type: 'note', scope: 'global', body: note(`chained ${i}`) }).then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
      ])
      expect(done).toBe(true)
    }
    // Appends fired from inside a resolution callback (microtask) also complete.
    const nested = await new Promise<number>((resolve) => {
      void a.node.dag.append({ type: 'note', scope: 'global', body: note('outer') }).then(() => {
        void a.node.dag
          .append({ type: 'note', scope: 'global', body: note('inner') })
          .then((e) => resolve(e.event.seq))
      })
    })
    expect(nested).toBe(52)
    // refold() hands its promise straight from the writer to the caller (no async wrapper): its continuation
    // runs before the writer's own bookkeeping, the tightest case.
    const chained = await Promise.race([
      a.node.dag.refold().then(() => a.node.dag.refold().then(() => true)),
      new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
    ])
    expect(chained).toBe(true)
  })
})
