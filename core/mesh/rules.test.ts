import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CID } from '../dag'
import { RAW, cidFor, type VerifiedEvent } from '../dag'
import type { IcnNode } from '../node'
import { startTestNode, type TestNode } from '../test/helpers'
import { testAuthor, type TestAuthor } from '../test/events'
import { manifestBody, type JobManifest } from './manifest'
import { signBid } from './messages'
import { readAssign, readSettle } from './records'

/**
 * What a node does with mesh events from peers that break the rules: every bad one is refused or stored void,
 * the good ones apply, and the state says what a user would see.
 */
let t: TestNode
let node: IcnNode
beforeAll(async () => {
  t = await startTestNode()
  node = t.node
})
afterAll(async () => {
  await t.destroy()
})

const module = cidFor(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), RAW)
const blob = cidFor(new Uint8Array([1]), RAW)
const manifest: JobManifest = {
  module,
  engine: 'v8',
  entry: '_start',
  args: [],
  env: {},
  stdin: null,
  inputs: [],
  limits: { fuel: 1000n, memoryMiB: 16, timeoutMs: 1000, outputBytes: 100 },
  maxPrice: 20n,
  minReputation: 0,
  bidWindowMs: 100,
  verification: 'none',
}

async function status(e: VerifiedEvent): Promise<string | undefined> {
  return (await node.dag.getSummary(e.id))?.status
}

function assignBody(
  job: CID,
  executor: TestAuthor,
  price: number,
  attempt: number,
  deadline: number,
  bidPrice = price,
) {
  return {
    job,
    attempt,
    executor: executor.did,
    price,
    bid: signBid(
      { job, executor: executor.did, price: BigInt(bidPrice), free: 1, minPrice: 1n, ts: Date.now() },
      executor.signer,
    ),
    deadline,
    score: { score: 1, price: 1, reputation: 1, latency: 1, ranked: 1 },
  }
}

function receiptBody(job: CID, assign: CID, fuelUsed = 10) {
  return {
    job,
    assign,
    output: blob,
    stdout: blob,
    stderr: blob,
    stdoutBytes: 1,
    outputBytes: 0,
    fuelUsed,
    exit: 0,
    error: null,
    startedAt: 1,
    finishedAt: 2,
    deterministic: true,
  }
}

describe('mesh events from peers', () => {
  it('applies a valid lifecycle and voids every step taken by the wrong member or out of turn', async () => {
    const s = testAuthor()
    const e = testAuthor()
    const x = testAuthor()
    const jobEvent = s.next('mesh/job', manifestBody(manifest))
    await node.dag.ingest(jobEvent.bytes)
    expect(await status(jobEvent)).toBe('applied')
    const job = jobEvent.cid

    // A stranger cannot assign someone else's job.
    const stranger = x.next('mesh/assign', assignBody(job, e, 5, 1, Date.now() + 10_000))
    await node.dag.ingest(stranger.bytes)
    expect(await status(stranger)).toBe('voided')

    // The embedded bid must be the executor's own offer at this price: refused outright.
    const altered = testAuthor().next('mesh/assign', assignBody(job, e, 5, 1, Date.now() + 10_000, 4))
    await expect(node.dag.ingest(altered.bytes)).rejects.toMatchObject({ code: 'MESH_INVALID_BID' })

    // Above the job's maximum price.
    const pricey = s.next('mesh/assign', assignBody(job, e, 25, 1, 0))
    await node.dag.ingest(pricey.bytes)
    expect(await status(pricey)).toBe('voided')

    const assignTs = pricey.event.ts + 1
    const deadline = assignTs + 1000 + 500
    const assign = s.next('mesh/assign', assignBody(job, e, 5, 1, deadline))
    await node.dag.ingest(assign.bytes)
    expect(await status(assign)).toBe('applied')
    expect((await readAssign(node.dag.view(), job.toString()))?.executor).toBe(e.did)

    // Reassigning before the deadline would punish an executor that still has time.
    const early = s.next('mesh/assign', assignBody(job, x, 5, 2, deadline + 2000))
    await node.dag.ingest(early.bytes)
    expect(await status(early)).toBe('voided')

    // Only the assigned executor writes the receipt, within the job's limits.
    const wrongExecutor = x.next('mesh/receipt', receiptBody(job, assign.cid))
    await node.dag.ingest(wrongExecutor.bytes)
    expect(await status(wrongExecutor)).toBe('voided')
    const overFuel = e.next('mesh/receipt', receiptBody(job, assign.cid, 5000))
    await node.dag.ingest(overFuel.bytes)
    expect(await status(overFuel)).toBe('voided')
    const receipt = e.next('mesh/receipt', receiptBody(job, assign.cid))
    await node.dag.ingest(receipt.bytes)
    expect(await status(receipt)).toBe('applied')
    const second = e.next('mesh/receipt', receiptBody(job, assign.cid))
    await node.dag.ingest(second.bytes)
    expect(await status(second)).toBe('voided')

    // The settlement pays the agreed price, once.
    const settleBody = (kind: string, reason: string, price: number, withReceipt: boolean) => ({
      job,
      kind,
      reason,
      note: '',
      receipt: withReceipt ? receipt.cid : null,
      price,
    })
    const overpaid = s.next('mesh/settle', settleBody('paid', 'verified', 7, true))
    await node.dag.ingest(overpaid.bytes)
    expect(await status(overpaid)).toBe('voided')
    const paid = s.next('mesh/settle', settleBody('paid', 'verified', 5, true))
    await node.dag.ingest(paid.bytes)
    expect(await status(paid)).toBe('applied')
    const refund = s.next('mesh/settle', settleBody('refunded', 'cancelled', 0, false))
    await node.dag.ingest(refund.bytes)
    expect(await status(refund)).toBe('voided')
    expect(await readSettle(node.dag.view(), job.toString())).toMatchObject({
      kind: 'paid',
      executor: e.did,
      price: 5n,
    })
    const detail = await node.mesh.get(job.toString())
    expect(detail).toMatchObject({ status: 'paid', role: 'observer', executor: e.did, price: 5n })
    expect(detail.receipts.map((r) => r.id)).toEqual([receipt.id])
  })

  it('refuses malformed bodies outright', async () => {
    const s = testAuthor()
    const bad = s.next('mesh/job', { ...manifestBody(manifest), bidWindowMs: 0 })
    await expect(node.dag.ingest(bad.bytes)).rejects.toMatchObject({ code: 'MESH_INVALID_MANIFEST' })
    const settle = testAuthor().next('mesh/settle', {
      job: cidFor(new Uint8Array([9]), 0x71),
      kind: 'refunded',
      reason: 'because',
      note: '',
      receipt: null,
      price: 0,
    })
    await expect(node.dag.ingest(settle.bytes)).rejects.toMatchObject({ code: 'DAG_INVALID_EVENT' })
  })
})
