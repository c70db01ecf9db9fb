import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as lp from 'it-length-prefixed'
import { CID, DAG_CBOR, RAW, cidFor, encode } from '../dag'
import { testAuthor } from '../test/events'
import {
  FrameReader,
  decodeBlockReply,
  decodeBlockRequest,
  decodeEvidenceReply,
  decodeHeadsReply,
  decodeHelloReply,
  decodeRangeReply,
  decodeSyncRequest,
  encodeBlockReply,
  encodeBlockRequest,
  encodeSyncReply,
  encodeSyncRequest,
  type SyncRequest,
} from './wire'

const author = testAuthor().did
const raw = cidFor(new TextEncoder().encode('block'), RAW)
const event = cidFor(encode({ any: 'event' }), DAG_CBOR)

/** Every decoder either returns a checked value or throws NETWORK_PROTOCOL_ERROR: nothing else escapes. */
const DECODERS: [string, (bytes: Uint8Array) => unknown][] = [
  ['block request', (b) => decodeBlockRequest(b, 64)],
  ['block reply', decodeBlockReply],
  ['sync request', decodeSyncRequest],
  ['hello reply', decodeHelloReply],
  ['heads reply', (b) => decodeHeadsReply(b, 512)],
  ['range reply', (b) => decodeRangeReply(b, 512, 65536)],
  ['evidence reply', (b) => decodeEvidenceReply(b, 128)],
]

function protocolErrorOrValue(fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    expect(err).toMatchObject({ code: 'NETWORK_PROTOCOL_ERROR' })
  }
}

describe('protocol codecs', () => {
  it('round-trip every message of /icn/blocks and /icn/sync', () => {
    expect(decodeBlockRequest(encodeBlockRequest({ want: [raw, event] }), 64).want.map(String)).toEqual([
      raw.toString(),
      event.toString(),
    ])
    const reply = decodeBlockReply(encodeBlockReply({ cid: raw, data: new Uint8Array([1, 2]) }))
    expect(reply.cid.toString()).toBe(raw.toString())
    expect(reply.data).toEqual(new Uint8Array([1, 2]))
    expect(decodeBlockReply(encodeBlockReply({ cid: raw })).data).toBeUndefined()
    const requests: SyncRequest[] = [
      { op: 'hello', record: null },
      { op: 'hello', record: new Uint8Array([9]) },
      { op: 'heads', after: null, limit: 512 },
      { op: 'heads', after: author, limit: 10 },
      { op: 'range', author, from: 3, to: 900 },
      { op: 'evidence', after: null },
    ]
    for (const r of requests) expect(decodeSyncRequest(encodeSyncRequest(r))).toEqual(r)
    expect(
      decodeHeadsReply(encodeSyncReply({ heads: [[author, 4, event]], next: author }), 512),
    ).toMatchObject({
      heads: [[author, 4, expect.any(CID)]],
      next: author,
    })
    expect(
      decodeRangeReply(encodeSyncReply({ events: [new Uint8Array([1])] }), 512, 100).events,
    ).toHaveLength(1)
    expect(
      decodeEvidenceReply(encodeSyncReply({ evidence: [[author, 1, event, event]], next: null }), 128),
    ).toMatchObject({ next: null })
  })

  it('turn random bytes into NETWORK_PROTOCOL_ERROR, never into a crash or a wrong value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (junk) => {
        for (const [, decode] of DECODERS) protocolErrorOrValue(() => decode(junk))
      }),
      { numRuns: 300 },
    )
  })

  it('refuse every truncation of a valid message', () => {
    const valid = [
      encodeBlockRequest({ want: [raw, event] }),
      encodeSyncRequest({ op: 'range', author, from: 1, to: 2 }),
      encodeSyncReply({ heads: [[author, 4, event]], next: null }),
    ]
    for (const bytes of valid) {
      for (let cut = 0; cut < bytes.length; cut++) {
        for (const [name, decode] of DECODERS) {
          expect(() => decode(bytes.subarray(0, cut)), `${name} of ${cut} bytes`).toThrow(
            expect.objectContaining({ code: 'NETWORK_PROTOCOL_ERROR' }),
          )
        }
      }
    }
  })

  it('hold the per-request caps and reject lies about shapes', () => {
    const bad = (fn: () => unknown, why: RegExp): void => {
      expect(fn).toThrow(
        expect.objectContaining({ code: 'NETWORK_PROTOCOL_ERROR', message: expect.stringMatching(why) }),
      )
    }
    bad(() => decodeBlockRequest(encodeBlockRequest({ want: Array(65).fill(raw) }), 64), /1 to 64/)
    bad(() => decodeBlockRequest(encode({ want: [] }), 64), /1 to 64/)
    bad(() => decodeBlockRequest(encode({ want: ['bafy-not-a-cid'] }), 64), /CID/)
    bad(() => decodeBlockRequest(encode({ want: [raw], more: 1 }), 64), /exactly/)
    bad(() => decodeSyncRequest(encode({ op: 'heads', after: 'did:key:nope', limit: 1 })), /did:key/)
    bad(() => decodeSyncRequest(encode({ op: 'range', author, from: 5, to: 4 })), /below/)
    bad(() => decodeSyncRequest(encode({ op: 'range', author, from: 0, to: 4 })), /≥ 1/)
    bad(() => decodeSyncRequest(encode({ op: 'range', author, from: 1.5, to: 4 })), /integer/)
    bad(
      () => decodeHeadsReply(encodeSyncReply({ heads: Array(3).fill([author, 1, event]), next: null }), 2),
      /at most 2/,
    )
    bad(() => decodeHeadsReply(encodeSyncReply({ heads: [[author, 1, raw]], next: null }), 9), /event CID/)
    bad(() => decodeRangeReply(encodeSyncReply({ events: [new Uint8Array(101)] }), 512, 100), /event bytes/)
    bad(
      () => decodeRangeReply(encodeSyncReply({ events: Array(3).fill(new Uint8Array(1)) }), 2, 100),
      /at most 2/,
    )
    bad(
      () => decodeHeadsReply(encodeSyncReply({ error: 'NETWORK_LIMIT_EXCEEDED', message: 'busy' }), 9),
      /refused/,
    )
  })
})

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p
}

describe('frame reader', () => {
  const frame = (bytes: Uint8Array): Uint8Array => lp.encode.single(bytes).subarray()
  const reader = (source: AsyncIterable<Uint8Array>, max: number): FrameReader =>
    new FrameReader(source as never, max)

  it('reads frames split anywhere across chunks, then reports the clean end', async () => {
    const all = new Uint8Array([...frame(new Uint8Array([1, 2, 3])), ...frame(new Uint8Array([4]))])
    const r = reader(chunks(all.subarray(0, 2), all.subarray(2, 5), all.subarray(5)), 10)
    expect(await r.next(1000)).toEqual(new Uint8Array([1, 2, 3]))
    expect(await r.next(1000)).toEqual(new Uint8Array([4]))
    expect(await r.next(1000)).toBeUndefined()
  })

  it('refuses a length prefix over the cap before reading the body', async () => {
    const r = reader(chunks(lp.encode.single(new Uint8Array(11)).subarray(0, 1)), 10)
    await expect(r.next(1000)).rejects.toMatchObject({ code: 'NETWORK_PROTOCOL_ERROR' })
  })

  it('refuses a stream that ends inside a frame', async () => {
    const r = reader(chunks(frame(new Uint8Array(8)).subarray(0, 5)), 10)
    await expect(r.next(1000)).rejects.toMatchObject({ code: 'NETWORK_PROTOCOL_ERROR' })
  })

  it('gives up on a peer that goes quiet', async () => {
    const never = (async function* () {
      await new Promise(() => undefined)
      yield new Uint8Array()
    })()
    await expect(reader(never, 10).next(50)).rejects.toMatchObject({ code: 'TIMEOUT' })
  })
})
