/**
 * Economics figures (issue 4): wallet.balance for an account with 100,000 history entries (< 5 ms), and transfer
 * ingest end to end through dag.ingest including the recipients' receipts (≥ 3,000 transfers/s on one core).
 */
import { execFileSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { silentLogger } from '../core/logger'
import { createNode, type IcnNode } from '../core/node'
import { TEST_KDF, TEST_PASSPHRASE, tempDir, type TempDir } from '../core/test/helpers'
import { testAuthor, type TestAuthor } from '../core/test/events'
import type { VerifiedEvent } from '../core/dag'
import { createHandlers } from '../app/handlers'
import type { CallContext } from '../app/contract'
import { atLeast, atMost, percentile, round, type BenchSuite, type Figure } from './harness'

const HISTORY = 100_000
const TRANSFERS = 6_000
const AUTHORS = 200
/** At the global economy's 50 mana/h, one unit regenerates every 72 s. */
const UNIT_MS = 72_000

async function freshNode(withIdentity = false): Promise<{ node: IcnNode; dir: TempDir }> {
  const dir = await tempDir('icn-bench-econ-')
  const node = createNode({ dataDir: dir.path, logger: silentLogger, identity: { kdf: TEST_KDF } })
  await node.start()
  if (withIdentity) await node.identity.create({ passphrase: TEST_PASSPHRASE })
  return { node, dir }
}

async function ingestAll(node: IcnNode, events: VerifiedEvent[], page?: number): Promise<void> {
  // As gossip does: every message is decoded and verified, then queued for the serial writer. With `page`, as a
  // sync session does: a page of events at a time, the next one handed over when the last is committed.
  const size = page ?? events.length
  for (let i = 0; i < events.length; i += size) {
    const results = await Promise.all(events.slice(i, i + size).map((e) => node.dag.ingest(e.bytes)))
    if (results.some((r) => r.status !== 'applied')) throw new Error('an event was not applied')
  }
}

const ctx: CallContext = {
  signal: new AbortController().signal,
  transport: 'internal',
  progress: () => undefined,
}

async function balanceWithLongHistory(): Promise<Figure[]> {
  const { node, dir } = await freshNode()
  try {
    // One account that sent 1 mana 99,999 times, one unit regenerated between sends (83 days of activity).
    const start = Date.now() - (HISTORY + 10) * UNIT_MS
    const payer = testAuthor(undefined, start)
    const payees = Array.from({ length: 100 }, () => testAuthor())
    for (let offset = 0; offset < HISTORY - 1; offset += 10_000) {
      const batch: VerifiedEvent[] = []
      for (let i = offset; i < Math.min(offset + 10_000, HISTORY - 1); i++) {
        batch.push(
          payer.next(
            'mana/transfer',
            { to: payees[i % payees.length]!.did, amount: 1n, memo: '' },
            { ts: start + (i + 1) * UNIT_MS },
          ),
        )
      }
      await ingestAll(node, batch)
    }
    const handlers = createHandlers(node)
    const probe = await handlers['wallet.history']({ did: payer.did, limit: 1 }, ctx)
    if (probe.entries.length !== 1) throw new Error('no history')
    const samples: number[] = []
    for (let i = 0; i < 300; i++) {
      const t = performance.now()
      const b = await handlers['wallet.balance']({ did: payer.did }, ctx)
      samples.push(performance.now() - t)
      if (b.available === '') throw new Error('no balance')
    }
    // What a balance computed from history would cost: one pass over the account's entries.
    const scanStarted = performance.now()
    let entries = 0
    let cursor: string | undefined
    for (;;) {
      const page = await node.economics.history({
        did: payer.did,
        limit: 10_000,
        ...(cursor === undefined ? {} : { cursor }),
      })
      entries += page.entries.length
      if (page.next === null) break
      cursor = page.next
    }
    const scanMs = performance.now() - scanStarted
    if (entries !== HISTORY) throw new Error(`expected ${HISTORY} history entries, found ${entries}`)
    const p50 = percentile(samples, 50)
    const p99 = percentile(samples, 99)
    return [
      {
        name: `wallet.balance p99 with ${HISTORY.toLocaleString('en')} history entries for the account`,
        value: round(p99, 3),
        unit: 'ms',
        target: '< 5',
        pass: atMost(p99, 5),
        baseline: { name: 'reading the whole history once', value: round(scanMs, 0), unit: 'ms' },
      },
      {
        name: 'wallet.balance p50 (same account)',
        value: round(p50, 3),
        unit: 'ms',
        target: '< 5',
        pass: atMost(p50, 5),
      },
    ]
  } finally {
    await node.stop()
    await dir.cleanup()
  }
}

/**
 * TRANSFERS transfers between AUTHORS members with the recipients' receipts. `perGroup`: receipts as the
 * auto-acknowledger writes them — it acknowledges what one group commit (512 events) brought, one receive per
 * recipient per group; otherwise one receive per transfer (the worst case).
 */
function transferEvents(perGroup: boolean, count = TRANSFERS): VerifiedEvent[] {
  const authors = Array.from({ length: AUTHORS }, () => testAuthor(undefined, Date.now() - 3_600_000))
  const events: VerifiedEvent[] = []
  const GROUP = 512
  for (let start = 0; start < count; start += GROUP) {
    const owed = new Map<TestAuthor, VerifiedEvent[]>()
    for (let i = start; i < Math.min(start + GROUP, count); i++) {
      const from = authors[i % AUTHORS]!
      const to = authors[(i * 7 + 1) % AUTHORS]!
      const t = from.next('mana/transfer', { to: to.did, amount: 3n, memo: '' })
      events.push(t)
      if (!perGroup) events.push(to.next('mana/receive', { credits: [{ source: t.cid, index: 0 }] }))
      else owed.set(to, [...(owed.get(to) ?? []), t])
    }
    for (const [to, sources] of owed) {
      for (let i = 0; i < sources.length; i += 64) {
        const credits = sources.slice(i, i + 64).map((t) => ({ source: t.cid, index: 0 }))
        events.push(to.next('mana/receive', { credits }))
      }
    }
  }
  return events
}

/** Ingests into a fresh node: wall-clock seconds and CPU seconds of this process (all its threads). */
async function ingestRate(
  events: VerifiedEvent[],
  page?: number,
): Promise<{ seconds: number; cpuSeconds: number }> {
  const { node, dir } = await freshNode()
  try {
    const cpu = process.cpuUsage()
    const started = performance.now()
    await ingestAll(node, events, page)
    const seconds = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    if ((await node.dag.stats()).events !== events.length) throw new Error('not every event was stored')
    return { seconds, cpuSeconds: (used.user + used.system) / 1e6 }
  } finally {
    await node.stop()
    await dir.cleanup()
  }
}

/**
 * Five measured runs and the median one: a run's figure swings ±15 % and more with when V8's collections fall (runs
 * in one process read e.g. 2,424 / 2,941 / 2,441 transfers/s). `rates` lists each run's transfers/s in run order.
 */
async function fiveRuns(
  events: VerifiedEvent[],
  page?: number,
): Promise<{ median: { seconds: number; cpuSeconds: number }; rates: string }> {
  const runs: { seconds: number; cpuSeconds: number }[] = []
  for (let i = 0; i < 5; i++) runs.push(await ingestRate(events, page))
  return {
    median: [...runs].sort((a, b) => a.seconds - b.seconds)[2]!,
    rates: runs.map((r) => Math.round(TRANSFERS / r.seconds)).join(' / '),
  }
}

/**
 * Pins every thread of this process to one CPU, the lowest it may run on (Linux `taskset -a -p`; threads started
 * later inherit the mask of the thread that starts them), and returns how to restore the previous mask. Undefined
 * where that is not possible (another OS, no taskset): the per-CPU-second figure stands in for one core then.
 */
function pinToOneCore(): (() => void) | undefined {
  if (process.platform !== 'linux') return undefined
  const pid = String(process.pid)
  try {
    const shown = execFileSync('taskset', ['-p', pid], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const hex = /affinity mask:\s*([0-9a-f]+)/i.exec(shown)?.[1]
    if (hex === undefined) return undefined
    const mask = BigInt(`0x${hex}`)
    if (mask === 0n) return undefined
    const lowest = mask & -mask
    execFileSync('taskset', ['-a', '-p', lowest.toString(16), pid], { stdio: 'ignore' })
    return () => execFileSync('taskset', ['-a', '-p', hex, pid], { stdio: 'ignore' })
  } catch {
    return undefined
  }
}

async function transferIngest(): Promise<Figure[]> {
  // Warm-up so JIT and key caches do not penalise the measured runs: a run of the measured size (a node that has
  // been up for a while has its hot path optimised; with a 500-transfer warm-up the first measured run read
  // ~15% lower than the next one in the same process).
  await ingestRate(transferEvents(true))
  const grouped = transferEvents(true)
  const single = transferEvents(false)
  const all = await fiveRuns(grouped)
  const { seconds, cpuSeconds } = all.median
  // The same events handed over as a sync session does (pages of syncMaxEventsPerRange, 512): fewer events wait
  // in the writer's queue at once, so fewer survive young collections.
  const paged = await fiveRuns(grouped, 512)
  const { seconds: singleSeconds } = await ingestRate(single)
  // The target is for one core: the same five runs with every thread of the process on one CPU. On two cores the
  // process runs its threads side by side (wall time) and spends more CPU per event on parallel collections
  // (the per-CPU-second figure), so neither is the one-core figure.
  const restore = pinToOneCore()
  let oneCore: Awaited<ReturnType<typeof fiveRuns>> | undefined
  if (restore !== undefined) {
    try {
      oneCore = await fiveRuns(grouped)
    } finally {
      restore()
    }
  }

  // The receiving side as members see it: transfers to this node's member, acknowledged by the node itself.
  const incoming = 1_000
  const { node: own, dir: ownDir } = await freshNode(true)
  let ackSeconds: number
  try {
    const me = own.identity.did()
    const senders = Array.from({ length: 50 }, () => testAuthor(undefined, Date.now() - 3_600_000))
    const sent = Array.from({ length: incoming }, (_, i) =>
      senders[i % senders.length]!.next('mana/transfer', { to: me, amount: 1n, memo: '' }),
    )
    const started = performance.now()
    await ingestAll(own, sent)
    while ((await own.economics.pending({ limit: 1 })).length > 0) await new Promise((r) => setTimeout(r, 5))
    ackSeconds = (performance.now() - started) / 1000
  } finally {
    await own.stop()
    await ownDir.cleanup()
  }
  const rate = TRANSFERS / seconds
  const perCpu = TRANSFERS / cpuSeconds
  const oneCoreRate = oneCore === undefined ? undefined : TRANSFERS / oneCore.median.seconds
  const what = `${TRANSFERS} transfers + ${grouped.length - TRANSFERS} receives as the node acknowledges them per group commit, dag.ingest`
  const oneCoreFigures: Figure[] =
    oneCore === undefined || oneCoreRate === undefined
      ? []
      : [
          {
            name: `transfer ingest end to end incl. receipts, on one core (${what}; every thread of the process pinned to one CPU with taskset; median of 5 runs, in run order: ${oneCore.rates})`,
            value: round(oneCoreRate, 0),
            unit: 'transfers/s',
            target: '≥ 3000',
            pass: atLeast(oneCoreRate, 3000),
          },
        ]
  return [
    ...oneCoreFigures,
    {
      name: `same, on all the machine's cores (median of 5 runs, in run order: ${all.rates})`,
      value: round(rate, 0),
      unit: 'transfers/s',
      target: 'informational',
      baseline: {
        name: 'one receive per transfer (worst case)',
        value: round(TRANSFERS / singleSeconds, 0),
        unit: 'transfers/s',
      },
    },
    {
      name: `same, handed over in pages of 512 as a sync session does (median of 5 runs, in run order: ${paged.rates})`,
      value: round(TRANSFERS / paged.median.seconds, 0),
      unit: 'transfers/s',
      target: 'informational',
    },
    {
      // CPU time of all threads: on a shared machine wall time also holds other processes' turns.
      // Where the process cannot be pinned, this stands in for the one-core figure and is judged.
      name: `same on all cores, per CPU-second of the process (all threads)${oneCoreRate === undefined ? '; no one-core run here (taskset unavailable)' : ''}`,
      value: round(perCpu, 0),
      unit: 'transfers/s',
      ...(oneCoreRate === undefined
        ? { target: '≥ 3000', pass: atLeast(perCpu, 3000) }
        : { target: 'informational' }),
    },
    {
      name: '1-minute load average of the machine during the run (2 cores)',
      value: round(loadavg()[0] ?? NaN, 1),
      unit: '',
      target: 'informational',
    },
    {
      name: `incoming transfers ingested and acknowledged by this node (${incoming}, auto-receive)`,
      value: round(incoming / ackSeconds, 0),
      unit: 'transfers/s',
      target: 'informational',
    },
  ]
}

export const economicsBench: BenchSuite = {
  name: 'Economics: wallet.balance, transfer ingest',
  async run(): Promise<Figure[]> {
    return [...(await transferIngest()), ...(await balanceWithLongHistory())]
  },
}
