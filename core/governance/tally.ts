/**
 * The tally: a pure function of (proposal, eligible set, votes, delegations). Every node — the finalizer that
 * writes a result and every node that verifies it — runs exactly this code over exactly the listed ballots, so
 * the numbers in a result are either recomputed identically or the result is void (GOV_RESULT_MISMATCH).
 *
 * Rules (docs/governance.md has the reasoning):
 * - A ballot counts only if its voter is eligible and its ts ≤ deadline; of several ballots of one voter, the
 *   latest by (seq, ts, id) counts.
 * - Delegation is one hop: a delegator without a direct ballot takes the delegate's *direct* ballot. A direct
 *   ballot always overrides the delegation; a delegate's own delegation is never followed. Each eligible member
 *   contributes at most one ballot, so nothing is counted twice.
 * - Quorum counts heads: participants = direct voters + delegators whose delegate voted (abstentions count).
 *   Met when participants × 100 ≥ quorum × eligible.
 * - Yes/no: passes when quorum is met and yes × 100 > threshold × (yes + no) (strictly above; yes + no = 0
 *   never passes). Weights (the `vote_weight` policy, default 1) apply to yes/no/abstain and option totals.
 * - Approval: each option gets the weight of every ballot that approves it; the winner has the most approvals,
 *   ties going to the option listed first. Passes when quorum is met and some option has an approval.
 * - Ranked choice: instant runoff. A candidate with more than half of the continuing (non-exhausted) weight
 *   wins; otherwise the candidate with the least weight is eliminated — ties broken by the fewest votes in the
 *   previous round, then the round before (back to the first), then by eliminating the option listed last.
 */

export type VotingMethod = 'yesno' | 'approval' | 'ranked'
export type Choice = 'yes' | 'no' | 'abstain'

export interface Ballot {
  /** Event id of the vote (breaks a tie between two ballots with the same seq, i.e. an equivocation). */
  id: string
  voter: string
  seq: number
  ts: number
  /** yes/no/abstain; for approval and ranked ballots 'abstain' or null. */
  choice: Choice | null
  /** Approved options (approval) or the ranking, most preferred first (ranked); null for yes/no ballots. */
  options: readonly string[] | null
}

export interface DelegationRecord {
  id: string
  delegator: string
  /** The delegate, or null for a revocation. */
  to: string | null
  seq: number
  ts: number
}

export interface TallyProposal {
  method: VotingMethod
  /** The options of approval and ranked proposals, in the proposal's order (used for tie-breaking). */
  options: readonly string[]
  /** Whole percents. */
  quorum: number
  threshold: number
  deadline: number
}

/** Members eligible at the proposal's basis. Only `has` and `size` are needed, so state can back it lazily. */
export interface EligibleSet {
  readonly size: number
  has: (did: string) => boolean
}

/** Weighted totals handed to the `proposal_passes` policy. */
export interface PassInput {
  method: VotingMethod
  yes: number
  no: number
  abstain: number
  eligible: number
  participants: number
  quorum: number
  threshold: number
  /** The approval/ranked winner, if any. */
  winner: string | null
}

/**
 * The policy seam the tally calls (see policy.ts): the CCL issue supplies `vote_weight` and `proposal_passes`
 * from a scope's active policy module. Both must be deterministic functions of their inputs.
 */
export interface TallyPolicy {
  voteWeight: (voter: string) => number
  proposalPasses: (input: PassInput) => boolean
}

export interface OptionCount {
  option: string
  votes: number
}

export interface Round {
  /** Weight per continuing option, in the proposal's option order. */
  tallies: OptionCount[]
  /** Weight of ballots with no continuing option left. */
  exhausted: number
  /** The option eliminated after this round, or null in the final round. */
  eliminated: string | null
}

/** The tally as it is written into a result event (dag-cbor: integers, strings, booleans, null only). */
export interface Tally {
  method: VotingMethod
  eligible: number
  /** Heads counted toward quorum: direct voters plus delegators whose delegate voted. */
  participants: number
  direct: number
  delegated: number
  quorum: number
  threshold: number
  /** Participants needed for quorum: ceil(quorum × eligible / 100). */
  quorumNeeded: number
  quorumMet: boolean
  yes: number
  no: number
  abstain: number
  /** Approval counts, or the last round's tallies for ranked choice; empty for yes/no. */
  options: OptionCount[]
  /** Instant-runoff rounds (ranked choice only). */
  rounds: Round[]
  winner: string | null
  passed: boolean
}

export function thresholdMet(yes: number, no: number, threshold: number): boolean {
  return yes + no > 0 && yes * 100 > threshold * (yes + no)
}

export function quorumNeeded(quorum: number, eligible: number): number {
  return Math.ceil((quorum * eligible) / 100)
}

/** The built-in rule: quorum, and for yes/no the threshold; approval/ranked need a winner. */
export function defaultPasses(t: PassInput): boolean {
  const quorumOk = t.participants * 100 >= t.quorum * t.eligible
  if (!quorumOk) return false
  if (t.method === 'yesno') return thresholdMet(t.yes, t.no, t.threshold)
  return t.winner !== null
}

export const DEFAULT_TALLY_POLICY: TallyPolicy = {
  voteWeight: () => 1,
  proposalPasses: defaultPasses,
}

/** (seq, ts, id) order: the later ballot of one voter wins. */
function later(
  a: { seq: number; ts: number; id: string },
  b: { seq: number; ts: number; id: string },
): boolean {
  if (a.seq !== b.seq) return a.seq > b.seq
  if (a.ts !== b.ts) return a.ts > b.ts
  return a.id > b.id
}

/** The counted ballot of each member: direct ballots, then one-hop delegations. */
export function effectiveBallots(
  proposal: TallyProposal,
  eligible: EligibleSet,
  votes: readonly Ballot[],
  delegations: readonly DelegationRecord[],
): { direct: Map<string, Ballot>; delegated: Map<string, Ballot> } {
  const direct = new Map<string, Ballot>()
  for (const v of votes) {
    if (v.ts > proposal.deadline || !eligible.has(v.voter)) continue
    const prior = direct.get(v.voter)
    if (prior === undefined || later(v, prior)) direct.set(v.voter, v)
  }
  const latestDelegation = new Map<string, DelegationRecord>()
  for (const d of delegations) {
    if (d.ts > proposal.deadline || !eligible.has(d.delegator)) continue
    const prior = latestDelegation.get(d.delegator)
    if (prior === undefined || later(d, prior)) latestDelegation.set(d.delegator, d)
  }
  const delegated = new Map<string, Ballot>()
  for (const [delegator, d] of latestDelegation) {
    if (d.to === null || d.to === delegator || direct.has(delegator)) continue
    // One hop: only the delegate's own direct ballot is inherited, never what the delegate inherited.
    const ballot = direct.get(d.to)
    if (ballot !== undefined) delegated.set(delegator, ballot)
  }
  return { direct, delegated }
}

export function tally(
  proposal: TallyProposal,
  eligible: EligibleSet,
  votes: readonly Ballot[],
  delegations: readonly DelegationRecord[],
  policy: TallyPolicy = DEFAULT_TALLY_POLICY,
): Tally {
  const { direct, delegated } = effectiveBallots(proposal, eligible, votes, delegations)
  const counted: [string, Ballot][] = [...direct, ...delegated]
  const participants = counted.length
  let yes = 0
  let no = 0
  let abstain = 0
  let options: OptionCount[] = []
  let rounds: Round[] = []
  let winner: string | null = null

  if (proposal.method === 'yesno') {
    for (const [member, ballot] of counted) {
      const w = policy.voteWeight(member)
      if (ballot.choice === 'yes') yes += w
      else if (ballot.choice === 'no') no += w
      else abstain += w
    }
  } else if (proposal.method === 'approval') {
    const index = new Map(proposal.options.map((o, i) => [o, i]))
    const counts = new Array<number>(proposal.options.length).fill(0)
    for (const [member, ballot] of counted) {
      const w = policy.voteWeight(member)
      const approved = ballot.options ?? []
      if (ballot.choice === 'abstain' || approved.length === 0) {
        abstain += w
        continue
      }
      for (const o of approved) {
        const i = index.get(o)
        if (i !== undefined) counts[i] = (counts[i] as number) + w
      }
    }
    options = proposal.options.map((option, i) => ({ option, votes: counts[i] as number }))
    let best = -1
    for (let i = 0; i < counts.length; i++) {
      if ((counts[i] as number) > 0 && (best < 0 || (counts[i] as number) > (counts[best] as number)))
        best = i
    }
    winner = best < 0 ? null : (proposal.options[best] as string)
  } else {
    const result = instantRunoff(proposal.options, counted, policy)
    abstain = result.abstain
    rounds = result.rounds
    winner = result.winner
    options = rounds.length === 0 ? [] : (rounds[rounds.length - 1] as Round).tallies
  }

  const needed = quorumNeeded(proposal.quorum, eligible.size)
  const quorumMet = participants * 100 >= proposal.quorum * eligible.size
  const passed = policy.proposalPasses({
    method: proposal.method,
    yes,
    no,
    abstain,
    eligible: eligible.size,
    participants,
    quorum: proposal.quorum,
    threshold: proposal.threshold,
    winner,
  })
  return {
    method: proposal.method,
    eligible: eligible.size,
    participants,
    direct: direct.size,
    delegated: delegated.size,
    quorum: proposal.quorum,
    threshold: proposal.threshold,
    quorumNeeded: needed,
    quorumMet,
    yes,
    no,
    abstain,
    options,
    rounds,
    winner,
    passed,
  }
}

/**
 * Instant runoff over rankings. Ballots are grouped by identical ranking first (real electorates repeat a few
 * orders), so 100,000 ballots with 5 options cost one pass to group and then work per distinct ranking.
 */
function instantRunoff(
  optionList: readonly string[],
  counted: readonly [string, Ballot][],
  policy: TallyPolicy,
): { rounds: Round[]; winner: string | null; abstain: number } {
  const n = optionList.length
  const index = new Map(optionList.map((o, i) => [o, i]))
  const groups = new Map<string, { ranking: number[]; weight: number }>()
  let abstain = 0
  for (const [member, ballot] of counted) {
    const w = policy.voteWeight(member)
    const ranking: number[] = []
    for (const o of ballot.options ?? []) {
      const i = index.get(o)
      if (i !== undefined && !ranking.includes(i)) ranking.push(i)
    }
    if (ballot.choice === 'abstain' || ranking.length === 0) {
      abstain += w
      continue
    }
    const key = ranking.join(',')
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { ranking, weight: w })
    else group.weight += w
  }
  const rounds: Round[] = []
  const history: number[][] = []
  const continuing = new Array<boolean>(n).fill(true)
  let left = n
  const grouped = [...groups.values()]
  if (grouped.length === 0) return { rounds, winner: null, abstain }
  for (;;) {
    const counts = new Array<number>(n).fill(0)
    let exhausted = 0
    for (const g of grouped) {
      const top = g.ranking.find((i) => continuing[i] === true)
      if (top === undefined) exhausted += g.weight
      else counts[top] = (counts[top] as number) + g.weight
    }
    history.push(counts)
    const active = continuing.map((c, i) => (c ? i : -1)).filter((i) => i >= 0)
    const total = active.reduce((sum, i) => sum + (counts[i] as number), 0)
    const tallies = active.map((i) => ({ option: optionList[i] as string, votes: counts[i] as number }))
    let leader = -1
    for (const i of active) if (leader < 0 || (counts[i] as number) > (counts[leader] as number)) leader = i
    if (total > 0 && (counts[leader] as number) * 2 > total) {
      rounds.push({ tallies, exhausted, eliminated: null })
      return { rounds, winner: optionList[leader] as string, abstain }
    }
    if (left === 1 || total === 0) {
      rounds.push({ tallies, exhausted, eliminated: null })
      return { rounds, winner: total > 0 ? (optionList[leader] as string) : null, abstain }
    }
    const loser = pickLoser(active, history)
    rounds.push({ tallies, exhausted, eliminated: optionList[loser] as string })
    continuing[loser] = false
    left--
  }
}

/** Fewest votes now; ties by fewest in earlier rounds (latest first); then the option listed last. */
function pickLoser(active: number[], history: number[][]): number {
  let tied = active
  for (let r = history.length - 1; r >= 0 && tied.length > 1; r--) {
    const counts = history[r] as number[]
    const min = Math.min(...tied.map((i) => counts[i] as number))
    tied = tied.filter((i) => counts[i] === min)
  }
  return Math.max(...tied)
}
