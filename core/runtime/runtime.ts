import { availableParallelism } from 'node:os'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { IcnError, isIcnErrorCode, throwIfAborted } from '../errors'
import type { Logger } from '../logger'
import type { Runtime, RuntimeComponents, RuntimeInit, RunOptions, RuntimeStats } from './index'
import { normalizeJob, type ExecutionOutcome, type JobResult, type JobSpec, type NormalizedJob } from './job'
import { WORKER_STACK_MIB } from './limits'
import type { FromWorker, ToWorker } from './worker'

/** The worker's source file relative to the repository root; the build bundles it as dist/node/runtime-worker.js. */
export const RUNTIME_WORKER_ENTRY = 'core/runtime/worker.ts'
export const RUNTIME_WORKER_BUNDLE = 'runtime-worker.js'

export interface WorkerLocation {
  /** Module URL the worker runs, or eval'd bootstrap code when `eval` is true. */
  script: URL | string
  eval: boolean
}

/**
 * Where the worker lives. Running from TypeScript sources (vitest, tsx) this file is `runtime.ts` and the
 * worker is `worker.ts` beside it, loaded through tsx's ESM hooks registered inside the worker (Node 20 does not
 * pass the parent's loader hooks to workers, and tsx's `--import` entry only registers on the main thread). In
 * the esbuild bundle this code lives in dist/node/<entry>.js and the worker is dist/node/runtime-worker.js.
 */
export function locateWorker(base: string = import.meta.url): WorkerLocation {
  if (base.endsWith('.ts')) {
    const worker = new URL('./worker.ts', base).href
    const tsxApi = pathToFileURL(
      createRequire(base)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href
    return {
      eval: true,
      script: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}) })`,
    }
  }
  return { eval: false, script: new URL(`./${RUNTIME_WORKER_BUNDLE}`, base) }
}

interface Pending {
  id: number
  job: NormalizedJob
  options: RunOptions
  resolve: (result: JobResult) => void
  reject: (error: unknown) => void
  startedAt: number
  timer?: NodeJS.Timeout
  onAbort?: () => void
}

interface PoolWorker {
  worker: Worker
  ready: boolean
  job: Pending | null
  /** Set when the pool ended the worker on purpose (deadline, abort, stop, wasmer job done). */
  retiring: boolean
  idleTimer?: ReturnType<typeof setTimeout>
}

const emptyOutcome = (): Omit<ExecutionOutcome, 'error' | 'exitCode'> => ({
  stdout: new Uint8Array(0),
  stderr: new Uint8Array(0),
  outputs: {},
  fuelUsed: 0n,
})

class DefaultRuntime implements Runtime {
  private readonly size: number
  private readonly heapMiB: number
  private readonly location: WorkerLocation
  private readonly maxQueue: number
  private readonly nice: number
  private readonly idleMs: number
  private readonly logger: Logger
  private workers: PoolWorker[] = []
  private queue: Pending[] = []
  private nextId = 1
  private state: 'stopped' | 'starting' | 'started' | 'stopping' = 'stopped'
  private completed = 0
  private fuelUsed = 0n
  private readyWaiters: (() => void)[] = []

  constructor(components: RuntimeComponents, init: RuntimeInit) {
    this.logger = components.logger
    this.size = init.poolSize ?? Math.max(1, Math.min(2, availableParallelism()))
    if (!Number.isInteger(this.size) || this.size < 1 || this.size > 64) {
      throw new IcnError('INVALID_ARGUMENT', 'poolSize must be an integer between 1 and 64.')
    }
    this.heapMiB = init.workerHeapMiB ?? 256
    this.maxQueue = init.maxQueuedJobs ?? 1000
    this.nice = init.workerNice ?? 10
    if (!Number.isInteger(this.nice) || this.nice < 0 || this.nice > 19) {
      throw new IcnError('INVALID_ARGUMENT', 'workerNice must be an integer between 0 and 19.')
    }
    this.location = init.workerUrl === undefined ? locateWorker() : { eval: false, script: init.workerUrl }
    this.idleMs = init.idleWorkerMs ?? 30_000
  }

  async start(): Promise<void> {
    if (this.state === 'started' || this.state === 'starting') return
    // Workers are started on demand (dispatch) and by warm(): an idle node holds no worker isolates.
    this.state = 'started'
  }

  async warm(): Promise<void> {
    if (this.state !== 'started')
      throw new IcnError('NODE_NOT_RUNNING', 'The runtime is not started; start the node first.')
    while (this.workers.filter((w) => !w.retiring).length < this.size) this.spawn()
    const timeout = new Promise<never>((_, reject) => {
      const t = setTimeout(
        () => reject(new IcnError('UNAVAILABLE', 'The runtime workers did not start within 60 s.')),
        60_000,
      )
      t.unref()
    })
    await Promise.race([this.allReady(), timeout])
    for (const entry of this.workers) this.scheduleIdle(entry)
    this.logger.debug('runtime workers ready', { workers: this.workers.length })
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return
    this.state = 'stopping'
    const stopped = new IcnError('ABORTED', 'The runtime stopped before the job finished.')
    for (const pending of this.queue.splice(0)) this.settle(pending, stopped)
    const workers = this.workers
    this.workers = []
    await Promise.all(
      workers.map(async (w) => {
        w.retiring = true
        if (w.idleTimer !== undefined) clearTimeout(w.idleTimer)
        if (w.job !== null) this.settle(w.job, stopped)
        w.job = null
        await w.worker.terminate()
      }),
    )
    this.state = 'stopped'
  }

  async release(): Promise<number> {
    const idle = this.workers.filter((w) => w.ready && w.job === null && !w.retiring)
    if (idle.length === 0) return 0
    await Promise.all(idle.map((w) => this.retire(w)))
    return idle.length
  }

  stats(): RuntimeStats {
    return {
      workers: this.workers.length,
      busy: this.workers.filter((w) => w.job !== null).length,
      queued: this.queue.length,
      completed: this.completed,
      fuelUsed: this.fuelUsed,
    }
  }

  async run(spec: JobSpec, options: RunOptions = {}): Promise<JobResult> {
    if (this.state !== 'started') {
      throw new IcnError('NODE_NOT_RUNNING', 'The runtime is not started; start the node first.')
    }
    throwIfAborted(options.signal)
    const job = normalizeJob(spec)
    if (job.engine === 'wasmer' && job.entry !== '_start') {
      throw new IcnError('INVALID_ARGUMENT', 'The wasmer engine runs WASI commands only (entry "_start").')
    }
    if (this.queue.length >= this.maxQueue) {
      throw new IcnError('UNAVAILABLE', `The job queue is full (${this.maxQueue} jobs); try again later.`)
    }
    return new Promise<JobResult>((resolve, reject) => {
      const pending: Pending = { id: this.nextId++, job, options, resolve, reject, startedAt: 0 }
      if (options.signal !== undefined) {
        const signal = options.signal
        pending.onAbort = () => this.abort(pending, signal.reason)
        signal.addEventListener('abort', pending.onAbort, { once: true })
      }
      this.queue.push(pending)
      this.progress(pending, { stage: 'queued', position: this.queue.length })
      this.dispatch()
    })
  }

  // ------------------------------------------------------------------------------------------- internals

  private allReady(): Promise<void> {
    if (this.workers.every((w) => w.ready)) return Promise.resolve()
    return new Promise((resolve) => this.readyWaiters.push(resolve))
  }

  private spawn(): void {
    const { script, eval: isEval } = this.location
    const worker = new Worker(script, {
      eval: isEval,
      workerData: { nice: this.nice },
      resourceLimits: {
        maxOldGenerationSizeMb: this.heapMiB,
        // Jobs allocate little on the host heap (their linear memory is outside it); a small young generation
        // keeps a busy executor's resident memory down (32 MiB: +21 MiB over 3,000 jobs on a 2-worker pool; 8: +8).
        maxYoungGenerationSizeMb: 8,
        stackSizeMb: WORKER_STACK_MIB,
      },
      // Workers must not see the host's environment or arguments.
      env: {},
      argv: [],
      stdout: false,
      stderr: false,
    })
    worker.unref()
    const entry: PoolWorker = { worker, ready: false, job: null, retiring: false }
    this.workers.push(entry)
    worker.on('message', (message: FromWorker) => this.onMessage(entry, message))
    worker.on('error', (err) => this.onExit(entry, err))
    worker.on('exit', (code) => this.onExit(entry, code))
  }

  private onMessage(entry: PoolWorker, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        entry.ready = true
        if (this.workers.every((w) => w.ready)) for (const resolve of this.readyWaiters.splice(0)) resolve()
        this.dispatch()
        return
      case 'progress':
        if (entry.job?.id === message.id) this.progress(entry.job, { stage: 'running' })
        return
      case 'result':
      case 'failed': {
        const pending = entry.job
        if (pending === null || pending.id !== message.id) return
        entry.job = null
        if (message.type === 'result') {
          this.finish(pending, message.outcome, pending.job.engine === 'v8')
        } else {
          const code = isIcnErrorCode(message.error.code) ? message.error.code : 'INTERNAL'
          this.settle(pending, new IcnError(code, message.error.message))
        }
        // A wasmer job leaves SDK threads behind; start from a fresh worker.
        if (pending.job.engine === 'wasmer') this.replace(entry)
        this.dispatch()
        return
      }
    }
  }

  private onExit(entry: PoolWorker, reason: unknown): void {
    if (!this.workers.includes(entry)) return
    const pending = entry.job
    entry.job = null
    this.workers = this.workers.filter((w) => w !== entry)
    if (!entry.retiring) {
      this.logger.warn('runtime worker exited unexpectedly', { reason })
      if (pending !== null) {
        const oom =
          reason instanceof Error && (reason as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
        if (oom) {
          this.finish(
            pending,
            {
              ...emptyOutcome(),
              exitCode: -1,
              error: {
                code: 'RUNTIME_MEMORY_LIMIT',
                message: `The job exhausted the worker's ${this.heapMiB} MiB host heap.`,
              },
            },
            false,
          )
        } else {
          this.settle(
            pending,
            new IcnError('INTERNAL', 'The runtime worker crashed while running the job.', { cause: reason }),
          )
        }
      }
    }
    this.dispatch()
  }

  /** Takes a worker out of the pool and ends it; resolves once its thread has exited. */
  private retire(entry: PoolWorker): Promise<number> {
    entry.retiring = true
    if (entry.idleTimer !== undefined) clearTimeout(entry.idleTimer)
    entry.idleTimer = undefined
    this.workers = this.workers.filter((w) => w !== entry)
    return entry.worker.terminate()
  }

  /** Ends a worker on purpose and starts a fresh one in its place. */
  private replace(entry: PoolWorker): void {
    void this.retire(entry)
    // dispatch() starts a fresh worker when a job needs one.
  }

  private dispatch(): void {
    if (this.state !== 'started' && this.state !== 'starting') return
    // Start workers for queued jobs that no ready or starting worker will take, up to the pool size.
    const live = this.workers.filter((w) => !w.retiring)
    const free = live.filter((w) => w.job === null).length
    for (let i = 0; i < Math.min(this.queue.length - free, this.size - live.length); i++) this.spawn()
    for (const entry of this.workers) {
      if (this.queue.length === 0) break
      if (!entry.ready || entry.job !== null || entry.retiring) continue
      if (entry.idleTimer !== undefined) {
        clearTimeout(entry.idleTimer)
        entry.idleTimer = undefined
      }
      const pending = this.queue.shift() as Pending
      entry.job = pending
      pending.startedAt = Date.now()
      // The deadline covers instrumentation, compilation and execution: all of it is the job's work.
      pending.timer = setTimeout(() => this.deadline(entry, pending), pending.job.limits.timeoutMs)
      this.progress(pending, { stage: 'started' })
      const message: ToWorker = { type: 'run', id: pending.id, job: pending.job }
      entry.worker.postMessage(message)
    }
    for (const entry of this.workers)
      if (entry.ready && entry.job === null && !entry.retiring) this.scheduleIdle(entry)
  }

  /** Ends a worker that stayed without work for idleMs. */
  private scheduleIdle(entry: PoolWorker): void {
    if (entry.idleTimer !== undefined || entry.retiring) return
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = undefined
      if (entry.job !== null || entry.retiring || !this.workers.includes(entry)) return
      void this.retire(entry)
    }, this.idleMs)
    entry.idleTimer.unref()
  }

  private deadline(entry: PoolWorker, pending: Pending): void {
    if (entry.job !== pending) return
    entry.job = null
    this.replace(entry)
    this.finish(
      pending,
      {
        ...emptyOutcome(),
        exitCode: -1,
        error: {
          code: 'RUNTIME_TIMEOUT',
          message: `The job ran longer than its ${pending.job.limits.timeoutMs} ms deadline.`,
        },
      },
      false,
    )
    this.dispatch()
  }

  private abort(pending: Pending, reason: unknown): void {
    const error = new IcnError('ABORTED', 'The job was cancelled.', { cause: reason })
    const queued = this.queue.indexOf(pending)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      this.settle(pending, error)
      return
    }
    const entry = this.workers.find((w) => w.job === pending)
    if (entry === undefined) return
    entry.job = null
    this.replace(entry)
    this.settle(pending, error)
    this.dispatch()
  }

  private finish(pending: Pending, outcome: ExecutionOutcome, deterministic: boolean): void {
    this.completed++
    this.fuelUsed += outcome.fuelUsed
    const result: JobResult = {
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      outputs: outcome.outputs,
      fuelUsed: outcome.fuelUsed,
      deterministic,
      startedAt: pending.startedAt,
      finishedAt: Date.now(),
    }
    if (outcome.error !== undefined) {
      result.error = {
        code: isIcnErrorCode(outcome.error.code) ? outcome.error.code : 'INTERNAL',
        message: outcome.error.message,
      }
    }
    this.progress(pending, { stage: 'finished' })
    this.cleanup(pending)
    pending.resolve(result)
  }

  private settle(pending: Pending, error: unknown): void {
    this.cleanup(pending)
    pending.reject(error)
  }

  private cleanup(pending: Pending): void {
    if (pending.timer !== undefined) clearTimeout(pending.timer)
    if (pending.onAbort !== undefined) pending.options.signal?.removeEventListener('abort', pending.onAbort)
  }

  private progress(pending: Pending, event: Parameters<NonNullable<RunOptions['onProgress']>>[0]): void {
    try {
      pending.options.onProgress?.(event)
    } catch (err) {
      this.logger.warn('job progress listener failed', { err })
    }
  }
}

export function runtime(init: RuntimeInit = {}): (components: RuntimeComponents) => Runtime {
  return (components) => new DefaultRuntime(components, init)
}
