import { describe, expect, it } from 'vitest'
import * as dagCbor from '@ipld/dag-cbor'
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { cidText, decodeCanonical } from './codec'

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'))

describe('decodeCanonical', () => {
  it('returns the value of canonical bytes', () => {
    const value = { amount: 5n * 10n ** 18n, to: 'did:key:z6Mk', memo: 'café', n: [1, -300, null, true] }
    expect(decodeCanonical(dagCbor.encode(value))).toStrictEqual(dagCbor.decode(dagCbor.encode(value)))
  })

  it('refuses look-alike encodings of one value with DAG_DECODE_FAILED', () => {
    for (const [bytes, why] of [
      [hex('a2616201616102'), /not canonical/], // keys out of order ({b: 1, a: 2})
      [hex('1805'), /./], // 5 in two bytes
      [hex('a2616101616102'), /./], // a duplicate key
      [hex('0101'), /./], // trailing bytes
      [hex('9f01ff'), /./], // an indefinite-length array
      [hex('fa3fc00000'), /./], // a single-precision float
      [hex('62c328'), /./], // invalid UTF-8
    ] as const) {
      expect(() => decodeCanonical(bytes)).toThrow(expect.objectContaining({ code: 'DAG_DECODE_FAILED' }))
      expect(() => decodeCanonical(bytes)).toThrow(why)
    }
  })
})

describe('cidText', () => {
  it('gives what cid.toString() gives, for random digests, codecs and hash lengths', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 80 }),
        fc.constantFrom(0x71, 0x55, 0x70, 0x0129),
        fc.constantFrom(0x12, 0x13, 0xb220),
        (digest, codec, hash) => {
          const cid = CID.createV1(codec, Digest.create(hash, digest))
          expect(cidText(cid)).toBe(cid.toString())
        },
      ),
      { numRuns: 2000 },
    )
    const v0 = CID.parse('QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n')
    expect(cidText(v0)).toBe('QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n')
  })
})
