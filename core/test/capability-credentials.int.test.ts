/**
 * Capability credentials across real nodes (level stores in temp dirs, libp2p on 127.0.0.1): a two-member
 * cooperative passes a `capability` proposal; the finalizing node issues the credential automatically; the holder
 * lists and presents it; the other node verifies it from its own DAG, and a node without the scope verifies it
 * offline. Tampering, a credential the decision did not grant, withdrawal by the signer and removal of the holder
 * each fail with their code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CID } from '../dag'
import { CRED_EVENT, addProof, canonicalize, credentialId, type VerifiableCredential } from '../credentials'
import { FAST_CHARTER } from '../governance/testing'
import type { IcnNode } from '../node'
import { startTestNode, tempDir, type TestNode } from './helpers'
import { TEST_NETWORK, proposalPassed, tcpAddr, untilSynced, waitFor } from './network-helpers'

const GOV = { tickMs: 40, settleMs: 150 }

async function netNode(): Promise<TestNode> {
  const t = await startTestNode({
    dir: await tempDir('icn-cap-'),
    init: { network: TEST_NETWORK, governance: GOV },
  })
  await t.node.network.ready()
  return t
}

let a: TestNode
let b: TestNode
let scope: string

const known = (node: IcnNode, id: string) =>
  node.credentials.get(id).then(
    () => true,
    () => false,
  )

/** a proposes; both vote; resolves when a (the proposer, so the finalizer) holds the result. */
async function decide(action: Parameters<IcnNode['governance']['propose']>[0]['action']): Promise<string> {
  const p = await a.node.governance.propose({ scope, title: `Decide ${action.kind}`, action })
  await untilSynced(
    b.node,
    'the proposal on b',
    async () => (await b.node.governance.get(p.id).catch(() => undefined)) !== undefined,
  )
  await a.node.governance.vote({ proposal: p.id, choice: 'yes' })
  await b.node.governance.vote({ proposal: p.id, choice: 'yes' }).catch(() => undefined)
  await proposalPassed(a.node, p.id)
  return p.id
}

beforeAll(async () => {
  a = await netNode()
  b = await netNode()
  await b.node.network.connect(tcpAddr(a))
  const created = await a.node.governance.createScope({
    kind: 'cooperative',
    name: 'Oven Commons',
    members: [b.node.identity.did()],
    ...FAST_CHARTER,
  })
  scope = created.scope
  await untilSynced(b.node, 'the genesis on b', async () => (await b.node.governance.scopes()).length === 1)
}, 60_000)

afterAll(async () => {
  for (const t of [a, b]) await t?.destroy()
})

describe('capability credentials between nodes over libp2p', () => {
  let proposal: string
  let capability: VerifiableCredential

  it('a passed capability proposal issues one IcnCapabilityCredential; the holder lists it, the other node verifies it', async () => {
    const bDid = b.node.identity.did()
    proposal = await decide({ kind: 'capability', member: bDid, capability: 'treasury.sign' })
    const id = credentialId(proposal, 'capability', 'treasury.sign')
    expect(id).toBe(`urn:icn:credential:${proposal}:capability:treasury.sign`)
    await waitFor('automatic issuance on a', () => known(a.node, id))

    // The holder's node lists it among its member's credentials.
    await untilSynced(
      b.node,
      'the credential on b',
      async () => (await b.node.credentials.list()).length === 1,
    )
    const [listed] = await b.node.credentials.list()
    expect(listed).toMatchObject({
      id,
      kind: 'capability',
      capability: 'treasury.sign',
      role: null,
      scope,
      subject: bDid,
      signer: a.node.identity.did(),
      proposal,
      revoked: false,
    })
    capability = (await b.node.credentials.get(id)).credential
    expect(capability.type).toEqual(['VerifiableCredential', 'IcnCapabilityCredential'])
    expect(capability.credentialSubject).toEqual({ id: bDid, memberOf: scope, capability: 'treasury.sign' })
    expect(capability.issuer).toEqual({ id: scope, name: 'Oven Commons' })
    // Issuing again returns the anchored credential: one per decision, whoever asks.
    const root = await b.node.dag.stateRoot()
    expect((await b.node.credentials.issue({ proposal })).map((c) => c.id)).toEqual([id])
    expect(await b.node.dag.stateRoot()).toBe(root)

    // b did not issue it: it checks the credential (after a JSON round trip) against its own copy of the DAG.
    const result = await b.node.credentials.verify({ credential: JSON.parse(JSON.stringify(capability)) })
    expect(result).toMatchObject({ valid: true, kind: 'credential', credentials: [id] })
    expect(result.checks.map((x) => [x.check, x.status])).toEqual([
      ['structure', 'passed'],
      ['signature', 'passed'],
      ['issuer', 'passed'],
      ['validity', 'passed'],
      ['anchor', 'passed'],
      ['revocation', 'passed'],
    ])

    // The holder presents it; a checks the presentation.
    const vp = await b.node.credentials.present({ id, challenge: 'nonce-1', audience: 'a' })
    const ok = await a.node.credentials.verify({ presentation: vp, challenge: 'nonce-1', audience: 'a' })
    expect(ok.valid).toBe(true)
  }, 60_000)

  it('a node without the scope verifies it offline; a tampered copy fails with CRED_BAD_SIGNATURE', async () => {
    const lone = await startTestNode({ init: { network: { enabled: false } } })
    try {
      const offline = await lone.node.credentials.verify({ credential: capability })
      expect(offline.valid).toBe(true)
      expect(offline.checks.map((x) => [x.check, x.status])).toEqual([
        ['structure', 'passed'],
        ['signature', 'passed'],
        ['issuer', 'skipped'],
        ['validity', 'passed'],
        ['anchor', 'skipped'],
        ['revocation', 'skipped'],
      ])
      const tampered = structuredClone(capability)
      tampered.credentialSubject.capability = 'treasury.admin'
      for (const node of [lone.node, a.node, b.node])
        expect((await node.credentials.verify({ credential: tampered })).error?.code).toBe(
          'CRED_BAD_SIGNATURE',
        )
    } finally {
      await lone.destroy()
    }
  }, 60_000)

  it('refuses a cred/issue for a capability, or a kind, the proposal did not grant', async () => {
    const decided = (await b.node.governance.get(proposal)).result!
    const { proof: _proof, ...unsigned } = capability
    const append = async (credential: typeof unsigned) => {
      const signed = addProof(credential, b.node.identity.signer(), {
        purpose: 'assertionMethod',
        created: Date.now(),
      })
      return b.node.dag.append({
        type: CRED_EVENT.issue,
        scope,
        body: {
          credential: canonicalize(signed),
          proposal: CID.parse(proposal),
          result: CID.parse(decided.id),
        },
      })
    }
    const before = await b.node.dag.stateRoot()
    const other = structuredClone(unsigned)
    other.id = credentialId(proposal, 'capability', 'treasury.admin')
    other.credentialSubject = { ...other.credentialSubject, capability: 'treasury.admin' }
    await expect(append(other)).rejects.toMatchObject({ code: 'CRED_INVALID' })
    // A membership credential from a capability decision.
    const membership = structuredClone(unsigned)
    membership.id = credentialId(proposal, 'membership')
    membership.type = ['VerifiableCredential', 'IcnMembershipCredential']
    membership.credentialSubject = { id: membership.credentialSubject.id, memberOf: scope }
    await expect(append(membership)).rejects.toMatchObject({ code: 'CRED_INVALID' })
    expect(await b.node.dag.stateRoot()).toBe(before)
    // Through the service: nothing of another kind or capability to issue.
    await expect(b.node.credentials.issue({ proposal, kind: 'membership' })).rejects.toMatchObject({
      code: 'CRED_INVALID',
    })
    await expect(b.node.credentials.issue({ proposal, capability: 'treasury.admin' })).rejects.toMatchObject({
      code: 'CRED_INVALID',
    })
    expect(await b.node.dag.stateRoot()).toBe(before)
  }, 60_000)

  it('revoked by its signer, it fails with CRED_REVOKED on the other node', async () => {
    // Only the signer may withdraw it without a decision.
    await expect(b.node.credentials.revoke({ id: capability.id })).rejects.toMatchObject({
      code: 'CRED_NOT_AUTHORISED',
    })
    await a.node.credentials.revoke({ id: capability.id, reason: 'granted by mistake' })
    await untilSynced(
      b.node,
      'the revocation on b',
      async () => (await b.node.credentials.get(capability.id)).revoked,
    )
    const result = await b.node.credentials.verify({ credential: capability })
    expect(result.valid).toBe(false)
    expect(result.error?.code).toBe('CRED_REVOKED')
    expect(result.checks.at(-1)).toMatchObject({
      check: 'revocation',
      status: 'failed',
      code: 'CRED_REVOKED',
    })
    await expect(b.node.credentials.present({ id: capability.id })).rejects.toMatchObject({
      code: 'CRED_REVOKED',
    })
  }, 60_000)

  it('removing the holder revokes their capability credentials', async () => {
    const bDid = b.node.identity.did()
    const granted = await decide({
      kind: 'capability',
      member: bDid,
      capability: 'mesh:executor',
      note: 'ovens',
    })
    const id = credentialId(granted, 'capability', 'mesh:executor')
    expect(id).toBe(`urn:icn:credential:${granted}:capability:mesh%3Aexecutor`)
    await untilSynced(b.node, 'the second capability on b', () => known(b.node, id))
    expect(
      (await b.node.credentials.verify({ credential: (await b.node.credentials.get(id)).credential })).valid,
    ).toBe(true)
    const removal = await decide({ kind: 'remove', member: bDid })
    await untilSynced(
      b.node,
      'the removal revocation on b',
      async () => (await b.node.credentials.get(id)).revoked,
    )
    const detail = await b.node.credentials.get(id)
    expect(detail.revocations[0]).toMatchObject({ proposal: removal, author: a.node.identity.did() })
    expect((await b.node.credentials.verify({ credential: detail.credential })).error?.code).toBe(
      'CRED_REVOKED',
    )
    // A capability for someone who is no longer a member is refused at proposal time.
    await expect(
      a.node.governance.propose({
        scope,
        title: 'Too late',
        action: { kind: 'capability', member: bDid, capability: 'treasury.sign' },
      }),
    ).rejects.toMatchObject({ code: 'GOV_NOT_A_MEMBER' })
  }, 60_000)
})

describe('issuing a capability credential by hand', () => {
  it('anchors exactly the granted claims: a subject with more is refused with CRED_INVALID', async () => {
    const t = await startTestNode({
      dir: await tempDir('icn-cap-hand-'),
      init: { governance: GOV, network: { enabled: false }, credentials: { autoIssue: false } },
    })
    try {
      const node = t.node
      const me = node.identity.did()
      const { scope: coop } = await node.governance.createScope({
        kind: 'cooperative',
        name: 'Quiet Ovens',
        ...FAST_CHARTER,
      })
      const p = await node.governance.propose({
        scope: coop,
        title: 'I sign for the treasury',
        action: { kind: 'capability', member: me, capability: 'treasury.sign' },
      })
      await node.governance.vote({ proposal: p.id, choice: 'yes' })
      await proposalPassed(node, p.id)
      expect(await node.credentials.list()).toEqual([])
      const result = (await node.governance.get(p.id)).result!
      const id = credentialId(p.id, 'capability', 'treasury.sign')
      const validFrom = new Date(Math.max(Date.now(), result.ts)).toISOString()
      const root = await node.dag.stateRoot()
      // A role beside the capability, and a claim no decision makes.
      const extraClaims: Record<string, string>[] = [{ role: 'treasurer' }, { limit: 'unlimited' }]
      for (const extra of extraClaims) {
        const signed = addProof(
          {
            '@context': ['https://www.w3.org/ns/credentials/v2'],
            id,
            type: ['VerifiableCredential', 'IcnCapabilityCredential'],
            issuer: { id: coop, name: 'Quiet Ovens' },
            validFrom,
            credentialSubject: { id: me, memberOf: coop, capability: 'treasury.sign', ...extra },
            evidence: [{ type: ['IcnGovernanceDecision'], proposal: p.id, result: result.id }],
            credentialStatus: {
              id: `urn:icn:revocation-list:${coop}`,
              type: 'IcnDagRevocationList',
              scope: coop,
            },
          },
          node.identity.signer(),
          { purpose: 'assertionMethod', created: Date.parse(validFrom) },
        )
        await expect(
          node.dag.append({
            type: CRED_EVENT.issue,
            scope: coop,
            body: {
              credential: canonicalize(signed),
              proposal: CID.parse(p.id),
              result: CID.parse(result.id),
            },
          }),
          JSON.stringify(extra),
        ).rejects.toMatchObject({ code: 'CRED_INVALID' })
      }
      expect(await node.dag.stateRoot()).toBe(root)
      // The service issues the one the decision grants.
      const [issued] = await node.credentials.issue({ proposal: p.id, kind: 'capability' })
      expect(issued).toMatchObject({ id, kind: 'capability', capability: 'treasury.sign', subject: me })
      expect(issued!.credential.credentialSubject).toEqual({
        id: me,
        memberOf: coop,
        capability: 'treasury.sign',
      })
      expect((await node.credentials.verify({ credential: issued!.credential })).valid).toBe(true)
    } finally {
      await t.destroy()
    }
  }, 60_000)
})
