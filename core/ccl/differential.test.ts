import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { analyze, compile } from './index'
import { randomProgram } from './random-program'
import { policyContext, runBoth, type Outcome } from './test-host'

const MAX = (1n << 63n) - 1n
const MIN = -(1n << 63n)

const int64 = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 2n, 7n, -7n, MAX, MIN, MAX - 1n, MIN + 1n, 3037000499n, 1n << 32n),
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: MIN, max: MAX }),
)

const tape = fc.array(fc.nat({ max: 2 ** 30 }), { minLength: 20, maxLength: 600 })
const inputs = fc.record({ p0: int64, p1: int64, p2: int64, p3: int64 })
const tally = fc.tuple(int64, int64, int64, int64)

const CONTEXT_MEMBERS = { 'did:key:': 1_000, 'did:key:z6Mk': 2_000, 'did:key:a': 3_000 }

/** Compiles and interprets one random program on both entries; returns the outcomes after checking they agree. */
function differential(
  values: number[],
  params: Record<string, bigint>,
  args: [bigint, bigint, bigint, bigint],
): Outcome[] {
  const { source } = randomProgram(values)
  const analysis = analyze(source)
  // A generator bug, not a compiler one — but it must not pass silently.
  expect(
    analysis.diagnostics.filter((d) => d.severity === 'error'),
    source,
  ).toEqual([])
  const program = analysis.program
  if (program === undefined) throw new Error('unreachable: no errors but no program')
  const { wasm } = compile(source)
  expect(Buffer.from(compile(source).wasm).equals(Buffer.from(wasm)), 'deterministic output').toBe(true)

  const ctx = policyContext({
    now: 1_700_000_000_000,
    params,
    members: CONTEXT_MEMBERS,
    roles: { 'did:key:': ['a', 'did:'] },
  })
  const outcomes: Outcome[] = []
  for (const [entry, entryArgs] of [
    ['vote_weight', ['did:key:z6MkVoter']],
    ['proposal_passes', args],
  ] as const) {
    const both = runBoth({ wasm, program }, entry, entryArgs, ctx)
    expect(both.compiled, `${entry}\n${source}`).toEqual(both.interpreted)
    expect(both.compiledLogs, `${entry} logs\n${source}`).toEqual(both.interpretedLogs)
    outcomes.push(both.compiled)
  }
  return outcomes
}

describe('ccl: differential testing (compiled wasm vs reference interpreter)', () => {
  it('agrees on random well-typed programs: same results, same trap kinds, same logs', () => {
    fc.assert(
      fc.property(tape, inputs, tally, (values, params, args) => {
        differential(values, params, args)
      }),
      { numRuns: 250 },
    )
  })

  it('exercises every trap kind the language raises, and normal returns', () => {
    // A fixed seed keeps this coverage check stable; the property above explores fresh programs every run.
    const seen = new Map<string, number>()
    fc.assert(
      fc.property(tape, inputs, tally, (values, params, args) => {
        for (const outcome of differential(values, params, args)) {
          const key = outcome.ok ? 'ok' : outcome.trap
          seen.set(key, (seen.get(key) ?? 0) + 1)
        }
      }),
      { numRuns: 200, seed: 20261123 },
    )
    for (const kind of [
      'ok',
      'overflow',
      'division_by_zero',
      'index_out_of_bounds',
      'negative_mana',
      'invalid_did',
    ]) {
      expect({ kind, seen: (seen.get(kind) ?? 0) > 0 }).toEqual({ kind, seen: true })
    }
  })
})
