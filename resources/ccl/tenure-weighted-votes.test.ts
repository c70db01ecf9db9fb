import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../core/ccl'
import { policyContext, runAgreeing } from '../../core/ccl/test-host'

const source = readFileSync(join(import.meta.dirname, 'tenure-weighted-votes.ccl'), 'utf8')
const policy = { wasm: compile(source, { file: 'tenure-weighted-votes.ccl' }).wasm, program: source }

const DAY = 86_400_000
const NOW = 20_000 * DAY

function weight(daysAgo: number | undefined, params: Record<string, bigint> = {}): unknown {
  const voter = 'did:key:z6MkVoter'
  const members: Record<string, number> = { 'did:key:z6MkOther': 0 }
  if (daysAgo !== undefined) members[voter] = NOW - daysAgo * DAY
  return runAgreeing(policy, 'vote_weight', [voter], policyContext({ now: NOW, params, members }))
}

describe('resources/ccl/tenure-weighted-votes.ccl', () => {
  it('exports vote_weight', () => {
    expect(compile(source).policies).toEqual(['vote_weight'])
  })

  it('gives non-members no weight and members on probation weight 1', () => {
    expect(weight(undefined)).toMatchObject({ ok: true, value: 0n })
    expect(weight(0)).toMatchObject({ ok: true, value: 1n })
    expect(weight(89)).toMatchObject({ ok: true, value: 1n })
    expect(weight(-5)).toMatchObject({ ok: true, value: 1n })
  })

  it('adds one per full year of membership, up to the cap', () => {
    expect(weight(364)).toMatchObject({ ok: true, value: 1n })
    expect(weight(365)).toMatchObject({ ok: true, value: 2n })
    expect(weight(2 * 365 + 10)).toMatchObject({ ok: true, value: 3n })
    expect(weight(10 * 365)).toMatchObject({ ok: true, value: 3n })
  })

  it('takes the cap and the probation from parameters', () => {
    expect(weight(10 * 365, { max_vote_weight: 8n })).toMatchObject({ ok: true, value: 8n })
    expect(weight(4 * 365, { max_vote_weight: 8n })).toMatchObject({ ok: true, value: 5n })
    expect(weight(400, { probation_days: 500n })).toMatchObject({ ok: true, value: 1n })
    expect(weight(400, { probation_days: 0n })).toMatchObject({ ok: true, value: 2n })
  })
})
