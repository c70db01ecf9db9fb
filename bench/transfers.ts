/**
 * The transfer-ingest workload of the economics bench, shared by bench/economics.ts and the one-core child
 * process (bench/economics-child.ts): 200 members paying each other, with the receives their nodes write.
 */
import { silentLogger } from '../core/logger'
import { createNode, type IcnNode } from '../core/node'
import { TEST_KDF, TEST_PASSPHRASE, tempDir, type TempDir } from '../core/test/helpers'
import { testAuthor, type TestAuthor } from '../core/test/events'
import type { VerifiedEvent } from '../core/dag'

export const TRANSFERS = 6_000
export const AUTHORS = 200
/** The target rate: the paced workload models payments arriving at it. */
export const TARGET_RATE = 3_000

/**
 * How the recipients' nodes acknowledge, i.e. how many receives the stream holds:
 * - `paced`: as the auto-acknowledger does by default (EconomicsInit.receiveIntervalMs, 1 s): at most one round
 *   of receives per recipient per second. Payments arrive at the target rate, so each second brings
 *   TARGET_RATE transfers and then one receive per recipient (≤ 64 credits each).
 * - `group`: one receive per recipient per group commit (512 events): the auto-acknowledger before pacing.
 * - `single`: one receive per transfer (the worst case).
 */
export type ReceiveModel = 'paced' | 'group' | 'single'

export function transferEvents(model: ReceiveModel, count = TRANSFERS): VerifiedEvent[] {
  const authors = Array.from({ length: AUTHORS }, () => testAuthor(undefined, Date.now() - 3_600_000))
  const events: VerifiedEvent[] = []
  const round = model === 'paced' ? TARGET_RATE : 512
  for (let start = 0; start < count; start += round) {
    const owed = new Map<TestAuthor, VerifiedEvent[]>()
    for (let i = start; i < Math.min(start + round, count); i++) {
      const from = authors[i % AUTHORS]!
      const to = authors[(i * 7 + 1) % AUTHORS]!
      const t = from.next('mana/transfer', { to: to.did, amount: 3n, memo: '' })
      events.push(t)
      if (model === 'single') events.push(to.next('mana/receive', { credits: [{ source: t.cid, index: 0 }] }))
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

export async function freshNode(withIdentity = false): Promise<{ node: IcnNode; dir: TempDir }> {
  const dir = await tempDir('icn-bench-econ-')
  const node = createNode({ dataDir: dir.path, logger: silentLogger, identity: { kdf: TEST_KDF } })
  await node.start()
  if (withIdentity) await node.identity.create({ passphrase: TEST_PASSPHRASE })
  return { node, dir }
}

export async function ingestAll(node: IcnNode, events: VerifiedEvent[], page?: number): Promise<void> {
  // As gossip does: every message is decoded and verified, then queued for the serial writer. With `page`, as a
  // sync session does: a page of events at a time, the next one handed over when the last is committed.
  const size = page ?? events.length
  for (let i = 0; i < events.length; i += size) {
    const results = await Promise.all(events.slice(i, i + size).map((e) => node.dag.ingest(e.bytes)))
    if (results.some((r) => r.status !== 'applied')) throw new Error('an event was not applied')
  }
}

export interface IngestRun {
  seconds: number
  /** CPU seconds of this process, all its threads. */
  cpuSeconds: number
}

/** Ingests into a fresh node: wall-clock seconds and CPU seconds of this process (all its threads). */
export async function ingestRate(events: VerifiedEvent[], page?: number): Promise<IngestRun> {
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
export async function fiveRuns(
  events: VerifiedEvent[],
  page?: number,
): Promise<{ median: IngestRun; rates: string }> {
  const runs: IngestRun[] = []
  for (let i = 0; i < 5; i++) runs.push(await ingestRate(events, page))
  return {
    median: [...runs].sort((a, b) => a.seconds - b.seconds)[2]!,
    rates: runs.map((r) => Math.round(TRANSFERS / r.seconds)).join(' / '),
  }
}
