import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { toIcnError } from '../errors'
import { ModuleCache, executeV8Job, type ExecutionOutcome, type NormalizedJob } from './job'
import { executeWasmerJob } from './wasmer'

/**
 * Worker entry of the job pool (bundled as dist/node/runtime-worker.js). One job at a time; the only state kept
 * between jobs is the cache of compiled modules, which are immutable: every job gets a fresh instance, fresh
 * WASI state and fresh memory.
 */

export type ToWorker = { type: 'run'; id: number; job: NormalizedJob }
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; id: number; stage: 'instrumented' }
  | { type: 'result'; id: number; outcome: ExecutionOutcome }
  | { type: 'failed'; id: number; error: { code: string; message: string } }

const port = parentPort
if (port === null) throw new Error('core/runtime/worker.ts must run in a worker thread.')

/**
 * Jobs are background work: on Linux, lower this thread's scheduling priority so that a pool which saturates
 * every core still leaves the node's main thread (network, UI, RPC) responsive. setpriority(2) applies to a
 * single thread when given its thread id, which /proc/thread-self names. Best effort: elsewhere, or without
 * /proc, the worker runs at normal priority.
 */
const nice = (workerData as { nice?: unknown } | null)?.nice
if (process.platform === 'linux' && typeof nice === 'number' && nice > 0) {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    // Only ever lower the priority (a process that is already niced further stays as it is).
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid && getPriority(tid) < nice)
      setPriority(tid, nice)
  } catch {
    // No /proc or not permitted: keep the default priority.
  }
}
const cache = new ModuleCache()

function transferables(outcome: ExecutionOutcome): ArrayBuffer[] {
  const list = [outcome.stdout, outcome.stderr, ...Object.values(outcome.outputs)]
  const buffers = new Set<ArrayBuffer>()
  for (const bytes of list)
    if (bytes.buffer instanceof ArrayBuffer && bytes.byteLength > 0) buffers.add(bytes.buffer)
  return [...buffers]
}

port.on('message', (message: ToWorker) => {
  if (message.type !== 'run') return
  const { id, job } = message
  const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer)
  const done = (outcome: ExecutionOutcome): void => {
    let transfer: ArrayBuffer[] = []
    try {
      transfer = transferables(outcome)
      send({ type: 'result', id, outcome }, transfer)
    } catch {
      send({ type: 'result', id, outcome })
    }
  }
  const fail = (err: unknown): void => {
    const error = toIcnError(err)
    send({ type: 'failed', id, error: { code: error.code, message: error.message } })
  }
  if (job.engine === 'wasmer') {
    executeWasmerJob(job).then(done, fail)
    return
  }
  try {
    done(executeV8Job(job, cache, () => send({ type: 'progress', id, stage: 'instrumented' })))
  } catch (err) {
    fail(err)
  }
})

port.postMessage({ type: 'ready' } satisfies FromWorker)
