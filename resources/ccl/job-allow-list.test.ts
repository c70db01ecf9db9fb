import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../core/ccl'
import { policyContext, runAgreeing } from '../../core/ccl/test-host'
import type { PolicyContext } from '../../core/runtime/abi'

const source = readFileSync(join(import.meta.dirname, 'job-allow-list.ccl'), 'utf8')
const policy = { wasm: compile(source, { file: 'job-allow-list.ccl' }).wasm, program: source }

const LISTED = 'did:key:z6MkListed'
const TRUSTED = 'did:key:z6MkTrusted'
const NEWCOMER = 'did:key:z6MkNewcomer'
const BLOCKED = 'did:key:z6MkBlocked'
const STRANGER = 'did:key:z6MkStranger'
const EXECUTOR = 'did:key:z6MkExecutor'

function context(params: Record<string, bigint> = {}): PolicyContext {
  return policyContext({
    params,
    listParams: { job_submitters: [LISTED, BLOCKED], job_blocklist: [BLOCKED] },
    balances: { [LISTED]: 500n, [TRUSTED]: 500n, [NEWCOMER]: 500n, [BLOCKED]: 500n, [STRANGER]: 500n },
    reputation: { [TRUSTED]: 40n, [NEWCOMER]: 2n, [BLOCKED]: 90n },
    members: { [TRUSTED]: 1, [NEWCOMER]: 2, [BLOCKED]: 3, [EXECUTOR]: 4 },
  })
}

function admit(
  submitter: string,
  maxPrice = 100n,
  fuel = 1_000_000n,
  params?: Record<string, bigint>,
  executor = EXECUTOR,
): unknown {
  return runAgreeing(policy, 'job_admission', [submitter, executor, maxPrice, fuel], context(params))
}

describe('resources/ccl/job-allow-list.ccl', () => {
  it('exports job_admission', () => {
    expect(compile(source).policies).toEqual(['job_admission'])
  })

  it('admits listed submitters and trusted members, never blocked ones', () => {
    expect(admit(LISTED)).toMatchObject({ ok: true, value: true })
    expect(admit(TRUSTED)).toMatchObject({ ok: true, value: true })
    expect(admit(NEWCOMER)).toMatchObject({ ok: true, value: false })
    expect(admit(STRANGER)).toMatchObject({ ok: true, value: false })
    expect(admit(BLOCKED)).toMatchObject({ ok: true, value: false })
    expect(admit(NEWCOMER, 100n, 1_000_000n, { min_reputation: 2n })).toMatchObject({ ok: true, value: true })
  })

  it('needs a member executor other than the submitter', () => {
    expect(admit(TRUSTED, 100n, 1_000_000n, {}, STRANGER)).toMatchObject({ ok: true, value: false })
    expect(admit(TRUSTED, 100n, 1_000_000n, {}, TRUSTED)).toMatchObject({ ok: true, value: false })
  })

  it('enforces price, fuel and escrow limits', () => {
    expect(admit(LISTED, 0n)).toMatchObject({ ok: true, value: false })
    expect(admit(LISTED, 500n)).toMatchObject({ ok: true, value: true })
    expect(admit(LISTED, 501n)).toMatchObject({ ok: true, value: false })
    expect(admit(LISTED, 5n, 1_000_000n, { min_price: 10n })).toMatchObject({ ok: true, value: false })
    expect(admit(LISTED, 100n, 0n)).toMatchObject({ ok: true, value: false })
    expect(admit(LISTED, 100n, 10_000_000_001n)).toMatchObject({ ok: true, value: false })
    expect(admit(LISTED, 100n, 20n, { max_fuel: 10n })).toMatchObject({ ok: true, value: false })
  })

  it('fails (the node falls back to its default) when the host hands it negative mana', () => {
    expect(admit(LISTED, -1n)).toMatchObject({ ok: false, trap: 'negative_mana' })
  })
})
