/**
 * A dishonest executor, caught by a dispute, over real libp2p on 127.0.0.1 with real WebAssembly. The executor's
 * node changes its output before it signs the receipt (the test-only `tamperResult` hook), so its receipt is
 * well-formed and validly signed and the submitter, which did not ask for re-execution, pays it. The submitter
 * then opens a dispute; the two validators of the cooperative's charter fetch the module, re-execute it, find a
 * different output and sign `reverse` verdicts; one of them resolves. On every node: the dispute is reversed,
 * the submitter's refund is credited, the executor's debt and failure are recorded, and the state root is one.
 * On the way, both validators attest the (wrong) settlement: an attestation is a check of the rules, not a re-run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DisputeView, MeshInit } from '../mesh'
import { eventsTopic, meshTopic } from '../network'
import { jobWasm, text } from '../runtime/testdata/wat'
import { waitFor as waitForValue } from '../governance/testing'
import type { TestNode } from './helpers'
import { TEST_NETWORK, roots, tcpAddr, waitFor, waitForMesh } from './network-helpers'
import { startTestNode, tempDir } from './helpers'

const nodes: TestNode[] = []
let submitter: TestNode
let executor: TestNode
let validators: TestNode[]
let scope = ''

const MESH: MeshInit = {
  beaconIntervalMs: 500,
  receiptGraceMs: 2000,
  resumeDelayMs: 500,
  resolveStaggerMs: 300,
}

async function start(mesh: MeshInit = {}): Promise<TestNode> {
  const node = await startTestNode({
    dir: await tempDir('icn-dispute-'),
    init: {
      network: { ...TEST_NETWORK, dht: false, syncIntervalMs: 1000 },
      mesh: { ...MESH, ...mesh },
      governance: { tickMs: 100, settleMs: 200 },
    },
  })
  await node.node.network.ready()
  nodes.push(node)
  return node
}

const did = (t: TestNode): string => t.node.identity.did()

beforeAll(async () => {
  submitter = await start()
  executor = await start({
    tamperResult: (result) => ({ ...result, stdout: new TextEncoder().encode('Hello from a liar!\n') }),
  })
  validators = [await start(), await start()]
  // Everyone dials everyone: a small cooperative on one machine.
  for (const [i, a] of nodes.entries())
    for (const b of nodes.slice(i + 1)) await b.node.network.connect(tcpAddr(a))
  for (const n of nodes) await waitForMesh(n, 3)
  // Only the dishonest node executes (the others would otherwise bid too).
  for (const n of [submitter, ...validators]) await n.node.mesh.setSettings({ enabled: false })
  const created = await submitter.node.governance.createScope({
    kind: 'cooperative',
    name: 'Honest Compute',
    members: [executor, ...validators].map(did),
    validators: validators.map(did),
  })
  scope = created.scope
  for (const n of nodes) {
    await waitFor('the scope on every node', async () => (await n.node.governance.scopes()).length === 1)
    await waitForMesh(n, 3, eventsTopic(scope))
    await waitForMesh(n, 1, meshTopic(scope))
  }
}, 120_000)

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.destroy()))
})

describe('a dispute over a dishonest receipt', () => {
  it('is opened, validators re-execute, the settlement is reversed and the executor loses reputation on every node', async () => {
    const started = Date.now()
    // Bids travel by gossip on a shared 2-core machine: a generous window, and a new job if the first got none.
    let job = ''
    for (let attempt = 1; job === ''; attempt++) {
      const submitted = await submitter.node.mesh.submit({
        module: jobWasm('wat/hello.wasm'),
        maxPrice: 10,
        bidWindowMs: 1500,
        scope,
      })
      const end = await waitForValue(
        'the job settled',
        async () => {
          const d = await submitter.node.mesh.get(submitted.job)
          return ['paid', 'rejected', 'refunded'].includes(d.status) ? d : undefined
        },
        30_000,
      )
      if (end.status === 'paid' || attempt === 3) job = submitted.job
    }
    const paid = await submitter.node.mesh.get(job)
    expect(paid.executor).toBe(did(executor))
    const price = paid.settlement!.price
    expect(price).toBeGreaterThan(0n)
    // The lie: a valid, signed receipt whose stdout is not what the module prints.
    expect(text((await submitter.node.mesh.output(job)).stdout)).toBe('Hello from a liar!\n')
    const local = await submitter.node.mesh.verify(job)
    expect(local.match).toBe(false)
    // The validators attest the settlement (they checked it under the rules; they did not re-run it).
    for (const n of nodes)
      await waitFor(
        'the settlement attested by both validators',
        async () => ((await n.node.mesh.get(job)).settlement?.attestations.length ?? 0) === 2,
      )
    // Before the dispute the executor has a success on record, like any paid job.
    await waitFor('the success on every node', async () => {
      for (const n of nodes)
        if ((await n.node.economics.reputation({ did: did(executor), scope })).successes !== 1) return false
      return true
    })
    const before = await submitter.node.economics.reputation({ did: did(executor), scope })

    const opened = await submitter.node.mesh.dispute({ job, reason: `local re-run: ${local.differences[0]}` })
    expect(opened).toMatchObject({
      status: 'open',
      kind: 'paid',
      price,
      opener: did(submitter),
      executor: did(executor),
      quorum: 2,
      validators: validators.map(did).sort(),
    })

    const reversed = (n: TestNode) => async (): Promise<DisputeView | undefined> => {
      const d = (await n.node.mesh.disputes({ job }))[0]
      return d?.status === 'reversed' ? d : undefined
    }
    for (const n of nodes)
      await waitFor('the reversal on every node', async () => (await reversed(n)()) !== undefined, 60_000)
    const view = (await reversed(submitter)())!
    expect(view.verdicts).toHaveLength(2)
    expect(view.verdicts.map((v) => [v.validator, v.result, v.matches]).sort()).toEqual(
      validators.map((v) => [did(v), 'reverse', false]).sort(),
    )
    // Each validator's own run is what the module really prints, not what the receipt says.
    expect(new Set(view.verdicts.map((v) => v.stdout)).size).toBe(1)
    expect(view.verdicts[0]!.stdout).not.toBe(paid.receipts[0]!.stdout)
    expect(view.resolution?.by).toSatisfy((by: string) => validators.map(did).includes(by))
    expect(view.debt).toEqual({ debtor: did(executor), creditor: did(submitter), amount: price })

    // The submitter's node acknowledges the refund; the executor's reputation drops on every node.
    await waitFor(
      'the refund received',
      async () => (await submitter.node.economics.history({ kind: 'refund', scope })).entries.length === 1,
      30_000,
    )
    const refund = (await submitter.node.economics.history({ kind: 'refund', scope })).entries[0]!
    expect(refund).toMatchObject({ direction: 'in', amount: price, counterparty: did(executor) })
    for (const n of nodes) {
      await waitFor('the failure on every node', async () => {
        const r = await n.node.economics.reputation({ did: did(executor), scope })
        return r.failures === 1
      })
      const r = await n.node.economics.reputation({ did: did(executor), scope })
      expect(r).toMatchObject({ successes: 1, failures: 1 })
      expect(r.score).toBeLessThan(before.score)
    }

    // One state: every node holds the same events and computes the same root.
    await waitFor(
      'one state root',
      async () => {
        const counts = await Promise.all(nodes.map(async (n) => (await n.node.dag.stats()).events))
        return new Set(counts).size === 1 && new Set(await roots(nodes)).size === 1
      },
      30_000,
    )
    expect(new Set(await roots(nodes)).size).toBe(1)
    console.info(`dispute round trip: ${Date.now() - started} ms from submit to one state on 4 nodes`)
  }, 180_000)
})
