import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../core/ccl'
import { policyContext, runAgreeing } from '../../core/ccl/test-host'

const source = readFileSync(join(import.meta.dirname, 'mana-cost-by-reputation.ccl'), 'utf8')
const policy = { wasm: compile(source, { file: 'mana-cost-by-reputation.ccl' }).wasm, program: source }

const ACTOR = 'did:key:z6MkActor'

function cost(action: string, reputation: bigint | undefined, params: Record<string, bigint> = {}): unknown {
  const scores: Record<string, bigint> = reputation === undefined ? {} : { [ACTOR]: reputation }
  return runAgreeing(policy, 'mana_cost', [action, ACTOR], policyContext({ params, reputation: scores }))
}

describe('resources/ccl/mana-cost-by-reputation.ccl', () => {
  it('exports mana_cost', () => {
    expect(compile(source).policies).toEqual(['mana_cost'])
  })

  it('charges the base cost per action to an actor without a record', () => {
    expect(cost('propose', undefined)).toMatchObject({ ok: true, value: 10n })
    expect(cost('vote', undefined)).toMatchObject({ ok: true, value: 0n })
    expect(cost('transfer', undefined)).toMatchObject({ ok: true, value: 1n })
    expect(cost('submit_job', undefined)).toMatchObject({ ok: true, value: 5n })
    expect(cost('mint', undefined)).toMatchObject({ ok: true, value: 20n })
    expect(cost('something_else', undefined)).toMatchObject({ ok: true, value: 10n })
  })

  it('discounts by reputation band and surcharges a negative reputation', () => {
    expect(cost('propose', 49n)).toMatchObject({ ok: true, value: 10n })
    expect(cost('propose', 50n)).toMatchObject({ ok: true, value: 7n })
    expect(cost('propose', 100n)).toMatchObject({ ok: true, value: 5n })
    expect(cost('mint', 1000n)).toMatchObject({ ok: true, value: 10n })
    expect(cost('propose', -1n)).toMatchObject({ ok: true, value: 15n })
  })

  it('never charges less than 1 for a paid action, and 0 for a free one', () => {
    expect(cost('transfer', 100n)).toMatchObject({ ok: true, value: 1n })
    expect(cost('vote', -50n)).toMatchObject({ ok: true, value: 0n })
    expect(cost('vote', 0n, { cost_vote: -3n })).toMatchObject({ ok: true, value: 0n })
  })

  it('takes base costs from parameters', () => {
    expect(cost('propose', 100n, { cost_propose: 40n })).toMatchObject({ ok: true, value: 20n })
    expect(cost('audit', 0n, { cost_default: 3n })).toMatchObject({ ok: true, value: 3n })
  })
})
