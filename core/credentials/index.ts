import type { Startable } from '../lifecycle'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { Identity } from '../identity'
import type { Dag } from '../dag'
import type { CredentialKind, VerifiableCredential, VerifiablePresentation, VerificationResult } from './vc'

export interface CredentialsInit {
  /**
   * Issue credentials when a proposal admitting a member or granting a capability passes, and revoke them when a
   * removal passes, on the node whose member finalized the proposal.
   * @default true
   */
  autoIssue?: boolean
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number
}

export interface CredentialsComponents {
  dag: Dag
  identity: Identity
  events: EventBus
  logger: Logger
}

/** A credential anchored in this node's DAG (plain data). */
export interface CredentialSummary {
  id: string
  kind: CredentialKind
  role: string | null
  /** The capability of a capability credential, else null. */
  capability: string | null
  /** The issuing scope (did:icn), the credential's issuer. */
  scope: string
  subject: string
  /** The member whose key signed it on the scope's behalf. */
  signer: string
  proposal: string
  /** The cred/issue event that anchors it. */
  event: string
  issuedAt: number
  validFrom: string
  validUntil: string | null
  revoked: boolean
  revokedAt: number | null
}

export interface CredentialDetail extends CredentialSummary {
  credential: VerifiableCredential
  revocations: RevocationView[]
}

export interface RevocationView {
  credential: string
  event: string
  author: string
  /** The removal proposal that required it, or null when its signer withdrew it. */
  proposal: string | null
  reason: string
  ts: number
}

export interface IssueInput {
  /** A passed proposal that grants membership and roles (admit) or a capability (capability). */
  proposal: string
  /** Which of the proposal's credentials to issue. @default every one it grants */
  kind?: CredentialKind
  role?: string
  capability?: string
  /** Unix ms after which the credential expires. @default no end date */
  validUntil?: number
}

export interface RevokeInput {
  id: string
  /** A passed removal proposal of the subject; without it only the credential's signer may revoke. */
  proposal?: string
  reason?: string
}

export interface VerifyInput {
  credential?: unknown
  presentation?: unknown
  /** The issuer the caller expects (a scope DID); another one fails with CRED_WRONG_ISSUER. */
  issuer?: string
  /** For presentations: the challenge and audience the verifier gave the holder. */
  challenge?: string
  audience?: string
  /** Unix ms to check validity against. @default now */
  now?: number
}

export interface Credentials extends Startable {
  /** Credentials anchored in this node's DAG: of `did` (default this node's member), or of a whole scope. */
  list(filter?: { did?: string; scope?: string }): Promise<CredentialSummary[]>
  /** Throws CRED_NOT_FOUND. */
  get(id: string): Promise<CredentialDetail>
  /**
   * Signs and anchors (cred/issue) the credentials a passed proposal grants; needs a member of the scope.
   * Bad input throws before anything is written.
   */
  issue(input: IssueInput, options?: { signal?: AbortSignal }): Promise<CredentialDetail[]>
  /** Anchors a revocation (cred/revoke) in the scope's DAG. */
  revoke(input: RevokeInput, options?: { signal?: AbortSignal }): Promise<RevocationView>
  /** A presentation of one of this node's member's credentials, signed by the member (the holder). */
  present(input: { id: string; audience?: string; challenge?: string }): Promise<VerifiablePresentation>
  /** Offline checks plus, where this node holds the scope, the DAG's anchoring and revocation state. */
  verify(input: VerifyInput): Promise<VerificationResult>
}

export { credentials } from './credentials'
export { CRED_EVENT, credKeys } from './keys'
export * from './vc'
export { canonicalize } from './jcs'
