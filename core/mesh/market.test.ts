import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isIcnError } from '../errors'
import { CID, RAW, cidFor, encode } from '../dag'
import { testAuthor } from '../test/events'
import { decodeBid, decodeMeshMessage, signBid, signStatus, encodeAnnounce } from './messages'
import { rankBids, scoreCandidate, SCORE_WEIGHTS, type Candidate } from './select'
import { manifestBody, parseManifest, checkManifestParams, type JobManifest } from './manifest'
import { applyPatch, availability, declineReason, DEFAULT_SETTINGS, inSchedule, slotsFor } from './settings'
import { defaultParams } from '../params'

const job = cidFor(encode({ job: 1 }), 0x71)

function manifest(overrides: Partial<JobManifest> = {}): JobManifest {
  return {
    module: cidFor(new Uint8Array([0, 97, 115, 109]), RAW),
    engine: 'v8',
    entry: '_start',
    args: ['a'],
    env: { K: 'v' },
    stdin: null,
    inputs: [],
    limits: { fuel: 1000n, memoryMiB: 16, timeoutMs: 1000, outputBytes: 1024 },
    maxPrice: 10n,
    minReputation: 0,
    bidWindowMs: 100,
    verification: 'none',
    ...overrides,
  }
}

describe('signed market messages', () => {
  it('round-trips a bid and a status beacon, and refuses a forged or altered one', () => {
    const exec = testAuthor()
    const other = testAuthor()
    const bytes = signBid(
      { job, executor: exec.did, price: 5n, free: 1, minPrice: 5n, ts: 1000 },
      exec.signer,
    )
    expect(decodeBid(bytes)).toMatchObject({ executor: exec.did, price: 5n, free: 1 })
    // Signed by someone else in the executor's name.
    const forged = signBid(
      { job, executor: exec.did, price: 5n, free: 1, minPrice: 5n, ts: 1000 },
      other.signer,
    )
    expect(() => decodeBid(forged)).toThrow(/signature does not match/)
    // Any flipped byte is refused (decoding, canonical form, field checks or signature).
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (i, xor) => {
        const bad = bytes.slice()
        bad[i] = (bad[i] as number) ^ xor
        expect(() => decodeMeshMessage(bad)).toThrow()
      }),
      { numRuns: 200 },
    )
    const beacon = signStatus(
      {
        executor: exec.did,
        accepting: false,
        reason: 'paused',
        until: 5000,
        minPrice: 3n,
        running: 0,
        slots: 2,
        wasmer: false,
        ts: 1000,
      },
      exec.signer,
    )
    expect(decodeMeshMessage(beacon)).toMatchObject({ t: 'status', reason: 'paused', minPrice: 3n })
    expect(decodeMeshMessage(encodeAnnounce(new Uint8Array([1, 2])))).toMatchObject({ t: 'announce' })
    expect(() => decodeMeshMessage(new Uint8Array(70 * 1024))).toThrow(/size/)
    expect(() => decodeMeshMessage(encode({ v: 1, t: 'bid', job }))).toThrow(/a bid is/)
    try {
      decodeMeshMessage(encode([1, 2, 3]))
    } catch (err) {
      expect(isIcnError(err, 'MESH_INVALID_BID')).toBe(true)
    }
  })
})

describe('selection', () => {
  const sel = { submitter: 'did:key:zSubmitter', maxPrice: 100n, minReputation: 300, bidWindowMs: 100 }
  const cand = (executor: string, price: bigint, reputation: number, latencyMs: number): Candidate => ({
    executor,
    price,
    reputation,
    latencyMs,
    bid: new Uint8Array(),
  })

  it('scores by the documented formula and sets ineligible bids aside with the reason', () => {
    const c = scoreCandidate(sel, cand('x', 40n, 700, 25))
    expect([c.priceScore, c.reputationScore, c.latencyScore]).toEqual([600, 700, 750])
    expect(c.score).toBe(
      SCORE_WEIGHTS.price * 600 + SCORE_WEIGHTS.reputation * 700 + SCORE_WEIGHTS.latency * 750,
    )
    const { ranked, excluded } = rankBids(sel, [
      cand('cheap', 10n, 500, 50),
      cand('trusted', 30n, 1000, 10),
      cand('greedy', 101n, 900, 1),
      cand('newbie', 1n, 200, 1),
      cand('did:key:zSubmitter', 1n, 900, 1),
      cand('slow', 1n, 900, 101),
      cand('cheap', 50n, 500, 5),
    ])
    expect(ranked.map((r) => r.executor)).toEqual(['trusted', 'cheap'])
    expect(ranked[1]?.price).toBe(10n) // an executor's lowest bid counts
    expect(excluded).toEqual([
      { executor: 'did:key:zSubmitter', reason: 'self' },
      { executor: 'greedy', reason: 'price' },
      { executor: 'newbie', reason: 'reputation' },
      { executor: 'slow', reason: 'late' },
    ])
  })

  it('gives the same ranking whatever order the bids arrived in', () => {
    const arb = fc.array(
      fc.record({
        executor: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
        price: fc.bigInt({ min: 0n, max: 120n }),
        reputation: fc.integer({ min: 0, max: 1000 }),
        latencyMs: fc.integer({ min: 0, max: 120 }),
      }),
      { maxLength: 12 },
    )
    fc.assert(
      fc.property(arb, fc.func(fc.integer()), (bids, order) => {
        const candidates = bids.map((b) => ({ ...b, bid: new Uint8Array() }))
        const shuffled = [...candidates].sort((x, y) => order(x) - order(y))
        const names = (cs: Candidate[]): string[] =>
          rankBids(sel, cs).ranked.map((r) => `${r.executor}:${r.price}`)
        expect(names(shuffled)).toEqual(names(candidates))
      }),
    )
  })
})

describe('manifests', () => {
  it('round-trips through the event body and refuses malformed or out-of-bounds jobs', () => {
    const m = manifest()
    expect(parseManifest(manifestBody(m))).toEqual(m)
    const bad = (patch: Record<string, unknown>, pattern: RegExp): void => {
      let error: unknown
      try {
        parseManifest({ ...manifestBody(m), ...patch })
      } catch (err) {
        error = err
      }
      expect(isIcnError(error, 'MESH_INVALID_MANIFEST')).toBe(true)
      expect((error as Error).message).toMatch(pattern)
    }
    bad({ engine: 'native' }, /engine/)
    bad({ module: 'bafy…' }, /module must be a CID/)
    bad({ limits: { fuel: 0, memoryMiB: 16, timeoutMs: 1000, outputBytes: 1 } }, /limits.fuel/)
    bad({ limits: { fuel: 1, memoryMiB: 99999, timeoutMs: 1000, outputBytes: 1 } }, /memoryMiB/)
    bad({ maxPrice: -1 }, /maxPrice/)
    bad({ minReputation: 1001 }, /minReputation/)
    bad({ args: ['x'.repeat(5000)] }, /args\[0\]/)
    bad({ env: { 'A=B': 'x' } }, /environment variable/)
    bad({ extra: 1 }, /exactly the fields/)
    bad({ engine: 'wasmer', verification: 'reexecute' }, /cannot be verified/)
    expect(() => checkManifestParams(manifest({ bidWindowMs: 5 }), defaultParams())).toThrow(
      /mesh.minBidWindowMs/,
    )
    expect(() =>
      checkManifestParams(manifest({ limits: { ...m.limits, fuel: 10n ** 12n } }), defaultParams()),
    ).toThrow(/mesh.maxFuel/)
    expect(CID.asCID(parseManifest(manifestBody(m)).module)).not.toBeNull()
  })
})

describe('executor settings', () => {
  it('validates patches, pauses and schedules, and decides per job', () => {
    const now = new Date(2030, 0, 1, 12, 0).getTime()
    expect(() => applyPatch(DEFAULT_SETTINGS, { cpuSharePercent: 0 }, now)).toThrow(/1 to 100/)
    expect(() => applyPatch(DEFAULT_SETTINGS, { allow: ['nobody'] }, now)).toThrow(/not a member DID/)
    expect(() => applyPatch(DEFAULT_SETTINGS, { schedule: { startHour: 5, endHour: 5 } }, now)).toThrow(
      /differ/,
    )
    const paused = applyPatch(DEFAULT_SETTINGS, { pauseHours: 2 }, now)
    expect(paused.pausedUntil).toBe(now + 7_200_000)
    expect(availability(paused, { now, running: 0, slots: 1, unlocked: true })).toEqual({
      accepting: false,
      reason: 'paused',
      until: now + 7_200_000,
    })
    expect(inSchedule({ startHour: 22, endHour: 7 }, now)).toBe(false)
    expect(inSchedule({ startHour: 22, endHour: 7 }, new Date(2030, 0, 1, 23).getTime())).toBe(true)
    expect(inSchedule({ startHour: 9, endHour: 17 }, now)).toBe(true)
    expect(slotsFor({ ...DEFAULT_SETTINGS, cpuSharePercent: 50 }, 2)).toBe(1)
    expect(slotsFor({ ...DEFAULT_SETTINGS, cpuSharePercent: 1 }, 8)).toBe(1)
    expect(slotsFor({ ...DEFAULT_SETTINGS, cpuSharePercent: 100 }, 8)).toBe(8)
    const me = { did: testAuthor().did, reputation: 500 }
    const submitter = testAuthor().did
    const open = availability(DEFAULT_SETTINGS, { now, running: 0, slots: 1, unlocked: true })
    const j = { submitter, maxPrice: 10n, minReputation: 0, engine: 'v8' }
    expect(declineReason(DEFAULT_SETTINGS, open, j, me)).toBeNull()
    expect(declineReason({ ...DEFAULT_SETTINGS, minPrice: 11n }, open, j, me)).toBe('min-price')
    expect(declineReason({ ...DEFAULT_SETTINGS, deny: [submitter] }, open, j, me)).toBe('denied')
    expect(declineReason({ ...DEFAULT_SETTINGS, allow: [me.did] }, open, j, me)).toBe('not-allowed')
    expect(declineReason(DEFAULT_SETTINGS, open, { ...j, minReputation: 600 }, me)).toBe('reputation')
    expect(declineReason(DEFAULT_SETTINGS, open, { ...j, engine: 'wasmer' }, me)).toBe('engine')
    expect(declineReason(DEFAULT_SETTINGS, open, { ...j, submitter: me.did }, me)).toBe('own-job')
    const busy = availability(DEFAULT_SETTINGS, { now, running: 1, slots: 1, unlocked: true })
    expect(declineReason(DEFAULT_SETTINGS, busy, j, me)).toBe('busy')
  })
})
