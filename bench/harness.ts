/**
 * `npm run bench`: each suite measures what its issue names and reports figures next to their targets, with a
 * baseline measured in the same run where the issue asks for one. Suites are plain async functions so they can
 * start real nodes, daemons and workers.
 */
export interface Figure {
  /** What was measured, e.g. "event ingest (node:crypto verify)". */
  name: string
  value: number
  unit: string
  /** Human-readable target, e.g. "≥ 5000". */
  target: string
  /** Whether `value` meets the target. Undefined for baselines and informational figures. */
  pass?: boolean
  /** A comparison figure from the same run (e.g. the @noble/ed25519 variant, bare gossipsub). */
  baseline?: { name: string; value: number; unit: string }
}

export interface BenchSuite {
  name: string
  run(): Promise<Figure[]>
}

export function atLeast(value: number, target: number): boolean {
  return value >= target
}

export function atMost(value: number, target: number): boolean {
  return value <= target
}

/** p-th percentile (0–100) of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
