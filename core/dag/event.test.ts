import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { encode } from './codec'
import { decodeEvent, signingPayload, signingPayloadFromBytes } from './event'
import { DAG_CBOR, cidFor } from './codec'
import { testAuthor } from '../test/events'

describe('event signing payload', () => {
  it('cutting sig out of the signed bytes equals encoding the unsigned event, for any ts/seq/body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.string({ maxLength: 200 }),
        (ts, seq, text) => {
          const author = testAuthor()
          const prev = seq === 1 ? null : cidFor(new Uint8Array([seq % 256]), DAG_CBOR)
          const e = author.at(seq, prev, 'note', { text, refs: [] }, { ts })
          // The fast path (no re-encoding) must produce exactly the encoded payload.
          expect(Buffer.compare(signingPayloadFromBytes(e.bytes, e.event), signingPayload(e.event))).toBe(0)
          expect(decodeEvent(e.bytes).id).toBe(e.id)
          return true
        },
      ),
      { numRuns: 300 },
    )
  })

  it('verifies chained events whose prev is a link, and rejects a body that spells the sig key', () => {
    const author = testAuthor()
    const e1 = author.next('note', { text: 'csig' + 'X@'.repeat(40), refs: [] })
    const e2 = author.next('note', { text: 'second', refs: [] })
    expect(decodeEvent(e1.bytes).id).toBe(e1.id)
    expect(decodeEvent(e2.bytes).id).toBe(e2.id)
    // The cut-out payload and the re-encoded payload are the same bytes.
    const unsigned = { ...e2.event } as Record<string, unknown>
    delete unsigned['sig']
    expect(Buffer.compare(signingPayload(e2.event).subarray(13), encode(unsigned))).toBe(0)
  })
})
