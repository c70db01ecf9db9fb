import { IcnError, type IcnErrorCode } from '../errors'

/**
 * Sentinels thrown by host functions to stop the guest, and the classification of whatever ended a guest call.
 * A trap's cause is read from the instrumented globals, which freeze at the moment of the trap: a negative fuel
 * counter can only come from the injected fuel checks, a negative stack budget only from the call-site checks.
 */

/** A host function found the fuel counter exhausted. */
export class FuelExhausted extends Error {
  constructor() {
    super('out of fuel')
    this.name = 'FuelExhausted'
  }
}

/** WASI proc_exit. */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
    this.name = 'ProcExit'
  }
}

/** A write would exceed the job's output budget. */
export class OutputLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`output limit of ${limit} bytes exceeded`)
    this.name = 'OutputLimitExceeded'
  }
}

export interface GuestFailure {
  code: IcnErrorCode
  message: string
}

export interface TrapState {
  fuelRemaining: bigint
  stackRemaining: number
  /** Whether a memory.grow failed during the run (the memory was at its clamped maximum). */
  memoryLimitHit: boolean
  memoryLimitMiB?: number
}

/** Maps whatever a guest call threw to a runtime error code and a message a person can act on. */
export function classifyTrap(err: unknown, state: TrapState): GuestFailure {
  if (err instanceof FuelExhausted || state.fuelRemaining < 0n) {
    return {
      code: 'RUNTIME_OUT_OF_FUEL',
      message: 'The module ran out of fuel; give it a larger fuel limit.',
    }
  }
  if (err instanceof OutputLimitExceeded) {
    return {
      code: 'RUNTIME_OUTPUT_LIMIT',
      message: `The module wrote more than its output limit of ${err.limit} bytes (stdout, stderr and /out together).`,
    }
  }
  if (state.stackRemaining < 0 || (err instanceof RangeError && /call stack/i.test(err.message))) {
    return {
      code: 'RUNTIME_STACK_OVERFLOW',
      message: 'The module exceeded its call stack budget (unbounded or very deep recursion).',
    }
  }
  if (err instanceof IcnError && err.code.startsWith('RUNTIME_'))
    return { code: err.code, message: err.message }
  if (err instanceof WebAssembly.RuntimeError) {
    if (state.memoryLimitHit) return memoryLimitFailure(state, `then trapped (${err.message})`)
    return { code: 'RUNTIME_TRAP', message: `The module trapped: ${err.message}.` }
  }
  return {
    code: 'INTERNAL',
    message: `The runtime failed while running the module: ${err instanceof Error ? err.message : String(err)}.`,
  }
}

export function memoryLimitFailure(state: TrapState, what: string): GuestFailure {
  const limit =
    state.memoryLimitMiB === undefined ? 'its memory limit' : `its ${state.memoryLimitMiB} MiB memory limit`
  return {
    code: 'RUNTIME_MEMORY_LIMIT',
    message: `The module tried to grow its memory beyond ${limit} (memory.grow failed) and ${what}.`,
  }
}
