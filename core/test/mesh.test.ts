import { afterEach, describe, expect, it } from 'vitest'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { jobWasm, text } from '../runtime/testdata/wat'
import { createLoopbackHub, type LoopbackEndpoint, type LoopbackHub } from '../mesh/test-support'
import type { JobDetail, MeshInit } from '../mesh'
import type { IcnNode } from '../node'
import { startTestNode, type TestNode } from './helpers'

/**
 * The job lifecycle between nodes of one process, over the in-process transport (real signed events, real
 * mesh messages, real blocks, real WebAssembly): submit, bid, select, assign, run, receipt, verify, settle.
 */
const nodes: TestNode[] = []
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.destroy()
})

async function meshNode(
  hub: LoopbackHub,
  name: string,
  mesh: MeshInit = {},
): Promise<{ node: IcnNode; ep: LoopbackEndpoint }> {
  const ep = hub.endpoint(name)
  const t = await startTestNode({
    init: { mesh: { beaconIntervalMs: 200, receiptGraceMs: 300, resumeDelayMs: 200, ...mesh, network: ep } },
    beforeStart: (n) => ep.attach(n),
  })
  nodes.push(t)
  return { node: t.node, ep }
}

async function until(
  node: IcnNode,
  job: string,
  done: (d: JobDetail) => boolean,
  ms = 15_000,
): Promise<JobDetail> {
  const end = Date.now() + ms
  for (;;) {
    const detail = await node.mesh.get(job).catch(() => undefined)
    if (detail !== undefined && done(detail)) return detail
    if (Date.now() > end)
      throw new Error(`job ${job} did not reach the expected state: ${JSON.stringify(detail?.status)}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const terminal = (d: JobDetail): boolean => ['paid', 'rejected', 'refunded'].includes(d.status)

describe('mesh jobs between in-process nodes', () => {
  it('runs a job on another node and pays the receipt', async () => {
    const hub = createLoopbackHub()
    const a = await meshNode(hub, 'a')
    const b = await meshNode(hub, 'b')
    const { job } = await a.node.mesh.submit({
      module: jobWasm('wat/hello.wasm'),
      maxPrice: 10,
      bidWindowMs: 100,
      verification: 'reexecute',
    })
    const detail = await until(a.node, job, terminal)
    expect(detail.status).toBe('paid')
    expect(detail.executor).toBe(b.node.identity.did())
    expect(detail.settlement?.reason).toBe('reexecuted')
    expect(detail.verification).toMatchObject({ method: 'reexecuted', ok: true })
    expect(detail.receipts).toHaveLength(1)
    expect(detail.receipts[0]).toMatchObject({ exit: 0, error: null, deterministic: true, current: true })
    const out = await a.node.mesh.output(job)
    expect(text(out.stdout)).toBe('Hello from an ICN job!\n')
    // The executor's node sees the same job, paid, from the same events.
    await hub.settle()
    const there = await until(b.node, job, terminal)
    expect(there.status).toBe('paid')
    expect(there.role).toBe('executor')
    // Mana moved: the escrow paid the agreed price to the executor and returned the rest to the submitter.
    const executor = b.node.identity.did()
    const price = detail.settlement!.price
    expect(price).toBeGreaterThan(0n)
    expect(price).toBeLessThanOrEqual(10n)
    const paid = await a.node.economics.history({ kind: 'settlement', counterparty: executor })
    expect(paid.entries).toEqual([expect.objectContaining({ direction: 'out', amount: price })])
    expect((await a.node.economics.balance()).reserved).toBe(0n)
    // The executor's node acknowledges the credit; both nodes then show the same balances and reputation.
    const end = Date.now() + 10_000
    for (;;) {
      await hub.settle()
      const earned = await b.node.economics.history({ kind: 'settlement' })
      const same =
        (await a.node.economics.balance({ did: executor })).available ===
        (await b.node.economics.balance()).available
      if ((earned.entries.length === 1 && same) || Date.now() > end) break
      await new Promise((r) => setTimeout(r, 20))
    }
    const earned = await b.node.economics.history({ kind: 'settlement' })
    expect(earned.entries).toEqual([
      expect.objectContaining({ direction: 'in', amount: price, counterparty: a.node.identity.did() }),
    ])
    expect((await a.node.economics.balance({ did: executor })).available).toBe(
      (await b.node.economics.balance()).available,
    )
    const reputation = await a.node.economics.reputation({ did: executor })
    expect(reputation).toMatchObject({ successes: 1, failures: 0 })
    expect(reputation.score).toBeGreaterThan(500)
    expect((await b.node.economics.reputation({ did: executor })).score).toBe(reputation.score)
    expect(await a.node.dag.stateRoot()).toBe(await b.node.dag.stateRoot())
  })

  it('refuses a job whose max price is more than the available mana, before signing anything', async () => {
    const hub = createLoopbackHub()
    const a = await meshNode(hub, 'a')
    const { available } = await a.node.economics.balance()
    const before = (await a.node.dag.stats()).events
    await expect(
      a.node.mesh.submit({
        module: jobWasm('wat/hello.wasm'),
        maxPrice: (available + 1n).toString(),
        bidWindowMs: 100,
      }),
    ).rejects.toMatchObject({ code: 'ECONOMICS_INSUFFICIENT_MANA' })
    expect((await a.node.dag.stats()).events).toBe(before)
    expect((await a.node.economics.balance()).reserved).toBe(0n)
  })

  it('refunds a job nobody bids on and says why', async () => {
    const hub = createLoopbackHub()
    const a = await meshNode(hub, 'a')
    const b = await meshNode(hub, 'b')
    await b.node.mesh.setSettings({ minPrice: 50 })
    await new Promise((r) => setTimeout(r, 300))
    const { job } = await a.node.mesh.submit({
      module: jobWasm('wat/hello.wasm'),
      maxPrice: 20,
      bidWindowMs: 100,
    })
    const detail = await until(a.node, job, terminal)
    expect(detail.status).toBe('refunded')
    expect(detail.reason).toBe('no-bids')
    // The escrow came back whole.
    expect((await a.node.economics.balance()).reserved).toBe(0n)
    const released = await a.node.economics.history({ kind: 'release' })
    expect(released.entries).toEqual([expect.objectContaining({ direction: 'in', amount: 20n })])
    expect(detail.waiting).toEqual([
      expect.objectContaining({ executor: b.node.identity.did(), reason: 'min-price' }),
    ])
    expect(detail.waiting[0]?.message).toMatch(/minimum price 50 above your max 20/)
    const stats = await b.node.mesh.stats()
    expect(stats.recent.declined['min-price']).toBe(1)
    expect(stats.explanations.join(' ')).toMatch(/below your minimum price 50/)
  })
})

describe('hostile modules as jobs', () => {
  it('each ends with a receipt carrying a clear code, the node stays responsive and the next job is clean', async () => {
    const hub = createLoopbackHub()
    const a = await meshNode(hub, 'a')
    const b = await meshNode(hub, 'b')
    const limits = { fuel: 50_000_000, memoryMiB: 16, timeoutMs: 10_000, outputBytes: 64 * 1024 }
    const cases: [string, Uint8Array, string][] = [
      ['infinite loop', jobWasm('wat/infinite-loop.wasm'), 'RUNTIME_OUT_OF_FUEL'],
      ['memory bomb', jobWasm('wat/memory-bomb.wasm'), 'RUNTIME_MEMORY_LIMIT'],
      ['deep recursion', jobWasm('wat/deep-recursion.wasm'), 'RUNTIME_STACK_OVERFLOW'],
      ['output flood', jobWasm('wat/output-flood.wasm'), 'RUNTIME_OUTPUT_LIMIT'],
      ['invalid module', new TextEncoder().encode('\0asm this is not webassembly'), 'RUNTIME_INVALID_MODULE'],
      ['unknown import', jobWasm('wat/unknown-import.wasm'), 'RUNTIME_UNKNOWN_IMPORT'],
    ]
    const batch = async (): Promise<{ details: JobDetail[]; p99: number }> => {
      const delay = monitorEventLoopDelay({ resolution: 5 })
      delay.enable()
      const jobs: string[] = []
      for (const [, module] of cases) {
        const submitted = await a.node.mesh.submit({
          module,
          maxPrice: 5,
          bidWindowMs: 100,
          limits,
          verification: 'reexecute',
        })
        jobs.push(submitted.job)
      }
      const details = await Promise.all(jobs.map((job) => until(a.node, job, terminal, 30_000)))
      delay.disable()
      return { details, p99: delay.percentile(99) / 1e6 }
    }
    // Other processes on a shared 2-core machine can steal the CPU for tens of milliseconds; guest work on the
    // main thread would block for seconds in every batch, so the best of up to three batches must pass.
    let best = Infinity
    for (let attempt = 0; attempt < 3 && best >= 50; attempt++) {
      const { details, p99 } = await batch()
      best = Math.min(best, p99)
      cases.forEach(([name, , code], i) => {
        const d = details[i] as JobDetail
        expect({ name, code: d.receipts[0]?.error?.code }).toEqual({ name, code })
        // The executor did what was asked (the module is the submitter's problem) and the re-run agrees.
        expect({ name, status: d.status, verification: d.verification?.ok }).toEqual({
          name,
          status: 'paid',
          verification: true,
        })
      })
    }
    expect(best).toBeLessThan(50)
    // Nothing leaks into the next job on the same executor.
    const { job } = await a.node.mesh.submit({
      module: jobWasm('wat/hello.wasm'),
      maxPrice: 5,
      bidWindowMs: 100,
    })
    const clean = await until(a.node, job, terminal)
    expect(clean.receipts[0]).toMatchObject({ exit: 0, error: null })
    expect(text((await a.node.mesh.output(job)).stdout)).toBe('Hello from an ICN job!\n')
    expect(b.node.status).toBe('running')
  }, 60_000)
})

/** A job that runs for about half a second: the kernel mixing 96 KiB of stdin for 1000 rounds. */
function slowJob(): { module: Uint8Array; stdin: Uint8Array } {
  const stdin = new Uint8Array(96 * 1024)
  for (let i = 0; i < stdin.length; i++) stdin[i] = (i * 2654435761) >>> 24
  return { module: jobWasm('wat/kernel.wasm'), stdin }
}

async function runningOn(nodes: IcnNode[], ms = 15_000): Promise<IcnNode> {
  const end = Date.now() + ms
  for (;;) {
    for (const n of nodes) if ((await n.mesh.stats()).running.some((r) => r.stage === 'running')) return n
    if (Date.now() > end) throw new Error('no executor started the job')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('failures', () => {
  it('completes on the next bidder when the executor dies mid-job', async () => {
    const hub = createLoopbackHub()
    const a = await meshNode(hub, 'a')
    const b = await meshNode(hub, 'b')
    const c = await meshNode(hub, 'c')
    const { job } = await a.node.mesh.submit({
      ...slowJob(),
      maxPrice: 10,
      bidWindowMs: 150,
      limits: { timeoutMs: 6000, fuel: 10_000_000_000 },
    })
    const victim = await runningOn([b.node, c.node])
    const survivor = victim === b.node ? c.node : b.node
    const victimDid = victim.identity.did()
    await (victim === b.node ? b.ep : c.ep).setOnline(false)
    await victim.stop()
    const detail = await until(a.node, job, terminal, 30_000)
    expect(detail.status).toBe('paid')
    expect(detail.executor).toBe(survivor.identity.did())
    expect(detail.assignments.map((x) => [x.attempt, x.executor, x.timedOut])).toEqual([
      [1, victimDid, true],
      [2, survivor.identity.did(), false],
    ])
    expect(detail.bids.find((x) => x.executor === victimDid)?.state).toBe('tried')
    expect(detail.receipts.find((r) => r.current)).toMatchObject({ error: null, exit: 0 })
    expect(text((await a.node.mesh.output(job)).stdout)).toMatch(/^[0-9a-f]{16}\n$/)
  }, 60_000)

  it('delivers the receipt to a submitter that was offline when it was written', async () => {
    const hub = createLoopbackHub()
    const epA = hub.endpoint('a')
    const first = await startTestNode({
      init: { mesh: { receiptGraceMs: 300, resumeDelayMs: 200, network: epA } },
      beforeStart: (n) => epA.attach(n),
    })
    const b = await meshNode(hub, 'b')
    const { job } = await first.node.mesh.submit({
      ...slowJob(),
      maxPrice: 10,
      bidWindowMs: 100,
      limits: { fuel: 10_000_000_000 },
    })
    await runningOn([b.node])
    await epA.setOnline(false)
    await first.node.stop()
    // The executor finishes while the submitter is away: the receipt waits in its chain (the outbox).
    for (let i = 0; (await b.node.mesh.stats()).running.length > 0; i++) {
      if (i > 1500) throw new Error('the executor never finished')
      await new Promise((r) => setTimeout(r, 10))
    }
    const epA2 = hub.endpoint('a-again')
    const again = await startTestNode({
      dir: first.dir,
      init: { mesh: { receiptGraceMs: 300, resumeDelayMs: 200, network: epA2 } },
      beforeStart: (n) => epA2.attach(n),
    })
    nodes.push(again)
    await epA2.setOnline(true)
    const detail = await until(again.node, job, terminal, 20_000)
    expect(detail.status).toBe('paid')
    expect(detail.executor).toBe(b.node.identity.did())
    expect(detail.assignments).toHaveLength(1)
    expect(text((await again.node.mesh.output(job)).stdout)).toMatch(/^[0-9a-f]{16}\n$/)
  }, 60_000)
})
