import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createSigner, nobleEd25519, nodeEd25519 } from './ed25519'

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

// RFC 8032 §7.1, TEST 1–3.
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
]

describe.each([nodeEd25519, nobleEd25519])('$name', (impl) => {
  it.each(RFC8032)('passes RFC 8032 vector with message "$message"', (v) => {
    expect(Buffer.from(impl.publicKey(hex(v.secret))).toString('hex')).toBe(v.publicKey)
    expect(Buffer.from(impl.sign(hex(v.secret), hex(v.message))).toString('hex')).toBe(v.signature)
    expect(impl.verify(hex(v.publicKey), hex(v.message), hex(v.signature))).toBe(true)
  })

  it('rejects a flipped bit, a wrong key and malformed inputs', () => {
    const v = RFC8032[2]!
    const sig = hex(v.signature)
    sig[5]! ^= 1
    expect(impl.verify(hex(v.publicKey), hex(v.message), sig)).toBe(false)
    expect(impl.verify(hex(RFC8032[0]!.publicKey), hex(v.message), hex(v.signature))).toBe(false)
    expect(impl.verify(new Uint8Array(31), hex(v.message), hex(v.signature))).toBe(false)
    expect(impl.verify(hex(v.publicKey), hex(v.message), new Uint8Array(63))).toBe(false)
  })

  it('verifyAsync gives the same answers as verify', async () => {
    const v = RFC8032[1]!
    const flipped = hex(v.signature)
    flipped[0]! ^= 1
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [hex(v.publicKey), hex(v.message), hex(v.signature)],
      [hex(v.publicKey), hex(v.message), flipped],
      [hex(RFC8032[0]!.publicKey), hex(v.message), hex(v.signature)],
      [new Uint8Array(31), hex(v.message), hex(v.signature)],
      [hex(v.publicKey), hex(v.message), new Uint8Array(63)],
    ]
    const answers = await Promise.all(cases.map(([k, m, s]) => impl.verifyAsync(k, m, s)))
    expect(answers).toEqual([true, false, false, false, false])
    expect(answers).toEqual(cases.map(([k, m, s]) => impl.verify(k, m, s)))
  })
})

describe('node and noble agree byte for byte', () => {
  it('on random seeds and messages', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 512 }),
        (seed, message) => {
          const pub = nodeEd25519.publicKey(seed)
          expect(nobleEd25519.publicKey(seed)).toEqual(pub)
          const sig = nodeEd25519.sign(seed, message)
          expect(nobleEd25519.sign(seed, message)).toEqual(sig)
          expect(createSigner(seed).sign(message)).toEqual(sig)
          expect(nobleEd25519.verify(pub, message, sig)).toBe(true)
          expect(nodeEd25519.verify(pub, message, sig)).toBe(true)
        },
      ),
      { numRuns: 200 },
    )
  })
})
