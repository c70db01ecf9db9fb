/**
 * Bad input from the API and from peers: every case gets a clear code, and nothing changes — a local action is
 * refused before anything is signed; a peer's event is rejected (malformed) or stored void (breaks a state rule)
 * without touching the state root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CID, encode, decodeCanonical } from '../dag'
import { GOV_EVENT, INVITE_PREFIX, type Tally } from '../governance'
import { FAST_CHARTER, copyEvents, startGovNode, waitFor } from '../governance/testing'
import type { IcnNode } from '../node'
import { note, testAuthor, type TestAuthor } from './events'
import type { TestNode } from './helpers'

let a: TestNode
let x: TestAuthor
let scope: string

beforeAll(async () => {
  a = await startGovNode()
  x = testAuthor(undefined, Date.now() - 1000)
  const created = await a.node.governance.createScope({
    kind: 'cooperative',
    name: 'Careful Co-op',
    members: [x.did],
    ...FAST_CHARTER,
    bounds: { ...FAST_CHARTER.bounds, 'gov.quorum': { min: 40, max: 90 } },
  })
  scope = created.scope
})

afterAll(async () => {
  await a.destroy()
})

async function snapshot(n: IcnNode): Promise<{ root: string; events: number }> {
  return { root: await n.dag.stateRoot(), events: (await n.dag.stats()).events }
}

/** The call fails with `code` and neither the state root nor the stored events change. */
async function refused(n: IcnNode, code: string, call: () => Promise<unknown>): Promise<void> {
  const before = await snapshot(n)
  await expect(call()).rejects.toMatchObject({ code })
  expect(await snapshot(n)).toEqual(before)
}

/**
 * For joins, which reach the inviter over the network and sync the scope before they judge the invite: the call
 * fails with `code` and this node signs and stores nothing of its own (events replicated from the inviter may
 * arrive meanwhile; that is replication, not a half-done join).
 */
async function refusedJoin(n: IcnNode, code: string, call: () => Promise<unknown>): Promise<void> {
  const mine = async (): Promise<string[]> =>
    (await n.dag.listEvents({ author: n.identity.did(), limit: 1000 })).events.map((e) => e.id)
  const before = await mine()
  await expect(call()).rejects.toMatchObject({ code })
  expect(await mine()).toEqual(before)
}

/** A peer's event that breaks a state rule: stored void, the state root unchanged. */
async function voided(n: IcnNode, bytes: Uint8Array, id: string): Promise<void> {
  const root = await n.dag.stateRoot()
  await n.dag.ingest(bytes)
  expect((await n.dag.getSummary(id))?.status).toBe('voided')
  expect(await n.dag.stateRoot()).toBe(root)
}

const signed = (author: TestAuthor, type: string, body: unknown, ts = Date.now()) =>
  author.next(type, body, { scope, ts })

describe('bad ballots and proposals', () => {
  it('refuses votes on unknown proposals', async () => {
    const other = await a.node.dag.append({ type: 'note', scope: 'global', body: note('not a proposal') })
    await refused(a.node, 'GOV_UNKNOWN_PROPOSAL', () =>
      a.node.governance.vote({ proposal: other.id, choice: 'yes' }),
    )
    await refused(a.node, 'INVALID_ARGUMENT', () =>
      a.node.governance.vote({ proposal: 'nope', choice: 'yes' }),
    )
    // A peer's vote on something that is not a proposal is stored void.
    const vote = signed(x, GOV_EVENT.vote, {
      proposal: CID.parse(other.id),
      choice: 'yes',
      options: null,
      reason: null,
    })
    await voided(a.node, vote.bytes, vote.id)
    // One on a proposal this node has never seen waits for it, changing nothing meanwhile.
    const stranger = testAuthor()
    const unseen = stranger.next('note', note('elsewhere'))
    const waiting = signed(testAuthor(), GOV_EVENT.vote, {
      proposal: unseen.cid,
      choice: 'yes',
      options: null,
      reason: null,
    })
    const before = await snapshot(a.node)
    expect(await a.node.dag.ingest(waiting.bytes)).toMatchObject({ status: 'pending', missing: [unseen.id] })
    expect(await snapshot(a.node)).toEqual(before)
  })

  it('refuses malformed ranked ballots: duplicate ranks and unknown options', async () => {
    const p = await a.node.governance.propose({
      scope,
      title: 'Where do we meet?',
      action: { kind: 'text' },
      method: 'ranked',
      options: ['Hall', 'Park', 'Library'],
      votingPeriodMs: 60_000,
    })
    await refused(a.node, 'GOV_INVALID_BALLOT', () =>
      a.node.governance.vote({ proposal: p.id, options: ['Hall', 'Park', 'Hall'] }),
    )
    await refused(a.node, 'GOV_INVALID_BALLOT', () =>
      a.node.governance.vote({ proposal: p.id, options: ['Beach'] }),
    )
    await refused(a.node, 'GOV_INVALID_BALLOT', () =>
      a.node.governance.vote({ proposal: p.id, choice: 'yes' }),
    )
    // From a peer: duplicate ranks are malformed (rejected, nothing stored) …
    const before = await snapshot(a.node)
    const dup = testAuthor().next(
      GOV_EVENT.vote,
      { proposal: CID.parse(p.id), choice: null, options: ['Park', 'Park'], reason: null },
      { scope, ts: Date.now() },
    )
    await expect(a.node.dag.ingest(dup.bytes)).rejects.toMatchObject({ code: 'GOV_INVALID_BALLOT' })
    expect(await snapshot(a.node)).toEqual(before)
    // … and an unknown option breaks the proposal's rule: stored void.
    const unknown = signed(x, GOV_EVENT.vote, {
      proposal: CID.parse(p.id),
      choice: null,
      options: ['Beach'],
      reason: null,
    })
    await voided(a.node, unknown.bytes, unknown.id)
    expect((await a.node.governance.get(p.id)).votes).toBe(0)
  })

  it('refuses proposals below the charter bounds or the scope defaults', async () => {
    await refused(a.node, 'GOV_BELOW_CHARTER_BOUNDS', () =>
      a.node.governance.propose({ scope, title: 'Quick', action: { kind: 'text' }, quorum: 30 }),
    )
    await refused(a.node, 'GOV_BELOW_CHARTER_BOUNDS', () =>
      a.node.governance.propose({ scope, title: 'Quick', action: { kind: 'text' }, votingPeriodMs: 999 }),
    )
    await refused(a.node, 'GOV_BELOW_CHARTER_BOUNDS', () =>
      a.node.governance.propose({
        scope,
        title: 'Quorum 95',
        action: { kind: 'parameter', changes: [{ name: 'gov.quorum', value: '95' }] },
      }),
    )
    await refused(a.node, 'GOV_BELOW_CHARTER_BOUNDS', () =>
      a.node.governance.propose({
        scope,
        title: 'Quorum 20',
        action: { kind: 'parameter', changes: [{ name: 'gov.quorum', value: 20 }] },
      }),
    )
    await refused(a.node, 'INVALID_ARGUMENT', () =>
      a.node.governance.propose({
        scope,
        title: 'Nonsense',
        action: { kind: 'parameter', changes: [{ name: 'gov.nonsense', value: 1 }] },
      }),
    )
    await refused(a.node, 'GOV_INVALID_CHARTER', () =>
      a.node.governance.createScope({
        kind: 'cooperative',
        name: 'Wide',
        bounds: { 'gov.quorum': { min: 0, max: 101 } },
      }),
    )
    await refused(a.node, 'GOV_INVALID_CHARTER', () =>
      a.node.governance.createScope({
        kind: 'cooperative',
        name: 'Odd',
        bounds: { 'gov.quorum': { min: 60, max: 90 } },
      }),
    )
  })

  it('voids a proposal or vote from a non-member', async () => {
    const outsider = testAuthor(undefined, Date.now() - 1000)
    const head = await a.node.governance.scope(scope)
    const basis = (await a.node.dag
      .view()
      .get<string>(`gov/log/${scope}/${head.head.toString(16).padStart(12, '0')}`))!
    const proposal = outsider.next(
      GOV_EVENT.propose,
      {
        basis: CID.parse(basis),
        title: 'Let me in',
        summary: '',
        method: 'yesno',
        options: [],
        votingPeriodMs: null,
        quorum: null,
        threshold: null,
        action: { kind: 'text' },
      },
      { scope, ts: Date.now() },
    )
    await voided(a.node, proposal.bytes, proposal.id)
    await refused(a.node, 'GOV_UNKNOWN_PROPOSAL', () =>
      a.node.governance.vote({ proposal: proposal.id, choice: 'yes' }),
    )
    expect((await a.node.governance.get(proposal.id)).status).toBe('void')
    const p = await a.node.governance.propose({
      scope,
      title: 'Members only',
      action: { kind: 'text' },
      votingPeriodMs: 60_000,
    })
    const vote = outsider.next(
      GOV_EVENT.vote,
      { proposal: CID.parse(p.id), choice: 'yes', options: null, reason: null },
      { scope, ts: Date.now() },
    )
    await voided(a.node, vote.bytes, vote.id)
    expect((await a.node.governance.eligibility(p.id, outsider.did)).code).toBe('GOV_NOT_ELIGIBLE')
  })
})

describe('closed proposals and forged results', () => {
  it('voids votes after the deadline and a forged result, then finalizes honestly', async () => {
    // x proposes (from its own node), so x may finalize first: its result fails only on the recount.
    const head = await a.node.governance.scope(scope)
    const basis = (await a.node.dag
      .view()
      .get<string>(`gov/log/${scope}/${head.head.toString(16).padStart(12, '0')}`))!
    const proposal = signed(x, GOV_EVENT.propose, {
      basis: CID.parse(basis),
      title: 'Close me',
      summary: '',
      method: 'yesno',
      options: [],
      votingPeriodMs: null,
      quorum: null,
      threshold: null,
      action: { kind: 'text' },
    })
    await a.node.dag.ingest(proposal.bytes)
    const xVote = signed(x, GOV_EVENT.vote, {
      proposal: proposal.cid,
      choice: 'no',
      options: null,
      reason: null,
    })
    await a.node.dag.ingest(xVote.bytes)
    await a.node.governance.vote({ proposal: proposal.id, choice: 'no' })
    const view = await a.node.governance.get(proposal.id)
    expect(view.tally).toMatchObject({ yes: 0, no: 2, passed: false })
    await waitFor('the deadline', async () => Date.now() > view.deadline + 20)
    await refused(a.node, 'GOV_PROPOSAL_CLOSED', () =>
      a.node.governance.vote({ proposal: proposal.id, choice: 'yes' }),
    )
    const late = signed(x, GOV_EVENT.vote, {
      proposal: proposal.cid,
      choice: 'yes',
      options: null,
      reason: null,
    })
    await voided(a.node, late.bytes, late.id)
    const aVote = (await a.node.dag
      .view()
      .get<{ id: string }>(`gov/v/${proposal.id}/${a.node.identity.did()}`))!
    const forged = signed(x, GOV_EVENT.result, {
      proposal: proposal.cid,
      n: head.head + 1,
      prev: CID.parse(basis),
      rank: 0,
      votes: [xVote.cid, CID.parse(aVote.id)],
      delegations: [],
      batches: [],
      tally: { ...view.tally!, yes: 2, no: 0, passed: true },
    })
    await voided(a.node, forged.bytes, forged.id)
    expect((await a.node.governance.get(proposal.id)).status).toBe('closed')
    // After the grace period any member finalizes: here a's node, with the honest count.
    const result = await waitFor(
      'the honest result',
      async () => (await a.node.governance.get(proposal.id)).result ?? undefined,
    )
    expect(result).toMatchObject({ passed: false, rank: 1, finalizer: a.node.identity.did(), uncounted: [] })
  }, 20_000)

  it('refuses a local result whose tally was altered or that lists a vote of another proposal', async () => {
    const m = await startGovNode({ autoFinalize: false })
    try {
      const s = (await m.node.governance.createScope({ kind: 'cooperative', name: 'Solo', ...FAST_CHARTER }))
        .scope
      const p = await m.node.governance.propose({ scope: s, title: 'Recount', action: { kind: 'text' } })
      await m.node.governance.vote({ proposal: p.id, choice: 'yes' })
      const other = await m.node.governance.propose({
        scope: s,
        title: 'Other',
        action: { kind: 'text' },
        votingPeriodMs: 60_000,
      })
      const otherVote = await m.node.governance.vote({ proposal: other.id, choice: 'yes' })
      const view = await m.node.governance.get(p.id)
      const genesis = s.slice('did:icn:'.length)
      const myVote = (await m.node.dag.view().get<{ id: string }>(`gov/v/${p.id}/${m.node.identity.did()}`))!
      const append = (votes: string[], tally: Tally) => () =>
        m.node.dag.append({
          type: GOV_EVENT.result,
          scope: s,
          body: {
            proposal: CID.parse(p.id),
            n: 1,
            prev: CID.parse(genesis),
            rank: 0,
            votes: votes.map((v) => CID.parse(v)),
            delegations: [],
            batches: [],
            tally,
          },
        })
      await refused(m.node, 'GOV_PROPOSAL_OPEN', append([myVote.id], view.tally!))
      await waitFor('the deadline', async () => Date.now() > view.deadline + 5)
      await refused(m.node, 'GOV_RESULT_MISMATCH', append([myVote.id], { ...view.tally!, yes: 5 }))
      await refused(m.node, 'GOV_RESULT_MISMATCH', append([otherVote.id], view.tally!))
      await refused(m.node, 'GOV_RESULT_MISMATCH', append([], view.tally!))
      // A ballot batch must list ballots of its own proposal, each once.
      const batch = (votes: string[]) => () =>
        m.node.dag.append({
          type: GOV_EVENT.ballots,
          scope: s,
          body: { proposal: CID.parse(p.id), votes: votes.map((v) => CID.parse(v)), delegations: [] },
        })
      await refused(m.node, 'GOV_RESULT_MISMATCH', batch([otherVote.id]))
      await refused(m.node, 'GOV_RESULT_MISMATCH', batch([myVote.id, myVote.id]))
      await refused(m.node, 'GOV_RESULT_MISMATCH', batch([]))
      const done = await m.node.governance.finalize(p.id)
      expect(done).toMatchObject({ status: 'passed', result: { n: 1, rank: 0 } })
      await refused(m.node, 'DAG_SUPERSEDED', append([myVote.id], view.tally!))
    } finally {
      await m.destroy()
    }
  })
})

describe('invites', () => {
  it('refuses forged, damaged, wrong-invitee, expired and reused invites', async () => {
    // No background finalizing: on the late node's clock the earlier tests' proposals are past their deadlines,
    // and a result it writes meanwhile would change the snapshots `refused` compares.
    const d = await startGovNode({ autoFinalize: false })
    const late = await startGovNode({ now: () => Date.now() + 3 * 60_000, autoFinalize: false })
    try {
      for (const n of [d.node, late.node]) await copyEvents(a.node, n)
      await refused(d.node, 'GOV_INVALID_INVITE', () =>
        d.node.governance.join({ invite: 'icn://invite/%%%' }),
      )
      await refused(d.node, 'GOV_INVALID_INVITE', () =>
        d.node.governance.join({ invite: INVITE_PREFIX + 'AAAA' }),
      )
      const forMe = await a.node.governance.invite({ scope, invitee: late.node.identity.did() })
      await refused(d.node, 'GOV_INVALID_INVITE', () => d.node.governance.join({ invite: forMe.link }))
      // Altered after signing: a longer expiry with the original signature.
      const decoded = decodeCanonical(
        new Uint8Array(Buffer.from(forMe.link.slice(INVITE_PREFIX.length), 'base64url')),
      ) as Record<string, unknown>
      const altered =
        INVITE_PREFIX +
        Buffer.from(encode({ ...decoded, invitee: d.node.identity.did() })).toString('base64url')
      await refused(d.node, 'GOV_INVALID_INVITE', () => d.node.governance.join({ invite: altered }))
      const short = await a.node.governance.invite({
        scope,
        invitee: late.node.identity.did(),
        expiresInMs: 60_000,
      })
      await refused(late.node, 'GOV_INVALID_INVITE', () => late.node.governance.join({ invite: short.link }))
      // An open invite works once.
      const open = await a.node.governance.invite({ scope })
      await copyEvents(a.node, d.node)
      const first = await d.node.governance.join({ invite: open.link })
      await a.node.dag.ingest((await d.node.dag.getEvent(first.request))!.bytes)
      await copyEvents(a.node, late.node)
      await copyEvents(d.node, late.node)
      await refusedJoin(late.node, 'GOV_INVALID_INVITE', () =>
        late.node.governance.join({ invite: open.link }),
      )
      // A peer using it again loses the place to the first request on every node.
      const z = testAuthor(undefined, Date.now() - 1000)
      const again = z.next(
        GOV_EVENT.joinRequest,
        {
          invite: decodeCanonical(
            new Uint8Array(Buffer.from(open.link.slice(INVITE_PREFIX.length), 'base64url')),
          ),
          message: null,
        },
        { scope, ts: Date.now() },
      )
      await voided(a.node, again.bytes, again.id)
    } finally {
      await d.destroy()
      await late.destroy()
    }
  })
})
