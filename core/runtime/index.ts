import type { Startable } from '../lifecycle'
import type { Logger } from '../logger'
import type { JobResult, JobSpec } from './job'

/**
 * The runtime service: deterministic, metered WebAssembly. Jobs run in a pool of worker threads; policies run
 * in-process (they are small and must answer within microseconds). See docs/runtime.md.
 */

export interface RuntimeInit {
  /** Worker threads running jobs. @default min(2, available CPUs) */
  poolSize?: number
  /** V8 heap limit of each worker (host-side buffers; guest memory is capped by the job's memoryMiB). @default 256 */
  workerHeapMiB?: number
  /** Jobs waiting for a worker before `run` refuses new ones with UNAVAILABLE. @default 1000 */
  maxQueuedJobs?: number
  /**
   * Nice value (0–19) of the worker threads on Linux, so that jobs saturating every core leave the main thread
   * responsive. 0 keeps normal priority. @default 10
   */
  workerNice?: number
  /** Override the worker script (a bundled runtime-worker.js). @default located automatically, see locateWorker */
  workerUrl?: URL
  /**
   * Workers start when jobs arrive and end after this long without work, so an idle node (most desktops) holds
   * no worker isolates. @default 30_000
   */
  idleWorkerMs?: number
}

export interface RuntimeComponents {
  logger: Logger
}

export type JobProgress =
  { stage: 'queued'; position: number } | { stage: 'started' } | { stage: 'running' } | { stage: 'finished' }

export interface RunOptions {
  signal?: AbortSignal
  onProgress?: (progress: JobProgress) => void
}

export interface RuntimeStats {
  workers: number
  busy: number
  queued: number
  completed: number
  /** Fuel burnt by every job this runtime finished (since start). */
  fuelUsed: bigint
}

export interface Runtime extends Startable {
  /**
   * Runs a job to completion. Guest failures (trap, out of fuel, timeout, output or memory limit, non-zero
   * exit, invalid module) come back in `result.error`; only misuse throws (INVALID_ARGUMENT, NODE_NOT_RUNNING,
   * UNAVAILABLE when the queue is full, ABORTED when the signal fires or the runtime stops).
   */
  run(job: JobSpec, options?: RunOptions): Promise<JobResult>
  /** Starts the whole pool now (an executor that expects jobs avoids the first job's worker start-up). */
  warm(): Promise<void>
  /**
   * Ends every idle worker now instead of after `idleWorkerMs`, and resolves once they have exited (their isolates'
   * memory is back with the system). Busy and starting workers are left alone; the next job starts a worker again.
   * Resolves to how many ended.
   */
  release(): Promise<number>
  stats(): RuntimeStats
}

export {
  runtime,
  locateWorker,
  RUNTIME_WORKER_ENTRY,
  RUNTIME_WORKER_BUNDLE,
  type WorkerLocation,
} from './runtime'
export type { JobSpec, JobResult, JobLimits, JobEngine, JobError } from './job'
export { executeV8Job, normalizeJob, ModuleCache, type NormalizedJob, type ExecutionOutcome } from './job'
export {
  instrument,
  FUEL_EXPORT,
  STACK_EXPORT,
  START_EXPORT,
  MEMORY_LIMIT_EXPORT,
  type InstrumentOptions,
  type InstrumentedModule,
  type ModuleInfo,
  type ImportNamespace,
  type ValueTypeName,
} from './instrument'
export {
  compilePolicy,
  callPolicy,
  PolicyEngine,
  type CompiledPolicy,
  type PolicyArgs,
  type PolicyValue,
  type PolicyCallOptions,
  type PolicyOutcome,
} from './policy'
export { DeterministicWasi, type WasiInit } from './wasi'
export { WASI_MODULE, WASI_IMPORTS } from './wasi-spec'
export * from './abi'
export * from './limits'
