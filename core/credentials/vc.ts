/**
 * W3C Verifiable Credentials (Data Model 2.0) secured with a Data Integrity proof, cryptosuite `eddsa-jcs-2022`
 * (W3C vc-di-eddsa §3.3): the proof options and the document without its proof are each canonicalized with JCS
 * (RFC 8785) and hashed with SHA-256; ed25519 signs hash(proof options) ‖ hash(document); `proofValue` is the
 * signature in multibase base58btc. Everything here is pure and offline: no DAG, no network.
 */
import { createHash } from 'node:crypto'
import { base58btc } from 'multiformats/bases/base58'
import { IcnError, type IcnErrorCode } from '../errors'
import { isCapabilityName } from '../governance/types'
import { didFromPublicKey, isDidKey, isScopeDid, publicKeyFromDid } from '../identity/did'
import { nodeEd25519, type Ed25519, type Signer } from '../identity/ed25519'
import { canonicalize } from './jcs'
import { decodeBase58btc } from './base58'

export const VC_CONTEXT_V2 = 'https://www.w3.org/ns/credentials/v2'
export const CRYPTOSUITE = 'eddsa-jcs-2022'
/** Credentials and presentations larger than this (canonical JSON) are refused before any hashing. */
export const MAX_CREDENTIAL_CHARS = 16 * 1024
export const MAX_PRESENTATION_CHARS = 64 * 1024
/** A presentation carries at most this many credentials. */
export const MAX_PRESENTED = 16

export const CREDENTIAL_TYPES = {
  membership: 'IcnMembershipCredential',
  role: 'IcnRoleCredential',
  capability: 'IcnCapabilityCredential',
} as const
export type CredentialKind = keyof typeof CREDENTIAL_TYPES

export type ProofPurpose = 'assertionMethod' | 'authentication'

export interface DataIntegrityProof {
  '@context'?: string[]
  type: 'DataIntegrityProof'
  cryptosuite: typeof CRYPTOSUITE
  created: string
  verificationMethod: string
  proofPurpose: ProofPurpose
  challenge?: string
  domain?: string
  proofValue: string
}

export interface CredentialSubject {
  /** The member (did:key) or member cooperative (did:icn) the credential is about. */
  id: string
  /** The scope the subject belongs to. */
  memberOf: string
  /** Role credentials only. */
  role?: string
  /** Capability credentials only: the capability a `capability` proposal granted. */
  capability?: string
}

/** The governance decision behind a credential (VC `evidence`). */
export interface GovernanceEvidence {
  type: ['IcnGovernanceDecision']
  /** Proposal and result event ids (CIDs) in the scope's DAG. */
  proposal: string
  result: string
}

export interface VerifiableCredential {
  '@context': string[]
  id: string
  type: string[]
  issuer: { id: string; name?: string }
  validFrom: string
  validUntil?: string
  credentialSubject: CredentialSubject
  evidence: GovernanceEvidence[]
  credentialStatus: { id: string; type: 'IcnDagRevocationList'; scope: string }
  proof: DataIntegrityProof
}

export type UnsignedCredential = Omit<VerifiableCredential, 'proof'>

export interface VerifiablePresentation {
  '@context': string[]
  type: ['VerifiablePresentation']
  holder: string
  verifiableCredential: VerifiableCredential[]
  proof: DataIntegrityProof
}

export type CheckName =
  'structure' | 'signature' | 'issuer' | 'validity' | 'anchor' | 'revocation' | 'holder' | 'challenge'

export interface CredentialCheck {
  check: CheckName
  status: 'passed' | 'failed' | 'skipped'
  message: string
  /** Failed checks: the error code. */
  code?: IcnErrorCode
  /** In a presentation: the credential the check is about (absent for the presentation's own checks). */
  credential?: string
}

export interface VerificationResult {
  valid: boolean
  kind: 'credential' | 'presentation'
  checks: CredentialCheck[]
  /** The first failed check's code and message. */
  error?: { code: IcnErrorCode; message: string }
  /** The credentials looked at (ids), in order. */
  credentials: string[]
}

// ---- ids -----------------------------------------------------------------------------------------------------

/**
 * Deterministic id of the credential a passed proposal grants (one per proposal and kind/name): `name` is the role
 * of a role credential and the capability of a capability credential.
 */
export function credentialId(proposal: string, kind: CredentialKind, name?: string): string {
  return kind === 'membership'
    ? `urn:icn:credential:${proposal}:membership`
    : `urn:icn:credential:${proposal}:${kind}:${encodeURIComponent(name ?? '')}`
}

export function verificationMethodOf(did: string): string {
  return `${did}#${did.slice('did:key:'.length)}`
}

/** Governance roles are free text (at most 32 characters there); credentials accept up to 64. */
export function isRoleName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64
}

// ---- proofs --------------------------------------------------------------------------------------------------

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

/** The 64 bytes eddsa-jcs-2022 signs: SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document without proof)). */
function hashData(proofOptions: Omit<DataIntegrityProof, 'proofValue'>, unsecured: object): Uint8Array {
  const out = new Uint8Array(64)
  out.set(sha256(canonicalize(proofOptions)), 0)
  out.set(sha256(canonicalize(unsecured)), 32)
  return out
}

export interface ProofOptions {
  purpose: ProofPurpose
  created: number
  challenge?: string
  domain?: string
}

/** Adds an eddsa-jcs-2022 Data Integrity proof made with `signer` (its did:key is the verification method). */
export function addProof<T extends { '@context': string[] }>(
  document: T,
  signer: Signer,
  options: ProofOptions,
): T & { proof: DataIntegrityProof } {
  const did = didFromPublicKey(signer.publicKey)
  const proofOptions: Omit<DataIntegrityProof, 'proofValue'> = {
    '@context': document['@context'],
    type: 'DataIntegrityProof',
    cryptosuite: CRYPTOSUITE,
    created: new Date(options.created).toISOString(),
    verificationMethod: verificationMethodOf(did),
    proofPurpose: options.purpose,
    ...(options.challenge === undefined ? {} : { challenge: options.challenge }),
    ...(options.domain === undefined ? {} : { domain: options.domain }),
  }
  const signature = signer.sign(hashData(proofOptions, document))
  return { ...document, proof: { ...proofOptions, proofValue: base58btc.encode(signature) } }
}

type Failure = { code: IcnErrorCode; message: string }

interface PreparedProof {
  signer: string
  publicKey: Uint8Array
  data: Uint8Array
  signature: Uint8Array
}

/** Everything of vc-di-eddsa §3.3.2 (Verify Proof, JCS variant) except the ed25519 verification itself. */
function prepareProof(document: {
  '@context': string[]
  proof: DataIntegrityProof
}): PreparedProof | Failure {
  const { proof, ...unsecured } = document
  const { proofValue, ...proofOptions } = proof
  const vm = proof.verificationMethod
  const hash = vm.indexOf('#')
  const signer = hash < 0 ? vm : vm.slice(0, hash)
  if (!isDidKey(signer) || vm !== verificationMethodOf(signer))
    return {
      code: 'CRED_BAD_SIGNATURE',
      message: `The proof's verification method ${vm.slice(0, 120)} is not a did:key key.`,
    }
  // The proof's @context, when present, must be a prefix of the document's (§3.3.2 step 4).
  const ctx = proofOptions['@context']
  if (ctx !== undefined && ctx.some((c, i) => document['@context'][i] !== c))
    return { code: 'CRED_BAD_SIGNATURE', message: "The proof's @context does not match the document's." }
  let signature: Uint8Array
  try {
    if (!proofValue.startsWith('z')) throw new Error('not base58btc')
    signature = decodeBase58btc(proofValue.slice(1))
  } catch {
    return { code: 'CRED_BAD_SIGNATURE', message: 'The proofValue is not multibase base58btc.' }
  }
  const toVerify = ctx === undefined ? unsecured : { ...unsecured, '@context': ctx }
  let data: Uint8Array
  try {
    data = hashData(proofOptions, toVerify)
  } catch (err) {
    return { code: 'CRED_INVALID', message: `The document is not plain JSON: ${(err as Error).message}` }
  }
  return { signer, publicKey: publicKeyFromDid(signer), data, signature }
}

const MISMATCH: Failure = {
  code: 'CRED_BAD_SIGNATURE',
  message:
    'The signature does not match the content: the credential was altered after it was signed, or not signed by this key.',
}

/**
 * Checks a document's proof (vc-di-eddsa §3.3.2 Verify Proof, JCS variant). Returns the signer's did:key, or why
 * not. `document` must already have passed the structure check.
 */
export function verifyProof(
  document: { '@context': string[]; proof: DataIntegrityProof },
  ed25519: Ed25519 = nodeEd25519,
): { signer: string } | Failure {
  const prepared = prepareProof(document)
  if ('code' in prepared) return prepared
  return ed25519.verify(prepared.publicKey, prepared.data, prepared.signature)
    ? { signer: prepared.signer }
    : MISMATCH
}

/** verifyProof with the ed25519 step off the calling thread (Ed25519.verifyAsync), for a node serving many checks. */
export async function verifyProofAsync(
  document: { '@context': string[]; proof: DataIntegrityProof },
  ed25519: Ed25519 = nodeEd25519,
): Promise<{ signer: string } | Failure> {
  const prepared = prepareProof(document)
  if ('code' in prepared) return prepared
  return (await ed25519.verifyAsync(prepared.publicKey, prepared.data, prepared.signature))
    ? { signer: prepared.signer }
    : MISMATCH
}

// ---- structure -----------------------------------------------------------------------------------------------

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function str(value: unknown, max = 512): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max
}

function strArray(value: unknown, maxItems = 16): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.length <= maxItems && value.every((v) => str(v))
}

export function parseDate(value: unknown): number | undefined {
  if (!str(value, 64) || !ISO_DATE.test(value)) return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms : undefined
}

class Malformed extends Error {}

function need(cond: unknown, message: string): asserts cond {
  if (cond !== true) throw new Malformed(message)
}

function checkProofShape(value: unknown, purpose: ProofPurpose): asserts value is DataIntegrityProof {
  need(isRecord(value), 'It has no proof object.')
  need(value.type === 'DataIntegrityProof', 'The proof type must be DataIntegrityProof.')
  need(value.cryptosuite === CRYPTOSUITE, `The proof cryptosuite must be ${CRYPTOSUITE}.`)
  need(parseDate(value.created) !== undefined, 'The proof has no valid created date.')
  need(str(value.verificationMethod), 'The proof has no verificationMethod.')
  need(value.proofPurpose === purpose, `The proof purpose must be ${purpose}.`)
  need(str(value.proofValue, 200), 'The proof has no proofValue.')
  need(value['@context'] === undefined || strArray(value['@context']), 'The proof @context is malformed.')
  need(value.challenge === undefined || str(value.challenge), 'The proof challenge is malformed.')
  need(value.domain === undefined || str(value.domain), 'The proof domain is malformed.')
}

/** Structural check of a credential (the shape ICN issues); throws Malformed with a reason. */
function checkCredentialShape(value: unknown): asserts value is VerifiableCredential {
  need(isRecord(value), 'A credential is a JSON object.')
  need(strArray(value['@context']), 'It has no @context.')
  need(value['@context'][0] === VC_CONTEXT_V2, `Its first @context must be ${VC_CONTEXT_V2}.`)
  need(str(value.id), 'It has no id.')
  need(
    strArray(value.type) && value.type[0] === 'VerifiableCredential',
    'Its type must start with VerifiableCredential.',
  )
  need(isRecord(value.issuer) && str(value.issuer.id), 'It has no issuer id.')
  need(parseDate(value.validFrom) !== undefined, 'It has no valid validFrom date.')
  need(
    value.validUntil === undefined || parseDate(value.validUntil) !== undefined,
    'Its validUntil is not a date.',
  )
  const subject = value.credentialSubject
  need(isRecord(subject) && str(subject.id) && str(subject.memberOf), 'It has no credentialSubject id.')
  need(subject.role === undefined || isRoleName(subject.role), 'Its role is malformed.')
  need(
    subject.capability === undefined || isCapabilityName(subject.capability),
    'Its capability is malformed.',
  )
  need(Array.isArray(value.evidence), 'It names no evidence.')
  need(isRecord(value.credentialStatus), 'It has no credentialStatus.')
  checkProofShape(value.proof, 'assertionMethod')
}

function checkPresentationShape(value: unknown): asserts value is VerifiablePresentation {
  need(isRecord(value), 'A presentation is a JSON object.')
  need(strArray(value['@context']) && value['@context'][0] === VC_CONTEXT_V2, 'It has no VC @context.')
  need(
    Array.isArray(value.type) && value.type[0] === 'VerifiablePresentation',
    'Its type must be VerifiablePresentation.',
  )
  need(str(value.holder), 'It names no holder.')
  need(
    Array.isArray(value.verifiableCredential) &&
      value.verifiableCredential.length > 0 &&
      value.verifiableCredential.length <= MAX_PRESENTED,
    `It holds 1 to ${MAX_PRESENTED} credentials.`,
  )
  checkProofShape(value.proof, 'authentication')
}

/**
 * Size of the JSON text, as a bound checked before any work. JSON.stringify (native) is several times faster than
 * canonicalizing, and within a few characters of the canonical length; values JSON cannot carry are caught when
 * the proof canonicalizes them.
 */
function sizeOf(value: unknown): number | undefined {
  try {
    return JSON.stringify(value)?.length
  } catch {
    return undefined
  }
}

/** Parses a credential, throwing CRED_INVALID with the reason. */
export function parseCredential(value: unknown): VerifiableCredential {
  const size = sizeOf(value)
  if (size === undefined) throw new IcnError('CRED_INVALID', 'The credential is not plain JSON.')
  if (size > MAX_CREDENTIAL_CHARS)
    throw new IcnError('CRED_INVALID', `The credential is larger than ${MAX_CREDENTIAL_CHARS} characters.`)
  try {
    checkCredentialShape(value)
  } catch (err) {
    if (err instanceof Malformed) throw new IcnError('CRED_INVALID', `Not a valid credential: ${err.message}`)
    throw err
  }
  return value
}

// ---- offline verification ------------------------------------------------------------------------------------

export interface OfflineOptions {
  /** Unix ms the validity period is checked against. @default Date.now() */
  now?: number
  /** When given, the issuer the caller expects; another issuer fails with CRED_WRONG_ISSUER. */
  issuer?: string
  ed25519?: Ed25519
}

/** What the offline checks learnt, for the DAG checks that follow. */
export interface OfflineOutcome {
  checks: CredentialCheck[]
  credential?: VerifiableCredential
  signer?: string
}

const passed = (check: CheckName, message: string, credential?: string): CredentialCheck =>
  credential === undefined
    ? { check, status: 'passed', message }
    : { check, status: 'passed', message, credential }
const failed = (check: CheckName, f: Failure, credential?: string): CredentialCheck =>
  credential === undefined
    ? { check, status: 'failed', code: f.code, message: f.message }
    : { check, status: 'failed', code: f.code, message: f.message, credential }
const skipped = (check: CheckName, message: string, credential?: string): CredentialCheck =>
  credential === undefined
    ? { check, status: 'skipped', message }
    : { check, status: 'skipped', message, credential }

/** The structure check; the credential when it passed. */
function structureStep(
  value: unknown,
  checks: CredentialCheck[],
  id?: string,
): VerifiableCredential | undefined {
  try {
    const credential = parseCredential(value)
    checks.push(passed('structure', 'A W3C VC 2.0 credential with a Data Integrity proof.', id))
    return credential
  } catch (err) {
    checks.push(failed('structure', { code: 'CRED_INVALID', message: (err as Error).message }, id))
    return undefined
  }
}

/** The checks after a valid signature: issuer (as far as the credential shows it) and validity dates. */
function afterSignature(
  checks: CredentialCheck[],
  credential: VerifiableCredential,
  signer: string,
  options: OfflineOptions,
  id?: string,
): OfflineOutcome {
  checks.push(passed('signature', `${CRYPTOSUITE} signature by ${signer} is valid.`, id))
  const issuer = credential.issuer.id
  if (options.issuer !== undefined && options.issuer !== issuer) {
    checks.push(
      failed(
        'issuer',
        {
          code: 'CRED_WRONG_ISSUER',
          message: `Issued by ${issuer}, not by the expected issuer ${options.issuer}.`,
        },
        id,
      ),
    )
    return { checks, credential, signer }
  }
  if (isDidKey(issuer)) {
    if (issuer !== signer) {
      checks.push(
        failed(
          'issuer',
          {
            code: 'CRED_WRONG_ISSUER',
            message: `The credential names ${issuer} as issuer but was signed by ${signer}.`,
          },
          id,
        ),
      )
      return { checks, credential, signer }
    }
    checks.push(passed('issuer', 'Signed by its issuer.', id))
  } else if (isScopeDid(issuer)) {
    checks.push(
      skipped(
        'issuer',
        `Issued by scope ${issuer} through member ${signer}; whether that member may issue for the scope is known only to nodes holding the scope's DAG.`,
        id,
      ),
    )
  } else {
    checks.push(
      failed(
        'issuer',
        {
          code: 'CRED_WRONG_ISSUER',
          message: `The issuer ${issuer.slice(0, 120)} is not a did:key or did:icn.`,
        },
        id,
      ),
    )
    return { checks, credential, signer }
  }
  const now = options.now ?? Date.now()
  const from = parseDate(credential.validFrom) as number
  const until = credential.validUntil === undefined ? undefined : parseDate(credential.validUntil)
  if (now < from)
    checks.push(
      failed(
        'validity',
        { code: 'CRED_NOT_YET_VALID', message: `Valid only from ${credential.validFrom}.` },
        id,
      ),
    )
  else if (until !== undefined && now > until)
    checks.push(
      failed('validity', { code: 'CRED_EXPIRED', message: `Expired at ${credential.validUntil}.` }, id),
    )
  else
    checks.push(
      passed(
        'validity',
        credential.validUntil === undefined
          ? `Valid since ${credential.validFrom}, no end date.`
          : `Valid from ${credential.validFrom} until ${credential.validUntil}.`,
        id,
      ),
    )
  return { checks, credential, signer }
}

/**
 * The checks any holder of the credential can run alone: structure, signature, issuer (as far as the credential
 * itself shows it) and validity dates. Stops at the first failure: later checks would only repeat it.
 */
export function checkCredentialOffline(
  value: unknown,
  options: OfflineOptions = {},
  label?: string,
): OfflineOutcome {
  const checks: CredentialCheck[] = []
  const credential = structureStep(value, checks, label)
  if (credential === undefined) return { checks }
  const proof = verifyProof(credential, options.ed25519)
  if ('code' in proof) {
    checks.push(failed('signature', proof, label))
    return { checks, credential }
  }
  return afterSignature(checks, credential, proof.signer, options, label)
}

/** checkCredentialOffline with the signature verified off the calling thread. */
export async function checkCredentialOfflineAsync(
  value: unknown,
  options: OfflineOptions = {},
  label?: string,
): Promise<OfflineOutcome> {
  const checks: CredentialCheck[] = []
  const credential = structureStep(value, checks, label)
  if (credential === undefined) return { checks }
  const proof = await verifyProofAsync(credential, options.ed25519)
  if ('code' in proof) {
    checks.push(failed('signature', proof, label))
    return { checks, credential }
  }
  return afterSignature(checks, credential, proof.signer, options, label)
}

/** Folds checks into a result: valid when none failed; `error` is the first failure. */
export function summarize(
  kind: 'credential' | 'presentation',
  checks: CredentialCheck[],
  credentials: string[],
): VerificationResult {
  const first = checks.find((c) => c.status === 'failed')
  return first === undefined
    ? { valid: true, kind, checks, credentials }
    : {
        valid: false,
        kind,
        checks,
        credentials,
        error: { code: first.code ?? 'CRED_INVALID', message: first.message },
      }
}

/** Offline verification of a credential (the bench's measured path). */
export function verifyCredentialOffline(value: unknown, options: OfflineOptions = {}): VerificationResult {
  const outcome = checkCredentialOffline(value, options)
  return summarize('credential', outcome.checks, outcome.credential ? [outcome.credential.id] : [])
}

export interface PresentationOptions {
  /** The challenge (nonce) the verifier gave the holder; a different or missing one fails. */
  challenge?: string
  /** The audience (proof `domain`) the verifier expects. */
  audience?: string
}

/**
 * Presentation-level checks: structure, the holder's signature (proof purpose authentication), challenge and
 * audience. Returns the credentials to check next, or undefined when a presentation check failed.
 */
export async function checkPresentationOffline(
  value: unknown,
  options: PresentationOptions & { ed25519?: Ed25519 } = {},
): Promise<{ checks: CredentialCheck[]; presentation?: VerifiablePresentation }> {
  const checks: CredentialCheck[] = []
  const size = sizeOf(value)
  try {
    need(size !== undefined, 'The presentation is not plain JSON.')
    need(size <= MAX_PRESENTATION_CHARS, `It is larger than ${MAX_PRESENTATION_CHARS} characters.`)
    checkPresentationShape(value)
  } catch (err) {
    const message = err instanceof Malformed ? `Not a valid presentation: ${err.message}` : String(err)
    checks.push(failed('structure', { code: 'CRED_INVALID', message }))
    return { checks }
  }
  checks.push(
    passed('structure', `A verifiable presentation of ${value.verifiableCredential.length} credential(s).`),
  )
  const proof = await verifyProofAsync(value, options.ed25519)
  if ('code' in proof) {
    checks.push(failed('signature', proof))
    return { checks }
  }
  if (proof.signer !== value.holder) {
    checks.push(
      failed('holder', {
        code: 'CRED_WRONG_HOLDER',
        message: `The presentation names ${value.holder} as holder but was signed by ${proof.signer}.`,
      }),
    )
    return { checks }
  }
  checks.push(passed('signature', `Signed by its holder ${value.holder}.`))
  if (options.challenge !== undefined && value.proof.challenge !== options.challenge) {
    checks.push(
      failed('challenge', {
        code: 'CRED_INVALID',
        message:
          'The presentation answers another challenge: it may be a replay. Ask the holder for a new one.',
      }),
    )
    return { checks }
  }
  if (options.audience !== undefined && value.proof.domain !== options.audience) {
    checks.push(
      failed('challenge', {
        code: 'CRED_INVALID',
        message: `The presentation was made for ${value.proof.domain ?? 'no audience'}, not ${options.audience}.`,
      }),
    )
    return { checks }
  }
  if (options.challenge !== undefined || options.audience !== undefined)
    checks.push(passed('challenge', 'Made for this verifier and challenge.'))
  return { checks, presentation: value }
}

/** The holder check of one presented credential: the holder must be its subject. */
export function holderCheck(holder: string, credential: VerifiableCredential): CredentialCheck {
  return credential.credentialSubject.id === holder
    ? passed('holder', 'Presented by its subject.', credential.id)
    : failed(
        'holder',
        {
          code: 'CRED_WRONG_HOLDER',
          message: `The credential is about ${credential.credentialSubject.id}, not the holder ${holder}.`,
        },
        credential.id,
      )
}

/** Signs a presentation of `credentials` as `signer` (the holder). */
export function createPresentation(
  credentials: VerifiableCredential[],
  signer: Signer,
  options: { created: number; challenge?: string; audience?: string },
): VerifiablePresentation {
  const holder = didFromPublicKey(signer.publicKey)
  const unsigned = {
    '@context': [VC_CONTEXT_V2],
    type: ['VerifiablePresentation'] as ['VerifiablePresentation'],
    holder,
    verifiableCredential: credentials,
  }
  return addProof(unsigned, signer, {
    purpose: 'authentication',
    created: options.created,
    ...(options.challenge === undefined ? {} : { challenge: options.challenge }),
    ...(options.audience === undefined ? {} : { domain: options.audience }),
  })
}
