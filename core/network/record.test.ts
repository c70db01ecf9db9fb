import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { encode } from '../dag'
import { testAuthor } from '../test/events'
import {
  PEER_RECORD_MAX_VALIDITY_MS,
  PEER_RECORD_VALIDITY_MS,
  peerRecordKey,
  selectPeerRecord,
  signPeerRecord,
  validatePeerRecordEntry,
  verifyPeerRecord,
  type PeerRecord,
} from './record'

const PEER = '12D3KooWQmXrDUof9ADwJDdMaqTcyfFrLMkr5SSkwcNRiYkZ32Ft'
const OTHER_PEER = '12D3KooWBjwkyET4TcikZECDJ8jqQaKaRqkHaH7ygaKiXij5GbLZ'
const NOW = 1_800_000_000_000
const member = testAuthor()
const stranger = testAuthor()

function record(overrides: Partial<PeerRecord> = {}): PeerRecord {
  return { v: 1, did: member.did, peer: PEER, seq: 5, expires: NOW + PEER_RECORD_VALIDITY_MS, ...overrides }
}

const signed = (overrides: Partial<PeerRecord> = {}, signer = member.signer): Uint8Array =>
  signPeerRecord(record(overrides), signer)

const rejects = (fn: () => unknown, reason: RegExp): void => {
  expect(fn).toThrow(
    expect.objectContaining({ code: 'NETWORK_INVALID_RECORD', message: expect.stringMatching(reason) }),
  )
}

describe('signed DID → peer records', () => {
  it('verify what the member signed, for that DID and that peer', () => {
    const bytes = signed()
    expect(verifyPeerRecord(bytes, { now: NOW, did: member.did, peer: PEER })).toMatchObject(record())
    validatePeerRecordEntry(peerRecordKey(member.did), bytes, NOW)
  })

  it('refuse a record signed by another key (a forged claim on a member DID)', () => {
    rejects(() => verifyPeerRecord(signed({}, stranger.signer), { now: NOW }), /bad signature/)
  })

  it('refuse records bound to another DID key or naming another peer than the connection', () => {
    rejects(() => validatePeerRecordEntry(peerRecordKey(stranger.did), signed(), NOW), /another DID/)
    rejects(() => verifyPeerRecord(signed(), { now: NOW, peer: OTHER_PEER }), /another peer/)
    rejects(
      () => validatePeerRecordEntry(new TextEncoder().encode(`/pk/${member.did}`), signed(), NOW),
      /key/,
    )
  })

  it('refuse expired records and records valid for longer than allowed', () => {
    rejects(() => verifyPeerRecord(signed({ expires: NOW }), { now: NOW }), /expired/)
    rejects(
      () => verifyPeerRecord(signed({ expires: NOW + PEER_RECORD_MAX_VALIDITY_MS + 1 }), { now: NOW }),
      /too long/,
    )
  })

  it('refuse oversized, non-canonical, malformed and tampered records', () => {
    rejects(() => verifyPeerRecord(new Uint8Array(2048), { now: NOW }), /over 1024/)
    const value = { ...record(), sig: new Uint8Array(64) }
    rejects(() => verifyPeerRecord(encode({ ...value, extra: 1 }), { now: NOW }), /fields/)
    rejects(() => verifyPeerRecord(encode({ ...value, seq: 0 }), { now: NOW }), /seq/)
    rejects(() => verifyPeerRecord(encode({ ...value, peer: 'not a peer' }), { now: NOW }), /peer id/)
    rejects(() => verifyPeerRecord(encode([1, 2, 3]), { now: NOW }), /not a map/)
    const bytes = signed()
    const tampered = bytes.slice()
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1
    rejects(() => verifyPeerRecord(tampered, { now: NOW }), /bad signature/)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), (junk) => {
        rejects(() => verifyPeerRecord(junk, { now: NOW }), /./)
      }),
    )
  })

  it('select the valid record with the highest seq, whatever order they arrive in', () => {
    const key = peerRecordKey(member.did)
    const newest = signed({ seq: 9 })
    const candidates = [
      signed({ seq: 3 }),
      newest,
      signed({ seq: 7, peer: OTHER_PEER }),
      signed({ seq: 99 }, stranger.signer), // forged: a higher seq must not win
      signed({ seq: 100, expires: NOW - 1 }), // expired
      new Uint8Array([1, 2, 3]),
    ]
    fc.assert(
      fc.property(fc.shuffledSubarray(candidates, { minLength: candidates.length }), (order) => {
        expect(order[selectPeerRecord(key, order, NOW)]).toBe(newest)
      }),
    )
  })

  it('break seq ties by later expiry, then by the smaller encoding, so every node picks the same', () => {
    const key = peerRecordKey(member.did)
    const later = signed({ seq: 4, expires: NOW + 2000 })
    const earlier = signed({ seq: 4, expires: NOW + 1000 })
    expect(selectPeerRecord(key, [earlier, later], NOW)).toBe(1)
    expect(selectPeerRecord(key, [later, earlier], NOW)).toBe(0)
    const a = signed({ seq: 4, peer: PEER })
    const b = signed({ seq: 4, peer: OTHER_PEER })
    const first = [a, b][selectPeerRecord(key, [a, b], NOW)]
    expect([b, a][selectPeerRecord(key, [b, a], NOW)]).toBe(first)
  })
})
