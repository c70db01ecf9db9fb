import { readFile } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { IcnError } from '../../core/errors'
import type { IcnNode } from '../../core/node'
import { writeBackup } from '../../core/storage/backup'
import type { Handlers } from '../contract'

let fullGc: (() => void) | undefined

/** At most this many full collections per call, a bound on the pause. */
const MAX_GC_ROUNDS = 4

/** The process was started with V8's --optimize-for-size (then collectGarbage leaves the flag as it is). */
const startedForSize = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) =>
  /^--optimize[-_]for[-_]size$/.test(a),
)

/**
 * V8's full collection, enabled at first use (the process did not start with --expose-gc), run twice and again
 * while the committed heap shrinks by more than 1 MiB: the first collection after a burst of work frees the
 * objects but V8 keeps the pages it sweeps, and only the next one gives back those left empty (a heap of 1.5 M
 * small objects, every 40th kept: committed 113 MiB after the first, 38 MiB after the second, in use 5.6 and
 * 5.4 MiB). Returns the rounds run.
 *
 * The collections run with V8's --optimize-for-size, set for their duration only: with it a full collection
 * also moves the objects out of pages that are mostly empty (as V8's memory reducer does when a node idles), so
 * old-space pages a burst left fragmented are given back too, not only empty ones. A test heap of 76 MiB live
 * objects spread over fragmented pages: old space committed 97 MiB after plain collections, 79 MiB with the flag
 * (ops.test.ts). Nothing else runs on this thread meanwhile; other threads (workers, V8's compiler) may see
 * the flag for those milliseconds, which changes heuristics, not results.
 */
export function collectGarbage(): number {
  if (fullGc === undefined) {
    setFlagsFromString('--expose-gc')
    fullGc = runInNewContext('gc') as () => void
  }
  const committed = (): number => getHeapStatistics().total_heap_size
  if (!startedForSize) setFlagsFromString('--optimize-for-size')
  try {
    fullGc()
    let before = committed()
    for (let round = 2; ; round++) {
      fullGc()
      const now = committed()
      if (round === MAX_GC_ROUNDS || before - now <= 1 << 20) return round
      before = now
    }
  } finally {
    if (!startedForSize) setFlagsFromString('--no-optimize-for-size')
  }
}

/**
 * The resident set split into anonymous memory (heaps: V8's, malloc's, LevelDB's) and file-backed pages (the
 * node binary's and libraries' code as it is paged in), from /proc/self/status; null where there is none.
 */
export async function residentSplit(): Promise<{ anon: number; file: number } | null> {
  if (process.platform !== 'linux') return null
  try {
    const status = await readFile('/proc/self/status', 'utf8')
    const kib = (name: string): number | undefined => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)
      return m === null ? undefined : Number(m[1]) * 1024
    }
    const anon = kib('RssAnon')
    const file = kib('RssFile')
    return anon === undefined || file === undefined ? null : { anon, file }
  } catch {
    return null
  }
}

export function opsHandlers(node: IcnNode): Pick<Handlers, 'node.backup' | 'node.memory'> {
  return {
    async 'node.memory'({ collect }) {
      let gcMs: number | null = null
      let gcRounds = 0
      let jobWorkersEnded = 0
      if (collect === true) {
        // Idle job workers would end by themselves after the runtime's idle time; each holds an isolate of tens
        // of MiB, so "what the node keeps" is read without them (they start again with the next job).
        jobWorkersEnded = await node.runtime.release()
        const started = performance.now()
        gcRounds = collectGarbage()
        gcMs = Math.round((performance.now() - started) * 10) / 10
      }
      const m = process.memoryUsage()
      const split = await residentSplit()
      const spaces: Record<string, { size: number; used: number }> = {}
      for (const s of getHeapSpaceStatistics())
        spaces[s.space_name.replace(/_space$/, '')] = { size: s.space_size, used: s.space_used_size }
      return {
        spaces,
        rss: m.rss,
        rssAnon: split?.anon ?? null,
        rssFile: split?.file ?? null,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        collected: collect === true,
        gcMs,
        gcRounds,
        store: node.storage.memoryBytes(),
        readCache: node.dag.readCache(),
        jobWorkers: node.runtime.stats().workers,
        jobWorkersEnded,
      }
    },
    async 'node.backup'({ path }, ctx) {
      // The file is written by the node process on its own machine; the API is loopback-only and authenticated.
      if (!isAbsolute(path))
        throw new IcnError('INVALID_ARGUMENT', 'Give the backup file as an absolute path.')
      const status = node.identity.status()
      return writeBackup(node.storage, node.dataDir, path, {
        did: status.did,
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.progress({ operation: 'backup', done: p.entries, message: `${p.entries} entries` }),
      })
    },
  }
}
