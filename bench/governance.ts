/**
 * Governance: the pure tally over 100,000 ballots (yes/no, and ranked choice with 5 options), as every node runs
 * it to verify a result; plus, for scale, finalizing (and so recounting) a result of 500 votes inside a real node.
 */
import { CID } from '../core/dag'
import { silentLogger } from '../core/logger'
import { createNode } from '../core/node'
import { TEST_KDF, TEST_PASSPHRASE, tempDir } from '../core/test/helpers'
import { testAuthor } from '../core/test/events'
import { GOV_EVENT, tally, type Ballot, type DelegationRecord, type TallyProposal } from '../core/governance'
import { atMost, percentile, round, type BenchSuite, type Figure } from './harness'

const VOTES = 100_000
const OPTIONS = ['Alder', 'Birch', 'Cedar', 'Dogwood', 'Elm']

/** Deterministic pseudo-random numbers so every run measures the same ballots. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

function ballots(method: 'yesno' | 'ranked'): {
  votes: Ballot[]
  delegations: DelegationRecord[]
  members: Set<string>
} {
  const random = rng(method === 'yesno' ? 1 : 2)
  const members = new Set<string>()
  const votes: Ballot[] = []
  for (let i = 0; i < VOTES; i++) {
    const voter = `did:key:z6Mkmember${i.toString().padStart(7, '0')}`
    members.add(voter)
    if (method === 'yesno') {
      const r = random()
      votes.push({
        id: `v${i}`,
        voter,
        seq: 1,
        ts: 1000,
        choice: r < 0.55 ? 'yes' : r < 0.9 ? 'no' : 'abstain',
        options: null,
      })
    } else {
      const order = [...OPTIONS].sort(() => random() - 0.5)
      votes.push({
        id: `v${i}`,
        voter,
        seq: 1,
        ts: 1000,
        choice: null,
        options: order.slice(0, 1 + Math.floor(random() * 5)),
      })
    }
  }
  // A few thousand members delegate instead of voting (their votes above are dropped).
  const delegations: DelegationRecord[] = []
  for (let i = 0; i < 5000; i++) {
    const delegator = `did:key:z6Mkdelegate${i.toString().padStart(7, '0')}`
    members.add(delegator)
    delegations.push({ id: `d${i}`, delegator, to: votes[i * 7]!.voter, seq: 1, ts: 1000 })
  }
  return { votes, delegations, members }
}

function timeTally(method: 'yesno' | 'ranked'): { ms: number; winner: string | null; passed: boolean } {
  const { votes, delegations, members } = ballots(method)
  const proposal: TallyProposal = {
    method,
    options: method === 'yesno' ? [] : OPTIONS,
    quorum: 50,
    threshold: 50,
    deadline: 2000,
  }
  const eligible = { size: members.size, has: (d: string) => members.has(d) }
  tally(proposal, eligible, votes.slice(0, 5000), delegations) // warm-up
  const samples: number[] = []
  let last = tally(proposal, eligible, votes, delegations)
  for (let i = 0; i < 7; i++) {
    const started = performance.now()
    last = tally(proposal, eligible, votes, delegations)
    samples.push(performance.now() - started)
  }
  if (last.participants !== VOTES + 5000 - 0)
    throw new Error(`tally counted ${last.participants} participants`)
  return { ms: percentile(samples, 50), winner: last.winner, passed: last.passed }
}

/** A real node verifying a result event listing 500 votes (the most founding members a charter holds) by recounting it. */
async function verifyResultMs(): Promise<number> {
  const dir = await tempDir('icn-bench-gov-')
  const node = createNode({
    dataDir: dir.path,
    logger: silentLogger,
    identity: { kdf: TEST_KDF },
    governance: { autoFinalize: false },
  })
  await node.start()
  try {
    await node.identity.create({ passphrase: TEST_PASSPHRASE })
    const voters = Array.from({ length: 499 }, () => testAuthor(undefined, Date.now() - 10_000))
    const scope = await node.governance.createScope({
      kind: 'cooperative',
      name: 'Bench',
      members: voters.map((v) => v.did),
      params: { 'gov.votingPeriodMs': 1000, 'gov.finalizeGraceMs': 60_000 },
      bounds: { 'gov.votingPeriodMs': { min: 1000, max: 60_000 } },
    })
    const p = await node.governance.propose({ scope: scope.scope, title: 'Bench', action: { kind: 'text' } })
    await node.governance.vote({ proposal: p.id, choice: 'yes' })
    await Promise.all(
      voters.map((v, i) =>
        node.dag.ingest(
          v.next(
            GOV_EVENT.vote,
            { proposal: CID.parse(p.id), choice: i % 3 === 0 ? 'no' : 'yes', options: null, reason: null },
            {
              scope: scope.scope,
              ts: Date.now(),
            },
          ).bytes,
        ),
      ),
    )
    while (Date.now() <= p.deadline) await new Promise((r) => setTimeout(r, 50))
    // finalize = collect + tally + append, where append re-validates: the recount over the 500 listed votes.
    const started = performance.now()
    const done = await node.governance.finalize(p.id)
    const ms = performance.now() - started
    if (done.result === null || done.tally?.participants !== 500)
      throw new Error('the bench result did not apply')
    return ms
  } finally {
    await node.stop()
    await dir.cleanup()
  }
}

export const governanceBench: BenchSuite = {
  name: 'Governance: tally',
  async run(): Promise<Figure[]> {
    const yesno = timeTally('yesno')
    const ranked = timeTally('ranked')
    const verify = await verifyResultMs()
    return [
      {
        name: `tally of ${VOTES.toLocaleString('en')} votes + 5,000 delegations, yes/no (median of 7)`,
        value: round(yesno.ms, 1),
        unit: 'ms',
        target: '< 500',
        pass: atMost(yesno.ms, 500),
      },
      {
        name: `tally of ${VOTES.toLocaleString('en')} votes + 5,000 delegations, ranked choice with 5 options (instant runoff, median of 7)`,
        value: round(ranked.ms, 1),
        unit: 'ms',
        target: '< 500',
        pass: atMost(ranked.ms, 500),
      },
      {
        name: 'finalize a result listing 500 votes on a real node (collect, tally, sign, recount on append)',
        value: round(verify, 0),
        unit: 'ms',
        target: 'informational',
      },
    ]
  },
}
