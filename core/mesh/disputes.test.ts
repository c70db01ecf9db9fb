import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CID } from '../dag'
import { jobWasm } from '../runtime/testdata/wat'
import type { IcnNode } from '../node'
import { startTestNode, type TestNode } from '../test/helpers'
import type { DisputeView, JobDetail } from './index'
import { DISPUTE_EVENT_TYPES, checkDisputable, readVerdicts } from './disputes'
import { FAST_CHARTER } from '../governance/testing'
import { ATTEST_EVENT_TYPE } from './attest'
import { createLoopbackHub, type LoopbackEndpoint, type LoopbackHub } from './test-support'

/**
 * Disputes between in-process nodes (real signed events, real WebAssembly, the loopback transport): the bad
 * inputs each get their code and change nothing; a validator that was offline judges after it comes back.
 */
let hub: LoopbackHub
const started: TestNode[] = []
let submitter: IcnNode
let executor: IcnNode
let v1: IcnNode
let v2: { node: IcnNode; ep: LoopbackEndpoint }
let outsider: IcnNode
let scope: string
let job: string

async function meshNode(name: string, tamper = false): Promise<{ node: IcnNode; ep: LoopbackEndpoint }> {
  const ep = hub.endpoint(name)
  const t = await startTestNode({
    init: {
      governance: { tickMs: 40, settleMs: 150, joinTimeoutMs: 5000 },
      mesh: {
        beaconIntervalMs: 200,
        receiptGraceMs: 300,
        resumeDelayMs: 200,
        resolveStaggerMs: 100,
        attestIntervalMs: 100,
        network: ep,
        ...(tamper
          ? {
              tamperResult: (r) => ({ ...r, stdout: new TextEncoder().encode('Hello from a liar!\n') }),
            }
          : {}),
      },
    },
    beforeStart: (n) => ep.attach(n),
  })
  started.push(t)
  return { node: t.node, ep }
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await fn().catch(() => undefined)
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const disputeOf = async (node: IcnNode, id: string): Promise<DisputeView | undefined> =>
  (await node.mesh.disputes({ job: id }))[0]

beforeAll(async () => {
  hub = createLoopbackHub()
  submitter = (await meshNode('submitter')).node
  executor = (await meshNode('executor', true)).node
  v1 = (await meshNode('v1')).node
  v2 = await meshNode('v2')
  outsider = (await meshNode('outsider')).node
  // Only the dishonest node executes.
  for (const n of [submitter, v1, v2.node, outsider]) await n.mesh.setSettings({ enabled: false })
  const created = await submitter.governance.createScope({
    kind: 'cooperative',
    name: 'Dispute Commons',
    members: [executor, v1, v2.node].map((n) => n.identity.did()),
    validators: [v1, v2.node].map((n) => n.identity.did()),
    ...FAST_CHARTER,
  })
  scope = created.scope
  await hub.settle()
  for (const n of [executor, v1, v2.node])
    await until('the scope', async () => (await n.governance.scopes()).length === 1)
  const submitted = await submitter.mesh.submit({
    module: jobWasm('wat/hello.wasm'),
    maxPrice: 10,
    bidWindowMs: 150,
    scope,
  })
  job = submitted.job
  await until('paid', async () => (await submitter.mesh.get(job)).status === 'paid')
}, 60_000)

afterAll(async () => {
  for (const t of started.splice(0)) await t.destroy()
})

describe('validator attestations', () => {
  it('both validators attest the settlement and a governance result, seen alike on every node', async () => {
    const all = [submitter, executor, v1, v2.node, outsider]
    const validators = [v1, v2.node].map((n) => n.identity.did()).sort()
    const settlement = (await submitter.mesh.get(job)).settlement!.id
    for (const n of all)
      await until('the settlement attested', async () => {
        const a = (await n.mesh.get(job)).settlement?.attestations ?? []
        return a.length === 2 ? a : undefined
      })
    const attested = (await submitter.mesh.get(job)).settlement!.attestations
    expect(attested.map((a) => a.validator).sort()).toEqual(validators)
    // A passed proposal's result is attested the same way.
    const proposal = await submitter.governance.propose({
      scope,
      title: 'Attest me',
      action: { kind: 'text' },
    })
    await hub.settle()
    for (const n of [submitter, executor, v1, v2.node])
      await until('the vote', () =>
        n.governance.vote({ proposal: proposal.id, choice: 'yes' }).then(() => true),
      )
    const result = await until(
      'the result',
      async () => (await submitter.governance.get(proposal.id)).result ?? undefined,
    )
    for (const n of all)
      await until('the result attested', async () => (await n.mesh.attestations(result.id)).length === 2)
    // Bad input: a non-validator, a second attestation, an event that is neither a settlement nor a result.
    await expect(
      outsider.dag.append({ type: ATTEST_EVENT_TYPE, scope, body: { subjects: [CID.parse(settlement)] } }),
    ).rejects.toMatchObject({ code: 'MESH_NOT_VALIDATOR' })
    await expect(
      v1.dag.append({ type: ATTEST_EVENT_TYPE, scope, body: { subjects: [CID.parse(settlement)] } }),
    ).rejects.toMatchObject({ code: 'MESH_INVALID_ATTESTATION' })
    await expect(
      v1.dag.append({ type: ATTEST_EVENT_TYPE, scope, body: { subjects: [CID.parse(job)] } }),
    ).rejects.toMatchObject({ code: 'MESH_INVALID_ATTESTATION' })
  }, 30_000)
})

describe('disputes: bad input', () => {
  it('refuses disputes on an unknown job, by a non-party, after the window, or on a refund', async () => {
    const unknown = 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    await expect(submitter.mesh.dispute({ job: unknown, reason: 'x' })).rejects.toMatchObject({
      code: 'MESH_UNKNOWN_JOB',
    })
    await expect(v1.mesh.dispute({ job, reason: 'I was not there' })).rejects.toMatchObject({
      code: 'MESH_DISPUTE_NOT_PARTY',
    })
    const settledAt = (await submitter.mesh.get(job)).settlement!.ts
    await expect(
      checkDisputable(submitter.dag.view(), {
        job,
        author: submitter.identity.did(),
        at: settledAt + 7 * 24 * 3_600_000 + 1,
      }),
    ).rejects.toMatchObject({ code: 'MESH_DISPUTE_WINDOW_CLOSED' })
    // A refunded job (nobody bids on a job in the global scope here) has no result to dispute.
    const refunded = await submitter.mesh.submit({
      module: jobWasm('wat/hello.wasm'),
      maxPrice: 1,
      bidWindowMs: 50,
      minReputation: 1000,
    })
    await until('refunded', async () => (await submitter.mesh.get(refunded.job)).status === 'refunded')
    await expect(submitter.mesh.dispute({ job: refunded.job, reason: 'x' })).rejects.toMatchObject({
      code: 'MESH_DISPUTE_NOT_DISPUTABLE',
    })
    expect(await submitter.mesh.disputes()).toEqual([])
    // Nothing was signed for the refused disputes.
    expect((await submitter.dag.listEvents({ type: DISPUTE_EVENT_TYPES.dispute })).events).toEqual([])
  }, 30_000)

  it('refuses verdicts from non-validators, twice from one validator, and resolutions without a quorum', async () => {
    // v2 is away: only v1 judges, so the quorum (2 of 2) is not reached until v2 returns.
    await v2.ep.setOnline(false)
    const opened = await submitter.mesh.dispute({ job, reason: 'The output is not what hello.wasm prints.' })
    expect(opened).toMatchObject({ status: 'open', quorum: 2, opener: submitter.identity.did() })
    expect(opened.validators).toEqual([v1.identity.did(), v2.node.identity.did()].sort())
    await expect(executor.mesh.dispute({ job, reason: 'again' })).rejects.toMatchObject({
      code: 'MESH_DISPUTE_EXISTS',
    })
    await hub.settle()
    const first = await until('v1 verdict', async () => {
      const d = await disputeOf(v1, job)
      return d !== undefined && d.verdicts.length === 1 ? d.verdicts[0] : undefined
    })
    expect(first).toMatchObject({ validator: v1.identity.did(), result: 'reverse', matches: false })
    const body = (await v1.dag.getEvent(first.id))!.event.body as Record<string, unknown>
    const dispute = CID.parse(opened.id)
    const rootBefore = await v1.dag.stateRoot()
    await expect(
      outsider.dag.append({ type: DISPUTE_EVENT_TYPES.verdict, scope, body: { ...body, dispute } }),
    ).rejects.toMatchObject({ code: 'MESH_NOT_VALIDATOR' })
    await expect(v1.dag.append({ type: DISPUTE_EVENT_TYPES.verdict, scope, body })).rejects.toMatchObject({
      code: 'MESH_VERDICT_EXISTS',
    })
    await expect(
      v1.dag.append({
        type: DISPUTE_EVENT_TYPES.resolve,
        scope,
        body: { dispute, result: 'reverse', verdicts: [CID.parse(first.id)] },
      }),
    ).rejects.toMatchObject({ code: 'MESH_DISPUTE_NO_QUORUM' })
    expect(await v1.dag.stateRoot()).toBe(rootBefore)
    expect(await readVerdicts(v1.dag.view(), opened.id)).toHaveLength(1)

    // v2 comes back, syncs, re-executes and agrees; a validator resolves and the settlement is reversed.
    await v2.ep.setOnline(true)
    const all = [submitter, executor, v1, v2.node, outsider]
    for (const n of all)
      await until(`reversed on every node`, async () => (await disputeOf(n, job))?.status === 'reversed')
    const resolved = (await disputeOf(submitter, job)) as DisputeView
    expect(resolved.verdicts.map((v) => v.result)).toEqual(['reverse', 'reverse'])
    expect(resolved.debt).toEqual({
      debtor: executor.identity.did(),
      creditor: submitter.identity.did(),
      amount: resolved.price,
    })
    await expect(
      v1.dag.append({
        type: DISPUTE_EVENT_TYPES.resolve,
        scope,
        body: { dispute, result: 'reverse', verdicts: resolved.verdicts.map((v) => CID.parse(v.id)) },
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(MESH_DISPUTE_RESOLVED|DAG_SUPERSEDED)$/) })
    // The settlement event itself stays (it is history); the dispute's resolution reverses its effects.
    const detail: JobDetail = await submitter.mesh.get(job)
    expect(detail.status).toBe('paid')
  }, 60_000)
})

describe('disputes: order independence', () => {
  it('a fresh node given every event in reverse order folds to the same state root', async () => {
    await hub.settle()
    const fresh = await startTestNode()
    started.push(fresh)
    const ids: string[] = []
    let before: number | undefined
    for (;;) {
      const page = await submitter.dag.listEvents({
        limit: 1000,
        ...(before === undefined ? {} : { before }),
      })
      ids.push(...page.events.map((e) => e.id))
      if (page.next === null) break
      before = page.next
    }
    // listEvents is newest first: ingesting in that order delivers every event before its dependencies.
    for (const id of ids) {
      const event = await submitter.dag.getEvent(id)
      if (event !== undefined) await fresh.node.dag.ingest(event.bytes).catch(() => undefined)
    }
    await until(
      'the same root',
      async () => (await fresh.node.dag.stateRoot()) === (await submitter.dag.stateRoot()),
    )
    expect((await fresh.node.mesh.disputes({ job }))[0]?.status).toBe('reversed')
  }, 30_000)
})
