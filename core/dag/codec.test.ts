import { describe, expect, it } from 'vitest'
import * as dagCbor from '@ipld/dag-cbor'
import { decodeCanonical } from './codec'

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
