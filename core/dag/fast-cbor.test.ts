import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { decodeDagCborTrusted, encodeDagCbor } from './fast-cbor'

const cid = CID.create(1, 0x71, await sha256.digest(new Uint8Array([1, 2, 3])))

/** Both encoders give the same bytes, or both refuse the value. */
function same(v: unknown): void {
  let expected: Uint8Array | Error
  try {
    expected = dagCbor.encode(v)
  } catch (err) {
    expected = err as Error
  }
  if (expected instanceof Error) expect(() => encodeDagCbor(v)).toThrow()
  else expect(Buffer.from(encodeDagCbor(v)).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
}

const key = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('a', 'b', 'aa', 'ts', 'to', 'amount', 'event', 'kind', 'é', 'zz', 'A', '~'),
  fc.string({ unit: 'binary', maxLength: 4 }),
)
const leaf = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 100, maxLength: 400 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(
    0,
    -1,
    23,
    24,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 32),
    -0,
    1.5,
    NaN,
    Infinity,
  ),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 300 }),
  fc.constant(cid),
)
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 6 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 8 }),
})).value

describe('encodeDagCbor', () => {
  it('gives the bytes @ipld/dag-cbor gives, or refuses what it refuses, on random values', () => {
    fc.assert(fc.property(tree, same), { numRuns: 3000 })
  })

  it('on the edges of every integer width and on long values', () => {
    for (const n of [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      same(n)
      same(-n - 1)
      same(BigInt(n))
      same(-BigInt(n) - 1n)
    }
    same(2n ** 64n - 1n)
    same(-(2n ** 64n))
    same(2n ** 64n)
    same('x'.repeat(70_000))
    same(new Uint8Array(3 * 1024 * 1024))
    same({ nested: Array.from({ length: 1000 }, (_, i) => ({ i, s: `v${i}`, c: cid })) })
    same(Object.assign(Object.create(null) as object, { b: 1, a: 2 }))
    same(new Map([['a', 1]]))
    same(Buffer.from([1, 2, 3]))
    same(new Date(0))
  })
})

/** Both decoders give the same value (same types: number or bigint, Uint8Array, CID), or both throw. */
function sameDecode(bytes: Uint8Array): void {
  let expected: unknown
  try {
    expected = dagCbor.decode(bytes)
  } catch (err) {
    expect(() => decodeDagCborTrusted(bytes)).toThrow((err as Error).message)
    return
  }
  expect(decodeDagCborTrusted(bytes)).toStrictEqual(expected)
}

function encodable(v: unknown): Uint8Array | undefined {
  try {
    return dagCbor.encode(v)
  } catch {
    return undefined
  }
}

describe('decodeDagCborTrusted', () => {
  it('gives the values @ipld/dag-cbor gives on random encodings', () => {
    fc.assert(
      fc.property(tree, (v) => {
        const bytes = encodable(v)
        if (bytes !== undefined) sameDecode(bytes)
      }),
      { numRuns: 3000 },
    )
  })

  it('on every integer width, long strings and bytes, CIDs, and inside a larger buffer', () => {
    for (const n of [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      sameDecode(dagCbor.encode(n))
      sameDecode(dagCbor.encode(-n - 1))
    }
    for (const n of [2n ** 53n, 2n ** 64n - 1n, -(2n ** 53n), -(2n ** 53n) - 1n, -(2n ** 64n)])
      sameDecode(dagCbor.encode(n))
    sameDecode(
      dagCbor.encode({
        s: 'é'.repeat(40),
        t: 'x'.repeat(70_000),
        u: '\u{1f600}',
        b: new Uint8Array(70_000).fill(7),
      }),
    )
    sameDecode(dagCbor.encode({ c: cid, l: [cid, null, true, false, 1.5, -2.25] }))
    const framed = new Uint8Array(100)
    const inner = dagCbor.encode({ amount: 5n, to: 'did:key:z6Mk' })
    framed.set(inner, 40)
    expect(decodeDagCborTrusted(framed.subarray(40, 40 + inner.length))).toStrictEqual({
      amount: 5,
      to: 'did:key:z6Mk',
    })
  })

  it('returns bytes and CIDs that do not share the input buffer', () => {
    const bytes = dagCbor.encode({ b: new Uint8Array([1, 2, 3]), c: cid })
    const out = decodeDagCborTrusted(bytes) as { b: Uint8Array; c: CID }
    bytes.fill(0)
    expect([...out.b]).toEqual([1, 2, 3])
    expect(out.c.equals(cid)).toBe(true)
  })

  it('agrees with @ipld/dag-cbor on damaged and arbitrary bytes (the same value or an error)', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, where, to) => {
        const bytes = encodable(v)
        if (bytes === undefined) return
        const damaged = bytes.slice()
        damaged[where % damaged.length] = to
        sameDecode(damaged)
        sameDecode(bytes.subarray(0, where % bytes.length))
      }),
      { numRuns: 3000 },
    )
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), sameDecode), { numRuns: 3000 })
    // Constructs outside the fast path: indefinite lengths, undefined, NaN, other tags, duplicate keys, trailing bytes.
    for (const hex of [
      '9f01ff',
      'f7',
      'f97e00',
      'c11a00000001',
      'a2616101616102',
      '0101',
      'fa3fc00000',
      'a1685f5f70726f746f5f5f01',
      '1805',
      '190005',
      '1a00000005',
      '1b0000000000000005',
      'a2616201616102',
    ]) {
      sameDecode(Buffer.from(hex, 'hex'))
    }
  })
})
