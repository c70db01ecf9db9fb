import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { tally, type Ballot, type DelegationRecord, type EligibleSet, type TallyProposal } from './tally'

const DEADLINE = 1_000_000

function set(members: Iterable<string>): EligibleSet {
  const s = new Set(members)
  return { size: s.size, has: (d) => s.has(d) }
}

let counter = 0
function ballot(voter: string, fields: Partial<Ballot> = {}): Ballot {
  counter++
  return {
    id: `v${counter.toString().padStart(6, '0')}`,
    voter,
    seq: 1,
    ts: DEADLINE - 10,
    choice: null,
    options: null,
    ...fields,
  }
}

/** `count` voters with the same ranking (or approvals), named prefix0..prefixN. */
function bloc(prefix: string, count: number, options: string[]): Ballot[] {
  return Array.from({ length: count }, (_, i) => ballot(`${prefix}${i}`, { options }))
}

const CITIES = ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville']

/**
 * The Tennessee capital example: 42% live near Memphis, 26% near Nashville, 15% near Chattanooga, 17% near
 * Knoxville, each ranking the cities by distance. Source of the preference orders and of the instant-runoff
 * outcome (Chattanooga then Nashville eliminated, Knoxville wins 58–42): Wikipedia, "Instant-runoff voting",
 * Tennessee example; electowiki, "Effects of different voting systems under similar circumstances"
 * (https://electowiki.org/wiki/Effects_of_different_voting_systems_under_similar_circumstances).
 */
function tennessee(approveTop?: number): Ballot[] {
  const orders: [string, number, string[]][] = [
    ['memphis', 42, ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville']],
    ['nashville', 26, ['Nashville', 'Chattanooga', 'Knoxville', 'Memphis']],
    ['chattanooga', 15, ['Chattanooga', 'Knoxville', 'Nashville', 'Memphis']],
    ['knoxville', 17, ['Knoxville', 'Chattanooga', 'Nashville', 'Memphis']],
  ]
  return orders.flatMap(([prefix, n, order]) =>
    bloc(prefix, n, approveTop === undefined ? order : order.slice(0, approveTop)),
  )
}

const voters100 = (ballots: Ballot[]): EligibleSet => set(ballots.map((b) => b.voter))

describe('ranked choice (instant runoff): known answers', () => {
  it('elects Knoxville in the Tennessee capital example, with the published rounds', () => {
    const ballots = tennessee()
    const proposal: TallyProposal = {
      method: 'ranked',
      options: CITIES,
      quorum: 50,
      threshold: 50,
      deadline: DEADLINE,
    }
    const t = tally(proposal, voters100(ballots), ballots, [])
    expect(t.rounds).toEqual([
      {
        tallies: [
          { option: 'Memphis', votes: 42 },
          { option: 'Nashville', votes: 26 },
          { option: 'Chattanooga', votes: 15 },
          { option: 'Knoxville', votes: 17 },
        ],
        exhausted: 0,
        eliminated: 'Chattanooga',
      },
      {
        tallies: [
          { option: 'Memphis', votes: 42 },
          { option: 'Nashville', votes: 26 },
          { option: 'Knoxville', votes: 32 },
        ],
        exhausted: 0,
        eliminated: 'Nashville',
      },
      {
        tallies: [
          { option: 'Memphis', votes: 42 },
          { option: 'Knoxville', votes: 58 },
        ],
        exhausted: 0,
        eliminated: null,
      },
    ])
    expect(t.winner).toBe('Knoxville')
    expect(t.passed).toBe(true)
    expect(t).toMatchObject({ participants: 100, eligible: 100, abstain: 0 })
  })

  it('gives the same answer whatever order the options are listed in (no tie is involved)', () => {
    const ballots = tennessee()
    const proposal: TallyProposal = {
      method: 'ranked',
      options: [...CITIES].reverse(),
      quorum: 0,
      threshold: 50,
      deadline: DEADLINE,
    }
    expect(tally(proposal, voters100(ballots), ballots, []).winner).toBe('Knoxville')
  })

  it('wins in the first round with a majority; exhausted ballots leave the count', () => {
    const ballots = [...bloc('a', 3, ['A']), ...bloc('b', 2, ['B', 'C']), ...bloc('c', 1, ['C'])]
    const t = tally(
      { method: 'ranked', options: ['A', 'B', 'C'], quorum: 0, threshold: 50, deadline: DEADLINE },
      voters100(ballots),
      ballots,
      [],
    )
    // Round 1: A3 B2 C1 (no majority of 6) → C out; round 2: A3 B2, the C ballot is exhausted → A has 3 of 5.
    expect(t.rounds.map((r) => r.eliminated)).toEqual(['C', null])
    expect(t.rounds[1]).toMatchObject({ exhausted: 1 })
    expect(t.winner).toBe('A')
  })

  it('breaks a tie for last place by the previous round, then by option order', () => {
    // A2 B2 C2 in round 1 with no earlier round → the option listed last (C) is eliminated.
    const tie = [...bloc('a', 2, ['A', 'B']), ...bloc('b', 2, ['B', 'A']), ...bloc('c', 2, ['C', 'B'])]
    const t = tally(
      { method: 'ranked', options: ['A', 'B', 'C'], quorum: 0, threshold: 50, deadline: DEADLINE },
      voters100(tie),
      tie,
      [],
    )
    expect(t.rounds[0]?.eliminated).toBe('C')
    expect(t.winner).toBe('B') // round 2: A2 B4
    // Round 1: A4 B2 C1 D1 → C and D tie with no earlier round: D (listed last) is out, its ballot goes to C.
    // Round 2: A4 B2 C2 → B and C tie, but C had fewer in round 1 (1 vs 2), so C is out. Round 3: A4 of 6.
    const history = [
      ...bloc('a', 4, ['A']),
      ...bloc('b', 2, ['B']),
      ...bloc('c', 1, ['C']),
      ...bloc('d', 1, ['D', 'C']),
    ]
    const h = tally(
      { method: 'ranked', options: ['A', 'B', 'C', 'D'], quorum: 0, threshold: 50, deadline: DEADLINE },
      voters100(history),
      history,
      [],
    )
    expect(h.rounds.map((r) => r.eliminated)).toEqual(['D', 'C', null])
    expect(h.winner).toBe('A')
  })

  it('counts empty rankings as abstentions toward quorum, and no winner without ballots', () => {
    const ballots = [ballot('x', { choice: 'abstain' }), ballot('y', { options: [] })]
    const t = tally(
      { method: 'ranked', options: ['A', 'B'], quorum: 50, threshold: 50, deadline: DEADLINE },
      set(['x', 'y', 'z']),
      ballots,
      [],
    )
    expect(t).toMatchObject({
      participants: 2,
      abstain: 2,
      quorumMet: true,
      winner: null,
      passed: false,
      rounds: [],
    })
  })
})

describe('approval voting: known answers', () => {
  it('elects Nashville in the Tennessee example when every voter approves their two nearest cities', () => {
    // Approvals from the same published preferences: Memphis voters approve Memphis+Nashville (42 each),
    // Nashville voters Nashville+Chattanooga (26), Chattanooga voters Chattanooga+Knoxville (15), Knoxville
    // voters Knoxville+Chattanooga (17): Memphis 42, Nashville 68, Chattanooga 58, Knoxville 32.
    const ballots = tennessee(2)
    const t = tally(
      { method: 'approval', options: CITIES, quorum: 50, threshold: 50, deadline: DEADLINE },
      voters100(ballots),
      ballots,
      [],
    )
    expect(t.options).toEqual([
      { option: 'Memphis', votes: 42 },
      { option: 'Nashville', votes: 68 },
      { option: 'Chattanooga', votes: 58 },
      { option: 'Knoxville', votes: 32 },
    ])
    expect(t.winner).toBe('Nashville')
    expect(t.passed).toBe(true)
  })

  it('with single approvals it is plurality (Memphis 42), and ties go to the option listed first', () => {
    const plurality = tennessee(1)
    expect(
      tally(
        { method: 'approval', options: CITIES, quorum: 0, threshold: 50, deadline: DEADLINE },
        voters100(plurality),
        plurality,
        [],
      ).winner,
    ).toBe('Memphis')
    const tied = [...bloc('a', 2, ['B']), ...bloc('b', 2, ['A'])]
    const t = tally(
      { method: 'approval', options: ['A', 'B'], quorum: 0, threshold: 50, deadline: DEADLINE },
      voters100(tied),
      tied,
      [],
    )
    expect(t.winner).toBe('A')
  })
})

describe('yes/no: quorum and threshold', () => {
  const p = (quorum: number, threshold: number): TallyProposal => ({
    method: 'yesno',
    options: [],
    quorum,
    threshold,
    deadline: DEADLINE,
  })
  const members = set(['a', 'b', 'c', 'd', 'e'])

  it('passes strictly above the threshold; a tie fails', () => {
    const yes2no2 = [
      ballot('a', { choice: 'yes' }),
      ballot('b', { choice: 'yes' }),
      ballot('c', { choice: 'no' }),
      ballot('d', { choice: 'no' }),
    ]
    expect(tally(p(50, 50), members, yes2no2, [])).toMatchObject({
      yes: 2,
      no: 2,
      quorumMet: true,
      passed: false,
    })
    const yes3no1 = [...yes2no2.slice(0, 3), ballot('d', { choice: 'yes' })]
    expect(tally(p(50, 50), members, yes3no1, []).passed).toBe(true)
  })

  it('counts abstentions toward quorum only; quorum is a share of eligible members', () => {
    const ballots = [
      ballot('a', { choice: 'yes' }),
      ballot('b', { choice: 'abstain' }),
      ballot('c', { choice: 'abstain' }),
    ]
    // 3 of 5 voted (60%): quorum 60 met, yes 1 of 1 decided → passes.
    expect(tally(p(60, 50), members, ballots, [])).toMatchObject({
      participants: 3,
      quorumNeeded: 3,
      quorumMet: true,
      passed: true,
    })
    expect(tally(p(61, 50), members, ballots, [])).toMatchObject({
      quorumNeeded: 4,
      quorumMet: false,
      passed: false,
    })
    // Only abstentions: nobody decided, so the threshold is not met.
    expect(tally(p(0, 0), members, [ballot('a', { choice: 'abstain' })], []).passed).toBe(false)
  })

  it('counts the latest ballot by seq of each voter, and never one dated after the deadline', () => {
    const ballots = [
      ballot('a', { choice: 'no', seq: 5 }),
      ballot('a', { choice: 'yes', seq: 7 }),
      ballot('a', { choice: 'no', seq: 9, ts: DEADLINE + 1 }),
    ]
    expect(tally(p(0, 50), members, ballots, [])).toMatchObject({ yes: 1, no: 0, participants: 1 })
  })

  it('follows a delegation one hop; a direct vote overrides it; a delegate who only delegated carries nothing', () => {
    const d = (delegator: string, to: string | null, seq = 1): DelegationRecord => ({
      id: `d-${delegator}-${seq}`,
      delegator,
      to,
      seq,
      ts: DEADLINE - 100,
    })
    const votes = [ballot('a', { choice: 'yes' }), ballot('c', { choice: 'no' })]
    const t = tally(p(0, 50), members, votes, [
      d('b', 'a'),
      d('c', 'a'),
      d('d', 'b'),
      d('e', 'a'),
      d('e', null, 2),
    ])
    // a yes + b (via a) yes; c voted directly (no) and overrides; d → b who did not vote directly: nothing;
    // e revoked its delegation.
    expect(t).toMatchObject({ yes: 2, no: 1, participants: 3, direct: 2, delegated: 1 })
  })
})

// ---- properties ------------------------------------------------------------------------------------------------

const MEMBERS = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']
const OUTSIDERS = ['x0', 'x1']
const OPTIONS = ['A', 'B', 'C', 'D']

const arbBallot = (method: 'yesno' | 'approval' | 'ranked'): fc.Arbitrary<Ballot> =>
  fc
    .record({
      voter: fc.constantFrom(...MEMBERS, ...OUTSIDERS),
      seq: fc.integer({ min: 1, max: 20 }),
      ts: fc.integer({ min: DEADLINE - 1000, max: DEADLINE + 1000 }),
      choice: fc.constantFrom('yes' as const, 'no' as const, 'abstain' as const),
      options: fc.shuffledSubarray(OPTIONS),
      id: fc.string({ minLength: 1, maxLength: 4 }),
    })
    .map((b) =>
      method === 'yesno'
        ? { ...b, options: null }
        : { ...b, choice: b.options.length === 0 ? ('abstain' as const) : null },
    )

const arbDelegation: fc.Arbitrary<DelegationRecord> = fc.record({
  delegator: fc.constantFrom(...MEMBERS, ...OUTSIDERS),
  to: fc.option(fc.constantFrom(...MEMBERS, ...OUTSIDERS), { nil: null }),
  seq: fc.integer({ min: 1, max: 20 }),
  ts: fc.integer({ min: DEADLINE - 1000, max: DEADLINE + 1000 }),
  id: fc.string({ minLength: 1, maxLength: 4 }),
})

const arbCase = fc.constantFrom('yesno' as const, 'approval' as const, 'ranked' as const).chain((method) =>
  fc.record({
    method: fc.constant(method),
    // Event ids are unique in real life; make them so here.
    votes: fc
      .array(arbBallot(method), { maxLength: 40 })
      .map((vs) => vs.map((v, i) => ({ ...v, id: `${v.id}#${i}` }))),
    delegations: fc
      .array(arbDelegation, { maxLength: 15 })
      .map((ds) => ds.map((d, i) => ({ ...d, id: `${d.id}#${i}` }))),
    quorum: fc.integer({ min: 0, max: 100 }),
    threshold: fc.integer({ min: 0, max: 99 }),
  }),
)

function proposalOf(c: {
  method: 'yesno' | 'approval' | 'ranked'
  quorum: number
  threshold: number
}): TallyProposal {
  return {
    method: c.method,
    options: c.method === 'yesno' ? [] : OPTIONS,
    quorum: c.quorum,
    threshold: c.threshold,
    deadline: DEADLINE,
  }
}

describe('tally properties', () => {
  const eligible = set(MEMBERS)

  it('does not depend on the order in which votes and delegations arrive', () => {
    fc.assert(
      fc.property(arbCase, fc.integer(), (c, seed) => {
        const shuffle = <T>(xs: T[]): T[] => {
          const out = [...xs]
          let s = seed
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff
            const j = s % (i + 1)
            ;[out[i], out[j]] = [out[j] as T, out[i] as T]
          }
          return out
        }
        const p = proposalOf(c)
        expect(tally(p, eligible, shuffle(c.votes), shuffle(c.delegations))).toEqual(
          tally(p, eligible, c.votes, c.delegations),
        )
      }),
      { numRuns: 300 },
    )
  })

  it('never counts a vote dated after the deadline or cast by a non-member', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const p = proposalOf(c)
        const valid = c.votes.filter((v) => v.ts <= DEADLINE && eligible.has(v.voter))
        const validDelegations = c.delegations.filter((d) => d.ts <= DEADLINE && eligible.has(d.delegator))
        expect(tally(p, eligible, c.votes, c.delegations)).toEqual(
          tally(p, eligible, valid, validDelegations),
        )
        const t = tally(p, eligible, c.votes, c.delegations)
        expect(t.participants).toBeLessThanOrEqual(
          new Set(valid.map((v) => v.voter).concat(validDelegations.map((d) => d.delegator))).size,
        )
      }),
      { numRuns: 300 },
    )
  })

  it('counts each member at most once, however delegations are chained or repeated', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const p = proposalOf(c)
        const t = tally(p, eligible, c.votes, c.delegations)
        expect(t.participants).toBe(t.direct + t.delegated)
        expect(t.participants).toBeLessThanOrEqual(MEMBERS.length)
        const directVoters = new Set(
          c.votes.filter((v) => v.ts <= DEADLINE && eligible.has(v.voter)).map((v) => v.voter),
        )
        expect(t.direct).toBe(directVoters.size)
        if (c.method === 'yesno') expect(t.yes + t.no + t.abstain).toBe(t.participants)
        if (c.method === 'ranked') {
          for (const round of t.rounds) {
            const sum = round.tallies.reduce((s, x) => s + x.votes, 0) + round.exhausted
            expect(sum + t.abstain).toBe(t.participants)
          }
        }
        // Removing every delegation can only lower participation by exactly the delegated count.
        expect(tally(p, eligible, c.votes, []).participants).toBe(t.direct)
      }),
      { numRuns: 300 },
    )
  })
})
