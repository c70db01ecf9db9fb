import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { encodeDagCbor } from './fast-cbor'

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
