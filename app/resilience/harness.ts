/**
 * Shared pieces of the resilience suite (`npm run test:resilience`, also a step of `npm test`): real daemon
 * processes (`icn node start`), clients through each data dir's api.json, RSS from the node's own /metrics, and
 * a report that every test appends its figures to (printed at the end, written to
 * reports/resilience.json).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { createClient, httpTransport, type IcnClient, type WebSocketConstructor } from '../client'
import { REPO } from '../test/cli-process'

export const REPORT_FILE = join(REPO, 'reports', 'resilience.json')

export interface ApiInfo {
  url: string
  token: string
  pid: number
}

export async function apiOf(dataDir: string): Promise<ApiInfo> {
  const api = JSON.parse(await readFile(join(dataDir, 'api.json'), 'utf8')) as {
    url: string
    tokenFile: string
    pid: number
  }
  return { url: api.url, pid: api.pid, token: (await readFile(api.tokenFile, 'utf8')).trim() }
}

export async function connect(dataDir: string): Promise<IcnClient> {
  const api = await apiOf(dataDir)
  return createClient(
    httpTransport({
      url: api.url,
      token: api.token,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: false,
    }),
  )
}

/** The daemon's resident set size and V8 heap in use, as the node reports them on /metrics. */
export async function memoryOf(
  dataDir: string,
): Promise<{ rss: number; heapUsed: number; heapTotal: number; external: number; heapAfterGc: number }> {
  const api = await apiOf(dataDir)
  const res = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.token}` } })
  const text = await res.text()
  const value = (name: string): number => {
    const line = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
    if (line === null) throw new Error(`no ${name} on /metrics`)
    return Number(line[1])
  }
  return {
    rss: value('icn_process_resident_memory_bytes'),
    heapUsed: value('icn_nodejs_heap_size_used_bytes'),
    heapTotal: value('icn_nodejs_heap_size_total_bytes'),
    external: value('icn_nodejs_external_memory_bytes'),
    heapAfterGc: value('icn_heap_after_major_gc_bytes'),
  }
}

export async function rssBytes(dataDir: string): Promise<number> {
  return (await memoryOf(dataDir)).rss
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${(last as Error).message})`}`,
      )
    await new Promise((r) => setTimeout(r, 150))
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A deterministic generator, so a failing round can be replayed with the same ICN_RESILIENCE_SEED. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

export const SEED = Number(process.env['ICN_RESILIENCE_SEED'] ?? Date.now() % 1_000_000)

export interface Figure {
  name: string
  value: number
  unit: string
  target: string
  met: boolean
}

/** Appends figures to the report file and prints them, each next to its target. */
export async function report(
  section: string,
  figures: Figure[],
  details: Record<string, unknown> = {},
): Promise<void> {
  await mkdir(join(REPO, 'reports'), { recursive: true })
  let all: Record<string, unknown> = {}
  try {
    all = JSON.parse(await readFile(REPORT_FILE, 'utf8')) as Record<string, unknown>
  } catch {
    // first section of this run
  }
  all[section] = { at: new Date().toISOString(), seed: SEED, figures, ...details }
  await writeFile(REPORT_FILE, JSON.stringify(all, null, 2) + '\n')
  const lines = figures.map(
    (f) =>
      `  ${f.met ? '✓' : '✗'} ${f.name.padEnd(44)} ${`${round(f.value)} ${f.unit}`.padEnd(18)} target ${f.target}`,
  )
  process.stdout.write(`\nresilience · ${section} (seed ${SEED})\n${lines.join('\n')}\n`)
}

const round = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2))

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
