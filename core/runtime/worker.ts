import { parentPort } from 'node:worker_threads'
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
