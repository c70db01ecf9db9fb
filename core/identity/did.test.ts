import { describe, expect, it } from 'vitest'
import { base58btc } from 'multiformats/bases/base58'
import { didFromPublicKey, isDidKey, publicKeyFromDid, resolveDidKey } from './did'
import { nodeEd25519 } from './ed25519'

// Published pairs: did:key ↔ Ed25519 publicKeyBase58 (openwallet-foundation/acapy test_dids.py and the
// decentralized-identity/decentralized-web-node vendor-interoperability config, which also gives the seed).
const KNOWN = [
  {
    did: 'did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th',
    publicKeyBase58: '8HH5gYEeNc3z7PYXmd54d4x6qAfCNrqQqEB3nS7Zfu7K',
  },
  {
    did: 'did:key:z6MkwJSaEMnE4u6LiqrZV1BJHSkc9x8S4mTm3ArNL1m19BZR',
    publicKeyBase58: 'HrBXe7XnjMbscM1roSDTSMCcLNraetDQM9wSVjnzDxn3',
  },
]

describe('did:key', () => {
  it.each(KNOWN)('matches the published example $did', ({ did, publicKeyBase58 }) => {
    const publicKey = base58btc.baseDecode(publicKeyBase58)
    expect(didFromPublicKey(publicKey)).toBe(did)
    expect(publicKeyFromDid(did)).toEqual(publicKey)
  })

  it('derives the published DID from its seed', () => {
    const seed = Buffer.from('7052adea8f9823817065456ecad5bf24dcd31a698f7bc9a0b5fc170849af4226', 'hex')
    expect(didFromPublicKey(nodeEd25519.publicKey(seed))).toBe(
      'did:key:z6MkwJSaEMnE4u6LiqrZV1BJHSkc9x8S4mTm3ArNL1m19BZR',
    )
  })

  it('starts with z6Mk for every ed25519 key', () => {
    for (let i = 0; i < 20; i++) {
      const key = new Uint8Array(32).fill(i)
      const did = didFromPublicKey(key)
      expect(did.startsWith('did:key:z6Mk')).toBe(true)
      expect(publicKeyFromDid(did)).toEqual(key)
    }
  })

  it.each([
    ['empty', ''],
    ['not did:key', 'did:web:example.com'],
    ['base64 multibase', 'did:key:mAe0B'],
    ['bad base58', 'did:key:z0OIl'],
    ['too short', 'did:key:zTjsVPtY'],
    ['secp256k1 key', 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme'],
    ['very long', 'did:key:z' + '1'.repeat(500)],
  ])('rejects %s', (_name, did) => {
    expect(isDidKey(did)).toBe(false)
    expect(() => publicKeyFromDid(did)).toThrow(expect.objectContaining({ code: 'IDENTITY_INVALID_DID' }))
  })

  it('resolves to a DID document with one Ed25519 verification method', () => {
    const doc = resolveDidKey(KNOWN[0]!.did)
    expect(doc.id).toBe(KNOWN[0]!.did)
    expect(doc.verificationMethod[0]?.publicKeyMultibase).toBe(KNOWN[0]!.did.slice('did:key:'.length))
    expect(doc.authentication).toEqual([doc.verificationMethod[0]?.id])
  })
})
