import { bigOf, blockCid, eventCid, hasExactly, isMap, malformed } from './parse'
import { IcnError, isIcnErrorCode } from '../errors'
import type { CID, EventTypeHandler, StateView } from '../dag'
import { isDidKey } from '../identity'
import { readMember, readParams } from '../scope'
import { checkManifestParams, parseManifest, type JobManifest } from './manifest'
import { decodeBid } from './messages'
import {
  meshIndex,
  meshKeys,
  outcomeKey,
  readAssign,
  readJobRecord,
  readReceipt,
  readSettle,
  reservationKey,
  type AssignRecord,
  type JobRecord,
  type ReceiptRecord,
  type SettleKind,
  type SettleRecord,
} from './records'
import { checkEscrow, recordJobOutcome, releaseEscrow, reserveEscrow, settleEscrow } from './ledger'

/**
 * The four mesh event types (docs/mesh.md §Events). A job, its assignments and its settlement live in the
 * submitter's chain; a receipt lives in the executor's chain and names the assignment it answers.
 */
export const MESH_EVENT_TYPES = {
  job: 'mesh/job',
  assign: 'mesh/assign',
  receipt: 'mesh/receipt',
  settle: 'mesh/settle',
} as const

/** Longest an assignment may give an executor beyond the job's own timeout (ms). */
export const MAX_RECEIPT_GRACE_MS = 3_600_000

export interface AssignBody {
  job: CID
  attempt: number
  executor: string
  price: bigint
  /** The executor's signed bid (messages.ts): proof that it offered this price for this job. */
  bid: Uint8Array
  deadline: number
  /** How the winner was chosen, for audit (select.ts): its score components and the number of ranked bids. */
  score: { score: number; price: number; reputation: number; latency: number; ranked: number }
}

export interface ReceiptBody {
  job: CID
  assign: CID
  output: CID
  stdout: CID
  stderr: CID
  stdoutBytes: number
  outputBytes: number
  fuelUsed: bigint
  exit: number
  error: { code: string; message: string } | null
  startedAt: number
  finishedAt: number
  deterministic: boolean
}

export interface SettleBody {
  job: CID
  kind: SettleKind
  reason: string
  note: string
  receipt: CID | null
  price: bigint
}

export const REFUND_REASONS = ['no-bids', 'cancelled', 'timeout'] as const
export const REJECT_REASONS = ['mismatch', 'limits', 'unavailable'] as const

function safeInt(value: unknown, min = 0): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min
}

async function requireJob(view: StateView, job: CID, author: string): Promise<JobRecord> {
  const record = await readJobRecord(view, job.toString())
  if (record === undefined || !(await view.isEffective(job.toString()))) {
    throw new IcnError('MESH_UNKNOWN_JOB', `There is no job ${job.toString()} (or it was voided).`, {
      details: { job: job.toString() },
    })
  }
  if (record.submitter !== author)
    throw new IcnError('MESH_NOT_SUBMITTER', 'Only the member who submitted the job may assign or settle it.')
  return record
}

async function requireOpen(view: StateView, job: string): Promise<void> {
  const settled = await readSettle(view, job)
  if (settled !== undefined) {
    throw new IcnError(
      'MESH_JOB_CLOSED',
      `The job is already closed (${settled.kind}${settled.reason === '' ? '' : `: ${settled.reason}`}).`,
      { details: { job, settlement: settled.id } },
    )
  }
}

// ---- mesh/job ------------------------------------------------------------------------------------------------

export const jobHandler: EventTypeHandler<JobManifest> = {
  parseBody(body) {
    return parseManifest(body)
  },
  async validate(ctx, view) {
    const { scope, author } = ctx.event
    checkManifestParams(ctx.body, await readParams(view, scope))
    if ((await readMember(view, scope, author)) === undefined) {
      throw new IcnError('GOV_NOT_A_MEMBER', `Only members of ${scope} may submit jobs there.`)
    }
    // The escrow comes out of available mana: a submitter cannot promise more than it has.
    await checkEscrow(view, ctx, ctx.body.maxPrice)
  },
  async apply(ctx, tx) {
    const m = ctx.body
    const reserved = m.maxPrice > 0n && (await reserveEscrow(tx, ctx, reservationKey(ctx.id), m.maxPrice))
    const record: JobRecord = {
      id: ctx.id,
      submitter: ctx.event.author,
      scope: ctx.event.scope,
      ts: ctx.event.ts,
      maxPrice: m.maxPrice,
      minReputation: m.minReputation,
      bidWindowMs: m.bidWindowMs,
      timeoutMs: m.limits.timeoutMs,
      fuel: m.limits.fuel,
      outputBytes: m.limits.outputBytes,
      engine: m.engine,
      verification: m.verification,
      reserved,
    }
    tx.put(meshKeys.job(ctx.id), record)
    tx.putIndex(meshIndex.submitted(ctx.event.author, ctx.event.ts, ctx.id), ctx.id)
  },
}

// ---- mesh/assign ----------------------------------------------------------------------------------------------

const ASSIGN_FIELDS = ['job', 'attempt', 'executor', 'price', 'bid', 'deadline', 'score']
const SCORE_FIELDS = ['score', 'price', 'reputation', 'latency', 'ranked']

export const assignHandler: EventTypeHandler<AssignBody> = {
  parseBody(body) {
    const t = MESH_EVENT_TYPES.assign
    if (!isMap(body) || !hasExactly(body, ASSIGN_FIELDS))
      throw malformed(t, `the body is {${ASSIGN_FIELDS.join(', ')}}`)
    const job = eventCid(body['job'])
    if (job === null) throw malformed(t, 'job must be an event CID')
    if (!safeInt(body['attempt'], 1) || body['attempt'] > 1000) throw malformed(t, 'attempt must be 1–1000')
    if (!isDidKey(body['executor'])) throw malformed(t, 'executor must be a did:key')
    const price = bigOf(body['price'])
    if (price === null) throw malformed(t, 'price must be a non-negative integer')
    if (!(body['bid'] instanceof Uint8Array) || body['bid'].length > 4096)
      throw malformed(t, 'bid must be the signed bid bytes')
    if (!safeInt(body['deadline'])) throw malformed(t, 'deadline must be a timestamp')
    const score = body['score']
    if (
      !isMap(score) ||
      !hasExactly(score, SCORE_FIELDS) ||
      !SCORE_FIELDS.every((k) => safeInt(score[k]) && score[k] <= 1_000_000)
    )
      throw malformed(t, `score is {${SCORE_FIELDS.join(', ')}} of small integers`)
    // The embedded bid must be a well-formed bid signed by the executor, for this job and this price.
    const bid = decodeBid(body['bid'])
    if (!bid.job.equals(job) || bid.executor !== body['executor'] || bid.price !== price)
      throw new IcnError('MESH_INVALID_BID', 'The embedded bid is for another job, executor or price.')
    return {
      job,
      attempt: body['attempt'],
      executor: body['executor'],
      price,
      bid: body['bid'],
      deadline: body['deadline'],
      score: score as AssignBody['score'],
    }
  },
  deps(body) {
    return [body.job]
  },
  async validate(ctx, view) {
    const { body, event } = ctx
    const job = await requireJob(view, body.job, event.author)
    await requireOpen(view, job.id)
    if (body.executor === event.author)
      throw new IcnError('MESH_INVALID_BID', 'A submitter cannot assign its own job to itself.')
    if (body.price > job.maxPrice) {
      throw new IcnError(
        'MESH_INVALID_BID',
        `The bid's price ${body.price} is above the job's maximum ${job.maxPrice}.`,
      )
    }
    const min = event.ts + job.timeoutMs
    if (body.deadline < min || body.deadline > min + MAX_RECEIPT_GRACE_MS) {
      throw new IcnError(
        'MESH_INVALID_BID',
        'The deadline must give the executor the job timeout and at most one hour of grace.',
      )
    }
    const previous = await readAssign(view, job.id)
    const expected = (previous?.attempt ?? 0) + 1
    if (body.attempt !== expected)
      throw new IcnError('MESH_INVALID_BID', `This job's next assignment is attempt ${expected}.`)
    if (previous !== undefined && event.ts <= previous.deadline) {
      throw new IcnError(
        'MESH_INVALID_BID',
        `The current executor has until ${new Date(previous.deadline).toISOString()} to deliver its receipt.`,
      )
    }
  },
  async apply(ctx, tx) {
    const { body, event } = ctx
    const jobId = body.job.toString()
    const previous = await readAssign(tx, jobId)
    // Reassigning means the previous executor missed its deadline: that is its timeout.
    if (previous !== undefined) {
      await recordJobOutcome(tx, ctx, {
        subject: previous.executor,
        outcome: 'timeout',
        key: outcomeKey(jobId, previous.attempt),
      })
    }
    const record: AssignRecord = {
      id: ctx.id,
      job: jobId,
      attempt: body.attempt,
      executor: body.executor,
      price: body.price,
      startTs: event.ts,
      deadline: body.deadline,
      ts: event.ts,
    }
    tx.put(meshKeys.assign(jobId), record)
    tx.put(meshKeys.attempt(jobId, body.attempt), record)
    tx.putIndex(meshIndex.assigned(body.executor, event.ts, jobId), ctx.id)
  },
}

// ---- mesh/receipt ---------------------------------------------------------------------------------------------

const RECEIPT_FIELDS = [
  'job',
  'assign',
  'output',
  'stdout',
  'stderr',
  'stdoutBytes',
  'outputBytes',
  'fuelUsed',
  'exit',
  'error',
  'startedAt',
  'finishedAt',
  'deterministic',
]

export const receiptHandler: EventTypeHandler<ReceiptBody> = {
  parseBody(body) {
    const t = MESH_EVENT_TYPES.receipt
    if (!isMap(body) || !hasExactly(body, RECEIPT_FIELDS))
      throw malformed(t, `the body is {${RECEIPT_FIELDS.join(', ')}}`)
    const job = eventCid(body['job'])
    const assign = eventCid(body['assign'])
    if (job === null || assign === null) throw malformed(t, 'job and assign must be event CIDs')
    const output = blockCid(body['output'])
    const stdout = blockCid(body['stdout'])
    const stderr = blockCid(body['stderr'])
    if (output === null || stdout === null || stderr === null)
      throw malformed(t, 'output, stdout and stderr must be block CIDs')
    const fuelUsed = bigOf(body['fuelUsed'])
    if (fuelUsed === null) throw malformed(t, 'fuelUsed must be a non-negative integer')
    if (!safeInt(body['stdoutBytes']) || !safeInt(body['outputBytes']))
      throw malformed(t, 'stdoutBytes and outputBytes must be sizes')
    const exit = body['exit']
    if (typeof exit !== 'number' || !Number.isSafeInteger(exit) || exit < -1 || exit > 0xffffffff)
      throw malformed(t, 'exit must be an exit status or -1')
    const error = body['error']
    if (error !== null) {
      if (
        !isMap(error) ||
        !hasExactly(error, ['code', 'message']) ||
        !isIcnErrorCode(error['code']) ||
        typeof error['message'] !== 'string' ||
        error['message'].length > 1000
      )
        throw malformed(t, 'error is null or {code (a known code), message (≤ 1000 characters)}')
    }
    if (!safeInt(body['startedAt']) || !safeInt(body['finishedAt']) || body['finishedAt'] < body['startedAt'])
      throw malformed(t, 'startedAt ≤ finishedAt must be timestamps')
    if (typeof body['deterministic'] !== 'boolean') throw malformed(t, 'deterministic must be a boolean')
    return {
      job,
      assign,
      output,
      stdout,
      stderr,
      stdoutBytes: body['stdoutBytes'],
      outputBytes: body['outputBytes'],
      fuelUsed,
      exit,
      error: error as ReceiptBody['error'],
      startedAt: body['startedAt'],
      finishedAt: body['finishedAt'],
      deterministic: body['deterministic'],
    }
  },
  deps(body) {
    return [body.job, body.assign]
  },
  async validate(ctx, view) {
    const { body, event } = ctx
    const assignEvent = await view.getEvent(body.assign.toString())
    if (
      assignEvent === undefined ||
      assignEvent.event.type !== MESH_EVENT_TYPES.assign ||
      !(await view.isEffective(assignEvent.id))
    )
      throw new IcnError('MESH_INVALID_RECEIPT', 'The receipt answers no effective assignment.')
    const assign = assignHandler.parseBody(assignEvent.event.body, assignEvent.event)
    if (!assign.job.equals(body.job))
      throw new IcnError('MESH_INVALID_RECEIPT', 'The receipt names another job than its assignment.')
    if (assign.executor !== event.author)
      throw new IcnError('MESH_NOT_EXECUTOR', 'Only the assigned executor may write the receipt.')
    if ((await readReceipt(view, assignEvent.id)) !== undefined)
      throw new IcnError('MESH_INVALID_RECEIPT', 'This assignment already has a receipt.')
    const job = await readJobRecord(view, body.job.toString())
    if (job === undefined) throw new IcnError('MESH_UNKNOWN_JOB', 'The receipt names an unknown job.')
    if (body.fuelUsed > job.fuel)
      throw new IcnError('MESH_INVALID_RECEIPT', `fuelUsed ${body.fuelUsed} is above the limit ${job.fuel}.`)
    if (body.stdoutBytes + body.outputBytes > job.outputBytes)
      throw new IcnError('MESH_INVALID_RECEIPT', 'The receipt reports more output than the job allows.')
  },
  async apply(ctx, tx) {
    const { body, event } = ctx
    const record: ReceiptRecord = {
      id: ctx.id,
      job: body.job.toString(),
      assign: body.assign.toString(),
      executor: event.author,
      output: body.output.toString(),
      stdout: body.stdout.toString(),
      stderr: body.stderr.toString(),
      stdoutBytes: body.stdoutBytes,
      outputBytes: body.outputBytes,
      fuelUsed: body.fuelUsed,
      exit: body.exit,
      error: body.error,
      startedAt: body.startedAt,
      finishedAt: body.finishedAt,
      deterministic: body.deterministic,
      ts: event.ts,
    }
    tx.put(meshKeys.receipt(record.assign), record)
    tx.putIndex(meshIndex.receiptOf(record.job, ctx.id), record.assign)
  },
}

// ---- mesh/settle ----------------------------------------------------------------------------------------------

const SETTLE_FIELDS = ['job', 'kind', 'reason', 'note', 'receipt', 'price']

export const settleHandler: EventTypeHandler<SettleBody> = {
  parseBody(body) {
    const t = MESH_EVENT_TYPES.settle
    if (!isMap(body) || !hasExactly(body, SETTLE_FIELDS))
      throw malformed(t, `the body is {${SETTLE_FIELDS.join(', ')}}`)
    const job = eventCid(body['job'])
    if (job === null) throw malformed(t, 'job must be an event CID')
    const kind = body['kind']
    if (kind !== 'paid' && kind !== 'rejected' && kind !== 'refunded')
      throw malformed(t, 'kind is paid, rejected or refunded')
    const reason = body['reason']
    if (typeof reason !== 'string' || reason.length > 64) throw malformed(t, 'reason is a short code')
    if (kind === 'refunded' && !(REFUND_REASONS as readonly string[]).includes(reason))
      throw malformed(t, `a refund's reason is one of ${REFUND_REASONS.join(', ')}`)
    if (kind === 'rejected' && !(REJECT_REASONS as readonly string[]).includes(reason))
      throw malformed(t, `a rejection's reason is one of ${REJECT_REASONS.join(', ')}`)
    if (typeof body['note'] !== 'string' || body['note'].length > 1000)
      throw malformed(t, 'note is at most 1000 characters')
    const receipt = body['receipt'] === null ? null : eventCid(body['receipt'])
    if (body['receipt'] !== null && receipt === null) throw malformed(t, 'receipt is null or an event CID')
    if ((kind === 'refunded') !== (receipt === null))
      throw malformed(t, 'a payment or rejection names the receipt; a refund names none')
    const price = bigOf(body['price'])
    if (price === null || (kind !== 'paid' && price !== 0n))
      throw malformed(t, 'price is the amount paid (0 unless paid)')
    return { job, kind, reason, note: body['note'], receipt, price }
  },
  deps(body) {
    return body.receipt === null ? [body.job] : [body.job, body.receipt]
  },
  conflict(body) {
    // One settlement per job: paying, rejecting and refunding compete for the same place.
    return { key: `mesh/${body.job.toString()}/settle`, rank: 0 }
  },
  async validate(ctx, view) {
    const { body, event } = ctx
    const job = await requireJob(view, body.job, event.author)
    await requireOpen(view, job.id)
    const assign = await readAssign(view, job.id)
    if (body.receipt !== null) {
      if (assign === undefined)
        throw new IcnError('MESH_INVALID_RECEIPT', 'The job was never assigned, so it has no receipt.')
      const receipt = await readReceipt(view, assign.id)
      if (receipt === undefined || receipt.id !== body.receipt.toString()) {
        throw new IcnError(
          'MESH_INVALID_RECEIPT',
          "The settlement must name the receipt of the job's current assignment.",
        )
      }
      if (body.kind === 'paid' && body.price !== assign.price) {
        throw new IcnError('MESH_INVALID_RECEIPT', `The agreed price is ${assign.price}, not ${body.price}.`)
      }
    } else if (body.reason === 'timeout') {
      if (assign === undefined || event.ts <= assign.deadline)
        throw new IcnError('MESH_INVALID_RECEIPT', 'Only an assignment past its deadline can time out.')
    } else if (body.reason === 'no-bids' && assign !== undefined) {
      throw new IcnError('MESH_INVALID_RECEIPT', 'The job was assigned; it did not end for lack of bids.')
    }
  },
  async apply(ctx, tx) {
    const { body, event } = ctx
    const jobId = body.job.toString()
    const job = (await readJobRecord(tx, jobId)) as JobRecord
    const assign = await readAssign(tx, jobId)
    const key = reservationKey(jobId)
    const memo = `job ${jobId}`
    if (body.kind === 'paid') {
      const { executor, attempt } = assign as AssignRecord
      if (job.reserved) await settleEscrow(tx, ctx, { key, to: executor, price: body.price, memo })
      // Keyed by attempt: an earlier attempt of the same job may already have recorded a timeout.
      await recordJobOutcome(tx, ctx, {
        subject: executor,
        outcome: 'success',
        key: outcomeKey(jobId, attempt),
      })
    } else {
      if (job.reserved) await releaseEscrow(tx, ctx, key, memo)
      // 'unavailable' (blocks that could not be fetched) says nothing about the executor's honesty.
      if (
        body.kind === 'rejected' &&
        body.reason !== 'unavailable' &&
        body.reason !== 'timeout' &&
        assign !== undefined
      )
        await recordJobOutcome(tx, ctx, {
          subject: assign.executor,
          outcome: 'failure',
          key: outcomeKey(jobId, assign.attempt),
        })
      if (body.reason === 'timeout' && assign !== undefined) {
        await recordJobOutcome(tx, ctx, {
          subject: assign.executor,
          outcome: 'timeout',
          key: outcomeKey(jobId, assign.attempt),
        })
      }
    }
    const record: SettleRecord = {
      id: ctx.id,
      job: jobId,
      kind: body.kind,
      reason: body.reason,
      note: body.note,
      receipt: body.receipt?.toString() ?? null,
      executor: body.kind === 'refunded' && body.reason !== 'timeout' ? null : (assign?.executor ?? null),
      price: body.price,
      ts: event.ts,
    }
    tx.put(meshKeys.settle(jobId), record)
  },
}
