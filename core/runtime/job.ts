import { createHash } from 'node:crypto'
import { IcnError, type IcnErrorCode } from '../errors'
import {
  FUEL_EXPORT,
  MEMORY_LIMIT_EXPORT,
  STACK_EXPORT,
  START_EXPORT,
  instrument,
  type ModuleInfo,
} from './instrument'
import { JOB_LIMIT_BOUNDS, JOB_STACK_BUDGET_BYTES, WASM_PAGE_BYTES } from './limits'
import { ProcExit, classifyTrap, memoryLimitFailure, type GuestFailure, type TrapState } from './trap'
import { DeterministicWasi } from './wasi'
import { WASI_MODULE } from './wasi-spec'

export type JobEngine = 'v8' | 'wasmer'

export interface JobLimits {
  /** Fuel budget (see docs/runtime.md for the cost model). Ignored by the wasmer engine. */
  fuel: bigint | number
  /** Linear memory cap. Ignored by the wasmer engine. */
  memoryMiB: number
  /** Wall-clock deadline, enforced by terminating the worker. */
  timeoutMs: number
  /** Budget shared by stdout, stderr and the files in /out. */
  outputBytes: number
}

export interface JobSpec {
  /** WASI command module bytes. */
  module: Uint8Array
  engine: JobEngine
  /** Exported function to run. @default '_start' */
  entry?: string
  /** Arguments after argv[0] (which is always "job"). */
  args: string[]
  env: Record<string, string>
  stdin?: Uint8Array
  /** Input files, visible as /in/0, /in/1, … */
  inputs: Uint8Array[]
  limits: JobLimits
  /** Seed of random_get: the job CID bytes. */
  seed: Uint8Array
  /** Job start timestamp (ms): the only time the guest sees. */
  startTs: number
}

export interface JobError {
  code: IcnErrorCode
  message: string
}

export interface JobResult {
  /** The guest's exit status; -1 when it did not exit (trap, limit, timeout, invalid module). */
  exitCode: number
  stdout: Uint8Array
  stderr: Uint8Array
  /** Files the guest wrote to /out, by name. */
  outputs: Record<string, Uint8Array>
  /** Fuel consumed; 0 for wasmer jobs and for jobs stopped by the deadline. */
  fuelUsed: bigint
  /** Whether re-running the job must give the same result (v8 engine, not stopped by the wall clock). */
  deterministic: boolean
  /** Wall-clock times (ms) for the receipt; never visible to the guest. */
  startedAt: number
  finishedAt: number
  /** Why the job failed, if it did. */
  error?: JobError
}

/** A job after validation: what crosses into the worker. */
export interface NormalizedJob {
  module: Uint8Array
  engine: JobEngine
  entry: string
  args: string[]
  env: Record<string, string>
  stdin: Uint8Array
  inputs: Uint8Array[]
  limits: { fuel: bigint; memoryMiB: number; timeoutMs: number; outputBytes: number }
  seed: Uint8Array
  startTs: number
}

export type ExecutionOutcome = Omit<JobResult, 'startedAt' | 'finishedAt' | 'deterministic'>

function bad(message: string): never {
  throw new IcnError('INVALID_ARGUMENT', message)
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array
}

function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string') bad(`${what} must be a string.`)
  if (value.includes('\0')) bad(`${what} must not contain NUL characters.`)
  return value
}

/** Validates a job (misuse throws INVALID_ARGUMENT) and fills in defaults. */
export function normalizeJob(job: JobSpec): NormalizedJob {
  if (typeof job !== 'object' || job === null) bad('The job must be an object.')
  if (!isBytes(job.module) || job.module.length === 0) bad('job.module must be a non-empty Uint8Array.')
  if (job.engine !== 'v8' && job.engine !== 'wasmer') bad('job.engine must be "v8" or "wasmer".')
  const entry = job.entry ?? '_start'
  if (typeof entry !== 'string' || entry.length === 0 || entry.length > 256)
    bad('job.entry must be an export name.')
  if (!Array.isArray(job.args)) bad('job.args must be an array of strings.')
  const args = job.args.map((a, i) => checkString(a, `job.args[${i}]`))
  if (typeof job.env !== 'object' || job.env === null || Array.isArray(job.env))
    bad('job.env must be an object.')
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(job.env)) {
    checkString(key, 'An environment variable name')
    if (key.length === 0 || key.includes('=')) bad(`"${key}" is not a valid environment variable name.`)
    env[key] = checkString(value, `job.env.${key}`)
  }
  const textBytes = [...args, ...Object.entries(env).flat()].reduce((n, s) => n + Buffer.byteLength(s) + 1, 0)
  if (textBytes > JOB_LIMIT_BOUNDS.maxArgsBytes)
    bad(`Arguments and environment exceed ${JOB_LIMIT_BOUNDS.maxArgsBytes} bytes.`)
  if (job.stdin !== undefined && !isBytes(job.stdin)) bad('job.stdin must be a Uint8Array.')
  if (!Array.isArray(job.inputs) || !job.inputs.every(isBytes))
    bad('job.inputs must be an array of Uint8Array.')
  if (job.inputs.length > JOB_LIMIT_BOUNDS.maxInputs)
    bad(`A job takes at most ${JOB_LIMIT_BOUNDS.maxInputs} inputs.`)
  const limits = job.limits
  if (typeof limits !== 'object' || limits === null) bad('job.limits is required.')
  let fuel: bigint
  if (typeof limits.fuel === 'bigint') fuel = limits.fuel
  else if (typeof limits.fuel === 'number' && Number.isSafeInteger(limits.fuel)) fuel = BigInt(limits.fuel)
  else bad('job.limits.fuel must be an integer (number or bigint).')
  if (fuel <= 0n || fuel > JOB_LIMIT_BOUNDS.maxFuel) bad('job.limits.fuel must be between 1 and 2^63 - 1.')
  const int = (value: unknown, min: number, max: number, what: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      bad(`job.limits.${what} must be an integer between ${min} and ${max}.`)
    }
    return value
  }
  const memoryMiB = int(limits.memoryMiB, 1, JOB_LIMIT_BOUNDS.maxMemoryMiB, 'memoryMiB')
  const timeoutMs = int(limits.timeoutMs, 1, JOB_LIMIT_BOUNDS.maxTimeoutMs, 'timeoutMs')
  const outputBytes = int(limits.outputBytes, 0, JOB_LIMIT_BOUNDS.maxOutputBytes, 'outputBytes')
  if (!isBytes(job.seed) || job.seed.length === 0 || job.seed.length > 256)
    bad('job.seed must be 1 to 256 bytes.')
  if (typeof job.startTs !== 'number' || !Number.isSafeInteger(job.startTs) || job.startTs < 0) {
    bad('job.startTs must be a non-negative integer (ms).')
  }
  return {
    module: job.module,
    engine: job.engine,
    entry,
    args,
    env,
    stdin: job.stdin ?? new Uint8Array(0),
    inputs: job.inputs,
    limits: { fuel, memoryMiB, timeoutMs, outputBytes },
    seed: job.seed,
    startTs: job.startTs,
  }
}

interface CompiledJobModule {
  module: WebAssembly.Module
  info: ModuleInfo
}

/**
 * Compiled, instrumented modules by (module hash, memory limit). Compiled modules are immutable, so sharing
 * them across jobs in a worker leaks nothing; each job gets a fresh instance.
 */
export class ModuleCache {
  private readonly entries = new Map<string, CompiledJobModule>()

  constructor(private readonly capacity = 16) {}

  get(bytes: Uint8Array, memoryPages: number): CompiledJobModule {
    const key = `${createHash('sha256').update(bytes).digest('hex')}:${memoryPages}`
    const hit = this.entries.get(key)
    if (hit !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    const { bytes: instrumented, info } = instrument(bytes, { memoryPages, allowedImports: [WASI_MODULE] })
    const compiled = { module: new WebAssembly.Module(instrumented), info }
    this.entries.set(key, compiled)
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string)
    return compiled
  }
}

const NO_MEMORY_NEEDED = new Set(['proc_exit', 'sched_yield'])

function failure(error: GuestFailure | JobError): ExecutionOutcome {
  return {
    exitCode: -1,
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
    outputs: {},
    fuelUsed: 0n,
    error: { code: error.code, message: error.message },
  }
}

/**
 * Runs a job on V8 in the calling thread (the worker). Never throws for guest failures: the outcome carries them.
 */
export function executeV8Job(
  job: NormalizedJob,
  cache: ModuleCache,
  onInstrumented?: () => void,
): ExecutionOutcome {
  const memoryPages = job.limits.memoryMiB * (1048576 / WASM_PAGE_BYTES)
  let compiled: CompiledJobModule
  try {
    compiled = cache.get(job.module, Math.min(memoryPages, 65_536))
  } catch (err) {
    if (err instanceof IcnError) return failure(err)
    // V8 refused to compile a module that validated (e.g. resource exhaustion): still the module's failure.
    return failure({
      code: 'RUNTIME_INVALID_MODULE',
      message: `The module could not be compiled: ${(err as Error).message}`,
    })
  }
  onInstrumented?.()
  const { info } = compiled
  const entry = info.exports.find((e) => e.name === job.entry)
  if (entry === undefined || entry.kind !== 'function') {
    return failure({
      code: 'RUNTIME_INVALID_MODULE',
      message: `The module does not export a function "${job.entry}".`,
    })
  }
  if (
    entry.params?.length !== 0 ||
    (entry.results?.length ?? 0) > 1 ||
    (entry.results?.[0] ?? 'i32') !== 'i32'
  ) {
    return failure({
      code: 'RUNTIME_INVALID_MODULE',
      message: `The entry "${job.entry}" must take no parameters and return nothing or an i32 exit code.`,
    })
  }
  const needsMemory = info.imports.some((i) => !NO_MEMORY_NEEDED.has(i.name))
  const memoryExport = info.exports.find((e) => e.name === 'memory')
  if (needsMemory && memoryExport?.kind !== 'memory') {
    return failure({
      code: 'RUNTIME_INVALID_MODULE',
      message: 'A WASI module must export its memory as "memory".',
    })
  }

  const wasi = new DeterministicWasi({
    args: ['job', ...job.args],
    env: job.env,
    stdin: job.stdin,
    inputs: job.inputs,
    outputBytes: job.limits.outputBytes,
    seed: job.seed,
    startTs: job.startTs,
  })
  let instance: WebAssembly.Instance
  try {
    instance = new WebAssembly.Instance(compiled.module, { [WASI_MODULE]: wasi.imports() })
  } catch (err) {
    return failure({
      code: 'RUNTIME_TRAP',
      message: `The module failed to instantiate: ${(err as Error).message}.`,
    })
  }
  const exports = instance.exports
  const fuel = exports[FUEL_EXPORT] as WebAssembly.Global<'i64'>
  const stack = exports[STACK_EXPORT] as WebAssembly.Global<'i32'>
  const memoryLimitHit = exports[MEMORY_LIMIT_EXPORT] as WebAssembly.Global<'i32'>
  fuel.value = job.limits.fuel
  stack.value = JOB_STACK_BUDGET_BYTES
  wasi.bind({ memory: exports['memory'] as WebAssembly.Memory | undefined, fuel })

  let exitCode = -1
  let error: GuestFailure | undefined
  try {
    const start = exports[START_EXPORT] as (() => void) | undefined
    start?.()
    const result = (exports[job.entry] as () => number | undefined)()
    exitCode = typeof result === 'number' ? result >>> 0 : 0
  } catch (err) {
    if (err instanceof ProcExit) exitCode = err.code
    else {
      const state: TrapState = {
        fuelRemaining: fuel.value,
        stackRemaining: stack.value,
        memoryLimitHit: memoryLimitHit.value !== 0,
        memoryLimitMiB: job.limits.memoryMiB,
      }
      error = classifyTrap(err, state)
    }
  }
  if (error === undefined && exitCode !== 0) {
    error =
      memoryLimitHit.value !== 0
        ? memoryLimitFailure(
            {
              fuelRemaining: 0n,
              stackRemaining: 0,
              memoryLimitHit: true,
              memoryLimitMiB: job.limits.memoryMiB,
            },
            `then exited with code ${exitCode}`,
          )
        : { code: 'RUNTIME_EXIT_NONZERO', message: `The module exited with code ${exitCode}.` }
  }
  const remaining = fuel.value
  const outcome: ExecutionOutcome = {
    exitCode,
    stdout: wasi.stdout,
    stderr: wasi.stderr,
    outputs: wasi.outputs,
    fuelUsed: remaining < 0n ? job.limits.fuel : job.limits.fuel - remaining,
  }
  if (error !== undefined) outcome.error = error
  return outcome
}
