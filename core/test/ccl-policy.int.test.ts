/**
 * Live CCL policies on two real nodes (level stores in temp dirs) exchanging the real bytes of every event they
 * create, as gossip delivers them. Two members pass a `policy` proposal; afterwards both nodes weigh votes with
 * the module — the same weights, the same outcome, the same state root — while a proposal created before the
 * activation keeps the built-in rule on both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAST_CHARTER, relay, startGovNode, waitFor } from '../governance/testing'
import type { IcnNode } from '../node'
import type { TestNode } from './helpers'

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
