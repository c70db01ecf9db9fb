/**
 * Credential figures (issue 10): offline verification of scope-issued credentials (W3C VC 2.0, eddsa-jcs-2022:
 * JCS + SHA-256 + ed25519), target ≥ 5,000 verifications/s on one core. Baseline, measured in the same run:
 * bare ed25519 verifications/s (node:crypto, cached key), the floor any credential check sits on.
 */
import { availableParallelism, loadavg } from 'node:os'
import { randomBytes } from 'node:crypto'
import { createSigner, didFromPublicKey, nodeEd25519 } from '../core/identity'
import {
  CREDENTIAL_TYPES,
  VC_CONTEXT_V2,
  addProof,
  checkCredentialOfflineAsync,
  credentialId,
  verifyCredentialOffline,
  type VerifiableCredential,
} from '../core/credentials'
import { atLeast, round, type BenchSuite, type Figure } from './harness'

const ISSUERS = 8
const CREDENTIALS = 400
const ROUNDS = 25
const SCOPE = 'did:icn:bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqmqqme5yje'
const PROPOSAL = 'bafyreib2rxk3rh6kzwq4ce5vxt4cdzuexfhwrmtzwsw4tsiqrgbhw5bhcm'

function credentials(): VerifiableCredential[] {
  const issuers = Array.from({ length: ISSUERS }, () => createSigner(new Uint8Array(randomBytes(32))))
  const now = Date.now()
  return Array.from({ length: CREDENTIALS }, (_, i) => {
    const subject = didFromPublicKey(createSigner(new Uint8Array(randomBytes(32))).publicKey)
    const role = i % 2 === 0 ? undefined : `role-${i}`
    return addProof(
      {
        '@context': [VC_CONTEXT_V2],
        id: credentialId(`${PROPOSAL}${i}`, role === undefined ? 'membership' : 'role', role),
        type: [
          'VerifiableCredential',
          role === undefined ? CREDENTIAL_TYPES.membership : CREDENTIAL_TYPES.role,
        ],
        issuer: { id: SCOPE, name: 'Bench Cooperative' },
        validFrom: new Date(now - 1000).toISOString(),
        validUntil: new Date(now + 86_400_000).toISOString(),
        credentialSubject: { id: subject, memberOf: SCOPE, ...(role === undefined ? {} : { role }) },
        evidence: [{ type: ['IcnGovernanceDecision'], proposal: `${PROPOSAL}${i}`, result: PROPOSAL }],
        credentialStatus: {
          id: `urn:icn:revocation-list:${SCOPE}`,
          type: 'IcnDagRevocationList',
          scope: SCOPE,
        },
      },
      issuers[i % ISSUERS]!,
      { purpose: 'assertionMethod', created: now - 1000 },
    )
  })
}

/** Credentials arrive as JSON text (a file, an RPC call): parse + verify, as `icn cred verify` does. */
function verifyRate(texts: string[]): number {
  const now = Date.now()
  let valid = 0
  const started = performance.now()
  for (let r = 0; r < ROUNDS; r++)
    for (const text of texts) if (verifyCredentialOffline(JSON.parse(text), { now }).valid) valid++
  const seconds = (performance.now() - started) / 1000
  if (valid !== ROUNDS * texts.length) throw new Error('a credential failed verification')
  return (ROUNDS * texts.length) / seconds
}

/** The node's path (credentials.verify): the ed25519 step on libuv's thread pool, `inFlight` checks at a time. */
async function concurrentRate(texts: string[], inFlight = 64): Promise<number> {
  const now = Date.now()
  const total = ROUNDS * texts.length
  let next = 0
  let valid = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const text = texts[next++ % texts.length] as string
        const outcome = await checkCredentialOfflineAsync(JSON.parse(text), { now })
        if (!outcome.checks.some((c) => c.status === 'failed')) valid++
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  if (valid !== total) throw new Error('a credential failed verification')
  return total / seconds
}

function ed25519Rate(): number {
  const signer = createSigner(new Uint8Array(randomBytes(32)))
  const message = new Uint8Array(randomBytes(64))
  const signature = signer.sign(message)
  const n = ROUNDS * CREDENTIALS
  const started = performance.now()
  for (let i = 0; i < n; i++)
    if (!nodeEd25519.verify(signer.publicKey, message, signature)) throw new Error('bad signature')
  return n / ((performance.now() - started) / 1000)
}

export const credentialsBench: BenchSuite = {
  name: 'credentials',
  async run(): Promise<Figure[]> {
    const texts = credentials().map((c) => JSON.stringify(c))
    verifyRate(texts.slice(0, 50)) // warm up the JIT and the key cache
    ed25519Rate()
    const rate = verifyRate(texts)
    const baseline = ed25519Rate()
    const concurrent = await concurrentRate(texts)
    const load = round(loadavg()[0] ?? 0, 2)
    return [
      {
        name: `credential verification, offline (JSON parse + JCS + SHA-256 + ed25519, ${CREDENTIALS} credentials × ${ROUNDS}, one core, load ${load})`,
        value: Math.round(rate),
        unit: 'verifications/s',
        target: '≥ 5000',
        pass: atLeast(rate, 5000),
        baseline: {
          name: 'raw ed25519 verify (node:crypto)',
          value: Math.round(baseline),
          unit: 'verifications/s',
        },
      },
      {
        name: `credential verification, offline, ed25519 on the thread pool (64 in flight, ${availableParallelism()} cores, load ${load})`,
        value: Math.round(concurrent),
        unit: 'verifications/s',
        target: '≥ 5000',
        pass: atLeast(concurrent, 5000),
        baseline: {
          name: 'raw ed25519 verify, one core',
          value: Math.round(baseline),
          unit: 'verifications/s',
        },
      },
    ]
  },
}
