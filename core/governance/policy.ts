/**
 * The policy seam. Governance decides three things that a scope may customise with a CCL policy
 * (core/runtime/abi.ts POLICY_ENTRIES): `can_propose`, `vote_weight` and `proposal_passes`. Validation and the
 * tally call them only through `GovernancePolicy`; the built-in defaults below apply unless a passed policy
 * proposal activated a module for the scope *as of the proposal's basis* (so a proposal's rules are frozen at
 * creation like its electorate, and every node computes the same thing).
 *
 * The CCL issue plugs its runtime in through `GovernanceInit.policyRuntime`. A runtime must be deterministic:
 * the same module and inputs give the same answer on every node, and it must not read the wall clock or any
 * state outside the context it is handed. If a module traps, the node falls back to the built-in rule (as the
 * ABI documents), which is also deterministic.
 */
import type { StateView } from '../dag'
import type { PolicyName } from '../runtime/abi'
import { DEFAULT_TALLY_POLICY, defaultPasses, type PassInput, type TallyPolicy } from './tally'

/** The policies governance consults. */
export const GOVERNANCE_POLICIES = [
  'can_propose',
  'vote_weight',
  'proposal_passes',
] as const satisfies readonly PolicyName[]
export type GovernancePolicyName = (typeof GOVERNANCE_POLICIES)[number]

export interface CanProposeInput {
  scope: string
  proposer: string
  /**
   * The proposal kind: text, parameter, admit, remove, budget, policy, federation, capability (as the ABI names
   * them).
   */
  kind: string
  /** ts of the proposal event. */
  ts: number
  /** Whether the proposer is a member at the basis (the built-in rule). */
  isMember: boolean
}

export interface GovernancePolicy extends TallyPolicy {
  canPropose: (input: CanProposeInput) => boolean
}

export const DEFAULT_POLICY: GovernancePolicy = {
  canPropose: (input) => input.isMember,
  voteWeight: DEFAULT_TALLY_POLICY.voteWeight,
  proposalPasses: (input: PassInput) => defaultPasses(input),
}

/** What a policy runtime is handed to build the hooks of one scope's active modules. */
export interface PolicyLoadInput {
  scope: string
  /** Active module CID (raw) per policy name, as of the basis; absent names use the built-in rule. */
  modules: Partial<Record<GovernancePolicyName, string>>
  /** The proposal being decided (its basis position and creation ts), so context reads can be pinned. */
  basisN: number
  ts: number
  /** State as the rule sees it (the writer's view during validation). */
  view: StateView
}

/**
 * Supplied by the CCL runtime. Returns overrides for the entries it implements; anything it leaves out stays
 * built-in. Called only when a scope has at least one active governance policy module.
 */
export interface PolicyRuntime {
  load(input: PolicyLoadInput): Promise<Partial<GovernancePolicy>>
}

export function withDefaults(overrides: Partial<GovernancePolicy>): GovernancePolicy {
  return {
    canPropose: overrides.canPropose ?? DEFAULT_POLICY.canPropose,
    voteWeight: overrides.voteWeight ?? DEFAULT_POLICY.voteWeight,
    proposalPasses: overrides.proposalPasses ?? DEFAULT_POLICY.proposalPasses,
  }
}
