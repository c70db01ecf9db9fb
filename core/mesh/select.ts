/**
 * Executor selection: a pure, deterministic function of the job and the bids received within its window
 * (docs/mesh.md §Selection). Integer arithmetic only, and a total order (ties end on the executor DID), so the
 * same inputs rank the same way on every machine and anyone holding them can audit an assignment.
 */

/** Weights of the three components; each component is scaled to 0–1000, so a score is 0–10 000. */
export const SCORE_WEIGHTS = { price: 5, reputation: 3, latency: 2 } as const

export interface Candidate {
  executor: string
  price: bigint
  /** Reputation score 0–1000 (economics). */
  reputation: number
  /** Milliseconds from the announcement to the bid's arrival. */
  latencyMs: number
  /** The signed bid bytes (embedded in the assignment). */
  bid: Uint8Array
}

export interface RankedCandidate extends Candidate {
  score: number
  priceScore: number
  reputationScore: number
  latencyScore: number
}

export type ExclusionReason = 'price' | 'reputation' | 'self' | 'late'

export interface SelectionJob {
  submitter: string
  maxPrice: bigint
  minReputation: number
  bidWindowMs: number
}

export function scoreCandidate(job: SelectionJob, c: Candidate): RankedCandidate {
  const priceScore = job.maxPrice === 0n ? 1000 : Number((1000n * (job.maxPrice - c.price)) / job.maxPrice)
  const reputationScore = Math.max(0, Math.min(1000, Math.trunc(c.reputation)))
  const window = Math.max(1, job.bidWindowMs)
  const latency = Math.max(0, Math.min(window, Math.trunc(c.latencyMs)))
  const latencyScore = Math.trunc((1000 * (window - latency)) / window)
  const score =
    SCORE_WEIGHTS.price * priceScore +
    SCORE_WEIGHTS.reputation * reputationScore +
    SCORE_WEIGHTS.latency * latencyScore
  return { ...c, score, priceScore, reputationScore, latencyScore }
}

/** Best first: score, then lower price, higher reputation, lower latency, and finally the executor DID. */
export function compareRanked(a: RankedCandidate, b: RankedCandidate): number {
  if (a.score !== b.score) return b.score - a.score
  if (a.price !== b.price) return a.price < b.price ? -1 : 1
  if (a.reputationScore !== b.reputationScore) return b.reputationScore - a.reputationScore
  if (a.latencyMs !== b.latencyMs) return a.latencyMs - b.latencyMs
  return a.executor < b.executor ? -1 : a.executor > b.executor ? 1 : 0
}

/**
 * Ranks the bids of a job: ineligible ones are set aside with the reason, one bid per executor counts (its
 * lowest price, then its earliest), and the rest are ordered best first. The first is assigned; on a timeout
 * the next one is.
 */
export function rankBids(
  job: SelectionJob,
  candidates: readonly Candidate[],
): { ranked: RankedCandidate[]; excluded: { executor: string; reason: ExclusionReason }[] } {
  const excluded: { executor: string; reason: ExclusionReason }[] = []
  const best = new Map<string, Candidate>()
  for (const c of candidates) {
    let reason: ExclusionReason | undefined
    if (c.executor === job.submitter) reason = 'self'
    else if (c.price > job.maxPrice) reason = 'price'
    else if (c.reputation < job.minReputation) reason = 'reputation'
    else if (c.latencyMs > job.bidWindowMs) reason = 'late'
    if (reason !== undefined) {
      excluded.push({ executor: c.executor, reason })
      continue
    }
    const prior = best.get(c.executor)
    if (
      prior === undefined ||
      c.price < prior.price ||
      (c.price === prior.price && c.latencyMs < prior.latencyMs)
    )
      best.set(c.executor, c)
  }
  const ranked = [...best.values()].map((c) => scoreCandidate(job, c)).sort(compareRanked)
  excluded.sort((a, b) => (a.executor < b.executor ? -1 : a.executor > b.executor ? 1 : 0))
  return { ranked, excluded }
}
