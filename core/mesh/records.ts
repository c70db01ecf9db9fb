import type { StateView } from '../dag'

/**
 * Where the mesh keeps its part of the folded state. Every key is written by exactly one author's chain: the job,
 * its assignments and its settlement by the submitter; a receipt by the executor named in the assignment it
 * answers. So any delivery order folds to the same state (docs/decisions.md, the fold contract).
 */
export const meshKeys = {
  job: (job: string): string => `mesh/job/${job}`,
  /** The latest assignment of a job. */
  assign: (job: string): string => `mesh/assign/${job}`,
  /** Every assignment of a job by attempt. */
  attempt: (job: string, attempt: number): string => `mesh/attempt/${job}/${pad(attempt, 4)}`,
  attempts: (job: string): string => `mesh/attempt/${job}/`,
  /** The receipt answering an assignment. */
  receipt: (assign: string): string => `mesh/receipt/${assign}`,
  settle: (job: string): string => `mesh/settle/${job}`,
}

/** Derived indexes (not hashed): listings by submitter and by executor, newest first by key order. */
export const meshIndex = {
  bySubmitter: (did: string): string => `mesh/by-submitter/${did}/`,
  submitted: (did: string, ts: number, job: string): string =>
    `mesh/by-submitter/${did}/${pad(ts, 14)}/${job}`,
  byExecutor: (did: string): string => `mesh/by-executor/${did}/`,
  assigned: (did: string, ts: number, job: string): string => `mesh/by-executor/${did}/${pad(ts, 14)}/${job}`,
  /** Receipts of a job, by receipt id (late receipts of earlier attempts included). */
  receipts: (job: string): string => `mesh/receipts/${job}/`,
  receiptOf: (job: string, receipt: string): string => `mesh/receipts/${job}/${receipt}`,
}

function pad(n: number, width: number): string {
  return n.toString(16).padStart(width, '0')
}

/** The escrow and the reputation records of a job are keyed by these (economics reservation/outcome keys). */
export const reservationKey = (job: string): string => `mesh:${job}`
export const outcomeKey = (job: string, attempt: number): string => `mesh:${job}:${attempt}`

export interface JobRecord {
  id: string
  submitter: string
  scope: string
  ts: number
  maxPrice: bigint
  minReputation: number
  bidWindowMs: number
  timeoutMs: number
  fuel: bigint
  outputBytes: number
  engine: string
  verification: string
  /** Whether the job event escrowed maxPrice (false when maxPrice is 0). */
  reserved: boolean
}

export interface AssignRecord {
  id: string
  job: string
  attempt: number
  executor: string
  price: bigint
  /** The assignment's ts: the only time the guest sees, and when the executor's clock starts. */
  startTs: number
  /** After this the submitter may assign the next bidder and record a timeout. */
  deadline: number
  ts: number
}

export interface ReceiptRecord {
  id: string
  job: string
  assign: string
  executor: string
  output: string
  stdout: string
  stderr: string
  stdoutBytes: number
  outputBytes: number
  fuelUsed: bigint
  exit: number
  error: { code: string; message: string } | null
  startedAt: number
  finishedAt: number
  deterministic: boolean
  ts: number
}

export type SettleKind = 'paid' | 'rejected' | 'refunded'

export interface SettleRecord {
  id: string
  job: string
  kind: SettleKind
  reason: string
  note: string
  receipt: string | null
  executor: string | null
  price: bigint
  ts: number
}

const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt((v as number | undefined) ?? 0))

export async function readJobRecord(view: StateView, job: string): Promise<JobRecord | undefined> {
  const raw = await view.get<JobRecord>(meshKeys.job(job))
  return raw === undefined ? undefined : { ...raw, maxPrice: big(raw.maxPrice), fuel: big(raw.fuel) }
}

export async function readAssign(view: StateView, job: string): Promise<AssignRecord | undefined> {
  const raw = await view.get<AssignRecord>(meshKeys.assign(job))
  return raw === undefined ? undefined : { ...raw, price: big(raw.price) }
}

export async function readAttempts(view: StateView, job: string): Promise<AssignRecord[]> {
  const rows = await view.list<AssignRecord>(meshKeys.attempts(job), { limit: 1000 })
  return rows.map((r) => ({ ...r.value, price: big(r.value.price) }))
}

export async function readReceipt(view: StateView, assign: string): Promise<ReceiptRecord | undefined> {
  const raw = await view.get<ReceiptRecord>(meshKeys.receipt(assign))
  return raw === undefined ? undefined : { ...raw, fuelUsed: big(raw.fuelUsed) }
}

export async function readSettle(view: StateView, job: string): Promise<SettleRecord | undefined> {
  const raw = await view.get<SettleRecord>(meshKeys.settle(job))
  return raw === undefined ? undefined : { ...raw, price: big(raw.price) }
}
