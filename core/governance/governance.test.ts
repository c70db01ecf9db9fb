import { afterEach, describe, expect, it } from 'vitest'
import { analyze, interpret } from '../ccl'
import { contextHost } from '../ccl/test-host'
import { CID, type VerifiedEvent } from '../dag'
import type { IcnNode } from '../node'
import type { PolicyContext } from '../runtime/abi'
import { readParams, scopeKeys, type MemberRecord } from '../scope'
import { startTestNode, tempDir, type TestNode } from '../test/helpers'
import { testAuthor, type TestAuthor } from '../test/events'
import { GOV_EVENT, type PolicyRuntime } from './index'
import { parsePropose } from './bodies'
import { govKeys } from './state'
import { FAST_CHARTER, copyEvents, startGovNode, waitFor } from './testing'

const nodes: TestNode[] = []
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.destroy()
})

async function node(init: Parameters<typeof startGovNode>[0] = {}): Promise<IcnNode> {
  const t = await startGovNode(init)
  nodes.push(t)
  return t.node
}

async function passed(n: IcnNode, proposal: string) {
  return waitFor(`the result of ${proposal}`, async () => {
    const v = await n.governance.get(proposal)
    return v.result === null ? undefined : v
  })
}

/** Signs an off-node member's event and ingests it. */
async function offNode(
  n: IcnNode,
  author: TestAuthor,
  scope: string,
  type: string,
  body: unknown,
): Promise<VerifiedEvent> {
  const event = author.next(type, body, { scope, ts: Date.now() })
  await n.dag.ingest(event.bytes)
  return event
}

const yes = (proposal: string) => ({
  proposal: CID.parse(proposal),
  choice: 'yes',
  options: null,
  reason: null,
})

describe('governance on one node', () => {
  it('passes a parameter change and puts the new value in force', async () => {
    const a = await node()
    const scope = await a.governance.createScope({ kind: 'cooperative', name: 'Bakery', ...FAST_CHARTER })
    expect(scope.scope).toMatch(/^did:icn:bafyrei/)
    expect(scope).toMatchObject({ kind: 'cooperative', name: 'Bakery', members: 1, isMember: true, head: 0 })
    const p = await a.governance.propose({
      scope: scope.scope,
      title: 'Raise quorum',
      action: { kind: 'parameter', changes: [{ name: 'gov.quorum', value: '60' }] },
    })
    expect(p).toMatchObject({ status: 'open', eligible: 1, live: true, quorum: 50, threshold: 50 })
    await a.governance.vote({ proposal: p.id, choice: 'yes', reason: 'more voices' })
    expect((await a.governance.get(p.id)).tally).toMatchObject({ yes: 1, participants: 1, passed: true })
    const done = await passed(a, p.id)
    expect(done).toMatchObject({
      status: 'passed',
      live: false,
      result: { rank: 0, n: 1, execution: { status: 'done' } },
    })
    expect((await readParams(a.dag.view(), scope.scope))['gov.quorum']).toBe(60n)
    const params = await a.governance.parameters(scope.scope)
    expect(params.parameters.find((x) => x.name === 'gov.quorum')).toMatchObject({
      value: '60',
      min: '0',
      max: '100',
    })
    expect((await a.governance.scope(scope.scope)).head).toBe(1)
  })

  it('counts delegations one hop, lists them in the result, and explains eligibility', async () => {
    const a = await node()
    const [x, y, z] = [
      testAuthor(undefined, Date.now() - 1000),
      testAuthor(undefined, Date.now() - 1000),
      testAuthor(undefined, Date.now() - 1000),
    ]
    const { scope } = await a.governance.createScope({
      kind: 'cooperative',
      name: 'Delegates',
      members: [x.did, y.did, z.did],
      ...FAST_CHARTER,
    })
    const me = a.identity.did()
    await offNode(a, x, scope, GOV_EVENT.delegate, { to: me, proposal: null })
    await offNode(a, y, scope, GOV_EVENT.delegate, { to: x.did, proposal: null })
    const p = await a.governance.propose({
      scope,
      title: 'Delegated',
      action: { kind: 'text' },
      votingPeriodMs: 1500,
    })
    const xWhy = await a.governance.eligibility(p.id, x.did)
    expect(xWhy).toMatchObject({ canVote: true, delegatedTo: me })
    expect(xWhy.reason).toMatch(/delegated to/)
    await a.governance.vote({ proposal: p.id, choice: 'yes' })
    expect((await a.governance.eligibility(p.id)).delegators).toEqual([x.did])
    expect((await a.governance.eligibility(p.id)).reason).toMatch(/change it until the deadline/)
    // z votes no directly; x's delegation carries a's yes; y's goes to x, who did not vote directly: nothing.
    await offNode(a, z, scope, GOV_EVENT.vote, { ...yes(p.id), choice: 'no' })
    const live = await a.governance.get(p.id)
    expect(live.tally).toMatchObject({ yes: 2, no: 1, participants: 3, direct: 2, delegated: 1 })
    expect(live.quorumProgress).toMatchObject({ eligible: 4, participants: 3, needed: 2, met: true })
    const done = await passed(a, p.id)
    expect(done.status).toBe('passed')
    const result = await a.dag.getEvent(done.result!.id)
    expect((result!.event.body as { delegations: CID[] }).delegations.map(String)).toHaveLength(1)
    // Another node recounts the same events, in another order, to the same state.
    const b = await node({ autoFinalize: false })
    const c = await node({ autoFinalize: false })
    await copyEvents(a, b)
    const ids = (await a.dag.listEvents({ limit: 100 })).events.map((e) => e.id)
    for (const id of ids) await c.dag.ingest((await a.dag.getEvent(id))!.bytes) // newest first: parks, then releases
    for (const other of [b, c]) {
      expect((await other.governance.get(p.id)).result?.id).toBe(done.result!.id)
      expect(await other.dag.stateRoot()).toBe(await a.dag.stateRoot())
    }
  })

  it('lists large electorates in ballot batches that every node recounts', async () => {
    const a = await node({ batchSize: 2 })
    const voters = Array.from({ length: 4 }, () => testAuthor(undefined, Date.now() - 1000))
    const { scope } = await a.governance.createScope({
      kind: 'cooperative',
      name: 'Big',
      members: voters.map((v) => v.did),
      ...FAST_CHARTER,
    })
    const p = await a.governance.propose({ scope, title: 'Batched', action: { kind: 'text' } })
    await a.governance.vote({ proposal: p.id, choice: 'yes' })
    for (const v of voters) await offNode(a, v, scope, GOV_EVENT.vote, yes(p.id))
    const done = await passed(a, p.id)
    expect(done.tally).toMatchObject({ yes: 5, participants: 5 })
    expect(done.result?.uncounted).toEqual([])
    const body = (await a.dag.getEvent(done.result!.id))!.event.body as { votes: CID[]; batches: CID[] }
    expect(body.votes).toEqual([])
    expect(body.batches).toHaveLength(3)
    const b = await node({ autoFinalize: false })
    await copyEvents(a, b)
    expect((await b.governance.get(p.id)).result?.id).toBe(done.result!.id)
    expect(await b.dag.stateRoot()).toBe(await a.dag.stateRoot())
  })

  it('runs approval and ranked-choice votes and records the winner', async () => {
    const a = await node()
    const voters = [testAuthor(undefined, Date.now() - 1000), testAuthor(undefined, Date.now() - 1000)]
    const { scope } = await a.governance.createScope({
      kind: 'cooperative',
      name: 'Choosers',
      members: voters.map((v) => v.did),
      ...FAST_CHARTER,
    })
    const ranked = await a.governance.propose({
      scope,
      title: 'Mascot',
      action: { kind: 'text' },
      method: 'ranked',
      options: ['Owl', 'Fox', 'Bee'],
    })
    const approval = await a.governance.propose({
      scope,
      title: 'Meeting days',
      action: { kind: 'text' },
      method: 'approval',
      options: ['Mon', 'Wed', 'Fri'],
    })
    await a.governance.vote({ proposal: ranked.id, options: ['Bee', 'Fox'] })
    await offNode(a, voters[0]!, scope, GOV_EVENT.vote, {
      proposal: CID.parse(ranked.id),
      choice: null,
      options: ['Owl', 'Fox'],
      reason: null,
    })
    await offNode(a, voters[1]!, scope, GOV_EVENT.vote, {
      proposal: CID.parse(ranked.id),
      choice: null,
      options: ['Fox'],
      reason: null,
    })
    await a.governance.vote({ proposal: approval.id, options: ['Wed', 'Fri'] })
    await offNode(a, voters[0]!, scope, GOV_EVENT.vote, {
      proposal: CID.parse(approval.id),
      choice: null,
      options: ['Mon', 'Wed'],
      reason: null,
    })
    const r = await passed(a, ranked.id)
    // Round 1: Owl 1, Fox 1, Bee 1 → Bee (listed last) out; its ballot goes to Fox: Fox 2 of 3.
    expect(r.tally?.rounds.map((x) => x.eliminated)).toEqual(['Bee', null])
    expect(r.tally).toMatchObject({ winner: 'Fox', passed: true })
    const ap = await passed(a, approval.id)
    expect(ap.tally).toMatchObject({
      winner: 'Wed',
      options: [
        { option: 'Mon', votes: 1 },
        { option: 'Wed', votes: 2 },
        { option: 'Fri', votes: 1 },
      ],
    })
  })

  it('removes a member, whose later votes are void; budget grants are credited by the ledger', async () => {
    const a = await node()
    const x = testAuthor(undefined, Date.now() - 1000)
    const { scope } = await a.governance.createScope({
      kind: 'cooperative',
      name: 'Small',
      members: [x.did],
      ...FAST_CHARTER,
    })
    const remove = await a.governance.propose({
      scope,
      title: 'Remove x',
      action: { kind: 'remove', member: x.did },
    })
    await a.governance.vote({ proposal: remove.id, choice: 'yes' })
    expect((await passed(a, remove.id)).result?.execution).toMatchObject({ status: 'done' })
    expect((await a.governance.members(scope)).members.map((m) => m.did)).toEqual([a.identity.did()])
    const grant = await a.governance.propose({
      scope,
      title: 'Pay the baker',
      action: { kind: 'budget', asset: 'mana', to: x.did, amount: '250' },
    })
    const vote = await offNode(a, x, scope, GOV_EVENT.vote, yes(grant.id))
    expect((await a.dag.getSummary(vote.id))?.status).toBe('voided')
    expect((await a.governance.eligibility(grant.id, x.did)).code).toBe('GOV_NOT_ELIGIBLE')
    await a.governance.vote({ proposal: grant.id, choice: 'yes' })
    const g = await passed(a, grant.id)
    expect(g.action).toEqual({
      kind: 'budget',
      asset: 'mana',
      to: x.did,
      amount: '250',
      token: null,
      memo: '',
    })
    // The node's ledger credits the grant in the result's transaction: x can receive 250 mana from the scope.
    expect(g.result?.execution.status).toBe('done')
    const credits = await a.economics.pending({ did: x.did })
    expect(credits.map((c) => [c.kind, c.amount, c.from])).toEqual([['grant', 250n, scope]])
  })

  it('links cooperatives and federations: nested genesis, join and leave, cooperative members of a federation', async () => {
    const a = await node()
    const fed = await a.governance.createScope({
      kind: 'federation',
      name: 'Valley Federation',
      ...FAST_CHARTER,
    })
    const nested = await a.governance.createScope({
      kind: 'cooperative',
      name: 'Orchard',
      parent: fed.scope,
      ...FAST_CHARTER,
    })
    expect(nested).toMatchObject({ parent: fed.scope, federation: fed.scope })
    const coop = await a.governance.createScope({ kind: 'cooperative', name: 'Mill', ...FAST_CHARTER })
    const join = await a.governance.propose({
      scope: coop.scope,
      title: 'Join the valley',
      action: { kind: 'federation', op: 'join', federation: fed.scope },
    })
    const admit = await a.governance.propose({
      scope: fed.scope,
      title: 'Admit the mill',
      action: { kind: 'admit', member: coop.scope, roles: [] },
    })
    await a.governance.vote({ proposal: join.id, choice: 'yes' })
    await a.governance.vote({ proposal: admit.id, choice: 'yes' })
    await passed(a, join.id)
    await passed(a, admit.id)
    expect(await a.governance.scope(coop.scope)).toMatchObject({ parent: null, federation: fed.scope })
    const f = await a.governance.scope(fed.scope)
    expect(f.children.sort()).toEqual([coop.scope, nested.scope].sort())
    const fedMembers = await a.governance.members(fed.scope)
    expect(fedMembers.members.find((m) => m.did === coop.scope)?.roles).toEqual(['cooperative'])
    // Cooperatives are members of the federation but do not vote: the electorate stays one person.
    const next = await a.governance.propose({
      scope: fed.scope,
      title: 'Budget talk',
      action: { kind: 'text' },
    })
    expect(next.eligible).toBe(1)
    const leave = await a.governance.propose({
      scope: coop.scope,
      title: 'Leave',
      action: { kind: 'federation', op: 'leave', federation: fed.scope },
    })
    const leaveNested = await a.governance.propose({
      scope: nested.scope,
      title: 'Leave too',
      action: { kind: 'federation', op: 'leave', federation: fed.scope },
    })
    await a.governance.vote({ proposal: leave.id, choice: 'yes' })
    await a.governance.vote({ proposal: leaveNested.id, choice: 'yes' })
    await passed(a, leave.id)
    // A cooperative created inside a federation lives in its economy: it cannot leave.
    expect((await passed(a, leaveNested.id)).result?.execution).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/cannot leave/),
    })
    expect((await a.governance.scope(coop.scope)).federation).toBeNull()
    expect((await a.governance.scope(fed.scope)).children).toEqual([nested.scope])
    await expect(
      a.governance.propose({
        scope: fed.scope,
        title: 'Nope',
        action: { kind: 'federation', op: 'join', federation: fed.scope },
      }),
    ).rejects.toMatchObject({ code: 'GOV_INVALID_PROPOSAL' })
  }, 20_000)

  it('lists proposals newest first with filters and pages', async () => {
    const a = await node({ autoFinalize: false })
    const { scope } = await a.governance.createScope({ kind: 'cooperative', name: 'Lister', ...FAST_CHARTER })
    const made: string[] = []
    for (let i = 0; i < 5; i++) {
      const action =
        i === 2
          ? { kind: 'parameter' as const, changes: [{ name: 'gov.threshold', value: '60' }] }
          : { kind: 'text' as const }
      made.push((await a.governance.propose({ scope, title: `P${i}`, action, votingPeriodMs: 60_000 })).id)
    }
    const first = await a.governance.list({ scope, limit: 2 })
    expect(first.proposals.map((p) => p.id)).toEqual([made[4], made[3]])
    const second = await a.governance.list({ scope, limit: 2, cursor: first.next! })
    expect(second.proposals.map((p) => p.id)).toEqual([made[2], made[1]])
    expect((await a.governance.list({ status: 'open' })).proposals).toHaveLength(5)
    expect((await a.governance.list({ status: 'passed' })).proposals).toHaveLength(0)
    expect((await a.governance.list({ type: 'text' })).proposals).toHaveLength(4)
    expect((await a.governance.list({ type: 'parameter' })).proposals.map((p) => p.id)).toEqual([made[2]])
    await expect(a.governance.list({ cursor: 'gov/i/s/elsewhere' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })

  it('finalizes after a restart what came due while the node was down', async () => {
    const dir = await tempDir()
    const init = { governance: { tickMs: 40, settleMs: 100 } }
    let t = await startTestNode({ dir, init })
    const { scope } = await t.node.governance.createScope({
      kind: 'cooperative',
      name: 'Sleepy',
      ...FAST_CHARTER,
    })
    const p = await t.node.governance.propose({ scope, title: 'Overnight', action: { kind: 'text' } })
    await t.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await t.node.stop()
    await new Promise((r) => setTimeout(r, 1200))
    t = await startTestNode({ dir, init })
    nodes.push(t)
    expect((await t.node.governance.get(p.id)).status).toBe('closed')
    expect((await passed(t.node, p.id)).status).toBe('passed')
  })
})

describe('capability proposals', () => {
  const BASIS = CID.parse('bafyreigtkqtgsw7yllpyysjnxj2c3gwmq7ishc2up6dswkbwa246edui2q')
  const member = testAuthor().did
  const body = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    basis: BASIS,
    title: 'Treasury signing',
    summary: '',
    method: 'yesno',
    options: [],
    votingPeriodMs: null,
    quorum: null,
    threshold: null,
    action: { kind: 'capability', member, capability: 'treasury.sign', note: '', ...action },
    ...extra,
  })

  it('parses a capability grant and refuses each malformed one with GOV_INVALID_PROPOSAL', () => {
    expect(parsePropose(body({})).action).toEqual({
      kind: 'capability',
      member,
      capability: 'treasury.sign',
      note: '',
    })
    for (const good of ['a', 'mesh:executor', '0-9_x.y', 'x'.repeat(64)])
      expect(() => parsePropose(body({ capability: good })), good).not.toThrow()
    expect(() => parsePropose(body({ member: `did:icn:${BASIS.toString()}` }))).not.toThrow()
    const bad: [string, Record<string, unknown>, Record<string, unknown>?][] = [
      ['upper case', { capability: 'Treasury.sign' }],
      ['a space', { capability: 'treasury sign' }],
      ['empty', { capability: '' }],
      ['a leading dot', { capability: '.sign' }],
      ['65 characters', { capability: 'x'.repeat(65) }],
      ['not text', { capability: 7 }],
      ['a member that is no DID', { member: 'alice' }],
      ['a note too long', { note: 'n'.repeat(501) }],
      ['no note', { note: undefined }],
      ['an extra field', { roles: [] }],
      ['an approval vote', {}, { method: 'approval', options: ['a', 'b'] }],
    ]
    for (const [what, action, extra] of bad) {
      const b = body(action, extra)
      if ('note' in action && action.note === undefined) delete (b.action as Record<string, unknown>).note
      expect(() => parsePropose(b), what).toThrow(expect.objectContaining({ code: 'GOV_INVALID_PROPOSAL' }))
    }
  })

  it('is proposed for a current member only, and passing it changes nothing but the log', async () => {
    const a = await node()
    const x = testAuthor(undefined, Date.now() - 1000)
    const { scope } = await a.governance.createScope({
      kind: 'cooperative',
      name: 'Capable',
      members: [x.did],
      ...FAST_CHARTER,
    })
    const refused = async (
      code: string,
      action: Parameters<IcnNode['governance']['propose']>[0]['action'],
    ) => {
      const root = await a.dag.stateRoot()
      await expect(a.governance.propose({ scope, title: 'No', action })).rejects.toMatchObject({ code })
      expect(await a.dag.stateRoot()).toBe(root)
    }
    await refused('INVALID_ARGUMENT', { kind: 'capability', member: x.did, capability: 'Treasury Sign' })
    await refused('INVALID_ARGUMENT', { kind: 'capability', member: x.did, capability: 'x'.repeat(65) })
    await refused('INVALID_ARGUMENT', {
      kind: 'capability',
      member: x.did,
      capability: 'sign',
      note: 'n'.repeat(501),
    })
    await refused('GOV_NOT_A_MEMBER', { kind: 'capability', member: testAuthor().did, capability: 'sign' })
    await refused('GOV_INVALID_PROPOSAL', { kind: 'capability', member: 'alice', capability: 'sign' })
    // The same rules for a peer's events: a malformed body is rejected, a non-member's grant is stored void.
    const peerBody = (member: string, capability: string) =>
      body({ member, capability }, { basis: CID.parse(scope.slice('did:icn:'.length)) })
    const root = await a.dag.stateRoot()
    const outsider = await offNode(a, x, scope, GOV_EVENT.propose, peerBody(testAuthor().did, 'sign'))
    expect((await a.dag.getSummary(outsider.id))?.status).toBe('voided')
    const malformed = x.next(GOV_EVENT.propose, peerBody(x.did, 'Bad Name'), { scope, ts: Date.now() })
    await expect(a.dag.ingest(malformed.bytes)).rejects.toMatchObject({ code: 'GOV_INVALID_PROPOSAL' })
    expect(await a.dag.stateRoot()).toBe(root)

    const members = await a.governance.members(scope)
    const p = await a.governance.propose({
      scope,
      title: 'x signs for the treasury',
      action: { kind: 'capability', member: x.did, capability: 'treasury.sign', note: 'until June' },
    })
    expect(p).toMatchObject({
      kind: 'capability',
      action: { kind: 'capability', member: x.did, capability: 'treasury.sign', note: 'until June' },
    })
    await a.governance.vote({ proposal: p.id, choice: 'yes' })
    const done = await passed(a, p.id)
    expect(done.result?.execution).toEqual({
      status: 'done',
      message: `Capability treasury.sign granted to ${x.did}.`,
    })
    // Membership, roles and parameters are as before; the ledger credits nothing.
    expect(await a.governance.members(scope)).toEqual(members)
    expect(await a.economics.pending({ did: x.did })).toEqual([])
    expect((await a.governance.list({ scope, type: 'capability' })).proposals.map((q) => q.id)).toEqual([
      p.id,
    ])
  })
})

describe('the policy seam', () => {
  /** A policy runtime for the test, on the CCL reference interpreter (the CCL issue supplies the real one). */
  function interpreterRuntime(view: () => ReturnType<IcnNode['dag']['view']>): PolicyRuntime {
    return {
      async load({ scope, modules, ts }) {
        const overrides: { voteWeight?: (voter: string) => number } = {}
        const module = modules.vote_weight
        if (module === undefined) return overrides
        const record = await view().get<{ proposal: string }>(govKeys.policy(scope, 'vote_weight'))
        const event = await view().getEvent(record!.proposal)
        const source = (event!.event.body as { action: { source: string } }).action.source
        const members: Record<string, number> = {}
        const roles: Record<string, string[]> = {}
        for (const row of await view().list<MemberRecord>(scopeKeys.memberPrefix(scope))) {
          const did = row.key.slice(scopeKeys.memberPrefix(scope).length)
          members[did] = row.value.since
          roles[did] = row.value.roles
        }
        const ctx: PolicyContext = {
          now: ts,
          params: {},
          listParams: {},
          balances: {},
          reputation: {},
          members,
          roles,
        }
        const program = analyze(source).program!
        overrides.voteWeight = (voter) => Number(interpret(program, 'vote_weight', [voter], contextHost(ctx)))
        return overrides
      },
    }
  }

  it('activates a CCL policy by proposal; later proposals are tallied with it, earlier ones keep the built-in rule', async () => {
    const holder: { node?: IcnNode } = {}
    const a = await node({ policyRuntime: interpreterRuntime(() => (holder.node as IcnNode).dag.view()) })
    holder.node = a
    const activated: unknown[] = []
    a.events.on('gov:policy-activated', (e) => activated.push(e))
    const { scope } = await a.governance.createScope({
      kind: 'cooperative',
      name: 'Weighted',
      ...FAST_CHARTER,
    })
    const source =
      'fn vote_weight(voter: Did) -> Int {\n    if has_role(voter, "founder") { return 3; }\n    return 1;\n}\n'
    await expect(
      a.governance.propose({
        scope,
        title: 'Broken',
        action: { kind: 'policy', policy: 'vote_weight', source: 'fn vote_weight(' },
      }),
    ).rejects.toMatchObject({ code: 'CCL_SYNTAX' })
    const before = await a.governance.propose({
      scope,
      title: 'Before',
      action: { kind: 'text' },
      votingPeriodMs: 5000,
    })
    const policy = await a.governance.propose({
      scope,
      title: 'Founders weigh 3',
      action: { kind: 'policy', policy: 'vote_weight', source },
    })
    expect(policy.action).toMatchObject({
      kind: 'policy',
      policy: 'vote_weight',
      module: expect.stringMatching(/^bafkrei/),
    })
    await a.governance.vote({ proposal: policy.id, choice: 'yes' })
    const done = await passed(a, policy.id)
    expect(done.result?.execution.status).toBe('done')
    expect(activated).toEqual([
      {
        scope,
        policy: 'vote_weight',
        module: (done.action as { module: string }).module,
        proposal: policy.id,
      },
    ])
    expect(await a.dag.blocks.has(CID.parse((done.action as { module: string }).module))).toBe(true)
    const after = await a.governance.propose({ scope, title: 'After', action: { kind: 'text' } })
    await a.governance.vote({ proposal: after.id, choice: 'yes' })
    await a.governance.vote({ proposal: before.id, choice: 'yes' })
    expect((await a.governance.get(after.id)).tally).toMatchObject({ yes: 3, participants: 1 })
    expect((await a.governance.get(before.id)).tally).toMatchObject({ yes: 1, participants: 1 })
    expect((await passed(a, after.id)).tally?.yes).toBe(3)
  }, 20_000)
})
