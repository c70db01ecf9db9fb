import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAST_CHARTER, startGovNode, waitFor } from '../governance/testing'
import type { IcnNode } from '../node'
import type { TestNode } from '../test/helpers'
import { scopeKeys, type MemberRecord } from '../scope'
import { testAuthor } from '../test/events'
import { LivePolicies, contextAt, parseInputs } from './live'

let t: TestNode
let node: IcnNode
beforeAll(async () => {
  t = await startGovNode()
  node = t.node
})
afterAll(async () => {
  await t.destroy()
})

const SPIN =
  'fn vote_weight(voter: Did) -> Int {\n  let mut i = 0;\n  while true { i += 1; }\n  return i;\n}\n'
const DIVIDE =
  'fn proposal_passes(yes: Int, no: Int, abstain: Int, eligible: Int) -> Bool {\n' +
  '  return yes / (no - no) > abstain + eligible;\n}\n'
const TENURE =
  'fn vote_weight(voter: Did) -> Int {\n  let mut w = 0;\n  for i in 0..len(string(voter)) { w += i % 3; }\n' +
  '  log("weighed " + string(voter));\n  return w;\n}\n'

describe('LivePolicies.run (dry runs through the runtime engine)', () => {
  it('gives the same value and fuel on two independent engines (determinism)', async () => {
    const other = new LivePolicies({ dag: node.dag, logger: node.logger })
    const input = { entry: 'vote_weight' as const, source: TENURE, inputs: { voter: 'did:key:z6MkAlice' } }
    const a = await node.policies.run(input)
    const b = await other.run(input)
    const again = await node.policies.run(input)
    expect(a).toMatchObject({ fallback: false, error: null, logs: ['weighed did:key:z6MkAlice'] })
    expect(a.value).toBe(String([...'did:key:z6MkAlice'].reduce((w, _, i) => w + (i % 3), 0)))
    expect(BigInt(a.fuelUsed)).toBeGreaterThan(0n)
    expect(b).toEqual(a)
    expect(again).toEqual(a)
  })

  it('falls back to the built-in rule when the policy runs out of fuel', async () => {
    const res = await node.policies.run({
      entry: 'vote_weight',
      source: SPIN,
      inputs: { voter: 'did:key:z6MkAlice' },
      fuel: 50_000n,
    })
    expect(res).toMatchObject({
      fallback: true,
      policyValue: null,
      value: res.defaultValue,
      fuelUsed: '50000',
      error: { code: 'RUNTIME_OUT_OF_FUEL' },
    })
  })

  it('falls back when the policy traps, and the default follows the scope', async () => {
    const { scope } = await node.governance.createScope({ kind: 'cooperative', name: 'Run', ...FAST_CHARTER })
    const res = await node.policies.run({
      entry: 'proposal_passes',
      source: DIVIDE,
      scope,
      inputs: { yes: '3', no: '1', abstain: '0', eligible: '4' },
    })
    expect(res).toMatchObject({ fallback: true, value: 'true', defaultValue: 'true' })
    expect(res.error?.code).toMatch(/^RUNTIME_/)
  })

  it('rejects inputs that do not fit the entry with a clear error', () => {
    expect(() => parseInputs('vote_weight', {})).toThrow(/Missing input voter/)
    expect(() => parseInputs('vote_weight', { voter: 'alice' })).toThrow(/must be a DID/)
    expect(() => parseInputs('proposal_passes', { yes: 'x', no: '0', abstain: '0', eligible: '1' })).toThrow(
      /64-bit integer/,
    )
    expect(() => parseInputs('vote_weight', { voter: 'did:key:z', extra: '1' })).toThrow(/no input "extra"/)
  })
})

describe('LivePolicies as governance policy runtime', () => {
  it('a trapping vote_weight activated by proposal falls back to weight 1, logged and listed', async () => {
    const { scope } = await node.governance.createScope({
      kind: 'cooperative',
      name: 'Trap',
      ...FAST_CHARTER,
    })
    const source =
      'fn vote_weight(voter: Did) -> Int {\n  let n = len(string(voter));\n  return 10 / (n - n);\n}\n'
    const p = await node.governance.propose({
      scope,
      title: 'Broken weights',
      action: { kind: 'policy', policy: 'vote_weight', source },
    })
    await node.governance.vote({ proposal: p.id, choice: 'yes' })
    await waitFor('activation', async () => (await node.policies.active(scope)).length === 1)
    const [active] = await node.policies.active(scope)
    expect(active).toMatchObject({ scope, policy: 'vote_weight', proposal: p.id })
    expect(active?.module).toBe((p.action as { module: string }).module)

    const after = await node.governance.propose({ scope, title: 'After', action: { kind: 'text' } })
    await node.governance.vote({ proposal: after.id, choice: 'yes' })
    expect((await node.governance.get(after.id)).tally).toMatchObject({ yes: 1, participants: 1 })
    const fallbacks = node.policies.fallbacks(scope)
    expect(fallbacks.length).toBeGreaterThan(0)
    expect(fallbacks[0]).toMatchObject({ scope, policy: 'vote_weight', module: active?.module })
    expect(fallbacks[0]?.code).toMatch(/^RUNTIME_TRAP$/)
  }, 20_000)
})

describe('contextAt (what a governance decision reads)', () => {
  it('is the membership as of the basis, with the since of the admission, whatever was applied later', async () => {
    const { scope } = await node.governance.createScope({ kind: 'cooperative', name: 'Ctx', ...FAST_CHARTER })
    const me = node.identity.did() as string
    const newcomer = testAuthor(undefined, Date.now()).did
    const p = await node.governance.propose({
      scope,
      title: 'Admit',
      action: { kind: 'admit', member: newcomer, roles: ['steward'] },
    })
    await node.governance.vote({ proposal: p.id, choice: 'yes' })
    const done = await waitFor('the admission', async () => {
      const v = await node.governance.get(p.id)
      return v.result === null ? undefined : v
    })
    const n = done.result?.n as number
    const view = node.dag.view()
    const record = (did: string) => view.get<MemberRecord>(scopeKeys.member(scope, did))
    const before = await contextAt(view, scope, 0, 1)
    expect(Object.keys(before.members)).toEqual([me])
    expect(before.members[me]).toBe((await record(me))?.since)
    expect(before.roles[me]).toEqual(['founder'])
    const after = await contextAt(view, scope, n, 2)
    expect(after.members[newcomer]).toBe((await record(newcomer))?.since)
    expect(after.roles[newcomer]).toEqual(['steward'])
    expect(after.now).toBe(2)
  }, 20_000)
})
