import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { silentLogger } from '../core/logger'
import { createNode, type IcnNode } from '../core/node'
import { TEST_KDF, TEST_PASSPHRASE, tempDir, type TempDir } from '../core/test/helpers'
import { createLoopbackHub } from '../core/mesh/test-support'
import { atLeast, atMost, percentile, round, type BenchSuite, type Figure } from './harness'

/**
 * Mesh bench (issue 6): the round trip of a trivial job between three nodes (submit → bids within a 50 ms
 * window → assignment → run → receipt → verification → settlement) and the sustained throughput when all three
 * nodes submit at once and execute each other's jobs.
 */
const hello = new Uint8Array(
  readFileSync(fileURLToPath(new URL('../resources/jobs/wat/hello.wasm', import.meta.url))),
)
/** The reference implementation's documented throughput (jobs/s), printed as the baseline. */
const REFERENCE_JOBS_PER_SECOND = 12.5

interface BenchNode {
  node: IcnNode
  dir: TempDir
}

async function startNodes(count: number): Promise<BenchNode[]> {
  const hub = createLoopbackHub()
  const out: BenchNode[] = []
  for (let i = 0; i < count; i++) {
    const dir = await tempDir('icn-bench-mesh-')
    const ep = hub.endpoint(`n${i}`)
    const node = createNode({
      dataDir: dir.path,
      logger: silentLogger,
      identity: { kdf: TEST_KDF },
      mesh: { network: ep, beaconIntervalMs: 1000 },
    })
    ep.attach(node)
    await node.start()
    await node.identity.create({ passphrase: TEST_PASSPHRASE })
    await node.mesh.setSettings({ cpuSharePercent: 100, minPrice: 1 })
    out.push({ node, dir })
  }
  // Let the executors' status beacons go round once.
  await new Promise((r) => setTimeout(r, 200))
  return out
}

/**
 * Settled jobs of a submitter, from its 'mesh:job-updated' events (the bench must not add database reads of its
 * own to what it measures). A job can settle before `submit` returns its id, so outcomes are buffered.
 */
function settlements(node: IcnNode): { wait(job: string): Promise<string>; close(): void } {
  const done = new Map<string, string>()
  const waiting = new Map<string, (status: string) => void>()
  const off = node.events.on('mesh:job-updated', (e) => {
    if (e.role !== 'submitter' || !['paid', 'rejected', 'refunded'].includes(e.status)) return
    const resolve = waiting.get(e.job)
    if (resolve === undefined) done.set(e.job, e.status)
    else {
      waiting.delete(e.job)
      resolve(e.status)
    }
  })
  return {
    wait(job) {
      const status = done.get(job)
      if (status !== undefined) {
        done.delete(job)
        return Promise.resolve(status)
      }
      return new Promise((resolve) => waiting.set(job, resolve))
    },
    close: off,
  }
}

const watchers = new WeakMap<IcnNode, ReturnType<typeof settlements>>()

async function submitAndWait(node: IcnNode): Promise<{ ms: number; status: string; job: string }> {
  let watch = watchers.get(node)
  if (watch === undefined) watchers.set(node, (watch = settlements(node)))
  const started = performance.now()
  const { job } = await node.mesh.submit({ module: hello, maxPrice: 1, bidWindowMs: 50 })
  const status = await watch.wait(job)
  return { ms: performance.now() - started, status, job }
}

async function roundTrip(
  nodes: BenchNode[],
  samples: number,
): Promise<{ p50: number; p95: number; failed: number }> {
  const submitter = (nodes[0] as BenchNode).node
  for (let i = 0; i < 5; i++) await submitAndWait(submitter)
  const times: number[] = []
  let failed = 0
  for (let i = 0; i < samples; i++) {
    const { ms, status } = await submitAndWait(submitter)
    if (status !== 'paid') failed++
    times.push(ms)
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), failed }
}

/** Every node keeps `inFlight` jobs going until `total` are settled; jobs per second over the whole run. */
async function throughput(
  nodes: BenchNode[],
  total: number,
  inFlight: number,
): Promise<{ rate: number; paid: number; others: string }> {
  let started = 0
  let paid = 0
  const unpaid: [IcnNode, string][] = []
  const begin = performance.now()
  await Promise.all(
    nodes.map(async ({ node }) => {
      const lanes = Array.from({ length: inFlight }, async (_, lane) => {
        // Lanes start 10 ms apart: a steady stream, not one burst of every job at the same instant.
        await new Promise((r) => setTimeout(r, lane * 10))
        while (started < total) {
          started++
          const { status, job } = await submitAndWait(node)
          if (status === 'paid') paid++
          else unpaid.push([node, job])
        }
      })
      await Promise.all(lanes)
    }),
  )
  const seconds = (performance.now() - begin) / 1000
  const reasons = new Map<string, number>()
  for (const [node, job] of unpaid) {
    const d = await node.mesh.get(job)
    const key = `${d.status} (${d.reason ?? '-'}${d.waiting[0] === undefined ? '' : `: ${d.waiting[0].reason}`})`
    reasons.set(key, (reasons.get(key) ?? 0) + 1)
  }
  return { rate: total / seconds, paid, others: [...reasons].map(([k, n]) => `${n} ${k}`).join(', ') }
}

const meshBench: BenchSuite = {
  name: 'Mesh: job market',
  async run(): Promise<Figure[]> {
    const nodes = await startNodes(3)
    try {
      const rt = await roundTrip(nodes, 40)
      const tp = await throughput(nodes, 600, 8)
      return [
        {
          name: 'job round trip, trivial job, bidWindowMs 50, 3 nodes (submit → settled), p50',
          value: round(rt.p50, 1),
          unit: 'ms',
          target: '< 150',
          pass: atMost(rt.p50, 150) && rt.failed === 0,
        },
        { name: 'job round trip p95', value: round(rt.p95, 1), unit: 'ms', target: 'informational' },
        {
          name: `sustained throughput, 3 nodes submitting and executing (600 jobs, ${tp.paid} paid${tp.others === '' ? '' : `; ${tp.others}`})`,
          value: round(tp.rate, 1),
          unit: 'jobs/s',
          target: '≥ 50',
          pass: atLeast(tp.rate, 50) && tp.paid === 600,
          baseline: {
            name: 'reference implementation (documented)',
            value: REFERENCE_JOBS_PER_SECOND,
            unit: 'jobs/s',
          },
        },
      ]
    } finally {
      for (const { node, dir } of nodes) {
        await node.stop()
        await dir.cleanup()
      }
    }
  },
}

export default meshBench
