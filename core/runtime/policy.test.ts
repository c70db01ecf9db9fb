import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { IcnError, isIcnError } from '../errors'
import { HOST_BYTE_FUEL, HOST_CALL_FUEL, POLICY_ENTRIES, type PolicyContext, type PolicyName } from './abi'
import { PolicyEngine, type CompiledPolicy } from './policy'
import { wat } from './testdata/wat'

const NOW = 100_000
const context: PolicyContext = {
  now: NOW,
  params: {
    min_membership_ms: 100n,
    max_weight: 10n,
    quorum_pct: 50n,
    threshold_pct: 60n,
    propose: 40n,
    min_reputation: 100n,
  },
  listParams: { open_kinds: ['text', 'parameter'] },
  balances: { 'did:key:alice': 500n, 'did:key:bob': 3n },
  reputation: { 'did:key:alice': 250n, 'did:key:bob': 5000n },
  members: { 'did:key:alice': 1000, 'did:key:bob': NOW - 10, 'did:key:dave': 0 },
  roles: { 'did:key:alice': ['proposer'], 'did:key:bob': ['steward'] },
}

function failure(fn: () => unknown): IcnError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(IcnError)
    return err as IcnError
  }
  throw new Error('expected the call to fail')
}

describe('policies against the icn ABI', () => {
  const engine = new PolicyEngine()
  let policy: CompiledPolicy
  beforeAll(async () => {
    policy = engine.compile(
      await wat(readFileSync(new URL('./testdata/policy.wat', import.meta.url), 'utf8')),
    )
  })

  it('exports every policy entry with the ABI signature', () => {
    expect([...policy.entries].sort()).toEqual(Object.keys(POLICY_ENTRIES).sort())
    expect(policy.info.imports).toHaveLength(11)
  })

  it('can_propose reads membership, clocks, parameters, roles and lists, and logs', () => {
    const ask = (proposer: string, kind: string): boolean =>
      engine.call(policy, 'can_propose', { proposer, kind }, context).value
    expect(ask('did:key:alice', 'budget')).toBe(true) // holds the proposer role
    expect(ask('did:key:dave', 'text')).toBe(true) // open kind
    expect(ask('did:key:dave', 'budget')).toBe(false)
    expect(ask('did:key:bob', 'text')).toBe(false) // member for 10 ms < min_membership_ms
    expect(ask('did:key:carol', 'text')).toBe(false) // not a member
    expect(
      engine.call(policy, 'can_propose', { proposer: 'did:key:alice', kind: 'x' }, context).logs,
    ).toEqual(['can_propose called'])
  })

  it('vote_weight reads reputation with a capped parameter', () => {
    const weight = (voter: string): bigint => engine.call(policy, 'vote_weight', { voter }, context).value
    expect(weight('did:key:alice')).toBe(3n)
    expect(weight('did:key:bob')).toBe(10n)
    expect(weight('did:key:carol')).toBe(0n)
  })

  it('proposal_passes applies quorum and threshold, using member_count when eligible is 0', () => {
    const passes = (yes: bigint, no: bigint, abstain: bigint, eligible: bigint): boolean =>
      engine.call(policy, 'proposal_passes', { yes, no, abstain, eligible }, context).value
    expect(passes(6n, 4n, 0n, 10n)).toBe(false) // 60% is not above a 60% threshold
    expect(passes(7n, 3n, 0n, 10n)).toBe(true)
    expect(passes(3n, 0n, 1n, 10n)).toBe(false) // 4 of 10 voted: no quorum
    expect(passes(1n, 0n, 0n, 0n)).toBe(false) // 1 of 3 members
    expect(passes(2n, 0n, 0n, 0n)).toBe(true)
  })

  it('mana_cost and job_admission read balances', () => {
    expect(
      engine.call(policy, 'mana_cost', { action: 'propose', actor: 'did:key:alice' }, context).value,
    ).toBe(40n)
    expect(engine.call(policy, 'mana_cost', { action: 'propose', actor: 'did:key:bob' }, context).value).toBe(
      3n,
    )
    expect(engine.call(policy, 'mana_cost', { action: 'vote', actor: 'did:key:alice' }, context).value).toBe(
      10n,
    )
    const admit = (maxPrice: bigint, fuel: bigint): boolean =>
      engine.call(
        policy,
        'job_admission',
        { submitter: 'did:key:alice', executor: 'did:key:bob', max_price: maxPrice, fuel },
        context,
      ).value
    expect(admit(400n, 1000n)).toBe(true)
    expect(admit(600n, 1000n)).toBe(false)
    expect(admit(400n, 2_000_000_000n)).toBe(false)
  })

  it('charges HOST_CALL_FUEL per host call and HOST_BYTE_FUEL per byte read or copied in', () => {
    const passes = (eligible: bigint): bigint =>
      engine.call(policy, 'proposal_passes', { yes: 1n, no: 0n, abstain: 0n, eligible }, context).fuelUsed
    // eligible = 0 runs one more block: `call $member_count; local.set` (2 instructions) and one host call.
    expect(passes(0n) - passes(10n)).toBe(2n + HOST_CALL_FUEL)
    const weight = (voter: string): bigint => engine.call(policy, 'vote_weight', { voter }, context).fuelUsed
    // A non-member's DID is copied in once and read once by is_member.
    const long = 'did:key:nobody-with-a-longer-name'
    const short = 'did:key:nobody'
    expect(weight(long) - weight(short)).toBe(2n * BigInt(long.length - short.length) * HOST_BYTE_FUEL)
    // Same inputs, same fuel.
    expect(weight('did:key:alice')).toBe(weight('did:key:alice'))
  })

  it('fails with RUNTIME_OUT_OF_FUEL when the budget is too small, with fuelUsed in the details', () => {
    const err = failure(() =>
      engine.call(policy, 'vote_weight', { voter: 'did:key:alice' }, context, { fuel: 60 }),
    )
    expect(err.code).toBe('RUNTIME_OUT_OF_FUEL')
    expect(err.details?.['fuelUsed']).toBe(60n)
  })

  it('rejects bad arguments as misuse', () => {
    expect(
      failure(() => engine.call(policy, 'vote_weight', { voter: 42 as unknown as string }, context)).code,
    ).toBe('INVALID_ARGUMENT')
    expect(
      failure(() =>
        engine.call(
          policy,
          'proposal_passes',
          { yes: 2n ** 64n, no: 0n, abstain: 0n, eligible: 0n },
          context,
        ),
      ).code,
    ).toBe('INVALID_ARGUMENT')
    expect(failure(() => engine.call(policy, 'nope' as PolicyName, {} as never, context)).code).toBe(
      'INVALID_ARGUMENT',
    )
  })
})

describe('failing and hostile policies', () => {
  const engine = new PolicyEngine()
  const header = `(memory (export "memory") 1) (global $heap (mut i32) (i32.const 1024))
    (func (export "icn_alloc") (param i32) (result i32) (local $p i32)
      (local.set $p (global.get $heap)) (global.set $heap (i32.add (local.get $p) (local.get 0))) (local.get $p))`
  const policy = async (body: string, imports = ''): Promise<CompiledPolicy> =>
    engine.compile(await wat(`(module ${imports} ${header} ${body})`))
  const weight = (p: CompiledPolicy, voter = 'did:key:alice', fuel?: number) =>
    engine.call(p, 'vote_weight', { voter }, context, fuel === undefined ? {} : { fuel })

  it('maps traps, endless loops and deep recursion to their codes', async () => {
    const trapping = await policy(`(func (export "vote_weight") (param i32 i32) (result i64) unreachable)`)
    expect(failure(() => weight(trapping)).code).toBe('RUNTIME_TRAP')
    const looping = await policy(
      `(func (export "vote_weight") (param i32 i32) (result i64) (loop (br 0)) (i64.const 0))`,
    )
    expect(failure(() => weight(looping, 'x', 100_000)).code).toBe('RUNTIME_OUT_OF_FUEL')
    const recursing = await policy(
      `(func $r (export "vote_weight") (param i32 i32) (result i64) (i64.add (call $r (local.get 0) (local.get 1)) (i64.const 1)))`,
    )
    const err = failure(() => weight(recursing, 'x', 1e12))
    expect(err.code).toBe('RUNTIME_STACK_OVERFLOW')
  })

  it('traps on out-of-bounds strings, invalid UTF-8 and non-boolean Bools', async () => {
    const imports = `(import "icn" "balance" (func $balance (param i32 i32) (result i64)))`
    const outOfBounds = await policy(
      `(func (export "vote_weight") (param i32 i32) (result i64) (call $balance (i32.const 65530) (i32.const 100)))`,
      imports,
    )
    expect(failure(() => weight(outOfBounds)).message).toMatch(/out of bounds/)
    const badUtf8 = await policy(
      `(data (i32.const 0) "\\ff\\fe") (func (export "vote_weight") (param i32 i32) (result i64) (call $balance (i32.const 0) (i32.const 2)))`,
      imports,
    )
    expect(failure(() => weight(badUtf8)).message).toMatch(/UTF-8/)
    const notBool = await policy(
      `(func (export "proposal_passes") (param i64 i64 i64 i64) (result i32) (i32.const 2))`,
    )
    const err = failure(() =>
      engine.call(notBool, 'proposal_passes', { yes: 1n, no: 0n, abstain: 0n, eligible: 1n }, context),
    )
    expect(err.code).toBe('RUNTIME_TRAP')
  })

  it('rejects wrong signatures, missing entries and foreign imports', async () => {
    const wrong = await policy(`(func (export "vote_weight") (param i32) (result i64) (i64.const 1))`)
    expect(failure(() => weight(wrong)).code).toBe('RUNTIME_INVALID_MODULE')
    expect(failure(() => weight(wrong)).message).toMatch(/wrong signature.*\(i32, i32\) -> \(i64\)/)
    expect(
      failure(() => engine.call(wrong, 'can_propose', { proposer: 'a', kind: 'b' }, context)).message,
    ).toMatch(/does not export "can_propose"/)
    const wasi = await wat(
      `(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) ${header})`,
    )
    expect(failure(() => engine.compile(wasi)).code).toBe('RUNTIME_UNKNOWN_IMPORT')
  })

  it('starts every call from the freshly instantiated state, even after traps and memory growth', async () => {
    const counter = await policy(`
      (global $calls (mut i64) (i64.const 0))
      (func (export "vote_weight") (param i32 i32) (result i64)
        (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
        (i64.store (i32.const 512) (i64.add (i64.load (i32.const 512)) (i64.const 1)))
        (i64.add (i64.mul (global.get $calls) (i64.const 1000)) (i64.load (i32.const 512))))
      (func (export "proposal_passes") (param i64 i64 i64 i64) (result i32)
        (global.set $calls (i64.const 77))
        (i64.store (i32.const 512) (i64.const 77))
        (drop (memory.grow (i32.const 1)))
        unreachable)`)
    for (let i = 0; i < 5; i++) {
      expect(weight(counter).value).toBe(1001n)
      expect(() =>
        engine.call(counter, 'proposal_passes', { yes: 0n, no: 0n, abstain: 0n, eligible: 0n }, context),
      ).toThrow(IcnError)
    }
    expect(weight(counter).value).toBe(1001n)
  })

  it('uses a fresh instance per call for large memories and for code that changes tables', async () => {
    const body = (memory: string, extra: string): string => `(module ${memory}
      (global $calls (mut i64) (i64.const 0)) (table 1 funcref) ${extra}
      (func (export "icn_alloc") (param i32) (result i32) (i32.const 1024))
      (func (export "vote_weight") (param i32 i32) (result i64)
        (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
        (i64.store (i32.const 512) (i64.add (i64.load (i32.const 512)) (i64.const 1)))
        ${extra === '' ? '' : '(table.set (i32.const 0) (ref.null func))'}
        (i64.add (i64.mul (global.get $calls) (i64.const 1000)) (i64.load (i32.const 512)))))`
    const large = engine.compile(await wat(body('(memory (export "memory") 64)', '')))
    const tables = engine.compile(await wat(body('(memory (export "memory") 1)', '(elem declare func)')))
    expect(tables.info.resettable).toBe(false)
    for (let i = 0; i < 3; i++) {
      expect(engine.call(large, 'vote_weight', { voter: 'x' }, context).value).toBe(1001n)
      expect(engine.call(tables, 'vote_weight', { voter: 'x' }, context).value).toBe(1001n)
    }
  })

  it('caps log messages at 4 KiB', async () => {
    const logging = await policy(
      `(func (export "vote_weight") (param i32 i32) (result i64)
         (memory.fill (i32.const 0) (i32.const 97) (i32.const 10000))
         (call $log (i32.const 0) (i32.const 10000)) (i64.const 0))`,
      `(import "icn" "log" (func $log (param i32 i32)))`,
    )
    const { logs, fuelUsed } = weight(logging)
    expect(logs).toHaveLength(1)
    expect(logs[0]).toBe('a'.repeat(4096))
    // The host still reads (and charges) the whole message.
    expect(fuelUsed).toBeGreaterThan(10_000n)
  })

  it('rejects a module that is not a policy at all', () => {
    expect(
      isIcnError(
        failure(() => engine.compile(new Uint8Array([1, 2, 3]))),
        'RUNTIME_INVALID_MODULE',
      ),
    ).toBe(true)
  })
})
