import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSigner, didFromPublicKey } from '../identity'
import { base58btc } from 'multiformats/bases/base58'
import { canonicalize } from './jcs'
import { decodeBase58btc } from './base58'
import {
  CREDENTIAL_TYPES,
  VC_CONTEXT_V2,
  addProof,
  checkPresentationOffline,
  createPresentation,
  credentialId,
  holderCheck,
  verifyCredentialOffline,
  type UnsignedCredential,
  type VerifiableCredential,
} from './vc'

const SCOPE = 'did:icn:bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqmqqme5yje'
const issuerKey = createSigner(new Uint8Array(randomBytes(32)))
const holderKey = createSigner(new Uint8Array(randomBytes(32)))
const holder = didFromPublicKey(holderKey.publicKey)
const T0 = Date.parse('2026-01-01T00:00:00.000Z')

function unsigned(overrides: Partial<UnsignedCredential> = {}): UnsignedCredential {
  return {
    '@context': [VC_CONTEXT_V2],
    id: 'urn:icn:credential:bafyproposal:membership',
    type: ['VerifiableCredential', CREDENTIAL_TYPES.membership],
    issuer: { id: SCOPE, name: 'River Commons' },
    validFrom: new Date(T0).toISOString(),
    credentialSubject: { id: holder, memberOf: SCOPE },
    evidence: [{ type: ['IcnGovernanceDecision'], proposal: 'bafyproposal', result: 'bafyresult' }],
    credentialStatus: { id: `urn:icn:revocation-list:${SCOPE}`, type: 'IcnDagRevocationList', scope: SCOPE },
    ...overrides,
  }
}

const sign = (u: UnsignedCredential, key = issuerKey): VerifiableCredential =>
  addProof(u, key, { purpose: 'assertionMethod', created: T0 })

describe('JCS (RFC 8785)', () => {
  it('sorts members by code unit and serializes numbers as ECMAScript does (RFC 8785 §3.2.2 example)', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    )
    expect(canonicalize({ b: 1, a: { d: [], c: 'x' }, '\u20ac': 0, '\r': 1 })).toBe(
      '{"\\r":1,"a":{"c":"x","d":[]},"b":1,"€":0}',
    )
  })

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalize({ a: undefined })).toThrow(TypeError)
    expect(() => canonicalize(Number.NaN)).toThrow(TypeError)
    expect(() => canonicalize(1n)).toThrow(TypeError)
  })
})

describe('base58btc', () => {
  it('decodes exactly as multiformats does, leading zeros included', () => {
    const samples = [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([0, 0, 1]), new Uint8Array([255])]
    for (let n = 1; n <= 80; n++) samples.push(new Uint8Array(randomBytes(n)))
    samples.push(new Uint8Array([0, 0, ...randomBytes(64)]))
    for (const bytes of samples) {
      const text = base58btc.encode(bytes).slice(1)
      expect(decodeBase58btc(text)).toEqual(bytes)
    }
    expect(() => decodeBase58btc('abc0')).toThrow(SyntaxError)
    expect(() => decodeBase58btc('abcl')).toThrow(SyntaxError)
  })
})

describe('eddsa-jcs-2022 credentials', () => {
  it('verifies a signed credential offline and reports which checks ran', () => {
    const credential = sign(unsigned())
    expect(credential.proof).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-jcs-2022',
      proofPurpose: 'assertionMethod',
    })
    expect(credential.proof.proofValue).toMatch(/^z[1-9A-HJ-NP-Za-km-z]{80,90}$/)
    // Survives a JSON round trip in any key order: the proof covers the canonical form, not the bytes.
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(credential).reverse())))
    const result = verifyCredentialOffline(reordered, { now: T0 + 1000 })
    expect(result.valid).toBe(true)
    expect(result.checks.map((c) => [c.check, c.status])).toEqual([
      ['structure', 'passed'],
      ['signature', 'passed'],
      ['issuer', 'skipped'],
      ['validity', 'passed'],
    ])
  })

  it('rejects a tampered credential with CRED_BAD_SIGNATURE', () => {
    const credential = sign(unsigned({ credentialSubject: { id: holder, memberOf: SCOPE } }))
    const tampered = structuredClone(credential)
    tampered.credentialSubject.role = 'treasurer'
    expect(verifyCredentialOffline(tampered, { now: T0 }).error?.code).toBe('CRED_BAD_SIGNATURE')
    const otherKey = structuredClone(credential)
    otherKey.proof.verificationMethod = `${holder}#${holder.slice('did:key:'.length)}`
    expect(verifyCredentialOffline(otherKey, { now: T0 }).error?.code).toBe('CRED_BAD_SIGNATURE')
  })

  it('rejects wrong issuers with CRED_WRONG_ISSUER', () => {
    // A did:key issuer must be the signer.
    const impostor = sign(unsigned({ issuer: { id: holder } }))
    expect(verifyCredentialOffline(impostor, { now: T0 }).error).toMatchObject({ code: 'CRED_WRONG_ISSUER' })
    // A verifier expecting another scope.
    const other = 'did:icn:bafyreib2rxk3rh6kzwq4ce5vxt4cdzuexfhwrmtzwsw4tsiqrgbhw5bhcm'
    expect(verifyCredentialOffline(sign(unsigned()), { now: T0, issuer: other }).error?.code).toBe(
      'CRED_WRONG_ISSUER',
    )
  })

  it('checks the validity period: CRED_EXPIRED after validUntil, CRED_NOT_YET_VALID before validFrom', () => {
    const credential = sign(unsigned({ validUntil: new Date(T0 + 60_000).toISOString() }))
    expect(verifyCredentialOffline(credential, { now: T0 + 30_000 }).valid).toBe(true)
    expect(verifyCredentialOffline(credential, { now: T0 + 60_001 }).error?.code).toBe('CRED_EXPIRED')
    expect(verifyCredentialOffline(credential, { now: T0 - 1 }).error?.code).toBe('CRED_NOT_YET_VALID')
  })

  it('rejects malformed input with CRED_INVALID and a reason', () => {
    for (const bad of [null, 'text', {}, { ...sign(unsigned()), proof: undefined }, { ...unsigned() }]) {
      const result = verifyCredentialOffline(bad)
      expect(result.valid).toBe(false)
      expect(result.error?.code).toBe('CRED_INVALID')
      expect(result.error?.message).toMatch(/credential/)
    }
  })

  it('capability credentials: deterministic ids, offline verification, malformed capabilities refused', () => {
    expect(credentialId('bafyproposal', 'capability', 'mesh:executor')).toBe(
      'urn:icn:credential:bafyproposal:capability:mesh%3Aexecutor',
    )
    expect(credentialId('bafyproposal', 'role', 'baker')).toBe('urn:icn:credential:bafyproposal:role:baker')
    expect(CREDENTIAL_TYPES.capability).toBe('IcnCapabilityCredential')
    const capability = (name: string) =>
      sign(
        unsigned({
          id: credentialId('bafyproposal', 'capability', name),
          type: ['VerifiableCredential', CREDENTIAL_TYPES.capability],
          credentialSubject: { id: holder, memberOf: SCOPE, capability: name },
        }),
      )
    const good = capability('treasury.sign')
    expect(verifyCredentialOffline(good, { now: T0 }).valid).toBe(true)
    const tampered = structuredClone(good)
    tampered.credentialSubject.capability = 'treasury.admin'
    expect(verifyCredentialOffline(tampered, { now: T0 }).error?.code).toBe('CRED_BAD_SIGNATURE')
    for (const bad of ['Treasury', '', 'x'.repeat(65), 'a b'])
      expect(verifyCredentialOffline(capability(bad), { now: T0 }).error, bad).toMatchObject({
        code: 'CRED_INVALID',
        message: expect.stringMatching(/capability is malformed/),
      })
  })

  it('presentations: signed by the holder, bound to a challenge, holder must be the subject', async () => {
    const credential = sign(unsigned())
    const vp = createPresentation([credential], holderKey, {
      created: T0,
      challenge: 'n-1',
      audience: 'coop',
    })
    expect(
      (await checkPresentationOffline(vp, { challenge: 'n-1', audience: 'coop' })).presentation,
    ).toBeDefined()
    expect((await checkPresentationOffline(vp, { challenge: 'n-2' })).checks.at(-1)?.code).toBe(
      'CRED_INVALID',
    )
    const tampered = structuredClone(vp)
    tampered.proof.challenge = 'n-2'
    expect((await checkPresentationOffline(tampered, { challenge: 'n-2' })).checks.at(-1)?.code).toBe(
      'CRED_BAD_SIGNATURE',
    )
    const stolen = createPresentation([credential], issuerKey, { created: T0 })
    expect(holderCheck(stolen.holder, credential).code).toBe('CRED_WRONG_HOLDER')
  })
})
