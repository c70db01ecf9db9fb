import { IcnError } from './errors'

/**
 * Governed parameters. Every scope (federation, cooperative, and the implicit `global` scope) has a value for
 * each parameter: its charter sets initial values and bounds, passed parameter-change proposals change them,
 * and services read them from state through `readParams` (core/scope.ts). Values are integers (bigint) so
 * every node computes the same thing; percentages are whole percents, durations milliseconds, amounts base units.
 *
 * Services add their parameters to their own section of PARAMS; names are `service.name`.
 */
export interface ParamSpec {
  default: bigint
  /** Absolute bounds no charter can exceed. */
  min: bigint
  max: bigint
  unit: 'mana' | 'percent' | 'ms' | 'count' | 'fuel' | 'bytes' | 'bool'
  doc: string
}

export const PARAMS = {
  // economics
  'mana.capacity': {
    default: 1000n,
    min: 1n,
    max: 10n ** 15n,
    unit: 'mana',
    doc: 'Most mana regeneration fills an account to (received mana may take it above; then it pauses).',
  },
  'mana.regenPerHour': {
    default: 50n,
    min: 0n,
    max: 10n ** 12n,
    unit: 'mana',
    doc: 'Mana regenerated per hour, up to capacity.',
  },
  'mana.opening': {
    default: 500n,
    min: 0n,
    max: 10n ** 15n,
    unit: 'mana',
    doc: 'Balance a new member starts with.',
  },
  'cost.note': { default: 0n, min: 0n, max: 10n ** 12n, unit: 'mana', doc: 'Mana cost of posting a note.' },
  'cost.transfer': {
    default: 0n,
    min: 0n,
    max: 10n ** 12n,
    unit: 'mana',
    doc: 'Fee on top of the amount of a mana transfer.',
  },
  'cost.mint': {
    default: 5n,
    min: 0n,
    max: 10n ** 12n,
    unit: 'mana',
    doc: 'Mana cost of minting tokens or creating a token class.',
  },
  'cost.propose': {
    default: 10n,
    min: 0n,
    max: 10n ** 12n,
    unit: 'mana',
    doc: 'Mana cost of creating a proposal.',
  },
  'cost.vote': { default: 0n, min: 0n, max: 10n ** 12n, unit: 'mana', doc: 'Mana cost of casting a vote.' },
  // governance
  'gov.quorum': {
    default: 50n,
    min: 0n,
    max: 100n,
    unit: 'percent',
    doc: 'Share of eligible members who must vote (abstain counts).',
  },
  'gov.threshold': {
    default: 50n,
    min: 0n,
    max: 100n,
    unit: 'percent',
    doc: 'Yes share of yes + no needed to pass (strictly above).',
  },
  'gov.votingPeriodMs': {
    default: 7n * 24n * 3600n * 1000n,
    min: 1000n,
    max: 365n * 24n * 3600n * 1000n,
    unit: 'ms',
    doc: 'Default time from proposal to deadline; a proposer may choose longer, never shorter.',
  },
  'gov.finalizeGraceMs': {
    default: 3_600_000n,
    min: 0n,
    max: 30n * 24n * 3600n * 1000n,
    unit: 'ms',
    doc: 'Time after the deadline during which only the proposer may finalize; then any member, then validators.',
  },
  // mesh
  'mesh.minBidWindowMs': {
    default: 20n,
    min: 1n,
    max: 3_600_000n,
    unit: 'ms',
    doc: 'Shortest bid window a job may ask for.',
  },
  'mesh.maxFuel': {
    default: 10n ** 10n,
    min: 1n,
    max: 10n ** 13n,
    unit: 'fuel',
    doc: 'Largest fuel limit a job may ask for.',
  },
  'mesh.maxBidWindowMs': {
    default: 60_000n,
    min: 1n,
    max: 3_600_000n,
    unit: 'ms',
    doc: 'Longest bid window a job may ask for.',
  },
  'mesh.maxTimeoutMs': {
    default: 3_600_000n,
    min: 1n,
    max: 24n * 3_600_000n,
    unit: 'ms',
    doc: 'Longest wall-clock limit a job may ask for.',
  },
  'mesh.maxMemoryBytes': {
    default: 1024n * 1024n * 1024n,
    min: 65_536n,
    max: 4096n * 1024n * 1024n,
    unit: 'bytes',
    doc: 'Largest linear memory a job may ask for.',
  },
  'mesh.maxOutputBytes': {
    default: 16n * 1024n * 1024n,
    min: 0n,
    max: 64n * 1024n * 1024n,
    unit: 'bytes',
    doc: 'Largest output budget (stdout, stderr and /out together) a job may ask for.',
  },
  'mesh.maxInputs': {
    default: 64n,
    min: 0n,
    max: 1024n,
    unit: 'count',
    doc: 'Most input files a job may name.',
  },
  'mesh.disputeWindowMs': {
    default: 7n * 24n * 3_600_000n,
    min: 0n,
    max: 365n * 24n * 3_600_000n,
    unit: 'ms',
    doc: 'How long after a settlement its submitter or executor may open a dispute on it.',
  },
} as const satisfies Record<string, ParamSpec>

export type ParamName = keyof typeof PARAMS

/**
 * The mana cost of each kind of event, charged by the economics service's hook on every event of these types
 * (validated against the author's available mana in the event's economy). Types not listed cost nothing.
 */
export const EVENT_COSTS: Readonly<Record<string, ParamName>> = {
  note: 'cost.note',
  'mana/transfer': 'cost.transfer',
  'token/class': 'cost.mint',
  'token/mint': 'cost.mint',
  'gov/propose': 'cost.propose',
  'gov/vote': 'cost.vote',
}
export type ParamValues = Record<ParamName, bigint>

export function isParamName(name: unknown): name is ParamName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(PARAMS, name)
}

let defaults: Readonly<ParamValues> | undefined

/** The defaults, built once and frozen (a write to them throws rather than changing every later read). */
export function frozenDefaultParams(): Readonly<ParamValues> {
  if (defaults === undefined) {
    const out = {} as ParamValues
    for (const [name, spec] of Object.entries(PARAMS)) out[name as ParamName] = spec.default
    defaults = Object.freeze(out)
  }
  return defaults
}

/** A fresh copy of the defaults (callers overlay a scope's values on it). */
export function defaultParams(): ParamValues {
  return { ...frozenDefaultParams() }
}

/** Bounds a charter may narrow (never widen) for one parameter. */
export interface ParamBounds {
  min: bigint
  max: bigint
}

/** Checks a proposed value against the absolute bounds and, when given, the charter's. */
export function checkParam(
  name: string,
  value: unknown,
  charter?: Partial<Record<string, ParamBounds>>,
): bigint {
  if (!isParamName(name)) throw new IcnError('INVALID_ARGUMENT', `Unknown parameter "${name}".`)
  const spec: ParamSpec = PARAMS[name]
  let v: bigint
  try {
    v = typeof value === 'bigint' ? value : BigInt(value as string | number)
  } catch {
    throw new IcnError('INVALID_ARGUMENT', `${name} must be an integer.`)
  }
  const bounds = charter?.[name]
  const min = bounds === undefined || bounds.min < spec.min ? spec.min : bounds.min
  const max = bounds === undefined || bounds.max > spec.max ? spec.max : bounds.max
  if (v < min || v > max) {
    throw new IcnError(
      'GOV_BELOW_CHARTER_BOUNDS',
      `${name} must be between ${min} and ${max} (${spec.unit}); ${v} is outside.`,
      {
        details: { name, value: v.toString(), min: min.toString(), max: max.toString() },
      },
    )
  }
  return v
}
