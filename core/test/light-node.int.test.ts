/**
 * Roles (docs/roles.md): a cooperative of two full nodes and one light node, real level stores in temp dirs and
 * real libp2p on 127.0.0.1. The light member is admitted, votes and submits a job; the job runs on a full node
 * and never on the light one; every node ends with the same state root; the light node stores far less; after a
 * restart it comes back with the same root.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobWasm } from '../runtime/testdata/wat'
import { FAST_CHARTER } from '../governance/testing'
import type { IcnNode, IcnNodeInit } from '../node'
import { startTestNode, tempDir, type TempDir, type TestNode } from './helpers'
import { testAuthor } from './events'
import type { CID } from '../dag/codec'
import { TEST_NETWORK, capturingLogger, tcpAddr, untilSynced, waitFor } from './network-helpers'

const GOV = { tickMs: 40, settleMs: 150 }
const MESH = { beaconIntervalMs: 200, receiptGraceMs: 300, resumeDelayMs: 200 }
/** Transfers among members who are not on any of the three nodes (the bulk a cooperative's DAG carries). */
const BATCH = 2_000

async function netNode(init: Partial<IcnNodeInit> = {}, dir?: TempDir): Promise<TestNode> {
  const t = await startTestNode({
    dir: dir ?? (await tempDir('icn-role-')),
    init: { network: TEST_NETWORK, governance: GOV, mesh: MESH, ...init },
  })
  await t.node.network.ready()
  return t
}

/** Sum of the file sizes in a data dir (database, keystore, node files, logs). */
async function dirBytes(path: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const p = join(path, entry.name)
    total += entry.isDirectory() ? await dirBytes(p) : (await stat(p)).size
  }
  return total
}

let a: TestNode
let b: TestNode
let light: TestNode
const lightDir = { current: undefined as TempDir | undefined }
let scope: string
const lightLog = capturingLogger()

async function passed(nodes: IcnNode[], proposal: string): Promise<void> {
  for (const n of nodes)
    await untilSynced(
      n,
      `proposal ${proposal} to pass`,
      async () => (await n.governance.get(proposal).catch(() => undefined))?.status === 'passed',
    )
}

beforeAll(async () => {
  a = await netNode()
  b = await netNode()
  lightDir.current = await tempDir('icn-role-light-')
  light = await netNode({ role: 'light', logger: lightLog.logger }, lightDir.current)
  await b.node.network.connect(tcpAddr(a))
  await light.node.network.connect(tcpAddr(a))
  await light.node.network.connect(tcpAddr(b))
  const created = await a.node.governance.createScope({
    kind: 'cooperative',
    name: 'Harbour Cooperative',
    members: [b.node.identity.did()],
    ...FAST_CHARTER,
    // Long enough for the light node to receive the proposal (it polls its peers) and vote on a busy machine.
    params: { ...FAST_CHARTER.params, 'gov.votingPeriodMs': 4000 },
  })
  scope = created.scope
  await untilSynced(b.node, 'the genesis on b', async () => (await b.node.governance.scopes()).length === 1)
}, 60_000)

afterAll(async () => {
  for (const t of [a, b, light]) await t?.destroy()
})

describe('a light node in a cooperative of full nodes', () => {
  it('is admitted and votes', async () => {
    const me = light.node.identity.did()
    const admit = await a.node.governance.propose({
      scope,
      title: 'Admit the light member',
      action: { kind: 'admit', member: me },
    })
    await untilSynced(
      b.node,
      'the admit proposal on b',
      async () => (await b.node.governance.get(admit.id).catch(() => undefined)) !== undefined,
    )
    await a.node.governance.vote({ proposal: admit.id, choice: 'yes' })
    await b.node.governance.vote({ proposal: admit.id, choice: 'yes' })
    await passed([a.node, b.node, light.node], admit.id)
    expect((await light.node.governance.members(scope)).members.map((m) => m.did)).toContain(me)

    const next = await a.node.governance.propose({
      scope,
      title: 'Buy a second boat',
      action: { kind: 'text' },
    })
    await untilSynced(
      light.node,
      'the proposal on the light node',
      async () => (await light.node.governance.get(next.id).catch(() => undefined)) !== undefined,
    )
    expect((await light.node.governance.eligibility(next.id)).canVote).toBe(true)
    const vote = await light.node.governance.vote({ proposal: next.id, choice: 'yes' })
    await untilSynced(
      a.node,
      'the light vote on a',
      async () => (await a.node.dag.getSummary(vote.id)) !== undefined,
    )
    await waitFor('the tally on a', async () => ((await a.node.governance.get(next.id)).tally?.yes ?? 0) >= 1)
  }, 90_000)

  it('submits a job that runs on a full node, never on the light one', async () => {
    await expect(light.node.mesh.setSettings({ enabled: true })).rejects.toMatchObject({
      code: 'ROLE_LIGHT_NO_EXECUTION',
    })
    expect(light.node.mesh.getSettings().enabled).toBe(false)
    // The full nodes' status beacons have reached the light node before it asks for bids.
    await new Promise((r) => setTimeout(r, 600))
    const { job } = await light.node.mesh.submit({
      module: jobWasm('wat/hello.wasm'),
      maxPrice: 10,
      bidWindowMs: 400,
    })
    let detail = await light.node.mesh.get(job)
    await waitFor(
      'the job to settle on the light node',
      async () => {
        detail = await light.node.mesh.get(job)
        return ['paid', 'rejected', 'refunded'].includes(detail.status)
      },
      30_000,
      50,
    ).catch((err: unknown) => {
      const { status, bids, assignments, receipts } = detail
      const warnings = lightLog.lines.filter((l) => l['level'] === 'warn' || l['level'] === 'error')
      console.log(JSON.stringify(warnings.slice(-10)))
      throw new Error(
        `${(err as Error).message}: ${JSON.stringify({ status, bids: bids.length, assignments, receipts }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
      )
    })
    expect(detail.status).toBe('paid')
    const me = light.node.identity.did()
    expect([a.node.identity.did(), b.node.identity.did()]).toContain(detail.executor as string)
    expect(detail.bids.map((bid) => bid.executor)).not.toContain(me)
    expect(detail.assignments.map((x) => x.executor)).not.toContain(me)
    const stats = await light.node.mesh.stats()
    expect(stats).toMatchObject({ accepting: false, completed: 0, running: [] })
    expect(stats.explanations[0]).toContain('light node')
  }, 60_000)

  it('applies the same events as the full nodes with one state root, and stores far less', async () => {
    const authors = Array.from({ length: 40 }, () => testAuthor(undefined, Date.now() - 3_600_000))
    const events = []
    const owed = new Map<number, { source: CID; index: number }[]>()
    for (let i = 0; i < BATCH; i++) {
      const from = authors[i % authors.length]!
      const toIndex = (i * 7 + 3) % authors.length
      const e = from.next('mana/transfer', { to: authors[toIndex]!.did, amount: 1n, memo: '' })
      events.push(e)
      owed.set(toIndex, [...(owed.get(toIndex) ?? []), { source: e.cid, index: 0 }])
    }
    // The recipients' nodes acknowledge (≤ 64 credits a receive): the credits leave the state.
    for (const [toIndex, credits] of owed)
      for (let i = 0; i < credits.length; i += 64)
        events.push(authors[toIndex]!.next('mana/receive', { credits: credits.slice(i, i + 64) }))
    // The full nodes receive the batch (as gossip delivers it); the light node catches up by sync from them.
    for (const n of [a.node, b.node]) await Promise.all(events.map((e) => n.dag.ingest(e.bytes)))
    await untilSynced(
      light.node,
      'the light node to catch up',
      async () => {
        const [full, mine] = await Promise.all([a.node.dag.stats(), light.node.dag.stats()])
        return mine.events >= full.events
      },
      60_000,
    )
    await untilSynced(b.node, 'one state root on every node', async () => {
      const roots = await Promise.all([a, b, light].map((t) => t.node.dag.stateRoot()))
      return new Set(roots).size === 1
    })
    // Opening another member's transfer fetches it from a full node (block exchange).
    const other = events[123]!
    expect(await light.node.dag.blocks.has(other.cid)).toBe(false)
    expect((await light.node.dag.getEvent(other.id))?.bytes).toEqual(other.bytes)
    // A full node does not take the light node for a source of chains it does not store.
    expect((await light.node.dag.servableHeads()).map((h) => h.author)).toEqual([light.node.identity.did()])

    const asLeft = [await dirBytes(a.dir.path), await dirBytes(light.dir.path)] as const
    // What LevelDB leaves depends on how far its background compaction got; compacted is the stable figure.
    for (const n of [a.node, light.node])
      await (n.storage.db as unknown as { compactRange(a: string, b: string): Promise<void> }).compactRange(
        '\u0000',
        '\uffff',
      )
    const fullBytes = await dirBytes(a.dir.path)
    const lightBytes = await dirBytes(light.dir.path)
    const events_ = (await a.node.dag.stats()).events
    const pct = (x: number, y: number): string => ((100 * x) / y).toFixed(1)
    console.log(
      `roles: after ${events_} events — compacted: full node ${fullBytes} bytes, light node ${lightBytes} bytes (${pct(lightBytes, fullBytes)} %); as LevelDB left them: ${asLeft[0]} and ${asLeft[1]} (${pct(asLeft[1], asLeft[0])} %)`,
    )
    // At 2,000 events the fixed part (keystore, peer key, logs, LevelDB manifest, the job module) is a large share.
    expect(lightBytes).toBeLessThan(fullBytes * 0.35)
  }, 120_000)

  it('comes back after a restart with the same state root', async () => {
    const root = await a.node.dag.stateRoot()
    await light.node.stop()
    light = await netNode({ role: 'light' }, lightDir.current)
    expect(await light.node.dag.stateRoot()).toBe(root)
    expect(light.node.role).toBe('light')
    expect(light.node.mesh.getSettings().enabled).toBe(false)
  }, 60_000)
})
