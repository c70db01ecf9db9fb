/**
 * Credentials across real nodes: three level stores in temp dirs talking libp2p on 127.0.0.1. A scope admits a
 * member; the finalizing node issues the credentials; another node verifies them from its own copy of the DAG,
 * and fails them once a removal passes and the revocation arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CID } from '../dag'
import { CRED_EVENT, addProof, canonicalize, credentialId, type VerifiableCredential } from '../credentials'
import { FAST_CHARTER } from '../governance/testing'
import { startTestNode, tempDir, type TestNode } from './helpers'
import { testAuthor } from './events'
import { TEST_NETWORK, proposalPassed, tcpAddr, untilSynced, waitFor } from './network-helpers'

const GOV = { tickMs: 40, settleMs: 150 }

async function netNode(init: Parameters<typeof startTestNode>[0] = {}): Promise<TestNode> {
  const t = await startTestNode({
    dir: await tempDir('icn-cred-'),
    ...init,
    init: { network: TEST_NETWORK, governance: GOV, ...init.init },
  })
  await t.node.network.ready()
  return t
}

let a: TestNode
let b: TestNode
let c: TestNode
let scope: string

beforeAll(async () => {
  a = await netNode()
  // b issues by hand (it is the node that tests manual issuance); a issues automatically.
  b = await netNode({ init: { network: TEST_NETWORK, governance: GOV, credentials: { autoIssue: false } } })
  c = await netNode()
  await b.node.network.connect(tcpAddr(a))
  await c.node.network.connect(tcpAddr(a))
  const created = await a.node.governance.createScope({
    kind: 'cooperative',
    name: 'River Commons',
    members: [b.node.identity.did()],
    ...FAST_CHARTER,
  })
  scope = created.scope
  await untilSynced(b.node, 'the genesis on b', async () => (await b.node.governance.scopes()).length === 1)
}, 60_000)

afterAll(async () => {
  for (const t of [a, b, c]) await t?.destroy()
})

describe('credentials between nodes over libp2p', () => {
  let membership: VerifiableCredential
  let role: VerifiableCredential
  let admit: string

  it('issues membership and role credentials after a passed admit proposal; another node verifies them', async () => {
    const cDid = c.node.identity.did()
    const p = await a.node.governance.propose({
      scope,
      title: 'Admit C as steward',
      action: { kind: 'admit', member: cDid, roles: ['steward'] },
    })
    admit = p.id
    await untilSynced(
      b.node,
      'the proposal on b',
      async () => (await b.node.governance.get(p.id).catch(() => undefined)) !== undefined,
    )
    await a.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await b.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await proposalPassed(a.node, p.id)
    await waitFor(
      'automatic issuance on a',
      async () => (await a.node.credentials.list({ did: cDid })).length === 2,
    )
    const issued = await a.node.credentials.list({ did: cDid })
    expect(issued.map((s) => [s.kind, s.role, s.scope, s.signer, s.proposal, s.revoked])).toEqual(
      expect.arrayContaining([
        ['membership', null, scope, a.node.identity.did(), p.id, false],
        ['role', 'steward', scope, a.node.identity.did(), p.id, false],
      ]),
    )
    membership = (await a.node.credentials.get(issued.find((s) => s.kind === 'membership')!.id)).credential
    role = (await a.node.credentials.get(issued.find((s) => s.kind === 'role')!.id)).credential
    expect(membership.issuer).toEqual({ id: scope, name: 'River Commons' })
    expect(role.credentialSubject).toEqual({ id: cDid, memberOf: scope, role: 'steward' })

    // b got the cred/issue events over libp2p and checks them against its own DAG.
    await untilSynced(
      b.node,
      'the credentials on b',
      async () => (await b.node.credentials.list({ scope })).length === 2,
    )
    const result = await b.node.credentials.verify({ credential: JSON.parse(JSON.stringify(membership)) })
    expect(result).toMatchObject({ valid: true, kind: 'credential', credentials: [membership.id] })
    expect(result.checks.map((x) => [x.check, x.status])).toEqual([
      ['structure', 'passed'],
      ['signature', 'passed'],
      ['issuer', 'passed'],
      ['validity', 'passed'],
      ['anchor', 'passed'],
      ['revocation', 'passed'],
    ])
  }, 60_000)

  it('the member presents a credential; the verifier checks holder, challenge and the credential', async () => {
    await untilSynced(
      c.node,
      'the credentials on c',
      async () => (await c.node.credentials.list()).length === 2,
    )
    const vp = await c.node.credentials.present({ id: role.id, challenge: 'nonce-17', audience: 'b' })
    expect(vp.holder).toBe(c.node.identity.did())
    const ok = await b.node.credentials.verify({ presentation: vp, challenge: 'nonce-17', audience: 'b' })
    expect(ok.valid).toBe(true)
    expect(ok.checks.filter((x) => x.check === 'holder')).toHaveLength(1)
    const replay = await b.node.credentials.verify({ presentation: vp, challenge: 'nonce-18' })
    expect(replay.error?.code).toBe('CRED_INVALID')
    // Someone else's credential cannot be presented by this node's member.
    await expect(b.node.credentials.present({ id: role.id })).rejects.toMatchObject({
      code: 'CRED_WRONG_HOLDER',
    })
  }, 60_000)

  it('rejects tampered credentials and wrong issuers with clear codes', async () => {
    const tampered = structuredClone(role)
    tampered.credentialSubject.role = 'treasurer'
    expect((await b.node.credentials.verify({ credential: tampered })).error?.code).toBe('CRED_BAD_SIGNATURE')

    // Re-signed by a key that was never a member of the scope, claiming the scope as issuer.
    const outsider = testAuthor()
    const { proof: _proof, ...unsigned } = membership
    const forged = addProof(unsigned, outsider.signer, { purpose: 'assertionMethod', created: Date.now() })
    const wrong = await b.node.credentials.verify({ credential: forged })
    expect(wrong.valid).toBe(false)
    expect(wrong.error?.code).toBe('CRED_WRONG_ISSUER')

    // A peer's cred/issue event by a non-member, even dated before the real issuance (so it is the better
    // alternative for the credential id and forces a refold), is stored void and changes nothing.
    const decided = (await b.node.governance.get(admit)).result!
    const peerEvent = outsider.next(
      CRED_EVENT.issue,
      { credential: canonicalize(forged), proposal: CID.parse(admit), result: CID.parse(decided.id) },
      { scope, ts: decided.ts + 1 },
    )
    await b.node.dag.ingest(peerEvent.bytes).catch(() => undefined)
    expect((await b.node.dag.getSummary(peerEvent.id))?.status).toBe('voided')
    expect((await b.node.credentials.get(membership.id)).signer).toBe(a.node.identity.did())
    expect((await b.node.credentials.verify({ credential: membership })).valid).toBe(true)

    // A verifier that expects another issuer.
    const other = await b.node.credentials.verify({ credential: membership, issuer: `did:icn:${admit}` })
    expect(other.error?.code).toBe('CRED_WRONG_ISSUER')

    // The DAG refuses a cred/issue event whose credential the proposal does not grant (here: another role).
    const before = await b.node.dag.stateRoot()
    const bad = structuredClone(unsigned)
    bad.id = credentialId(admit, 'role', 'treasurer')
    bad.type = ['VerifiableCredential', 'IcnRoleCredential']
    bad.credentialSubject = { ...bad.credentialSubject, role: 'treasurer' }
    const badSigned = addProof(bad, b.node.identity.signer(), {
      purpose: 'assertionMethod',
      created: Date.now(),
    })
    await expect(
      b.node.dag.append({
        type: CRED_EVENT.issue,
        scope,
        body: {
          credential: canonicalize(badSigned),
          proposal: CID.parse(admit),
          result: CID.parse((await b.node.governance.get(admit)).result!.id),
        },
      }),
    ).rejects.toMatchObject({ code: 'CRED_INVALID' })
    expect(await b.node.dag.stateRoot()).toBe(before)
  }, 60_000)

  it('manual issuance is checked against the decision; expired credentials fail with CRED_EXPIRED', async () => {
    const x = testAuthor()
    const p = await b.node.governance.propose({
      scope,
      title: 'Admit X for a short term',
      action: { kind: 'admit', member: x.did },
    })
    // Before the decision: nothing to issue, nothing written.
    const before = await b.node.dag.stateRoot()
    await expect(b.node.credentials.issue({ proposal: p.id })).rejects.toMatchObject({
      code: 'CRED_NOT_AUTHORISED',
    })
    expect(await b.node.dag.stateRoot()).toBe(before)
    await untilSynced(
      a.node,
      'the proposal on a',
      async () => (await a.node.governance.get(p.id).catch(() => undefined)) !== undefined,
    )
    await b.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await a.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await proposalPassed(b.node, p.id)
    await expect(b.node.credentials.issue({ proposal: p.id, kind: 'role' })).rejects.toMatchObject({
      code: 'CRED_INVALID',
    })
    const validUntil = Date.now() + 60_000
    const [short] = await b.node.credentials.issue({ proposal: p.id, validUntil })
    expect(short).toMatchObject({ kind: 'membership', subject: x.did, signer: b.node.identity.did() })
    expect((await b.node.credentials.verify({ credential: short!.credential })).valid).toBe(true)
    const later = await b.node.credentials.verify({ credential: short!.credential, now: validUntil + 1 })
    expect(later.error?.code).toBe('CRED_EXPIRED')
  }, 60_000)

  it('revokes when a removal passes; verification on another node then fails with CRED_REVOKED', async () => {
    const p = await a.node.governance.propose({
      scope,
      title: 'Remove C',
      action: { kind: 'remove', member: c.node.identity.did() },
    })
    await untilSynced(
      b.node,
      'the removal on b',
      async () => (await b.node.governance.get(p.id).catch(() => undefined)) !== undefined,
    )
    await a.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await b.node.governance.vote({ proposal: p.id, choice: 'yes' })
    await proposalPassed(a.node, p.id)
    await untilSynced(
      b.node,
      'the revocations on b',
      async () =>
        (await b.node.credentials.get(membership.id)).revoked &&
        (await b.node.credentials.get(role.id)).revoked,
    )
    const result = await b.node.credentials.verify({ credential: membership })
    expect(result.valid).toBe(false)
    expect(result.error?.code).toBe('CRED_REVOKED')
    expect(result.checks.at(-1)).toMatchObject({
      check: 'revocation',
      status: 'failed',
      code: 'CRED_REVOKED',
    })
    expect((await b.node.credentials.get(role.id)).revocations[0]).toMatchObject({
      proposal: p.id,
      author: a.node.identity.did(),
    })
    // Revoking again is refused, and so is a revocation by a member who neither signed it nor has a decision.
    await expect(b.node.credentials.revoke({ id: role.id })).rejects.toMatchObject({ code: 'CRED_REVOKED' })
    const [short] = await b.node.credentials.list({ scope }).then((all) => all.filter((s) => !s.revoked))
    await untilSynced(a.node, 'the short-term credential on a', async () =>
      a.node.credentials.get(short!.id).then(
        () => true,
        () => false,
      ),
    )
    await expect(a.node.credentials.revoke({ id: short!.id })).rejects.toMatchObject({
      code: 'CRED_NOT_AUTHORISED',
    })
    await expect(a.node.credentials.get('urn:icn:credential:none')).rejects.toMatchObject({
      code: 'CRED_NOT_FOUND',
    })

    // Re-admitted later: new credentials, which the earlier removal cannot revoke.
    const again = await a.node.governance.propose({
      scope,
      title: 'Admit C again',
      action: { kind: 'admit', member: c.node.identity.did() },
    })
    await untilSynced(
      b.node,
      'the re-admission on b',
      async () => (await b.node.governance.get(again.id).catch(() => undefined)) !== undefined,
    )
    await a.node.governance.vote({ proposal: again.id, choice: 'yes' })
    await b.node.governance.vote({ proposal: again.id, choice: 'yes' })
    await proposalPassed(a.node, again.id)
    const renewed = credentialId(again.id, 'membership')
    await untilSynced(b.node, 'the new credential on b', async () =>
      b.node.credentials.get(renewed).then(
        () => true,
        () => false,
      ),
    )
    expect(
      (await b.node.credentials.verify({ credential: (await b.node.credentials.get(renewed)).credential }))
        .valid,
    ).toBe(true)
    await expect(b.node.credentials.revoke({ id: renewed, proposal: p.id })).rejects.toMatchObject({
      code: 'CRED_NOT_AUTHORISED',
    })
  }, 60_000)
})

describe('catching up on decisions', () => {
  it('a node that finalized an admission without issuing issues its credentials when it next starts', async () => {
    const dir = await tempDir('icn-cred-restart-')
    const init = { governance: GOV, network: { enabled: false } }
    const first = await startTestNode({ dir, init: { ...init, credentials: { autoIssue: false } } })
    const member = testAuthor().did
    let proposal: string
    try {
      const { scope: coop } = await first.node.governance.createScope({
        kind: 'cooperative',
        name: 'Quiet Coop',
        ...FAST_CHARTER,
      })
      const p = await first.node.governance.propose({
        scope: coop,
        title: 'Admit M',
        action: { kind: 'admit', member, roles: ['baker'] },
      })
      proposal = p.id
      await first.node.governance.vote({ proposal, choice: 'yes' })
      await proposalPassed(first.node, proposal)
      expect(await first.node.credentials.list({ did: member })).toEqual([])
    } finally {
      await first.node.stop()
    }
    const second = await startTestNode({ dir, init })
    try {
      await waitFor(
        'catch-up issuance',
        async () => (await second.node.credentials.list({ did: member })).length === 2,
      )
      const issued = await second.node.credentials.list({ did: member })
      expect(issued.every((c) => c.proposal === proposal && !c.revoked)).toBe(true)
      // Issuing again returns the anchored credentials; nothing new is written.
      const root = await second.node.dag.stateRoot()
      expect(await second.node.credentials.issue({ proposal })).toHaveLength(2)
      expect(await second.node.dag.stateRoot()).toBe(root)
    } finally {
      await second.destroy()
    }
  }, 60_000)
})
