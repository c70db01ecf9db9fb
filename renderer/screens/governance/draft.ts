/**
 * A proposal being written in the wizard: every kind the contract knows, checked step by step before the node sees
 * it, and turned into `gov.propose` params. The checks mirror the contract's and core's (core/governance/bodies.ts
 * LIMITS, the `did` and `intString` schemas) so a member learns what is wrong while typing; the node still decides.
 */
import type { CclPolicyEntry, GovProposalKind, GovVotingMethod, Params } from '../../../app/contract'

export const PROPOSAL_KINDS: readonly GovProposalKind[] = [
  'text',
  'parameter',
  'admit',
  'remove',
  'budget',
  'policy',
  'federation',
  'capability',
]

export const WIZARD_STEPS = ['kind', 'details', 'review'] as const
export type WizardStep = (typeof WIZARD_STEPS)[number]

export interface ProposalDraft {
  scope: string
  kind: GovProposalKind
  /** Approval and ranked votes choose among options, which only text proposals have (core/governance/bodies.ts). */
  method: GovVotingMethod
  /** One option a line. */
  options: string
  title: string
  summary: string
  param: string
  value: string
  member: string
  /** Comma-separated. */
  roles: string
  asset: 'mana' | 'token'
  to: string
  amount: string
  token: string
  memo: string
  policy: CclPolicyEntry
  /** CCL source; empty with `deactivate` restores the built-in rule. */
  source: string
  deactivate: boolean
  federationOp: 'join' | 'leave'
  federation: string
  /** The capability a capability proposal grants `member` (core/governance/types.ts CAPABILITY_NAME). */
  capability: string
  note: string
}

export const EMPTY_DRAFT: ProposalDraft = {
  scope: '',
  kind: 'text',
  method: 'yesno',
  options: '',
  title: '',
  summary: '',
  param: '',
  value: '',
  member: '',
  roles: '',
  asset: 'mana',
  to: '',
  amount: '',
  token: '',
  memo: '',
  policy: 'can_propose',
  source: '',
  deactivate: false,
  federationOp: 'join',
  federation: '',
  capability: '',
  note: '',
}

/** Limits the node enforces (core/governance/bodies.ts LIMITS). */
export const LIMITS = {
  title: 200,
  summary: 20_000,
  option: 200,
  maxOptions: 20,
  roles: 8,
  role: 32,
  memo: 500,
  note: 500,
  policySource: 48 * 1024,
} as const

/**
 * What is wrong with a field: the key of its message under `gov.err` (both catalogues have every one) and the
 * values it interpolates.
 */
export interface DraftError {
  key: DraftErrorKey
  values?: Record<string, string | number>
}
export type DraftErrorKey =
  | 'scopeRequired'
  | 'titleRequired'
  | 'titleLong'
  | 'summaryLong'
  | 'optionsFew'
  | 'optionsMany'
  | 'optionLong'
  | 'optionsDuplicate'
  | 'paramRequired'
  | 'valueInteger'
  | 'valueBounds'
  | 'didInvalid'
  | 'rolesInvalid'
  | 'memberRequired'
  | 'amountPositive'
  | 'tokenRequired'
  | 'memoLong'
  | 'sourceRequired'
  | 'sourceLong'
  | 'federationRequired'
  | 'capabilityInvalid'
  | 'noteLong'
export type DraftErrors = Partial<Record<keyof ProposalDraft, DraftError>>

/** A member (did:key) or, in a federation, a cooperative (did:icn); the node checks which one the scope admits. */
export function isDid(text: string): boolean {
  return /^did:(key|icn):[A-Za-z0-9._:-]{8,190}$/.test(text.trim())
}

/** A capability name as the node accepts it: 1–64 of a-z, 0-9, ".", "_", ":", "-", starting with a letter or digit. */
export function isCapabilityName(text: string): boolean {
  return /^[a-z0-9][a-z0-9._:-]{0,63}$/.test(text)
}

/** The options of an approval or ranked vote, one a line, blanks dropped. */
export function optionList(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

export function roleList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** Bounds of the chosen parameter, to check a new value against before proposing it. */
export interface ParamBounds {
  name: string
  min: string
  max: string
}

/** The problems on a step; the wizard moves on only when there are none. */
export function validateStep(
  step: WizardStep,
  d: ProposalDraft,
  context: { params?: readonly ParamBounds[] } = {},
): DraftErrors {
  const e: DraftErrors = {}
  if (step === 'kind') {
    if (d.scope === '') e.scope = { key: 'scopeRequired' }
    return e
  }
  if (step === 'review') return { ...validateStep('kind', d), ...validateStep('details', d, context) }
  const title = d.title.trim()
  if (title === '') e.title = { key: 'titleRequired' }
  else if (title.length > LIMITS.title) e.title = { key: 'titleLong', values: { max: LIMITS.title } }
  if (d.summary.length > LIMITS.summary) e.summary = { key: 'summaryLong', values: { max: LIMITS.summary } }
  if (d.kind === 'text' && d.method !== 'yesno') {
    const options = optionList(d.options)
    if (options.length < 2) e.options = { key: 'optionsFew' }
    else if (options.length > LIMITS.maxOptions)
      e.options = { key: 'optionsMany', values: { max: LIMITS.maxOptions } }
    else if (options.some((o) => o.length > LIMITS.option))
      e.options = { key: 'optionLong', values: { max: LIMITS.option } }
    else if (new Set(options).size !== options.length) e.options = { key: 'optionsDuplicate' }
  }
  switch (d.kind) {
    case 'parameter': {
      if (d.param === '') e.param = { key: 'paramRequired' }
      const value = d.value.trim()
      if (!/^-?\d{1,40}$/.test(value)) e.value = { key: 'valueInteger' }
      else {
        const bounds = context.params?.find((p) => p.name === d.param)
        if (
          bounds !== undefined &&
          (BigInt(value) < BigInt(bounds.min) || BigInt(value) > BigInt(bounds.max))
        )
          e.value = { key: 'valueBounds', values: { min: bounds.min, max: bounds.max } }
      }
      break
    }
    case 'admit': {
      if (!isDid(d.member)) e.member = { key: 'didInvalid' }
      const roles = roleList(d.roles)
      if (
        roles.length > LIMITS.roles ||
        roles.some((r) => r.length > LIMITS.role || !/^[\p{L}\p{N}_.-]+$/u.test(r))
      )
        e.roles = { key: 'rolesInvalid', values: { max: LIMITS.roles, length: LIMITS.role } }
      break
    }
    case 'remove':
      if (d.member === '') e.member = { key: 'memberRequired' }
      break
    case 'budget':
      if (!isDid(d.to)) e.to = { key: 'didInvalid' }
      if (!/^\d{1,40}$/.test(d.amount.trim()) || BigInt(d.amount.trim()) <= 0n)
        e.amount = { key: 'amountPositive' }
      if (d.asset === 'token' && d.token.trim() === '') e.token = { key: 'tokenRequired' }
      if (d.memo.length > LIMITS.memo) e.memo = { key: 'memoLong', values: { max: LIMITS.memo } }
      break
    case 'policy':
      if (!d.deactivate && d.source.trim() === '') e.source = { key: 'sourceRequired' }
      else if (new TextEncoder().encode(d.source).length > LIMITS.policySource)
        e.source = { key: 'sourceLong', values: { max: LIMITS.policySource / 1024 } }
      break
    case 'federation':
      if (d.federation === '') e.federation = { key: 'federationRequired' }
      break
    case 'capability':
      if (d.member === '') e.member = { key: 'memberRequired' }
      if (!isCapabilityName(d.capability.trim())) e.capability = { key: 'capabilityInvalid' }
      if (d.note.length > LIMITS.note) e.note = { key: 'noteLong', values: { max: LIMITS.note } }
      break
    default:
      break
  }
  return e
}

export function hasErrors(errors: DraftErrors): boolean {
  return Object.keys(errors).length > 0
}

/** The `gov.propose` params for a draft that passed every step. */
export function proposeParams(d: ProposalDraft): Params<'gov.propose'> {
  const summary = d.summary.trim()
  const ranked = d.kind === 'text' && d.method !== 'yesno'
  return {
    scope: d.scope,
    title: d.title.trim(),
    ...(summary === '' ? {} : { summary }),
    ...(ranked ? { method: d.method, options: optionList(d.options) } : {}),
    action: actionOf(d),
  }
}

function actionOf(d: ProposalDraft): Params<'gov.propose'>['action'] {
  switch (d.kind) {
    case 'text':
      return { kind: 'text' }
    case 'parameter':
      return { kind: 'parameter', changes: [{ name: d.param, value: d.value.trim() }] }
    case 'admit': {
      const roles = roleList(d.roles)
      return { kind: 'admit', member: d.member.trim(), ...(roles.length === 0 ? {} : { roles }) }
    }
    case 'remove':
      return { kind: 'remove', member: d.member }
    case 'budget':
      return {
        kind: 'budget',
        asset: d.asset,
        to: d.to.trim(),
        amount: d.amount.trim(),
        ...(d.asset === 'token' ? { token: d.token.trim() } : {}),
        ...(d.memo.trim() === '' ? {} : { memo: d.memo.trim() }),
      }
    case 'policy':
      return { kind: 'policy', policy: d.policy, source: d.deactivate ? null : d.source }
    case 'federation':
      return { kind: 'federation', op: d.federationOp, federation: d.federation }
    case 'capability':
      return {
        kind: 'capability',
        member: d.member,
        capability: d.capability.trim(),
        ...(d.note.trim() === '' ? {} : { note: d.note.trim() }),
      }
  }
}
