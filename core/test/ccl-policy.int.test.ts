/**
 * Live CCL policies on two real nodes (level stores in temp dirs) exchanging the real bytes of every event they
 * create, as gossip delivers them. Two members pass a `policy` proposal; afterwards both nodes weigh votes with
 * the module — the same weights, the same outcome, the same state root — while a proposal created before the
 * activation keeps the built-in rule on both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAST_CHARTER, relay, startGovNode, waitFor } from '../governance/testing'
import type { JobDetail } from '../mesh'
import { createLoopbackHub, type LoopbackHub } from '../mesh/test-support'
import type { IcnNode } from '../node'
import { jobWasm } from '../runtime/testdata/wat'
import { startTestNode, type TestNode } from './helpers'

let a: TestNode
let b: TestNode
let wire: ReturnType<typeof relay>
let scope: string
const all = (): IcnNode[] => [a.node, b.node]

async function resultEverywhere(proposal: string): Promise<void> {
  for (const n of all())
    await waitFor(`the result of ${proposal}`, async () => (await n.governance.get(proposal)).result !== null)
}

beforeAll(async () => {
  ;[a, b] = await Promise.all([startGovNode(), startGovNode()])
  wire = relay(all())
  const created = await a.node.governance.createScope({
    kind: 'cooperative',
    name: 'Weighted Commons',
    members: [b.node.identity.did()],
    ...FAST_CHARTER,
  })
  scope = created.scope
  for (const n of all()) await waitFor('the genesis', async () => (await n.governance.scopes()).length === 1)
})

afterAll(async () => {
  wire.stop()
  for (const t of [a, b]) await t.destroy()
})

describe('a policy passed by two members changes decisions on both nodes', () => {
  it('weighs the first member 3 after activation, on both nodes; older proposals keep weight 1', async () => {
    const first = a.node.identity.did()
    const source =
      `const ELDER: String = "${first}";\n` +
      'fn vote_weight(voter: Did) -> Int {\n' +
      '    if !is_member(voter) { return 0; }\n' +
      '    if string(voter) == ELDER { return 3; }\n' +
      '    return 1;\n' +
      '}\n'
    const older = await a.node.governance.propose({
      scope,
      title: 'Before the policy',
      action: { kind: 'text' },
      votingPeriodMs: 8000,
    })
    const policy = await b.node.governance.propose({
      scope,
      title: 'The elder weighs 3',
      action: { kind: 'policy', policy: 'vote_weight', source },
    })
    await wire.settled()
    await a.node.governance.vote({ proposal: policy.id, choice: 'yes' })
    await b.node.governance.vote({ proposal: policy.id, choice: 'yes' })
    await resultEverywhere(policy.id)
    const module = (policy.action as { module: string }).module
    for (const n of all()) {
      expect((await n.governance.get(policy.id)).status).toBe('passed')
      await waitFor('the active policy', async () => (await n.policies.active(scope)).length === 1)
      expect(await n.policies.active(scope)).toEqual([
        expect.objectContaining({ scope, policy: 'vote_weight', module, proposal: policy.id }),
      ])
    }

    // A later proposal: the elder votes no, the other member yes. Built-in: 1 : 1. The policy: 1 yes : 3 no.
    const later = await b.node.governance.propose({
      scope,
      title: 'After the policy',
      action: { kind: 'text' },
    })
    await wire.settled()
    await a.node.governance.vote({ proposal: later.id, choice: 'no' })
    await b.node.governance.vote({ proposal: later.id, choice: 'yes' })
    await a.node.governance.vote({ proposal: older.id, choice: 'no' })
    await b.node.governance.vote({ proposal: older.id, choice: 'yes' })
    await wire.settled()
    for (const n of all()) {
      expect((await n.governance.get(later.id)).tally).toMatchObject({ yes: 1, no: 3, participants: 2 })
      expect((await n.governance.get(older.id)).tally).toMatchObject({ yes: 1, no: 1, participants: 2 })
    }
    await resultEverywhere(later.id)
    for (const n of all()) {
      const done = await n.governance.get(later.id)
      expect(done.status).toBe('failed')
      expect(done.tally).toMatchObject({ yes: 1, no: 3 })
      expect(n.policies.fallbacks(scope)).toEqual([])
    }
    await wire.settled()
    const roots = await Promise.all(all().map((n) => n.dag.stateRoot()))
    expect(roots[0]).toBe(roots[1])
  }, 40_000)
})

describe('a job_admission policy passed by the members changes what the executor takes', () => {
  const started: TestNode[] = []
  afterAll(async () => {
    for (const t of started) await t.destroy()
  })

  async function meshNode(hub: LoopbackHub, name: string): Promise<IcnNode> {
    const ep = hub.endpoint(name)
    const t = await startTestNode({
      init: {
        governance: { tickMs: 40, settleMs: 150 },
        mesh: { beaconIntervalMs: 200, receiptGraceMs: 300, resumeDelayMs: 200, network: ep },
      },
      beforeStart: (n) => ep.attach(n),
    })
    started.push(t)
    return t.node
  }

  async function finished(n: IcnNode, job: string): Promise<JobDetail> {
    return waitFor(`job ${job}`, async () => {
      const d = await n.mesh.get(job).catch(() => undefined)
      return d !== undefined && ['paid', 'rejected', 'refunded'].includes(d.status) ? d : undefined
    })
  }

  it('the executor bids before the policy and declines after it, as not-allowed', async () => {
    const hub = createLoopbackHub()
    const submitter = await meshNode(hub, 'submitter')
    const executor = await meshNode(hub, 'executor')
    const { scope: coop } = await submitter.governance.createScope({
      kind: 'cooperative',
      name: 'Compute Coop',
      members: [executor.identity.did()],
      ...FAST_CHARTER,
    })
    await waitFor('the genesis', async () => (await executor.governance.scopes()).length === 1)
    const submit = () =>
      submitter.mesh.submit({
        scope: coop,
        module: jobWasm('wat/hello.wasm'),
        maxPrice: 10,
        bidWindowMs: 150,
      })

    const first = await finished(submitter, (await submit()).job)
    expect(first.status).toBe('paid')
    expect(first.executor).toBe(executor.identity.did())

    const source =
      'fn job_admission(submitter: Did, executor: Did, max_price: Mana, fuel: Int) -> Bool {\n' +
      '    return has_role(submitter, "steward");\n' +
      '}\n'
    const p = await executor.governance.propose({
      scope: coop,
      title: 'Only stewards submit jobs',
      action: { kind: 'policy', policy: 'job_admission', source },
    })
    await hub.settle()
    await submitter.governance.vote({ proposal: p.id, choice: 'yes' })
    await executor.governance.vote({ proposal: p.id, choice: 'yes' })
    await waitFor(
      'activation on the executor',
      async () => (await executor.policies.active(coop)).length === 1,
    )

    const second = await finished(submitter, (await submit()).job)
    expect(second.status).toBe('refunded')
    expect(second.reason).toBe('no-bids')
    expect((await executor.mesh.stats()).recent.declined['not-allowed']).toBe(1)
    expect(executor.policies.fallbacks(coop)).toEqual([])
  }, 40_000)
})
