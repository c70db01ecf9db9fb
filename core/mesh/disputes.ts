import { bigOf, blockCid, eventCid, hasExactly, isMap, malformed } from './parse'
import { IcnError } from '../errors'
import type { CID, EventTypeHandler, StateView } from '../dag'
import { createCredit } from '../economics'
import { readParams, readScopeInfo } from '../scope'
import {
  readAssign,
  readJobRecord,
  readReceipt,
  readSettle,
  type ReceiptRecord,
  type SettleRecord,
} from './records'
import { recordJobOutcome } from './ledger'

/**
 * Disputes (DESIGN §12, docs/mesh.md §Disputes). A party to a settled job opens a dispute on the settlement and
 * its receipt; the validators named in the scope's charter re-execute the job and each signs a verdict; once a
 * majority of them agree, one of them writes the resolution, which confirms the settlement or reverses it.
 *
 * Three event types, so that every effect has one event to hang on: verdicts (in validators' chains) only record
 * what each validator found and never depend on each other, and the resolution (an alternative per dispute,
 * like governance results) carries the quorum of verdicts as dependencies. Its credits and reputation records
 * are therefore keyed by one event whatever order the verdicts arrived in.
 */
export const DISPUTE_EVENT_TYPES = {
  dispute: 'mesh/dispute',
  verdict: 'mesh/verdict',
  resolve: 'mesh/resolve',
} as const

export type DisputeResult = 'confirm' | 'reverse'

export const disputeKeys = {
  /** One dispute per job (the dispute event is an alternative under `mesh/<job>/dispute`). */
  dispute: (job: string): string => `mesh/dispute/${job}`,
  /** Dispute id → job, so verdicts and resolutions find their dispute. */
  byId: (dispute: string): string => `mesh/dispute-id/${dispute}`,
  verdict: (dispute: string, validator: string): string => `mesh/verdict/${dispute}/${validator}`,
  verdicts: (dispute: string): string => `mesh/verdict/${dispute}/`,
  resolution: (dispute: string): string => `mesh/resolution/${dispute}`,
  /** What the losing party owes after a reversal (recorded; see docs/mesh.md on why it is not debited). */
  debt: (job: string): string => `mesh/debt/${job}`,
}

/** Outcome key of a dispute's reputation record (economics `recordOutcome`), beside `mesh:<job>:<attempt>`. */
export const disputeOutcomeKey = (job: string): string => `mesh:${job}:dispute`

export interface DisputeBody {
  job: CID
  settlement: CID
  receipt: CID
  reason: string
}

export interface VerdictBody {
  dispute: CID
  result: DisputeResult
  /** What the validator's own run produced (compared with the receipt's fields). */
  exit: number
  error: string | null
  fuelUsed: bigint
  stdout: CID
  stderr: CID
  output: CID
}

export interface ResolveBody {
  dispute: CID
  result: DisputeResult
  verdicts: CID[]
}

export interface DisputeRecord {
  id: string
  job: string
  scope: string
  settlement: string
  receipt: string
  /** What was settled: a payment of `price` or a rejection. */
  kind: 'paid' | 'rejected'
  price: bigint
  submitter: string
  executor: string
  opener: string
  reason: string
  /** The charter's validators minus the two parties, frozen when the dispute opens. */
  validators: string[]
  /** Verdicts of one side needed to resolve: a majority of `validators`. */
  quorum: number
  ts: number
}

export interface VerdictRecord {
  id: string
  dispute: string
  validator: string
  result: DisputeResult
  exit: number
  error: string | null
  fuelUsed: bigint
  stdout: string
  stderr: string
  output: string
  /** Whether the validator's run reproduced the receipt. */
  matches: boolean
  ts: number
}

export interface ResolutionRecord {
  id: string
  dispute: string
  job: string
  result: DisputeResult
  by: string
  verdicts: string[]
  ts: number
}

export interface DebtRecord {
  dispute: string
  resolution: string
  debtor: string
  creditor: string
  amount: bigint
}

const MAX_REASON = 1000
const MAX_VERDICTS = 64

const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt((v as number | undefined) ?? 0))

export async function readDispute(view: StateView, job: string): Promise<DisputeRecord | undefined> {
  const raw = await view.get<DisputeRecord>(disputeKeys.dispute(job))
  return raw === undefined ? undefined : { ...raw, price: big(raw.price), quorum: Number(raw.quorum) }
}

export async function readDisputeById(view: StateView, dispute: string): Promise<DisputeRecord | undefined> {
  const job = await view.get<string>(disputeKeys.byId(dispute))
  if (job === undefined) return undefined
  const record = await readDispute(view, job)
  return record?.id === dispute ? record : undefined
}

export async function readVerdicts(view: StateView, dispute: string): Promise<VerdictRecord[]> {
  const rows = await view.list<VerdictRecord>(disputeKeys.verdicts(dispute), { limit: 1000 })
  return rows.map((r) => ({ ...r.value, fuelUsed: big(r.value.fuelUsed) }))
}

export async function readResolution(
  view: StateView,
  dispute: string,
): Promise<ResolutionRecord | undefined> {
  return view.get<ResolutionRecord>(disputeKeys.resolution(dispute))
}

export async function readDebt(view: StateView, job: string): Promise<DebtRecord | undefined> {
  const raw = await view.get<DebtRecord>(disputeKeys.debt(job))
  return raw === undefined ? undefined : { ...raw, amount: big(raw.amount) }
}

/** Whether a run (its exit, error, fuel and output CIDs) reproduces the receipt: the deterministic fields only. */
export function reproduces(
  run: {
    exit: number
    error: string | null
    fuelUsed: bigint
    stdout: string
    stderr: string
    output: string
  },
  receipt: ReceiptRecord,
): boolean {
  return (
    run.exit === receipt.exit &&
    run.error === (receipt.error?.code ?? null) &&
    run.fuelUsed === receipt.fuelUsed &&
    run.stdout === receipt.stdout &&
    run.stderr === receipt.stderr &&
    run.output === receipt.output
  )
}

/**
 * The verdict a reproduction implies: a paid settlement stands when the receipt was right; a rejection stands
 * when it was wrong.
 */
export function verdictFor(kind: 'paid' | 'rejected', matches: boolean): DisputeResult {
  return (kind === 'paid') === matches ? 'confirm' : 'reverse'
}

// ---- parsing helpers ---------------------------------------------------------------------------------------------

async function requireDispute(view: StateView, dispute: CID): Promise<DisputeRecord> {
  const record = await readDisputeById(view, dispute.toString())
  if (record === undefined || !(await view.isEffective(record.id)))
    throw new IcnError('MESH_UNKNOWN_DISPUTE', `There is no open dispute ${dispute.toString()}.`, {
      details: { dispute: dispute.toString() },
    })
  return record
}

function requireValidator(record: DisputeRecord, author: string): void {
  if (!record.validators.includes(author))
    throw new IcnError(
      'MESH_NOT_VALIDATOR',
      "Only the scope charter's validators (other than the job's two parties) judge this dispute.",
      { details: { dispute: record.id } },
    )
}

// ---- mesh/dispute --------------------------------------------------------------------------------------------------

const DISPUTE_FIELDS = ['job', 'settlement', 'receipt', 'reason']

/**
 * What a dispute on this job would be, or why there can be none: the checks shared by the event's validation and
 * `mesh.dispute` (which refuses before signing). `at` is the dispute's ts.
 */
export async function checkDisputable(
  view: StateView,
  input: { job: string; author: string; at: number },
): Promise<{ settle: SettleRecord; receipt: ReceiptRecord; validators: string[]; submitter: string }> {
  const { job, author, at } = input
  const record = await readJobRecord(view, job)
  if (record === undefined || !(await view.isEffective(job)))
    throw new IcnError('MESH_UNKNOWN_JOB', `There is no job ${job} (or it was voided).`, { details: { job } })
  const settle = await readSettle(view, job)
  if (settle === undefined)
    throw new IcnError(
      'MESH_DISPUTE_NOT_DISPUTABLE',
      'The job is not settled yet; disputes are about settlements.',
      { details: { job } },
    )
  if (author !== record.submitter && author !== settle.executor)
    throw new IcnError(
      'MESH_DISPUTE_NOT_PARTY',
      "Only the job's submitter or the executor it settled with may dispute it.",
      { details: { job } },
    )
  const disputable = settle.kind === 'paid' || (settle.kind === 'rejected' && settle.reason === 'mismatch')
  const assign = await readAssign(view, job)
  const receipt = assign === undefined ? undefined : await readReceipt(view, assign.id)
  if (!disputable || settle.receipt === null || receipt === undefined || receipt.id !== settle.receipt)
    throw new IcnError(
      'MESH_DISPUTE_NOT_DISPUTABLE',
      `A ${settle.kind} settlement (${settle.reason}) names no result to re-execute; only payments and mismatch rejections can be disputed.`,
      { details: { job } },
    )
  if (!receipt.deterministic || record.engine !== 'v8')
    throw new IcnError(
      'MESH_DISPUTE_NOT_DISPUTABLE',
      'The receipt is not deterministic, so validators cannot re-execute it to the same result.',
      { details: { job } },
    )
  const window = (await readParams(view, record.scope))['mesh.disputeWindowMs']
  if (BigInt(at) > BigInt(settle.ts) + window)
    throw new IcnError(
      'MESH_DISPUTE_WINDOW_CLOSED',
      `Disputes on this job closed ${new Date(Number(BigInt(settle.ts) + window)).toISOString()}.`,
      { details: { job } },
    )
  if ((await readDispute(view, job)) !== undefined)
    throw new IcnError('MESH_DISPUTE_EXISTS', 'This job already has a dispute (one per job).', {
      details: { job },
    })
  const info = await readScopeInfo(view, record.scope)
  const parties = new Set([record.submitter, settle.executor])
  const validators = [...new Set(info?.validators ?? [])].filter((v) => !parties.has(v)).sort()
  if (validators.length === 0)
    throw new IcnError(
      'MESH_DISPUTE_NO_VALIDATORS',
      `Scope ${record.scope} names no validators besides the parties, so nobody can judge a dispute there.`,
      { details: { job } },
    )
  return { settle, receipt, validators, submitter: record.submitter }
}

export const disputeHandler: EventTypeHandler<DisputeBody> = {
  parseBody(body) {
    const t = DISPUTE_EVENT_TYPES.dispute
    if (!isMap(body) || !hasExactly(body, DISPUTE_FIELDS))
      throw malformed(t, `the body is {${DISPUTE_FIELDS.join(', ')}}`)
    const job = eventCid(body['job'])
    const settlement = eventCid(body['settlement'])
    const receipt = eventCid(body['receipt'])
    if (job === null || settlement === null || receipt === null)
      throw malformed(t, 'job, settlement and receipt must be event CIDs')
    const reason = body['reason']
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON)
      throw malformed(t, `reason is 1–${MAX_REASON} characters`)
    return { job, settlement, receipt, reason }
  },
  deps(body) {
    return [body.job, body.settlement, body.receipt]
  },
  conflict(body) {
    // Both parties may open one at once on different nodes: one dispute per job.
    return { key: `mesh/${body.job.toString()}/dispute`, rank: 0 }
  },
  async validate(ctx, view) {
    const { body, event } = ctx
    const { settle, receipt } = await checkDisputable(view, {
      job: body.job.toString(),
      author: event.author,
      at: event.ts,
    })
    if (settle.id !== body.settlement.toString() || receipt.id !== body.receipt.toString())
      throw new IcnError(
        'MESH_DISPUTE_NOT_DISPUTABLE',
        "The dispute must name the job's settlement and the receipt it settled.",
      )
  },
  async apply(ctx, tx) {
    const { body, event } = ctx
    const job = body.job.toString()
    const { settle, validators, submitter } = await checkDisputable(tx, {
      job,
      author: event.author,
      at: event.ts,
    })
    const record: DisputeRecord = {
      id: ctx.id,
      job,
      scope: event.scope,
      settlement: settle.id,
      receipt: body.receipt.toString(),
      kind: settle.kind as 'paid' | 'rejected',
      price: settle.kind === 'paid' ? settle.price : ((await readAssign(tx, job))?.price ?? 0n),
      submitter,
      executor: settle.executor as string,
      opener: event.author,
      reason: body.reason,
      validators,
      quorum: Math.floor(validators.length / 2) + 1,
      ts: event.ts,
    }
    tx.put(disputeKeys.dispute(job), record)
    tx.put(disputeKeys.byId(ctx.id), job)
    tx.putIndex(`mesh/disputes/${event.ts.toString(16).padStart(14, '0')}/${ctx.id}`, ctx.id)
  },
}

// ---- mesh/verdict --------------------------------------------------------------------------------------------------

const VERDICT_FIELDS = ['dispute', 'result', 'exit', 'error', 'fuelUsed', 'stdout', 'stderr', 'output']

export const verdictHandler: EventTypeHandler<VerdictBody> = {
  parseBody(body) {
    const t = DISPUTE_EVENT_TYPES.verdict
    if (!isMap(body) || !hasExactly(body, VERDICT_FIELDS))
      throw malformed(t, `the body is {${VERDICT_FIELDS.join(', ')}}`)
    const dispute = eventCid(body['dispute'])
    if (dispute === null) throw malformed(t, 'dispute must be an event CID')
    const result = body['result']
    if (result !== 'confirm' && result !== 'reverse') throw malformed(t, 'result is confirm or reverse')
    const exit = body['exit']
    if (typeof exit !== 'number' || !Number.isSafeInteger(exit) || exit < -1 || exit > 0xffffffff)
      throw malformed(t, 'exit must be an exit status or -1')
    const error = body['error']
    if (error !== null && (typeof error !== 'string' || error.length === 0 || error.length > 64))
      throw malformed(t, 'error is null or an error code')
    const fuelUsed = bigOf(body['fuelUsed'])
    if (fuelUsed === null) throw malformed(t, 'fuelUsed must be a non-negative integer')
    const stdout = blockCid(body['stdout'])
    const stderr = blockCid(body['stderr'])
    const output = blockCid(body['output'])
    if (stdout === null || stderr === null || output === null)
      throw malformed(t, 'stdout, stderr and output must be block CIDs')
    return { dispute, result, exit, error, fuelUsed, stdout, stderr, output }
  },
  deps(body) {
    return [body.dispute]
  },
  async validate(ctx, view) {
    const { body, event } = ctx
    const dispute = await requireDispute(view, body.dispute)
    requireValidator(dispute, event.author)
    // Written only by this validator's chain, so "twice" is judged in chain order on every node.
    if ((await view.get(disputeKeys.verdict(dispute.id, event.author))) !== undefined)
      throw new IcnError('MESH_VERDICT_EXISTS', 'You have already given a verdict on this dispute.', {
        details: { dispute: dispute.id },
      })
    const receipt = await readReceipt(view, (await readReceiptAssign(view, dispute)) ?? '')
    if (receipt === undefined) throw new IcnError('MESH_UNKNOWN_DISPUTE', 'The disputed receipt is missing.')
    const matches = reproduces(runOf(body), receipt)
    if (verdictFor(dispute.kind, matches) !== body.result)
      throw new IcnError(
        'MESH_INVALID_VERDICT',
        `A run that ${matches ? 'reproduces' : 'differs from'} the receipt of a ${dispute.kind} settlement means ${verdictFor(dispute.kind, matches)}, not ${body.result}.`,
      )
  },
  async apply(ctx, tx) {
    const { body, event } = ctx
    const dispute = (await readDisputeById(tx, body.dispute.toString())) as DisputeRecord
    const receipt = await readReceipt(tx, (await readReceiptAssign(tx, dispute)) ?? '')
    const run = runOf(body)
    const record: VerdictRecord = {
      id: ctx.id,
      dispute: dispute.id,
      validator: event.author,
      result: body.result,
      ...run,
      fuelUsed: body.fuelUsed,
      matches: receipt !== undefined && reproduces(run, receipt),
      ts: event.ts,
    }
    tx.put(disputeKeys.verdict(dispute.id, event.author), record)
  },
}

function runOf(body: VerdictBody): {
  exit: number
  error: string | null
  fuelUsed: bigint
  stdout: string
  stderr: string
  output: string
} {
  return {
    exit: body.exit,
    error: body.error,
    fuelUsed: body.fuelUsed,
    stdout: body.stdout.toString(),
    stderr: body.stderr.toString(),
    output: body.output.toString(),
  }
}

/** The assignment the disputed receipt answers (receipts are keyed by assignment). */
async function readReceiptAssign(view: StateView, dispute: DisputeRecord): Promise<string | undefined> {
  const event = await view.getEvent(dispute.receipt)
  return (event?.event.body as { assign?: CID } | undefined)?.assign?.toString()
}

// ---- mesh/resolve --------------------------------------------------------------------------------------------------

const RESOLVE_FIELDS = ['dispute', 'result', 'verdicts']

export const resolveHandler: EventTypeHandler<ResolveBody> = {
  parseBody(body) {
    const t = DISPUTE_EVENT_TYPES.resolve
    if (!isMap(body) || !hasExactly(body, RESOLVE_FIELDS))
      throw malformed(t, `the body is {${RESOLVE_FIELDS.join(', ')}}`)
    const dispute = eventCid(body['dispute'])
    if (dispute === null) throw malformed(t, 'dispute must be an event CID')
    const result = body['result']
    if (result !== 'confirm' && result !== 'reverse') throw malformed(t, 'result is confirm or reverse')
    const list = body['verdicts']
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_VERDICTS)
      throw malformed(t, `verdicts lists 1–${MAX_VERDICTS} verdict events`)
    const verdicts = list.map(eventCid)
    if (verdicts.some((v) => v === null)) throw malformed(t, 'verdicts must be event CIDs')
    const ids = verdicts.map(String)
    if (new Set(ids).size !== ids.length) throw malformed(t, 'verdicts are listed once each')
    return { dispute, result, verdicts: verdicts as CID[] }
  },
  deps(body) {
    return [body.dispute, ...body.verdicts]
  },
  conflict(body) {
    // Several validators may see the quorum at once: one resolution per dispute.
    return { key: `mesh/${body.dispute.toString()}/resolve`, rank: 0 }
  },
  async validate(ctx, view) {
    const { body, event } = ctx
    const dispute = await requireDispute(view, body.dispute)
    requireValidator(dispute, event.author)
    if ((await readResolution(view, dispute.id)) !== undefined)
      throw new IcnError('MESH_DISPUTE_RESOLVED', 'The dispute is already resolved.', {
        details: { dispute: dispute.id },
      })
    const authors = new Set<string>()
    for (const cid of body.verdicts) {
      const id = cid.toString()
      const stored = await view.getEvent(id)
      if (
        stored === undefined ||
        stored.event.type !== DISPUTE_EVENT_TYPES.verdict ||
        !(await view.isEffective(id))
      )
        throw new IcnError('MESH_INVALID_VERDICT', `${id} is not an applied verdict.`)
      const verdict = stored.event.body as { dispute: CID; result: string }
      if (!verdict.dispute.equals(body.dispute) || verdict.result !== body.result)
        throw new IcnError('MESH_INVALID_VERDICT', `${id} is not a ${body.result} verdict on this dispute.`)
      authors.add(stored.event.author)
    }
    if (authors.size < dispute.quorum)
      throw new IcnError(
        'MESH_DISPUTE_NO_QUORUM',
        `${authors.size} of ${dispute.validators.length} validators say ${body.result}; ${dispute.quorum} are needed.`,
      )
  },
  async apply(ctx, tx) {
    const { body, event } = ctx
    const dispute = (await readDisputeById(tx, body.dispute.toString())) as DisputeRecord
    const record: ResolutionRecord = {
      id: ctx.id,
      dispute: dispute.id,
      job: dispute.job,
      result: body.result,
      by: event.author,
      verdicts: body.verdicts.map(String).sort(),
      ts: event.ts,
    }
    tx.put(disputeKeys.resolution(dispute.id), record)
    // A confirmed settlement stands: nothing moves (docs/mesh.md: no penalty for a dispute that failed).
    if (body.result === 'confirm') return
    const memo = `dispute ${dispute.id}: settlement of job ${dispute.job} reversed`.slice(0, 280)
    const key = disputeOutcomeKey(dispute.job)
    // Paid for a wrong result: the submitter gets the price back now and the executor owes it. A correct result
    // that was rejected: the executor gets the agreed price and the submitter owes it.
    const paid = dispute.kind === 'paid'
    const creditor = paid ? dispute.submitter : dispute.executor
    const debtor = paid ? dispute.executor : dispute.submitter
    if (dispute.price > 0n) {
      await createCredit(tx, ctx, {
        kind: paid ? 'refund' : 'settlement',
        to: creditor,
        amount: dispute.price,
        from: debtor,
        memo,
      })
      writeDebt(tx, { dispute, resolution: ctx.id, debtor, creditor })
    }
    await recordJobOutcome(tx, ctx, { subject: dispute.executor, outcome: paid ? 'failure' : 'success', key })
  },
}

function writeDebt(
  tx: Parameters<EventTypeHandler['apply']>[1],
  input: { dispute: DisputeRecord; resolution: string; debtor: string; creditor: string },
): void {
  const record: DebtRecord = {
    dispute: input.dispute.id,
    resolution: input.resolution,
    debtor: input.debtor,
    creditor: input.creditor,
    amount: input.dispute.price,
  }
  tx.put(disputeKeys.debt(input.dispute.job), record)
}
