/**
 * Roles bench (issue 10): a full and a light node ingest the same 10,000 events (transfers between 200 other
 * members and the recipients' receives; then, as the worst case, 10,000 transfers nobody acknowledges), each in
 * its own process; prints disk use (sum of file sizes in the data dir, after a full compaction
 * and as LevelDB left it),
 * RSS and heap for both. Target: the light node's disk ≤ 10 % of the full node's.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { tempDir } from '../core/test/helpers'
import { atMost, round, type BenchSuite, type Figure } from './harness'

const run = promisify(execFile)

interface ChildResult {
  role: string
  events: number
  root: string
  diskBytes: number
  diskBytesAsLeft: number
  rssBytes: number
  heapBytes: number
  ingestMs: number
}

type Workload = 'settled' | 'unreceived'

async function measure(role: 'full' | 'light', start: number, workload: Workload): Promise<ChildResult> {
  const dir = await tempDir(`icn-bench-role-${role}-`)
  try {
    const child = fileURLToPath(new URL('./roles-child.ts', import.meta.url))
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', child, role, dir.path, String(start), workload],
      {
        maxBuffer: 1 << 20,
      },
    )
    return JSON.parse(stdout.trim().split('\n').at(-1) as string) as ChildResult
  } finally {
    await dir.cleanup()
  }
}

const MB = 1024 * 1024

export const rolesBench: BenchSuite = {
  name: 'roles',
  async run(): Promise<Figure[]> {
    // Both processes sign the same events: one start time for the chains' timestamps.
    const start = Date.now() - 3_600_000
    const full = await measure('full', start, 'settled')
    const light = await measure('light', start, 'settled')
    const openFull = await measure('full', start, 'unreceived')
    const openLight = await measure('light', start, 'unreceived')
    for (const [f, l] of [
      [full, light],
      [openFull, openLight],
    ] as const)
      if (f.root !== l.root || f.events !== l.events)
        throw new Error(`the light node disagrees: ${l.events} events, root ${l.root} vs ${f.root}`)
    /** A light-node figure in MiB with the full node's as its baseline. */
    const sideBySide = (
      name: string,
      fullName: string,
      pick: (r: ChildResult) => number,
      digits: number,
    ): Figure => ({
      name,
      value: round(pick(light) / MB, digits),
      unit: 'MiB',
      target: 'informational',
      baseline: { name: fullName, value: round(pick(full) / MB, digits), unit: 'MiB' },
    })
    const openShare = (100 * openLight.diskBytes) / openFull.diskBytes
    const share = (100 * light.diskBytes) / full.diskBytes
    return [
      {
        name: `light node disk after ${full.events} events (transfers between 200 other members and their receives), compacted (share of the full node's)`,
        value: round(share, 1),
        unit: '%',
        target: '≤ 10',
        pass: atMost(share, 10),
        baseline: { name: 'full node disk', value: round(full.diskBytes / MB, 2), unit: 'MiB' },
      },
      {
        name: `worst case: ${openFull.events} transfers nobody acknowledged (every credit open in the state), light share`,
        value: round(openShare, 1),
        unit: '%',
        target: 'informational',
        baseline: { name: 'full node disk', value: round(openFull.diskBytes / MB, 2), unit: 'MiB' },
      },
      {
        name: 'light node disk (compacted)',
        value: round(light.diskBytes / MB, 2),
        unit: 'MiB',
        target: 'informational',
      },
      sideBySide(
        'light node disk as LevelDB left it (before compaction)',
        'full node, as left',
        (r) => r.diskBytesAsLeft,
        2,
      ),
      sideBySide('light node RSS after ingest', 'full node RSS', (r) => r.rssBytes, 1),
      sideBySide('light node heap after ingest', 'full node heap', (r) => r.heapBytes, 1),
      {
        name: 'light node ingest',
        value: Math.round((light.events / light.ingestMs) * 1000),
        unit: 'events/s',
        target: 'informational',
        baseline: {
          name: 'full node ingest',
          value: Math.round((full.events / full.ingestMs) * 1000),
          unit: 'events/s',
        },
      },
    ]
  },
}
