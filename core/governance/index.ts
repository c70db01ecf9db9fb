import type { Startable } from '../lifecycle'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { Identity } from '../identity'
import type { Dag } from '../dag'
import type { ScopeKind } from '../scope'
import type { GrantExecutor } from './execute'
import type { PolicyRuntime } from './policy'
import type { Choice, Tally, VotingMethod } from './tally'
import type { ExecutionStatus, ProposalKind } from './types'

export interface GovernanceInit {
  /**
   * How often the node looks for proposals to finalize and join requests to turn into admit proposals (ms).
   * @default 1000
   */
  tickMs?: number
  /**
   * How long after a deadline the proposer's node waits before finalizing, so that votes cast just before the
   * deadline have reached it (ms).
   * @default 3000
   */
  settleMs?: number
  /** How long `join` waits for the scope's history to arrive from the inviter's node (ms). @default 60_000 */
  joinTimeoutMs?: number
  /** Finalize proposals and answer join requests automatically. @default true */
  autoFinalize?: boolean
  /**
   * Votes and delegations a result lists itself; beyond this they go into `gov/ballots` batches (at most 1,400
   * per event, the size that keeps events under 64 KiB).
   * @default 1400
   */
  batchSize?: number
  /** The CCL runtime for scopes with active governance policies; without it the built-in rules apply. */
  policyRuntime?: PolicyRuntime
  /** Credits budget grants (the economics service supplies it); without it grants execute as 'failed'. */
  grants?: GrantExecutor
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number
}

/** The part of the network service governance uses (joining a scope's topics, reaching an inviter's node). */
export interface GovernanceNetwork {
  /** Resolves once the host is up (listen addresses known); rejects when networking is off or failed. */
  ready(): Promise<void>
  subscribe(scope: string): Promise<void>
  connect(multiaddr: string, options?: { signal?: AbortSignal }): Promise<unknown>
  listenAddrs(): string[]
  sync(options?: { peerId?: string; signal?: AbortSignal }): Promise<unknown>
}

export interface GovernanceComponents {
  dag: Dag
  identity: Identity
  events: EventBus
  logger: Logger
  /** Optional: absent when the node runs without networking. */
  network?: GovernanceNetwork | undefined
}

// ---- inputs ------------------------------------------------------------------------------------------------

/** Integers as decimal strings (or numbers/bigints from core callers). */
export type IntInput = string | number | bigint

export interface CreateScopeInput {
  kind: ScopeKind
  name: string
  /** Founding members besides this node's member. */
  members?: string[]
  params?: Record<string, IntInput>
  bounds?: Record<string, { min: IntInput; max: IntInput }>
  validators?: string[]
  /** A federation this cooperative is created inside (the member must belong to it). */
  parent?: string
}

export type ActionInput =
  | { kind: 'text' }
  | { kind: 'parameter'; changes: { name: string; value: IntInput }[] }
  | { kind: 'admit'; member: string; roles?: string[]; joinRequest?: string }
  | { kind: 'remove'; member: string }
  | { kind: 'budget'; asset: 'mana' | 'token'; to: string; amount: IntInput; token?: string; memo?: string }
  /** source null deactivates the named policy (back to the built-in rule). */
  | { kind: 'policy'; policy: string; source: string | null }
  | { kind: 'federation'; op: 'join' | 'leave'; federation: string }
  /** A capability credential for a current member (core/governance/types.ts CAPABILITY_NAME). */
  | { kind: 'capability'; member: string; capability: string; note?: string }

export interface ProposeInput {
  scope: string
  title: string
  summary?: string
  action: ActionInput
  /** @default 'yesno' */
  method?: VotingMethod
  options?: string[]
  votingPeriodMs?: number
  quorum?: number
  threshold?: number
}

export interface VoteInput {
  proposal: string
  choice?: Choice
  /** Approved options (approval) or ranking (ranked choice). */
  options?: string[]
  reason?: string
}

export interface DelegateInput {
  scope: string
  /** null revokes. */
  to: string | null
  proposal?: string
}

export type ProposalStatus = 'open' | 'closed' | 'passed' | 'failed' | 'void'

export interface ProposalFilter {
  scope?: string
  status?: ProposalStatus
  /** The proposal type (its action kind). */
  type?: ProposalKind
  /** @default 50, at most 500 */
  limit?: number
  /** `next` from a previous page. */
  cursor?: string
}

// ---- views (plain data: CIDs and DIDs as strings, amounts and parameter values as integer strings) --------

export interface ScopeSummary {
  scope: string
  kind: ScopeKind
  name: string
  /** The federation it was created inside (fixed at genesis; its economy), or null. */
  parent: string | null
  /** The federation it belongs to: its parent, or one it joined by proposal. */
  federation: string | null
  genesis: string
  createdAt: number
  validators: string[]
  members: number
  /** Position of the latest log entry. */
  head: number
  isMember: boolean
  /** Cooperatives that belong to this federation (nested or joined). */
  children: string[]
}

export type ActionView =
  | { kind: 'text' }
  | { kind: 'parameter'; changes: { name: string; value: string }[] }
  | { kind: 'admit'; member: string; roles: string[]; joinRequest: string | null }
  | { kind: 'remove'; member: string }
  | {
      kind: 'budget'
      asset: 'mana' | 'token'
      to: string
      amount: string
      token: string | null
      memo: string
    }
  | { kind: 'policy'; policy: string; module: string | null; compiler: number }
  | { kind: 'federation'; op: 'join' | 'leave'; federation: string }
  | { kind: 'capability'; member: string; capability: string; note: string }

export interface ProposalSummary {
  id: string
  scope: string
  title: string
  kind: ProposalKind
  method: VotingMethod
  status: ProposalStatus
  proposer: string
  createdAt: number
  deadline: number
  /** Distinct members who voted directly. */
  votes: number
  eligible: number
}

export interface QuorumProgress {
  eligible: number
  participants: number
  direct: number
  delegated: number
  needed: number
  met: boolean
}

export interface ResultView {
  id: string
  n: number
  finalizer: string
  rank: number
  ts: number
  passed: boolean
  execution: { status: ExecutionStatus; message: string }
  /** Valid votes this node holds (ts ≤ deadline) that the result did not count. */
  uncounted: string[]
}

export interface ProposalView extends ProposalSummary {
  scopeName: string
  summary: string
  action: ActionView
  options: string[]
  quorum: number
  threshold: number
  finalizeBy: number
  basis: string
  basisN: number
  /** The final tally when there is a result, else the live tally over the votes this node holds. */
  tally: Tally | null
  live: boolean
  quorumProgress: QuorumProgress | null
  result: ResultView | null
  /** Why a void proposal is void, and what to do. */
  voidReason: { code: string; message: string } | null
}

export interface VoteView {
  id: string
  proposal: string
  voter: string
  choice: Choice | null
  options: string[] | null
  reason: string | null
  ts: number
}

export interface DelegationView {
  id: string
  scope: string
  delegator: string
  to: string | null
  proposal: string | null
  ts: number
}

export interface EligibilityView {
  proposal: string
  did: string
  canVote: boolean
  /** Why not (an error code), or null. */
  code: string | null
  /** One sentence for people. */
  reason: string
  /** Member at the proposal's basis. */
  eligible: boolean
  deadline: number
  /** The delegate whose vote counts for this member unless they vote directly. */
  delegatedTo: string | null
  /** Members whose vote this member currently carries (one hop). */
  delegators: string[]
  vote: { choice: Choice | null; options: string[] | null; ts: number } | null
  /** Mana a vote costs here (integer string). */
  cost: string
}

export interface MemberView {
  did: string
  since: number
  roles: string[]
  admittedBy: string
}

export interface ParameterView {
  name: string
  value: string
  default: string
  min: string
  max: string
  unit: string
  doc: string
}

export interface InviteView {
  link: string
  scope: string
  inviter: string
  invitee: string | null
  expires: number
  addrs: string[]
}

export interface JoinView {
  scope: string
  name: string
  request: string
  inviter: string
}

export interface Governance extends Startable {
  createScope(input: CreateScopeInput, options?: { signal?: AbortSignal }): Promise<ScopeSummary>
  invite(input: { scope: string; invitee?: string; expiresInMs?: number }): Promise<InviteView>
  join(
    input: { invite: string; message?: string },
    options?: {
      signal?: AbortSignal
      onProgress?: (p: { done: number; total?: number; message: string }) => void
    },
  ): Promise<JoinView>
  propose(input: ProposeInput, options?: { signal?: AbortSignal }): Promise<ProposalView>
  vote(input: VoteInput, options?: { signal?: AbortSignal }): Promise<VoteView>
  delegate(input: DelegateInput, options?: { signal?: AbortSignal }): Promise<DelegationView>
  list(filter?: ProposalFilter): Promise<{ proposals: ProposalSummary[]; next: string | null }>
  get(proposal: string): Promise<ProposalView>
  eligibility(proposal: string, did?: string): Promise<EligibilityView>
  members(scope: string): Promise<{ scope: string; count: number; members: MemberView[] }>
  parameters(scope: string): Promise<{ scope: string; parameters: ParameterView[] }>
  scopes(): Promise<ScopeSummary[]>
  scope(scope: string): Promise<ScopeSummary>
  /** Writes the result of a proposal whose deadline has passed (the auto-finalizer calls this). */
  finalize(proposal: string, options?: { signal?: AbortSignal }): Promise<ProposalView>
}

export { governance } from './governance'
export { tally, effectiveBallots, DEFAULT_TALLY_POLICY } from './tally'
export type {
  Ballot,
  DelegationRecord,
  EligibleSet,
  Tally,
  TallyPolicy,
  TallyProposal,
  VotingMethod,
  Choice,
} from './tally'
export { DEFAULT_POLICY, GOVERNANCE_POLICIES } from './policy'
export type { GovernancePolicy, PolicyRuntime, PolicyLoadInput, CanProposeInput } from './policy'
export type { GrantExecutor, GrantRequest } from './execute'
export { CAPABILITY_NAME, GOV_EVENT, PROPOSAL_KINDS, isCapabilityName } from './types'
export type { ProposalKind, Invite } from './types'
export { decodeInviteLink, encodeInviteLink, INVITE_PREFIX } from './invite'
export { scopeDid } from './bodies'
export { govKeys } from './state'
