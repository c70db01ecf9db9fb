import type { CID } from '../dag'
import type { ScopeKind } from '../scope'
import type { Choice, Tally, VotingMethod } from './tally'

/** Event types of the governance service. */
export const GOV_EVENT = {
  genesis: 'gov/genesis',
  propose: 'gov/propose',
  vote: 'gov/vote',
  delegate: 'gov/delegate',
  result: 'gov/result',
  joinRequest: 'gov/join-request',
  ballots: 'gov/ballots',
} as const

export const PROPOSAL_KINDS = [
  'text',
  'parameter',
  'admit',
  'remove',
  'budget',
  'policy',
  'federation',
  'capability',
] as const
export type ProposalKind = (typeof PROPOSAL_KINDS)[number]

/**
 * A capability a `capability` proposal grants (and its credential names): 1–64 characters of lower-case letters,
 * digits, ".", "_", ":" and "-", starting with a letter or digit, e.g. `treasury.sign` or `mesh:executor`.
 */
export const CAPABILITY_NAME = /^[a-z0-9][a-z0-9._:-]{0,63}$/

export function isCapabilityName(value: unknown): value is string {
  return typeof value === 'string' && CAPABILITY_NAME.test(value)
}

export const VOTING_METHODS = ['yesno', 'approval', 'ranked'] as const

/** Integers in bodies: dag-cbor gives numbers up to 2^53 and bigints beyond. */
export type Int = number | bigint

// ---- bodies (what is signed; every key is always present, absent values are null) ------------------------

/**
 * Creates a federation or cooperative. Scope of the event: `global`, or the parent federation for a nested
 * cooperative. The new scope's DID is `did:icn:<id of this event>`.
 */
export interface GenesisBody {
  kind: ScopeKind
  name: string
  /** Founding members besides the author (did:key). */
  members: string[]
  /** Initial parameter values (only those that differ from the defaults need be listed). */
  params: Record<string, Int>
  /** Charter bounds: may only narrow the absolute bounds of core/params.ts. */
  bounds: Record<string, { min: Int; max: Int }>
  /** Validators named in the charter (did:key); they may finalize results after members. */
  validators: string[]
  /** For a nested cooperative: the parent federation's latest log entry the author knows (author must be a member there). */
  parentBasis: CID | null
}

export type ProposalAction =
  | { kind: 'text' }
  | { kind: 'parameter'; changes: { name: string; value: Int }[] }
  | { kind: 'admit'; member: string; roles: string[]; joinRequest: CID | null }
  | { kind: 'remove'; member: string }
  | {
      kind: 'budget'
      asset: 'mana' | 'token'
      to: string
      /** Base units, > 0. */
      amount: Int
      /** Token class id for token grants, null for mana. */
      token: string | null
      memo: string
    }
  | {
      kind: 'policy'
      policy: string
      /** CCL source; null (with module null) deactivates the policy, restoring the built-in rule. */
      source: string | null
      /** CID (raw) of the module compiled from `source` by CCL compiler `compiler`. */
      module: CID | null
      compiler: number
    }
  | { kind: 'federation'; op: 'join' | 'leave'; federation: string }
  /** Grants `member` (a member at the basis) a capability credential; nothing else changes when it passes. */
  | { kind: 'capability'; member: string; capability: string; note: string }

export interface ProposeBody {
  /** The latest log entry the proposer knows (genesis or a result): eligibility and parameters are those after it. */
  basis: CID
  title: string
  summary: string
  method: VotingMethod
  /** Options of approval/ranked votes (text proposals only); [] for yes/no. */
  options: string[]
  /** null: the scope's gov.votingPeriodMs; a proposer may choose longer, never shorter. */
  votingPeriodMs: Int | null
  /** null: the scope's values; a proposer may raise them, never lower them (GOV_BELOW_CHARTER_BOUNDS). */
  quorum: Int | null
  threshold: Int | null
  action: ProposalAction
}

export interface VoteBody {
  proposal: CID
  /** yes/no/abstain for yes/no proposals; 'abstain' or null for approval and ranked ballots. */
  choice: Choice | null
  /** Approved options (approval) or the ranking (ranked choice, most preferred first); null for yes/no. */
  options: string[] | null
  reason: string | null
}

export interface DelegateBody {
  /** The delegate, or null to revoke. */
  to: string | null
  /** Restricts the delegation to one proposal; null: every proposal of the scope. */
  proposal: CID | null
}

/** Who finalizes: 0 the proposer within the grace period, 1 any member after it, 2 a validator after it. */
export type FinalizerRank = 0 | 1 | 2

export interface ResultBody {
  proposal: CID
  /** Position in the scope's governance log (genesis is 0). */
  n: number
  /** The log entry at n − 1. */
  prev: CID
  rank: FinalizerRank
  /** The votes and delegations counted (each voter and delegator at most once over these and the batches). */
  votes: CID[]
  delegations: CID[]
  /** `gov/ballots` events listing more of them, for electorates larger than one event holds. */
  batches: CID[]
  tally: Tally
}

/** Part of the ballots a result counts, when they do not fit in the result event itself. */
export interface BallotsBody {
  proposal: CID
  votes: CID[]
  delegations: CID[]
}

/** A signed invitation (not an event): shared as an `icn://invite/<base64url>` link. */
export interface Invite {
  v: 1
  scope: string
  inviter: string
  /** Only this DID may use it; null: whoever holds the link (once). */
  invitee: string | null
  /** The inviter node's libp2p listen addresses, to connect and sync from. */
  addrs: string[]
  /** Unix ms after which the invite is refused. */
  expires: number
  nonce: Uint8Array
  /** The scope's log entry the inviter knew; the inviter must be a member after it. */
  basis: CID
  sig: Uint8Array
}

export interface JoinRequestBody {
  invite: Invite
  message: string | null
}

// ---- state records -------------------------------------------------------------------------------------

export interface LogEntryRecord {
  scope: string
  n: number
  /** The finalized proposal (null for genesis). */
  proposal: string | null
  ts: number
}

export interface ProposalRecord {
  scope: string
  proposer: string
  createdAt: number
  basis: string
  basisN: number
  title: string
  summary: string
  kind: ProposalKind
  /** The action without bulky parts (a policy's source stays in the event). */
  action: StoredAction
  method: VotingMethod
  options: string[]
  quorum: number
  threshold: number
  deadline: number
  /** Until then only the proposer may finalize. */
  finalizeBy: number
  /** Members eligible to vote (membership after the basis). */
  eligible: number
}

export type StoredAction =
  | { kind: 'text' }
  | { kind: 'parameter'; changes: { name: string; value: Int }[] }
  | { kind: 'admit'; member: string; roles: string[]; joinRequest: string | null }
  | { kind: 'remove'; member: string }
  | { kind: 'budget'; asset: 'mana' | 'token'; to: string; amount: Int; token: string | null; memo: string }
  | { kind: 'policy'; policy: string; module: string | null; compiler: number }
  | { kind: 'federation'; op: 'join' | 'leave'; federation: string }
  | { kind: 'capability'; member: string; capability: string; note: string }

export type ExecutionStatus = 'done' | 'failed' | 'none'

export interface ResultRecord {
  id: string
  n: number
  finalizer: string
  rank: number
  ts: number
  passed: boolean
  tally: Tally
  execution: { status: ExecutionStatus; message: string }
}

export interface VoteRecord {
  id: string
  seq: number
  ts: number
  choice: Choice | null
  options: string[] | null
  reason: string | null
}

export interface DelegationStored {
  id: string
  seq: number
  ts: number
  to: string | null
  proposal: string | null
}

export interface JoinRequestRecord {
  author: string
  inviter: string
  ts: number
}

export interface PolicyRecord {
  module: string
  proposal: string
  n: number
  ts: number
}
