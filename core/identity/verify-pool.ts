import { Worker } from 'node:worker_threads'
import { availableParallelism } from 'node:os'

/**
 * Signature checks in batches on worker threads. Handing one check at a time to libuv's pool costs the calling
 * thread ~20 µs per check (a job object, a callback, a promise), a fifth of the check itself; a batch of a few
 * hundred checks costs one postMessage each way and a copy of ~350 bytes per check. Checks queue while the workers
 * are busy, so a burst forms large batches by itself and a single check goes out at once.
 *
 * The worker is evaluated from the source below (Node built-ins only), so it needs no file next to a bundle or
 * inside an asar. If a worker dies, its batch is answered by the fallback (libuv's pool) and a new worker starts
 * with the next batch: a broken worker never turns a good signature into a rejection.
 */

/** Layout of one check in a batch: public key (32) | signature (64) | message length (u32 LE) | message. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const SPKI = Buffer.from('302a300506032b6570032100', 'hex')
const keys = new Map()
function key(pk) {
  const id = pk.toString('base64')
  let k = keys.get(id)
  if (k === undefined) {
    k = createPublicKey({ key: Buffer.concat([SPKI, pk]), format: 'der', type: 'spki' })
    if (keys.size >= 4096) keys.delete(keys.keys().next().value)
    keys.set(id, k)
  }
  return k
}
parentPort.on('message', ({ id, buf, count }) => {
  const b = Buffer.from(buf)
  const out = new Uint8Array(count)
  let o = 0
  for (let i = 0; i < count; i++) {
    const pk = b.subarray(o, o + 32)
    const sig = b.subarray(o + 32, o + 96)
    const len = b.readUInt32LE(o + 96)
    const msg = b.subarray(o + 100, o + 100 + len)
    o += 100 + len
    try { out[i] = verify(null, msg, key(pk), sig) ? 1 : 0 } catch { out[i] = 0 }
  }
  parentPort.postMessage({ id, out }, [out.buffer])
})
`

export interface VerifyJob {
  publicKey: Uint8Array
  message: Uint8Array
  signature: Uint8Array
  resolve: (ok: boolean) => void
}

interface PoolWorker {
  worker: Worker
  batch: VerifyJob[] | null
  batchId: number
}

/** Most checks in one message: large enough to amortise the round trip, small enough to spread over workers. */
const MAX_BATCH = 256

export class VerifyPool {
  private readonly workers: PoolWorker[] = []
  private readonly queue: VerifyJob[] = []
  private head = 0
  private nextBatch = 1

  constructor(
    private readonly size: number,
    /** Answers checks whose worker failed (the caller's single-check path). */
    private readonly fallback: (job: VerifyJob) => void,
  ) {}

  submit(job: VerifyJob): void {
    this.queue.push(job)
    this.dispatch()
  }

  /** Stops the workers; queued and in-flight checks are answered by the fallback. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0)
    for (const w of workers) {
      for (const job of w.batch ?? []) this.fallback(job)
      w.batch = null
    }
    for (const job of this.queue.splice(this.head)) this.fallback(job)
    this.queue.length = 0
    this.head = 0
    await Promise.all(workers.map((w) => w.worker.terminate()))
  }

  private dispatch(): void {
    while (this.head < this.queue.length) {
      const idle = this.idleWorker()
      if (idle === undefined) return
      // Spread a burst over the idle workers rather than giving the first one everything.
      const waiting = this.queue.length - this.head
      const share = Math.min(MAX_BATCH, Math.ceil(waiting / Math.max(1, this.idleCount())))
      const batch = this.queue.slice(this.head, this.head + share)
      this.head += batch.length
      if (this.head === this.queue.length) {
        this.queue.length = 0
        this.head = 0
      } else if (this.head > 4096) {
        this.queue.splice(0, this.head)
        this.head = 0
      }
      this.send(idle, batch)
    }
  }

  private idleCount(): number {
    let n = 0
    for (const w of this.workers) if (w.batch === null) n++
    return n + (this.size - this.workers.length)
  }

  private idleWorker(): PoolWorker | undefined {
    const idle = this.workers.find((w) => w.batch === null)
    if (idle !== undefined) return idle
    if (this.workers.length < this.size) return this.spawn()
    return undefined
  }

  private spawn(): PoolWorker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: {},
      argv: [],
      stdout: false,
      stderr: false,
      // A worker checks batches of small signatures: a small heap is plenty, and V8 would otherwise let each
      // worker's young generation grow to its default size under a busy stream (resident memory that stays).
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    })
    worker.unref()
    const entry: PoolWorker = { worker, batch: null, batchId: 0 }
    this.workers.push(entry)
    worker.on('message', (m: { id: number; out: Uint8Array }) => {
      if (entry.batch === null || m.id !== entry.batchId) return
      const batch = entry.batch
      entry.batch = null
      // Idle workers must not keep the process alive.
      worker.unref()
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(m.out[i] === 1)
      this.dispatch()
    })
    const failed = (): void => {
      const at = this.workers.indexOf(entry)
      if (at >= 0) this.workers.splice(at, 1)
      const batch = entry.batch ?? []
      entry.batch = null
      for (const job of batch) this.fallback(job)
      void worker.terminate().catch(() => undefined)
      this.dispatch()
    }
    worker.on('error', failed)
    worker.on('exit', failed)
    return entry
  }

  private send(entry: PoolWorker, batch: VerifyJob[]): void {
    let bytes = 0
    for (const job of batch) bytes += 100 + job.message.length
    const buf = new Uint8Array(bytes)
    const view = new DataView(buf.buffer)
    let o = 0
    for (const job of batch) {
      buf.set(job.publicKey, o)
      buf.set(job.signature, o + 32)
      view.setUint32(o + 96, job.message.length, true)
      buf.set(job.message, o + 100)
      o += 100 + job.message.length
    }
    entry.batch = batch
    entry.batchId = this.nextBatch++
    entry.worker.ref()
    entry.worker.postMessage({ id: entry.batchId, buf: buf.buffer, count: batch.length }, [buf.buffer])
  }
}

/** Workers for signature checks: one per spare core, at most two (the main thread needs a core of its own). */
export function defaultVerifyWorkers(): number {
  const configured = process.env['ICN_VERIFY_THREADS']
  if (configured !== undefined && configured !== '') return Math.max(0, Math.floor(Number(configured)) || 0)
  return Math.max(1, Math.min(2, availableParallelism() - 1))
}
