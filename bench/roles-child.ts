/**
 * One node of the roles bench in its own process (so its RSS is its own): ingests the bench's 10,000 events,
 * prints {role, events, root, diskBytes (compacted), diskBytesAsLeft, rssBytes, heapBytes, ingestMs} as one JSON line on stdout.
 * Run by bench/roles.ts: `node --expose-gc --import tsx bench/roles-child.ts <full|light> <dir> <start ms> [settled|unreceived]`.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { silentLogger } from '../core/logger'
import { createNode, type NodeRole } from '../core/node'
import { TEST_KDF } from '../core/test/helpers'
import { testAuthor } from '../core/test/events'
import type { CID } from '../core/dag/codec'

export const ROLE_BENCH_EVENTS = 10_000
const AUTHORS = 200

async function dirBytes(path: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const p = join(path, entry.name)
    total += entry.isDirectory() ? await dirBytes(p) : (await stat(p)).size
  }
  return total
}

/**
 * The same events in every process: fixed seeds and timestamps. `settled`: rounds of 1,000 transfers, each
 * followed by the recipients' receives as their nodes make them (one per recipient per round, like the
 * auto-acknowledger's one receive per group commit), cut at 10,000 events. `unreceived`: 10,000 transfers that
 * nobody acknowledges (every credit stays open in the state: the worst case).
 */
function workload(start: number, kind: 'settled' | 'unreceived'): Uint8Array[] {
  const authors = Array.from({ length: AUTHORS }, (_, i) => testAuthor(new Uint8Array(32).fill(i + 1), start))
  const out: Uint8Array[] = []
  let ts = start
  for (let i = 0; out.length < ROLE_BENCH_EVENTS; i++) {
    const round = new Map<number, { source: CID; index: number }[]>()
    for (let j = 0; j < 1_000 && out.length < ROLE_BENCH_EVENTS; j++, i++) {
      const from = authors[i % AUTHORS]!
      const toIndex = (i * 7 + 3) % AUTHORS
      const e = from.next('mana/transfer', { to: authors[toIndex]!.did, amount: 1n, memo: '' }, { ts: ++ts })
      out.push(e.bytes)
      const credits = round.get(toIndex) ?? []
      credits.push({ source: e.cid, index: 0 })
      round.set(toIndex, credits)
    }
    if (kind === 'unreceived') continue
    for (const [toIndex, credits] of round) {
      if (out.length >= ROLE_BENCH_EVENTS) break
      out.push(authors[toIndex]!.next('mana/receive', { credits }, { ts: ++ts }).bytes)
    }
  }
  return out
}

async function main(): Promise<void> {
  const role = process.argv[2] as NodeRole
  const dir = process.argv[3] as string
  const events = workload(Number(process.argv[4]), process.argv[5] === 'unreceived' ? 'unreceived' : 'settled')
  const node = createNode({
    dataDir: dir,
    logger: silentLogger,
    identity: { kdf: TEST_KDF },
    role,
    network: { enabled: false },
  })
  await node.start()
  // The light node's member: its own chain is kept whole (here it writes nothing; the batch is other members').
  await node.identity.create({ passphrase: 'bench passphrase 1' })
  const started = performance.now()
  // As gossip delivers them: decoded and verified, then queued for the serial writer.
  // A receive names transfers of the same batch: the DAG parks it until they are in, as with gossip.
  const results = await Promise.all(events.map((bytes) => node.dag.ingest(bytes)))
  const ingestMs = performance.now() - started
  if (results.some((r) => r.status !== 'applied')) throw new Error('an event was not applied')
  const root = await node.dag.stateRoot()
  const count = (await node.dag.stats()).events
  ;(globalThis as { gc?: () => void }).gc?.()
  const memory = process.memoryUsage()
  // LevelDB keeps recent writes in its log until a compaction; how far that got is timing, so the figure is
  // taken both as left and after a full compaction (stable from run to run).
  await node.storage.db.close()
  const asLeft = await dirBytes(dir)
  await node.storage.db.open()
  // classic-level has compactRange; the Level type the storage port exposes does not declare it.
  await (node.storage.db as unknown as { compactRange(a: string, b: string): Promise<void> }).compactRange(
    '\u0000',
    '\uffff',
  )
  await node.stop()
  process.stdout.write(
    JSON.stringify({
      role,
      events: count,
      root,
      diskBytes: await dirBytes(dir),
      diskBytesAsLeft: asLeft,
      rssBytes: memory.rss,
      heapBytes: memory.heapUsed,
      ingestMs,
    }) + '\n',
  )
}

await main()
