import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../core/ccl'
import { policyContext, runAgreeing } from '../../core/ccl/test-host'
import type { PolicyContext } from '../../core/runtime/abi'

const source = readFileSync(join(import.meta.dirname, 'quorum-by-role.ccl'), 'utf8')
const policy = { wasm: compile(source, { file: 'quorum-by-role.ccl' }).wasm, program: source }

const STEWARD = 'did:key:z6MkSteward'
const TREASURER = 'did:key:z6MkTreasurer'
const MEMBER = 'did:key:z6MkMember'
const OUTSIDER = 'did:key:z6MkOutsider'

const ctx = (params: Record<string, bigint> = {}): PolicyContext =>
  policyContext({
    params,
    members: { [STEWARD]: 1, [TREASURER]: 2, [MEMBER]: 3 },
    roles: { [STEWARD]: ['steward'], [TREASURER]: ['treasurer'], [OUTSIDER]: ['steward'] },
  })

function canPropose(who: string, kind: string): unknown {
  return runAgreeing(policy, 'can_propose', [who, kind], ctx())
}

function passes(
  yes: bigint,
  no: bigint,
  abstain: bigint,
  eligible: bigint,
  params?: Record<string, bigint>,
): unknown {
  return runAgreeing(policy, 'proposal_passes', [yes, no, abstain, eligible], ctx(params))
}

describe('resources/ccl/quorum-by-role.ccl', () => {
  it('exports both entry points', () => {
    expect(compile(source).policies).toEqual(['can_propose', 'proposal_passes'])
  })

  it('lets roles decide who proposes what', () => {
    expect(canPropose(TREASURER, 'budget')).toMatchObject({ ok: true, value: true })
    expect(canPropose(STEWARD, 'budget')).toMatchObject({ ok: true, value: false })
    expect(canPropose(STEWARD, 'policy')).toMatchObject({ ok: true, value: true })
    expect(canPropose(TREASURER, 'federation')).toMatchObject({ ok: true, value: false })
    expect(canPropose(TREASURER, 'text')).toMatchObject({ ok: true, value: true })
    expect(canPropose(MEMBER, 'text')).toMatchObject({ ok: true, value: false })
    expect(canPropose(MEMBER, 'admit')).toMatchObject({ ok: true, value: true })
    // A role held outside membership counts for nothing.
    expect(canPropose(OUTSIDER, 'policy')).toMatchObject({ ok: true, value: false })
  })

  it('applies the default quorum (50%) and threshold (60%, ties fail)', () => {
    expect(passes(6n, 4n, 0n, 20n)).toMatchObject({ ok: true, value: true })
    expect(passes(6n, 3n, 0n, 20n)).toMatchObject({ ok: true, value: false }) // 9 of 20 voted
    expect(passes(5n, 4n, 1n, 20n)).toMatchObject({ ok: true, value: false }) // 5/9 < 60%
    expect(passes(3n, 2n, 5n, 20n)).toMatchObject({ ok: true, value: true }) // abstentions count toward quorum
    expect(passes(0n, 0n, 10n, 10n)).toMatchObject({ ok: true, value: false })
    expect(passes(1n, 0n, 0n, 0n)).toMatchObject({ ok: true, value: false })
  })

  it('reads quorum and threshold from parameters, clamped to 0–100%', () => {
    expect(passes(2n, 1n, 0n, 10n, { quorum_percent: 30n, threshold_percent: 60n })).toMatchObject({
      ok: true,
      value: true,
    })
    expect(passes(2n, 1n, 0n, 10n, { quorum_percent: 40n })).toMatchObject({ ok: true, value: false })
    expect(passes(5n, 5n, 0n, 10n, { threshold_percent: 50n })).toMatchObject({ ok: true, value: false })
    expect(passes(6n, 4n, 0n, 10n, { threshold_percent: 50n })).toMatchObject({ ok: true, value: true })
    expect(passes(10n, 0n, 0n, 100n, { quorum_percent: -20n })).toMatchObject({ ok: true, value: true })
    expect(passes(99n, 1n, 0n, 100n, { threshold_percent: 1000n })).toMatchObject({ ok: true, value: false })
  })

  it('traps, rather than miscounting, on absurd totals', () => {
    expect(passes(1n << 62n, 0n, 0n, 1n)).toMatchObject({ ok: false, trap: 'overflow' })
  })
})
