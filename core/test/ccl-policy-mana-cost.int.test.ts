/**
 * A scope's `mana_cost` policy decides the fee its charged events pay (economics' fee hook, composed with the live
 * policies in core/node.ts). Policies are activated through real passed `policy` proposals; modules run in the
 * real WASM engine; state is the real level store. Scopes here do not regenerate mana (`mana.regenPerHour` 0), so
 * balances are exact whatever the wall clock does.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_LEDGER_TYPE, startEconNode, type EconTestNode } from '../economics/test-support'
import { FAST_CHARTER, relay, startGovNode, waitFor } from '../governance/testing'
import type { HistoryEntry } from '../economics'
import { LivePolicies } from '../ccl/live'
import type { IcnNode } from '../node'
import { testAuthor } from './events'
import type { TestNode } from './helpers'

const BY_REPUTATION = readFileSync(
  join(import.meta.dirname, '../../resources/ccl/mana-cost-by-reputation.ccl'),
  'utf8',
)

const NO_REGEN = {
  ...FAST_CHARTER,
  params: { ...FAST_CHARTER.params, 'mana.regenPerHour': 0, 'cost.transfer': 3 },
}

/** Passes a `mana_cost` policy in `scope` with the votes of `voters` and waits until every node runs it. */
async function activate(
  proposer: IcnNode,
  voters: IcnNode[],
  scope: string,
  source: string,
  settle: () => Promise<void> = async () => undefined,
): Promise<string> {
  const p = await proposer.governance.propose({
    scope,
    title: 'Fees by policy',
    action: { kind: 'policy', policy: 'mana_cost', source },
  })
  await settle()
  for (const v of voters) await v.governance.vote({ proposal: p.id, choice: 'yes' })
  for (const n of voters)
    await waitFor('the mana_cost policy', async () =>
      (await n.policies.active(scope)).some((a) => a.policy === 'mana_cost'),
    )
  return (p.action as { module: string }).module
}

async function fees(node: IcnNode, scope: string, did?: string): Promise<HistoryEntry[]> {
  return (await node.economics.history({ scope, kind: 'fee', ...(did === undefined ? {} : { did }) })).entries
}

describe('a mana_cost policy decides the fee (one node)', () => {
  let t: TestNode
  let node: IcnNode
  const other = testAuthor().did
  let byReputation = ''

  beforeAll(async () => {
    t = await startGovNode()
    node = t.node
  })
  afterAll(async () => {
    await t.destroy()
  })

  it('charges the policy fee for transfers and proposals after a passed policy proposal', async () => {
    const { scope } = await node.governance.createScope({
      kind: 'cooperative',
      name: 'Fees by reputation',
      members: [other],
      ...NO_REGEN,
    })
    byReputation = scope
    await activate(node, [node], scope, BY_REPUTATION)
    // Built-in: cost.transfer 3, cost.propose 10. The policy (reputation 500 without outcomes, so 50% of its base
    // costs, at least 1): a transfer 1, a proposal 5.
    expect((await node.economics.cost({ type: 'transfer', scope })).fee).toBe(1n)
    const before = (await node.economics.balance({ scope })).available

    const transfer = await node.economics.transfer({ to: other, amount: 7, scope })
    expect((await node.economics.balance({ scope })).available).toBe(before - 7n - 1n)
    const [fee] = await fees(node, scope)
    expect(fee).toMatchObject({
      event: transfer.id,
      kind: 'fee',
      direction: 'out',
      amount: 1n,
      memo: 'mana/transfer',
      balance: before - 1n,
    })

    const p = await node.governance.propose({ scope, title: 'Cheaper now', action: { kind: 'text' } })
    expect((await node.economics.balance({ scope })).available).toBe(before - 8n - 5n)
    expect((await fees(node, scope))[0]).toMatchObject({ event: p.id, amount: 5n, memo: 'gov/propose' })
    expect(node.policies.fallbacks(scope)).toEqual([])
  }, 30_000)

  it('answers the built-in fee without reading anything else when the scope has no policy, and on running out of fuel', async () => {
    const me = node.identity.did()
    const untouched = async (): Promise<bigint> => {
      throw new Error('read without a policy')
    }
    const input = {
      economy: byReputation,
      action: 'transfer',
      actor: me,
      ts: Date.now(),
      fallback: 3n,
      cap: 1000n,
      available: untouched,
      reputation: untouched,
    }
    const { scope: bare } = await node.governance.createScope({
      kind: 'cooperative',
      name: 'Bare',
      ...NO_REGEN,
    })
    expect(await node.policies.manaCost(node.dag.view(), { ...input, scope: bare, economy: bare })).toBe(3n)
    expect(node.policies.fallbacks(bare)).toEqual([])

    const starved = new LivePolicies({ dag: node.dag, logger: node.logger, fuel: 100n })
    const answer = await starved.manaCost(node.dag.view(), {
      ...input,
      scope: byReputation,
      available: async () => 500n,
      reputation: async () => 500n,
    })
    expect(answer).toBe(3n)
    expect(starved.fallbacks(byReputation)).toEqual([
      expect.objectContaining({ policy: 'mana_cost', code: 'RUNTIME_OUT_OF_FUEL', ts: input.ts }),
    ])
    // With enough fuel the same inputs give the policy's fee.
    const fed = new LivePolicies({ dag: node.dag, logger: node.logger })
    expect(
      await fed.manaCost(node.dag.view(), {
        ...input,
        scope: byReputation,
        available: async () => 500n,
        reputation: async () => 500n,
      }),
    ).toBe(1n)
  })

  it('falls back to cost.<action> when the policy traps or answers above the capacity, and records it', async () => {
    const { scope } = await node.governance.createScope({
      kind: 'cooperative',
      name: 'Broken fees',
      members: [other],
      ...NO_REGEN,
    })
    const source =
      'fn mana_cost(action: String, actor: Did) -> Mana {\n' +
      '    if action == "propose" { return mana(1_000_000); }\n' +
      '    let n = len(action);\n' +
      '    return mana(10 / (n - n));\n' +
      '}\n'
    const module = await activate(node, [node], scope, source)
    const before = (await node.economics.balance({ scope })).available

    const transfer = await node.economics.transfer({ to: other, amount: 7, scope })
    expect((await node.economics.balance({ scope })).available).toBe(before - 7n - 3n)
    expect((await fees(node, scope))[0]).toMatchObject({ event: transfer.id, amount: 3n })
    const trapped = node.policies.fallbacks(scope)
    expect(trapped.length).toBeGreaterThan(0)
    expect(trapped[trapped.length - 1]).toMatchObject({
      scope,
      policy: 'mana_cost',
      module,
      code: 'RUNTIME_TRAP',
      ts: transfer.event.ts,
    })

    const p = await node.governance.propose({ scope, title: 'Too dear', action: { kind: 'text' } })
    expect((await fees(node, scope))[0]).toMatchObject({ event: p.id, amount: 10n })
    const capped = node.policies.fallbacks(scope)
    expect(capped[capped.length - 1]).toMatchObject({
      policy: 'mana_cost',
      code: 'CCL_POLICY_FAILED',
      ts: p.createdAt,
    })
    expect(capped[capped.length - 1]?.message).toMatch(/outside 0\.\.1000/)
    // A quote uses the policy too, but a failing quote is not recorded.
    const count = node.policies.fallbacks(scope).length
    expect((await node.economics.cost({ type: 'transfer', scope })).fee).toBe(3n)
    expect(node.policies.fallbacks(scope)).toHaveLength(count)
  }, 30_000)
})

describe('a mana_cost policy gives the same fee on two nodes', () => {
  let a: EconTestNode
  let b: EconTestNode
  let wire: ReturnType<typeof relay>
  const all = (): IcnNode[] => [a.node, b.node]

  beforeAll(async () => {
    const init = { init: { governance: { tickMs: 40, settleMs: 150 } } }
    ;[a, b] = await Promise.all([startEconNode(init), startEconNode(init)])
    wire = relay(all())
  })
  afterAll(async () => {
    wire.stop()
    for (const t of [a, b]) await t.destroy()
  })

  it('charges a transfer by reputation and balance identically on both nodes, same state root', async () => {
    const { scope } = await a.node.governance.createScope({
      kind: 'cooperative',
      name: 'Shared fees',
      members: [b.did],
      ...NO_REGEN,
    })
    for (const n of all())
      await waitFor('the genesis', async () => (await n.governance.scopes()).length === 1)
    // Transfers pay reputation/100 + available/100; other actions their cost parameter.
    const source =
      'fn mana_cost(action: String, actor: Did) -> Mana {\n' +
      '    if action == "transfer" { return mana(reputation(actor) / 100) + balance(actor) / 100; }\n' +
      '    return mana(param_int("cost." + action, 0));\n' +
      '}\n'
    await activate(a.node, all(), scope, source, () => wire.settled())

    // A records a failed job of B's: B's reputation drops from 500 to ⌊1000·1/5⌋ = 200, on both nodes.
    await a.node.dag.append({
      type: TEST_LEDGER_TYPE,
      scope,
      body: { op: 'outcome', subject: b.did, outcome: 'failure', key: 'job-1' },
    })
    await wire.settled()
    for (const n of all()) expect((await n.economics.reputation({ did: b.did, scope })).score).toBe(200)

    // B has its opening 500 (its votes were free): fee 200/100 + 500/100 = 7.
    expect((await b.node.economics.cost({ type: 'transfer', scope })).fee).toBe(7n)
    const transfer = await b.node.economics.transfer({ to: a.did, amount: 40, scope })
    await wire.settled()
    await waitFor('A acknowledges the transfer', async () => {
      const credit = await a.node.economics.credit(`${transfer.id}:0`)
      return credit?.received === true
    })
    await wire.settled()

    for (const n of all()) {
      expect((await n.economics.balance({ did: b.did, scope })).available).toBe(500n - 40n - 7n)
      expect((await fees(n, scope, b.did))[0]).toMatchObject({ event: transfer.id, amount: 7n })
      expect(n.policies.fallbacks(scope)).toEqual([])
    }
    expect((await a.node.economics.balance({ did: a.did, scope })).available).toBe(
      (await b.node.economics.balance({ did: a.did, scope })).available,
    )
    const roots = await Promise.all(all().map((n) => n.dag.stateRoot()))
    expect(roots[0]).toBe(roots[1])
    expect(wire.errors).toEqual([])
  }, 40_000)
})
