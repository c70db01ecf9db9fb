/**
 * The arithmetic of CCL on exact integers, shared by the constant folder and the reference interpreter. The code
 * generator emits the same checks as wasm (codegen.ts `emitRuntime`); the differential tests hold them together.
 */
import { IcnError } from '../errors'

/** Trap kinds and the codes compiled modules store at address 0 before `unreachable` (docs/ccl.md §10). */
export const TRAP_CODES = {
  overflow: 1,
  division_by_zero: 2,
  index_out_of_bounds: 3,
  negative_mana: 4,
  invalid_did: 5,
  out_of_memory: 6,
} as const

export type RaisedTrapKind = keyof typeof TRAP_CODES
/** `stack_overflow` and `host` are traps the program did not raise itself (code 0 in compiled modules). */
export type TrapKind = RaisedTrapKind | 'stack_overflow' | 'host'

const TRAP_MESSAGES: Record<TrapKind, string> = {
  overflow: 'integer overflow',
  division_by_zero: 'division by zero',
  index_out_of_bounds: 'array index out of bounds',
  negative_mana: 'mana cannot be negative',
  invalid_did: 'string is not a DID (it must start with `did:`)',
  out_of_memory: 'out of memory',
  stack_overflow: 'call stack exhausted (recursion too deep)',
  host: 'a host function failed',
}

export function trapKindFromCode(code: number): RaisedTrapKind | undefined {
  for (const [kind, value] of Object.entries(TRAP_CODES)) if (value === code) return kind as RaisedTrapKind
  return undefined
}

/** A policy trap: `IcnError('CCL_POLICY_FAILED')` with `details.trap`. */
export function trapError(kind: TrapKind, cause?: unknown): IcnError {
  return new IcnError('CCL_POLICY_FAILED', `The policy trapped: ${TRAP_MESSAGES[kind]}.`, {
    details: { trap: kind },
    ...(cause === undefined ? {} : { cause }),
  })
}

/** The trap kind of an error thrown by `interpret` or a test-host call, if it is a policy trap. */
export function trapKindOf(err: unknown): TrapKind | undefined {
  if (err instanceof IcnError && err.code === 'CCL_POLICY_FAILED') {
    const trap = err.details?.trap
    if (typeof trap === 'string' && trap in TRAP_MESSAGES) return trap as TrapKind
  }
  return undefined
}

export const I64_MIN = -(1n << 63n)
export const I64_MAX = (1n << 63n) - 1n

function int(value: bigint): bigint {
  if (value < I64_MIN || value > I64_MAX) throw trapError('overflow')
  return value
}

export function checkedAdd(a: bigint, b: bigint): bigint {
  return int(a + b)
}

export function checkedSub(a: bigint, b: bigint): bigint {
  return int(a - b)
}

export function checkedMul(a: bigint, b: bigint): bigint {
  return int(a * b)
}

export function checkedDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw trapError('division_by_zero')
  // BigInt division truncates toward zero, like i64.div_s; only MIN / -1 leaves the range.
  return int(a / b)
}

export function checkedRem(a: bigint, b: bigint): bigint {
  if (b === 0n) throw trapError('division_by_zero')
  // As Rust's checked_rem: MIN % -1 is an overflow even though the mathematical result (0) fits.
  if (a === I64_MIN && b === -1n) throw trapError('overflow')
  return a % b
}

export function checkedNeg(a: bigint): bigint {
  return int(-a)
}

export function manaCheck(value: bigint): bigint {
  if (value < 0n) throw trapError('negative_mana')
  return value
}

export function didCheck(value: string): string {
  if (!value.startsWith('did:')) throw trapError('invalid_did')
  return value
}

const encoder = new TextEncoder()

export function utf8Length(value: string): bigint {
  return BigInt(encoder.encode(value).length)
}
