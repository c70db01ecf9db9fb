import { afterEach, describe, expect, it } from 'vitest'
import type { TestNode } from '../test/helpers'
import { readParams } from '../scope'
import { FAST_CHARTER, startGovNode, waitFor } from './testing'

const nodes: TestNode[] = []
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.destroy()
})

async function node(): Promise<TestNode> {
  const t = await startGovNode()
  nodes.push(t)
  return t
}

describe('governance on one node', () => {
  it('creates a cooperative, passes a parameter change and puts the new value in force', async () => {
    const { node: a } = await node()
    const scope = await a.governance.createScope({ kind: 'cooperative', name: 'Bakery', ...FAST_CHARTER })
    expect(scope.scope).toMatch(/^did:icn:bafyrei/)
    expect(scope).toMatchObject({ kind: 'cooperative', name: 'Bakery', members: 1, isMember: true, head: 0 })
    const p = await a.governance.propose({
      scope: scope.scope,
      title: 'Raise quorum',
      action: { kind: 'parameter', changes: [{ name: 'gov.quorum', value: '60' }] },
    })
    expect(p.status).toBe('open')
    expect(p.eligible).toBe(1)
    await a.governance.vote({ proposal: p.id, choice: 'yes', reason: 'more voices' })
    const live = await a.governance.get(p.id)
    expect(live.tally).toMatchObject({ yes: 1, no: 0, participants: 1, quorumMet: true, passed: true })
    const done = await waitFor('the result', async () => {
      const v = await a.governance.get(p.id)
      return v.result === null ? undefined : v
    })
    expect(done.status).toBe('passed')
    expect(done.result?.execution.status).toBe('done')
    expect((await readParams(a.dag.view(), scope.scope))['gov.quorum']).toBe(60n)
    const params = await a.governance.parameters(scope.scope)
    expect(params.parameters.find((x) => x.name === 'gov.quorum')?.value).toBe('60')
    expect((await a.governance.scope(scope.scope)).head).toBe(1)
  })
})
