/**
 * Several real nodes (level stores in temp dirs) exchanging the real bytes of every event they create, the way
 * gossip delivers them (dag.ingest), plus members who sign outside any node (their events are delivered the same
 * way). Each node finalizes on its own; every node must end with the same results and the same state root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CID } from '../dag'
import type { IcnNode } from '../node'
import { readParams } from '../scope'
import { GOV_EVENT } from '../governance'
import { FAST_CHARTER, copyEvents, relay, startGovNode, waitFor } from '../governance/testing'
import type { TestNode } from './helpers'
import { testAuthor, type TestAuthor } from './events'

let a: TestNode
let b: TestNode
let c: TestNode
let x: TestAuthor
let y: TestAuthor
let wire: ReturnType<typeof relay>
let scope: string
const all = (): IcnNode[] => [a.node, b.node, c.node]

/** Signs an event of an off-node member and delivers it to every node. */
async function offNode(author: TestAuthor, type: string, body: unknown): Promise<string> {
  const event = author.next(type, body, { scope, ts: Date.now() })
  for (const n of all()) await n.dag.ingest(event.bytes)
  return event.id
}

async function resultEverywhere(proposal: string): Promise<void> {
  for (const n of all())
    await waitFor(`the result of ${proposal}`, async () => (await n.governance.get(proposal)).result !== null)
}

async function sameRoots(nodes: IcnNode[]): Promise<string> {
  await wire.settled()
  const roots = await Promise.all(nodes.map((n) => n.dag.stateRoot()))
  expect(new Set(roots).size).toBe(1)
  return roots[0] as string
}

beforeAll(async () => {
  ;[a, b, c] = await Promise.all([startGovNode(), startGovNode(), startGovNode()])
  x = testAuthor(undefined, Date.now() - 1000)
  y = testAuthor(undefined, Date.now() - 1000)
  wire = relay(all())
  const created = await a.node.governance.createScope({
    kind: 'cooperative',
    name: 'River Commons',
    members: [b.node.identity.did(), c.node.identity.did(), x.did, y.did],
    ...FAST_CHARTER,
    bounds: { ...FAST_CHARTER.bounds, 'gov.quorum': { min: 40, max: 90 } },
  })
  scope = created.scope
  for (const n of all()) await waitFor('the genesis', async () => (await n.governance.scopes()).length === 1)
})

afterAll(async () => {
  wire.stop()
  for (const t of [a, b, c]) await t.destroy()
})

describe('five members on three nodes', () => {
  it('passes a parameter change that is then in force on every node', async () => {
    for (const n of all()) expect((await n.governance.members(scope)).count).toBe(5)
    const p = await b.node.governance.propose({
      scope,
      title: 'Quorum 60%',
      summary: 'More of us should decide.',
      action: { kind: 'parameter', changes: [{ name: 'gov.quorum', value: '60' }] },
    })
    // Relayed asynchronously: a node may not know the proposal yet (GOV_UNKNOWN_PROPOSAL) when this starts.
    for (const n of all())
      await waitFor(
        'the proposal',
        async () => (await n.governance.get(p.id).catch(() => undefined))?.eligible === 5,
      )
    await a.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await b.node.governance.vote({ proposal: p.id, choice: 'yes', reason: 'agreed at the meeting' })
    await c.node.governance.vote({ proposal: p.id, choice: 'no' })
    await offNode(x, GOV_EVENT.vote, {
      proposal: CID.parse(p.id),
      choice: 'yes',
      options: null,
      reason: null,
    })
    await offNode(y, GOV_EVENT.vote, {
      proposal: CID.parse(p.id),
      choice: 'abstain',
      options: null,
      reason: null,
    })
    await wire.settled()
    const live = await c.node.governance.get(p.id)
    expect(live.tally).toMatchObject({ yes: 3, no: 1, abstain: 1, participants: 5, quorumMet: true })
    await resultEverywhere(p.id)
    for (const n of all()) {
      const view = await n.governance.get(p.id)
      expect(view).toMatchObject({
        status: 'passed',
        result: { finalizer: b.node.identity.did(), rank: 0, n: 1 },
      })
      expect(view.result?.uncounted).toEqual([])
      expect((await readParams(n.dag.view(), scope))['gov.quorum']).toBe(60n)
    }
    await sameRoots(all())
  })

  it('fails a proposal below quorum, and executes nothing', async () => {
    const before = (await readParams(a.node.dag.view(), scope))['gov.threshold']
    const p = await a.node.governance.propose({
      scope,
      title: 'Threshold 66%',
      action: { kind: 'parameter', changes: [{ name: 'gov.threshold', value: '66' }] },
    })
    await wire.settled()
    await a.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await b.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await resultEverywhere(p.id)
    for (const n of all()) {
      const view = await n.governance.get(p.id)
      // 2 of 5 voted: 40% < the 60% quorum now in force.
      expect(view.status).toBe('failed')
      expect(view.tally).toMatchObject({
        participants: 2,
        quorum: 60,
        quorumNeeded: 3,
        quorumMet: false,
        yes: 2,
      })
      expect(view.result?.execution.status).toBe('none')
      expect((await readParams(n.dag.view(), scope))['gov.threshold']).toBe(before)
    }
    await sameRoots(all())
  })

  it('admits a member through an invite; the new member votes on the next proposal but not on older ones', async () => {
    const d = await startGovNode()
    try {
      await copyEvents(a.node, d.node)
      const invite = await c.node.governance.invite({ scope, invitee: d.node.identity.did() })
      expect(invite.link).toMatch(/^icn:\/\/invite\//)
      const older = await a.node.governance.propose({
        scope,
        title: 'Paint the shed',
        action: { kind: 'text' },
      })
      await wire.settled()
      await copyEvents(a.node, d.node)
      const joined = await d.node.governance.join({
        invite: invite.link,
        message: 'I run the bakery next door',
      })
      expect(joined).toMatchObject({ scope, name: 'River Commons', inviter: c.node.identity.did() })
      const request = await d.node.dag.getEvent(joined.request)
      for (const n of all()) await n.dag.ingest(request!.bytes)
      // The inviter's node turns the request into an admit proposal by itself.
      const admit = await waitFor('the admit proposal', async () => {
        const { proposals } = await c.node.governance.list({ scope, type: 'admit' })
        return proposals[0]
      })
      expect(admit.proposer).toBe(c.node.identity.did())
      await wire.settled()
      for (const n of all()) await n.governance.vote({ proposal: admit.id, choice: 'yes' })
      await resultEverywhere(admit.id)
      await resultEverywhere(older.id)
      for (const n of all()) {
        expect((await n.governance.get(admit.id)).status).toBe('passed')
        expect((await n.governance.members(scope)).members.map((m) => m.did)).toContain(d.node.identity.did())
      }
      await copyEvents(a.node, d.node)
      // Eligibility was frozen when the older proposal was created.
      const why = await a.node.governance.eligibility(older.id, d.node.identity.did())
      expect(why).toMatchObject({ canVote: false, eligible: false })
      const next = await a.node.governance.propose({
        scope,
        title: 'Welcome party',
        action: { kind: 'text' },
      })
      await wire.settled()
      await copyEvents(a.node, d.node)
      expect((await d.node.governance.eligibility(next.id)).canVote).toBe(true)
      const vote = await d.node.governance.vote({ proposal: next.id, choice: 'yes' })
      for (const n of all()) await n.dag.ingest((await d.node.dag.getEvent(vote.id))!.bytes)
      for (const n of all()) {
        const view = await n.governance.get(next.id)
        expect(view.eligible).toBe(6)
        expect(view.tally).toMatchObject({ yes: 1, participants: 1 })
      }
      await resultEverywhere(next.id)
      await sameRoots(all())
    } finally {
      await d.destroy()
    }
  })

  it('resolves two concurrent finalizations of one log position to the same entry on every node', async () => {
    // Partition: a alone, b and c together. Both sides finalize a different proposal at the same position.
    wire.stop()
    const left = relay([a.node])
    const right = relay([b.node, c.node])
    const head = (await a.node.governance.scope(scope)).head
    const p1 = await a.node.governance.propose({ scope, title: 'Left', action: { kind: 'text' } })
    const p2 = await b.node.governance.propose({ scope, title: 'Right', action: { kind: 'text' } })
    await copyEvents(a.node, b.node)
    await copyEvents(b.node, a.node)
    await copyEvents(b.node, c.node)
    await a.node.governance.vote({ proposal: p1.id, choice: 'yes' })
    await b.node.governance.vote({ proposal: p2.id, choice: 'yes' })
    await right.settled()
    await waitFor('p1 finalized on a', async () => (await a.node.governance.get(p1.id)).result !== null)
    await waitFor('p2 finalized on b', async () => (await b.node.governance.get(p2.id)).result !== null)
    expect((await a.node.governance.get(p1.id)).result?.n).toBe(head + 1)
    expect((await b.node.governance.get(p2.id)).result?.n).toBe(head + 1)
    // Each side proposes on top of its own entry: one of these bases will lose its place.
    const onLeft = await a.node.governance.propose({
      scope,
      title: 'On the left log',
      action: { kind: 'text' },
    })
    const onRight = await b.node.governance.propose({
      scope,
      title: 'On the right log',
      action: { kind: 'text' },
    })
    await right.settled()
    left.stop()
    right.stop()
    const refolds: string[] = []
    for (const n of all())
      n.events.on('gov:scope-updated', (e) => {
        if (e.reason === 'refold') refolds.push(e.scope)
      })
    // Heal: exchange everything; the DAG keeps one alternative for the position (refolding where needed) and
    // the losing proposal's proposer finalizes it again at the next position.
    wire = relay(all())
    for (const [from, to] of [
      [a, b],
      [b, a],
      [a, c],
      [c, a],
      [b, c],
    ] as const)
      await copyEvents(from.node, to.node)
    for (const id of [p1.id, p2.id]) await resultEverywhere(id)
    await waitFor('both finalized at distinct positions', async () => {
      const ns = await Promise.all(
        all().map(async (n) => [
          (await n.governance.get(p1.id)).result?.n,
          (await n.governance.get(p2.id)).result?.n,
        ]),
      )
      return ns.every(
        ([n1, n2]) => n1 !== undefined && n2 !== undefined && n1 !== n2 && Math.max(n1, n2) === head + 2,
      )
    })
    for (const n of all()) expect((await n.governance.scope(scope)).head).toBe(head + 2)
    // The node that had applied the losing entry refolded and told its front ends to re-read the scope.
    expect(refolds).toContain(scope)
    // The proposal based on the losing entry is void everywhere and says why; the other one stands.
    const leftWon = (await a.node.governance.get(p1.id)).result?.n === head + 1
    const [lost, stands] = leftWon ? [onRight, onLeft] : [onLeft, onRight]
    for (const n of all()) {
      expect(await n.governance.get(lost.id)).toMatchObject({
        status: 'void',
        voidReason: { code: 'GOV_BASIS_SUPERSEDED' },
      })
      expect((await n.governance.get(stands.id)).status).not.toBe('void')
    }
    await sameRoots(all())
  })
})
