/**
 * The `icn` host ABI, version 1: the contract between policy/contract modules (CCL compiles to it) and the
 * node that runs them. This file is the single description both sides build against.
 *
 * Calling convention
 * - A module exports its linear memory as `memory` and an allocator `icn_alloc(len: i32) -> i32` that returns
 *   a pointer to `len` writable bytes (CCL emits a bump allocator). The host uses it to pass strings in.
 * - Scalar types: Int and Mana are i64, Bool is i32 (0 or 1). String and Did are UTF-8 bytes passed as two
 *   i32s: (ptr, len). A Did is a String whose content the host validates where it matters.
 * - Imports live in the module namespace `icn`. Each host call is charged `HOST_CALL_FUEL` plus
 *   `HOST_BYTE_FUEL` per byte it reads from or writes to linear memory.
 * - Host functions never trap for "not found": they return the documented sentinel. They trap (the policy
 *   fails, and the node falls back to the built-in default) only for out-of-bounds pointers or invalid UTF-8.
 */

export const ABI_VERSION = 1
export const ABI_MODULE = 'icn'
export const HOST_CALL_FUEL = 50n
export const HOST_BYTE_FUEL = 1n

export type AbiScalar = 'i32' | 'i64'
export type CclType = 'Int' | 'Bool' | 'String' | 'Did' | 'Mana'

/** Wasm-level shape of an import: params and results after lowering strings to (ptr, len). */
export interface HostImportSpec {
  params: AbiScalar[]
  results: AbiScalar[]
  /** The CCL-level signature, for the compiler's checker and docs. */
  ccl: { params: CclType[]; result: CclType | 'Unit' }
  doc: string
}

export const HOST_IMPORTS = {
  abi_version: {
    params: [],
    results: ['i32'],
    ccl: { params: [], result: 'Int' },
    doc: 'The ABI version the host implements (1).',
  },
  now: {
    params: [],
    results: ['i64'],
    ccl: { params: [], result: 'Int' },
    doc: 'Timestamp (ms) of the event being decided; never the wall clock.',
  },
  param_int: {
    params: ['i32', 'i32', 'i64'],
    results: ['i64'],
    ccl: { params: ['String', 'Int'], result: 'Int' },
    doc: 'Integer parameter of the scope by name, or the given default when the scope does not set it.',
  },
  param_list_contains: {
    params: ['i32', 'i32', 'i32', 'i32'],
    results: ['i32'],
    ccl: { params: ['String', 'String'], result: 'Bool' },
    doc: 'Whether the list parameter named by the first string contains the second string (allow-lists).',
  },
  balance: {
    params: ['i32', 'i32'],
    results: ['i64'],
    ccl: { params: ['Did'], result: 'Mana' },
    doc: 'Available mana of a member at the decision point; 0 for unknown DIDs.',
  },
  reputation: {
    params: ['i32', 'i32'],
    results: ['i64'],
    ccl: { params: ['Did'], result: 'Int' },
    doc: 'Reputation score of a DID (receipts-derived); 0 for unknown DIDs.',
  },
  is_member: {
    params: ['i32', 'i32'],
    results: ['i32'],
    ccl: { params: ['Did'], result: 'Bool' },
    doc: 'Membership in the scope.',
  },
  member_since: {
    params: ['i32', 'i32'],
    results: ['i64'],
    ccl: { params: ['Did'], result: 'Int' },
    doc: 'Timestamp (ms) the DID became a member of the scope; -1 if it is not a member.',
  },
  has_role: {
    params: ['i32', 'i32', 'i32', 'i32'],
    results: ['i32'],
    ccl: { params: ['Did', 'String'], result: 'Bool' },
    doc: 'Whether the member holds the named role in the scope.',
  },
  member_count: {
    params: [],
    results: ['i64'],
    ccl: { params: [], result: 'Int' },
    doc: 'Number of members of the scope.',
  },
  log: {
    params: ['i32', 'i32'],
    results: [],
    ccl: { params: ['String'], result: 'Unit' },
    doc: 'Debug message, kept (capped at 4 KiB per call) in the policy run report; no effect on results.',
  },
} as const satisfies Record<string, HostImportSpec>

export type HostImportName = keyof typeof HOST_IMPORTS

/** Policy entry points the node calls at decision points, with the CCL signature each must have. */
export interface PolicyEntrySpec {
  params: { name: string; type: CclType }[]
  result: CclType
  doc: string
}

export const POLICY_ENTRIES = {
  can_propose: {
    params: [
      { name: 'proposer', type: 'Did' },
      { name: 'kind', type: 'String' },
    ],
    result: 'Bool',
    doc: 'Whether the member may create a proposal of this kind (text, parameter, admit, remove, budget, policy, federation, capability).',
  },
  vote_weight: {
    params: [{ name: 'voter', type: 'Did' }],
    result: 'Int',
    doc: 'Weight of a member’s vote; the default is 1 for every eligible member.',
  },
  proposal_passes: {
    params: [
      { name: 'yes', type: 'Int' },
      { name: 'no', type: 'Int' },
      { name: 'abstain', type: 'Int' },
      { name: 'eligible', type: 'Int' },
    ],
    result: 'Bool',
    doc: 'Custom tally rule over weighted totals; the default applies the scope’s quorum and threshold.',
  },
  mana_cost: {
    params: [
      { name: 'action', type: 'String' },
      { name: 'actor', type: 'Did' },
    ],
    result: 'Mana',
    doc: 'Mana cost of an action (propose, vote, transfer, submit_job, mint) for this actor.',
  },
  job_admission: {
    params: [
      { name: 'submitter', type: 'Did' },
      { name: 'executor', type: 'Did' },
      { name: 'max_price', type: 'Mana' },
      { name: 'fuel', type: 'Int' },
    ],
    result: 'Bool',
    doc: 'Whether an executor in this scope may take a job from this submitter.',
  },
} as const satisfies Record<string, PolicyEntrySpec>

export type PolicyName = keyof typeof POLICY_ENTRIES

/** Exported memory and allocator names every policy module must provide. */
export const MEMORY_EXPORT = 'memory'
export const ALLOC_EXPORT = 'icn_alloc'

/**
 * What the host functions read. The node prepares it from committed state before the call, so host calls are
 * synchronous and deterministic: the same context gives the same answers on every node.
 */
export interface PolicyContext {
  /** Timestamp (ms) of the event being decided. */
  now: number
  params: Record<string, bigint>
  listParams: Record<string, readonly string[]>
  balances: Record<string, bigint>
  reputation: Record<string, bigint>
  /** Member DID → member-since timestamp (ms). */
  members: Record<string, number>
  roles: Record<string, readonly string[]>
}
