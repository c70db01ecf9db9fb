import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isIcnError } from '../errors'
import { HOST_IMPORTS, POLICY_ENTRIES, type PolicyContext, type PolicyName } from '../runtime/abi'
import {
  CCL_COMPILER_VERSION,
  check,
  compile,
  formatDiagnostic,
  interpret,
  trapKindOf,
  type TrapKind,
  type Value,
} from './index'
import { contextHost, icnImports, instantiatePolicy, policyContext, runBoth, type Outcome } from './test-host'
import { wasmApi } from './wasm-api'

const MAX = (1n << 63n) - 1n
const MIN = -(1n << 63n)
const ALICE = 'did:key:z6MkAlice'
const BOB = 'did:key:z6MkBob'

/** Runs both ways, insists they agree (result, trap kind and logs), and returns the shared outcome. */
function agree(
  source: string,
  entry: PolicyName,
  args: readonly Value[],
  ctx?: PolicyContext,
): Outcome & { logs: string[] } {
  const both = runBoth(source, entry, args, ctx)
  expect(both.compiled).toEqual(both.interpreted)
  expect(both.compiledLogs).toEqual(both.interpretedLogs)
  return { ...both.compiled, logs: both.compiledLogs }
}

/** Evaluates `return <expr>;` (plus optional items) as `vote_weight`, whose parameter is `voter`. */
function int(body: string, items = '', ctx?: PolicyContext, voter = ALICE): Outcome & { logs: string[] } {
  return agree(`${items}\nfn vote_weight(voter: Did) -> Int {\n${body}\n}`, 'vote_weight', [voter], ctx)
}

function ok(value: Value): { ok: true; value: Value } {
  return { ok: true, value }
}

function trap(kind: TrapKind): { ok: false; trap: TrapKind } {
  return { ok: false, trap: kind }
}

function thrown(f: () => unknown): unknown {
  try {
    f()
  } catch (err) {
    return err
  }
  throw new Error('expected an exception')
}

const params = (values: Record<string, bigint>): PolicyContext => policyContext({ params: values })

describe('ccl: integer semantics (compiled and interpreted agree)', () => {
  it('follows operator precedence and truncating division', () => {
    expect(int('return 2 + 3 * 4 - 10 / 3 % 2;')).toMatchObject(ok(13n))
    expect(int('return -7 / 2 * 10 + -7 % 2;')).toMatchObject(ok(-31n))
    expect(int('return 7 % -2 + (1 - 2) * 3;')).toMatchObject(ok(-2n))
    expect(int('return 1_000_000 - -9223372036854775808 / -9223372036854775807;')).toMatchObject(ok(999_999n))
  })

  it('traps on overflow and division by zero, with the trap kind', () => {
    const ctx = params({ max: MAX, min: MIN, zero: 0n, m1: -1n })
    const cases: [string, Outcome][] = [
      ['param_int("max", 0) + 1', trap('overflow')],
      ['param_int("min", 0) - 1', trap('overflow')],
      ['-param_int("min", 0)', trap('overflow')],
      ['param_int("min", 0) * -1', trap('overflow')],
      ['-1 * param_int("min", 0)', trap('overflow')],
      ['param_int("min", 0) / param_int("m1", 0)', trap('overflow')],
      ['param_int("min", 0) % param_int("m1", 0)', trap('overflow')],
      ['5 / param_int("zero", 0)', trap('division_by_zero')],
      ['5 % param_int("zero", 0)', trap('division_by_zero')],
      ['3037000499 * 3037000499', ok(9223372030926249001n)],
      ['3037000500 * 3037000500', trap('overflow')],
      ['4294967296 * 2147483648', trap('overflow')],
      ['-4294967296 * 2147483648', ok(MIN)],
      ['param_int("min", 0) * 1', ok(MIN)],
      ['param_int("max", 0) + param_int("min", 0)', ok(-1n)],
      ['param_int("min", 0) % 7', ok(MIN % 7n)],
    ]
    for (const [expr, expected] of cases) {
      expect({ expr, outcome: int(`return ${expr};`, '', ctx) }).toMatchObject({ expr, outcome: expected })
    }
  })

  it('checks the arithmetic helpers against exact arithmetic on boundary values', () => {
    const values = [
      0n,
      1n,
      -1n,
      2n,
      -2n,
      3n,
      3037000499n,
      -3037000499n,
      1n << 32n,
      -(1n << 32n),
      MAX,
      MIN,
      MAX - 1n,
      MIN + 1n,
    ]
    const source = `fn vote_weight(voter: Did) -> Int {
      let a = param_int("a", 0); let b = param_int("b", 0); let op = param_int("op", 0);
      if op == 0 { return a + b; } else if op == 1 { return a - b; } else if op == 2 { return a * b; }
      else if op == 3 { return a / b; } else { return a % b; }
    }`
    const { wasm } = compile(source)
    for (const a of values) {
      for (const b of values) {
        for (const op of [0n, 1n, 2n, 3n, 4n]) {
          const exact =
            op === 0n
              ? a + b
              : op === 1n
                ? a - b
                : op === 2n
                  ? a * b
                  : b === 0n
                    ? undefined
                    : op === 3n
                      ? a / b
                      : a % b
          const expected =
            exact === undefined
              ? trap('division_by_zero')
              : exact > MAX || exact < MIN || (op === 4n && a === MIN && b === -1n)
                ? trap('overflow')
                : ok(exact)
          const both = runBoth({ wasm, program: source }, 'vote_weight', [ALICE], params({ a, b, op }))
          expect({ a, b, op, outcome: both.compiled }).toEqual({ a, b, op, outcome: expected })
          expect(both.interpreted).toEqual(expected)
        }
      }
    }
  })
})

describe('ccl: Bool, String, Did, Mana', () => {
  it('short-circuits && and || (the right side runs only when needed)', () => {
    const items = 'fn noisy(b: Bool) -> Bool { log("ran"); return b; }'
    expect(int('if false && noisy(true) { return 1; } return 0;', items)).toMatchObject({
      ...ok(0n),
      logs: [],
    })
    expect(int('if true || noisy(false) { return 1; } return 0;', items)).toMatchObject({
      ...ok(1n),
      logs: [],
    })
    expect(int('if true && noisy(true) { return 1; } return 0;', items)).toMatchObject({
      ...ok(1n),
      logs: ['ran'],
    })
    expect(
      int('if !(1 < 2) == false && 3 >= 3 && 2 <= 1 == false && 4 != 5 { return 1; } return 0;'),
    ).toMatchObject(ok(1n))
  })

  it('compares strings by bytes, concatenates, and counts UTF-8 bytes', () => {
    expect(int('return len("héllo") * 100 + len("\\u{1F600}") * 10 + len("");')).toMatchObject(ok(640n))
    expect(
      int('let s = "ab" + "c" + ""; if s == "abc" && s != "abd" && "" == "" { return len(s); } return -1;'),
    ).toMatchObject(ok(3n))
    expect(int('let a = "x\\n\\t\\"\\\\"; return len(a);')).toMatchObject(ok(5n))
    expect(int('if "abc" == "abd" || "ab" == "abc" { return 1; } return 0;')).toMatchObject(ok(0n))
  })

  it('keeps Did distinct from String with checked conversions', () => {
    expect(
      int(`if voter == did("${ALICE}") && string(voter) == "${ALICE}" { return 1; } return 0;`),
    ).toMatchObject(ok(1n))
    expect(int('let d = did("did:" + "x"); return len(string(d));')).toMatchObject(ok(5n))
    expect(int('let d = did("di" + "d"); return 0;')).toMatchObject(trap('invalid_did'))
    expect(int('let d = did("" + ""); return 0;')).toMatchObject(trap('invalid_did'))
    expect(int(`if voter != did("${BOB}") { return 1; } return 0;`)).toMatchObject(ok(1n))
  })

  it('keeps Mana non-negative, trapping where a value would go below zero', () => {
    const cases: [string, Outcome][] = [
      ['int(mana(5) + mana(3))', ok(8n)],
      ['int(mana(5) - mana(5))', ok(0n)],
      ['int(mana(3) - mana(5))', trap('negative_mana')],
      ['int(mana(-1))', trap('negative_mana')],
      ['int(mana(7) * 3 + 2 * mana(1))', ok(23n)],
      ['int(mana(7) * -1)', trap('negative_mana')],
      ['int(mana(0) * -1)', ok(0n)],
      ['int(mana(7) / 2)', ok(3n)],
      ['int(mana(7) / -2)', trap('negative_mana')],
      ['int(mana(1) / -2)', ok(0n)],
      ['int(mana(7) / 0)', trap('division_by_zero')],
      ['int(mana(7) % -4)', ok(3n)],
      ['int(mana(9223372036854775807) + mana(1))', trap('overflow')],
      ['int(mana(4611686018427387904) * 2)', trap('overflow')],
    ]
    for (const [expr, expected] of cases) {
      expect({ expr, outcome: int(`return ${expr};`) }).toMatchObject({ expr, outcome: expected })
    }
    const ctx = policyContext({ balances: { [ALICE]: 40n, [BOB]: -3n } })
    expect(
      int('if balance(voter) >= mana(40) { return int(balance(voter)); } return 0;', '', ctx),
    ).toMatchObject(ok(40n))
    expect(int('return int(balance(voter));', '', ctx, BOB)).toMatchObject(trap('negative_mana'))
  })
})

describe('ccl: arrays and structs', () => {
  it('indexes with bounds checks, iterates and nests', () => {
    expect(int('let xs = [10, 20, 30]; return xs[0] + xs[2] * len(xs);')).toMatchObject(ok(100n))
    expect(int('let xs = [10, 20, 30]; return xs[3];')).toMatchObject(trap('index_out_of_bounds'))
    expect(int('let xs = [10, 20, 30]; return xs[-1];')).toMatchObject(trap('index_out_of_bounds'))
    expect(int('let xs: [Int] = []; return len(xs);')).toMatchObject(ok(0n))
    expect(
      int('let m = [[1, 2], [3], []]; return m[0][1] * 100 + len(m[1]) * 10 + len(m[2]);'),
    ).toMatchObject(ok(210n))
    expect(int('let mut t = 0; for x in [1, 2, 3, 4] { t = t * 10 + x; } return t;')).toMatchObject(ok(1234n))
    expect(
      int('let names = ["a", "bb", "ccc"]; let mut n = 0; for s in names { n += len(s); } return n;'),
    ).toMatchObject(ok(6n))
    expect(
      int('let flags = [true, false, true]; let mut n = 0; for f in flags { if f { n += 1; } } return n;'),
    ).toMatchObject(ok(2n))
    expect(int('let big = 100000000000; return [1, 2][big];')).toMatchObject(trap('index_out_of_bounds'))
  })

  it('builds records in any field order and reads fields', () => {
    const items =
      'struct Limit { name: String, cap: Mana, tags: [String], on: Bool }\nstruct Pair { a: Limit, b: Int }'
    expect(
      int(
        'let l = Limit { on: true, tags: ["x", "yy"], cap: mana(9), name: "n" }; let p = Pair { b: 2, a: l };\n' +
          'if p.a.on && p.a.name == "n" { return int(p.a.cap) * p.b + len(p.a.tags[1]); } return 0;',
        items,
      ),
    ).toMatchObject(ok(20n))
    expect(
      int(
        'let ps = [Pair { a: Limit { name: "", cap: mana(1), tags: [], on: false }, b: 5 }]; return ps[0].b;',
        items,
      ),
    ).toMatchObject(ok(5n))
  })

  it('handles recursive data, empty and nested compound values, and Did constants', () => {
    const items = `
      struct Empty {}
      struct Node { label: String, kids: [Node], tags: [[String]], e: Empty }
      const OWNER: Did = did("did:key:owner");
      fn leaf(l: String) -> Node { return Node { label: l, kids: [], tags: [[]], e: Empty {} }; }
      fn tree() -> Node { return Node { label: "root", kids: [leaf("a"), leaf("bb")], tags: [["x", "y"], []], e: Empty {} }; }
      fn count(n: Node) -> Int { let mut c = 1; for k in n.kids { c += count(k); } return c; }
      fn total_len(xs: [[String]]) -> Int { let mut t = 0; for row in xs { for s in row { t += len(s); } } return t; }
      fn owners() -> [Did] { return [OWNER, did("did:key:x")]; }
      fn note(n: Int) { let mut i = 0; while true { i += 1; if i > n { return; } for d in owners() { if d == OWNER { break; } } } }`
    const body = `
      let t = tree();
      note(3);
      let none: [[Int]] = [[], [1]];
      let nested = [[[1, 2]], [[3]]];
      if owners()[0] == OWNER && len(string(voter)) > 0 {
        return count(t) * 1000 + total_len(t.tags) * 100 + len(t.kids[1].label) * 10 + len(none[0]) + nested[1][0][0];
      }
      return -1;`
    expect(int(body, items)).toMatchObject(ok(3223n))
  })

  it('evaluates struct fields in the order written', () => {
    const items = 'struct P { a: Int, b: Int }\nfn note(s: String, v: Int) -> Int { log(s); return v; }'
    expect(
      int('let p = P { b: note("b", 2), a: note("a", 1) }; return p.a * 10 + p.b;', items),
    ).toMatchObject({
      ...ok(12n),
      logs: ['b', 'a'],
    })
  })
})

describe('ccl: statements and functions', () => {
  it('runs while, for-range and for-each loops with break and continue', () => {
    expect(
      int(
        'let mut i = 0; let mut s = 0; while i < 10 { i += 1; if i % 2 == 0 { continue; } if i > 7 { break; } s += i; } return s;',
      ),
    ).toMatchObject(ok(16n))
    expect(
      int('let mut s = 0; for i in 0..10 { if i == 2 { continue; } if i == 6 { break; } s += i; } return s;'),
    ).toMatchObject(ok(13n))
    expect(
      int('let mut s = 0; for i in 5..5 { s += 1; } for i in 3..-3 { s += 1; } return s;'),
    ).toMatchObject(ok(0n))
    expect(
      int(
        'let mut s = 0; for i in -2..2 { for j in 0..3 { if j == 1 { continue; } s += i * j; } } return s;',
      ),
    ).toMatchObject(ok(-4n))
    expect(
      int('let mut s = 0; for x in [1, 2, 3] { if x == 2 { continue; } s += x; } return s;'),
    ).toMatchObject(ok(4n))
    expect(int('for i in 0..100 { if i * i > 50 { return i; } } return -1;')).toMatchObject(ok(8n))
  })

  it('evaluates range bounds once, left to right', () => {
    const items = 'fn note(s: String, v: Int) -> Int { log(s); return v; }'
    expect(
      int('let mut n = 0; for i in note("from", 1)..note("to", 4) { n += i; } return n;', items),
    ).toMatchObject({
      ...ok(6n),
      logs: ['from', 'to'],
    })
  })

  it('supports recursion, early returns and compound assignment', () => {
    const items =
      'fn fact(n: Int) -> Int { if n <= 1 { return 1; } return n * fact(n - 1); }\nfn fib(n: Int) -> Int { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }'
    expect(int('return fact(20);', items)).toMatchObject(ok(2432902008176640000n))
    expect(int('return fact(21);', items)).toMatchObject(trap('overflow'))
    expect(int('return fib(20);', items)).toMatchObject(ok(6765n))
    expect(int('let mut x = 100; x -= 1; x *= 3; x /= 2; x %= 100; x += 7; return x;')).toMatchObject(ok(55n))
  })

  it('reports runaway recursion as a stack trap', () => {
    const items = 'fn down(n: Int) -> Int { return down(n + 1) + 1; }'
    expect(int('return down(0);', items)).toMatchObject(trap('stack_overflow'))
  })

  it('scopes and shadows variables by block', () => {
    expect(int('let x = 1; if true { let x = 2; let y = x; } return x;')).toMatchObject(ok(1n))
    expect(int('let x = "str"; let x = len(x); let x = x * 2; return x;')).toMatchObject(ok(6n))
    expect(
      int('let mut x = 1; for i in 0..3 { let x = 10; } while x < 3 { let y = x; x = y + 1; } return x;'),
    ).toMatchObject(ok(3n))
  })

  it('folds constants, including ones that use earlier constants', () => {
    const items =
      'const A: Int = 6 * 7;\nconst B: Int = A - 2;\nconst S: String = "ab" + "c";\nconst M: Mana = mana(B);\nconst D: Did = did("did:key:z6MkAlice");\nconst T: Bool = len(S) == 3;'
    expect(int('if T && voter == D { return B * 1000 + int(M) + len(S); } return 0;', items)).toMatchObject(
      ok(40043n),
    )
  })

  it('calls Unit functions as statements and drops unused results', () => {
    const items =
      'fn say(s: String) { log(s); if len(s) > 1 { return; } log("short"); }\nfn two() -> Int { log("two"); return 2; }'
    expect(int('say("hi"); say("x"); two(); return 0;', items)).toMatchObject({
      ...ok(0n),
      logs: ['hi', 'x', 'short', 'two'],
    })
  })
})

describe('ccl: host calls through the icn ABI', () => {
  const ctx = policyContext({
    now: 1_700_000_000_000,
    params: { quorum: 60n },
    listParams: { allowed: [ALICE, 'did:key:other'] },
    balances: { [ALICE]: 125n },
    reputation: { [ALICE]: -4n, [BOB]: 90n },
    members: { [ALICE]: 1_600_000_000_000, [BOB]: 1_690_000_000_000 },
    roles: { [ALICE]: ['treasurer'] },
  })

  const cases: [string, bigint][] = [
    ['abi_version()', 1n],
    ['now()', 1_700_000_000_000n],
    ['param_int("quorum", 50)', 60n],
    ['param_int("threshold", 50)', 50n],
    ['param_int("constructor", 7)', 7n],
    ['member_count()', 2n],
    ['member_since(voter)', 1_600_000_000_000n],
    ['member_since(did("did:key:nobody"))', -1n],
    ['reputation(voter)', -4n],
    ['int(balance(voter))', 125n],
    ['int(balance(did("did:key:nobody")))', 0n],
  ]
  for (const [expr, expected] of cases) {
    it(`${expr} = ${String(expected)}`, () => {
      expect(int(`return ${expr};`, '', ctx)).toMatchObject(ok(expected))
    })
  }

  it('passes strings and DIDs in as (ptr, len) and reads Bool answers', () => {
    const body = (cond: string): string => `if ${cond} { return 1; } return 0;`
    expect(int(body('param_list_contains("allowed", string(voter))'), '', ctx)).toMatchObject(ok(1n))
    expect(int(body('param_list_contains("allowed", "did:key:z6MkBob")'), '', ctx)).toMatchObject(ok(0n))
    expect(int(body('param_list_contains("missing", "x")'), '', ctx)).toMatchObject(ok(0n))
    expect(int(body('has_role(voter, "treasurer") && !has_role(voter, "founder")'), '', ctx)).toMatchObject(
      ok(1n),
    )
    expect(int(body('is_member(voter)'), '', ctx, BOB)).toMatchObject(ok(1n))
    expect(int(body('is_member(did("did:key:nobody"))'), '', ctx)).toMatchObject(ok(0n))
  })

  it('hands log messages to the host, capped at 4 KiB', () => {
    const result = int(
      'log("hello " + string(voter)); let mut s = "x"; for i in 0..13 { s = s + s; } log(s); return 0;',
    )
    expect(result.logs[0]).toBe(`hello ${ALICE}`)
    expect(result.logs[1]).toHaveLength(4096)
  })

  it('handles long string arguments and many allocations', () => {
    const longDid = `did:key:${'z'.repeat(200_000)}`
    expect(int('return len(string(voter));', '', undefined, longDid)).toMatchObject(
      ok(BigInt(longDid.length)),
    )
    // 70,000 small arrays outgrow the first memory page many times over.
    expect(
      int('let mut n = 0; for i in 0..70000 { let a = [i, i + 1]; n += a[1] - a[0]; } return n;'),
    ).toMatchObject(ok(70000n))
  })

  it('fails with trap kind `host` when a host function throws or answers with the wrong type', () => {
    const throwing = contextHost(policyContext())
    throwing.now = () => {
      throw new Error('boom')
    }
    const wrongType = contextHost(policyContext())
    wrongType.is_member = (() => 1) as unknown as typeof wrongType.is_member
    const source = 'fn vote_weight(voter: Did) -> Int { if is_member(voter) { return 1; } return now(); }'
    const { wasm } = compile(source)
    for (const host of [throwing, wrongType]) {
      const compiled = thrown(() => instantiatePolicy(wasm, host).call('vote_weight', [ALICE]))
      const interpreted = thrown(() => interpret(source, 'vote_weight', [ALICE], host))
      for (const err of [compiled, interpreted]) {
        expect(isIcnError(err, 'CCL_POLICY_FAILED')).toBe(true)
        expect(trapKindOf(err)).toBe('host')
      }
    }
  })

  it('runs every entry point with its ABI signature', () => {
    const source = `
      fn can_propose(proposer: Did, kind: String) -> Bool { return is_member(proposer) && kind != "budget"; }
      fn vote_weight(voter: Did) -> Int { return 3; }
      fn proposal_passes(yes: Int, no: Int, abstain: Int, eligible: Int) -> Bool { return (yes + no + abstain) * 2 > eligible && yes > no; }
      fn mana_cost(action: String, actor: Did) -> Mana { if action == "vote" { return mana(0); } return mana(len(action)); }
      fn job_admission(submitter: Did, executor: Did, max_price: Mana, fuel: Int) -> Bool { return submitter != executor && max_price >= mana(fuel / 1000); }
    `
    expect(compile(source).policies).toEqual(Object.keys(POLICY_ENTRIES))
    expect(agree(source, 'can_propose', [ALICE, 'text'], ctx)).toMatchObject(ok(true))
    expect(agree(source, 'can_propose', [ALICE, 'budget'], ctx)).toMatchObject(ok(false))
    expect(agree(source, 'proposal_passes', [5n, 2n, 1n, 15n], ctx)).toMatchObject(ok(true))
    expect(agree(source, 'proposal_passes', [5n, 2n, 0n, 15n], ctx)).toMatchObject(ok(false))
    expect(agree(source, 'mana_cost', ['propose', ALICE], ctx)).toMatchObject(ok(7n))
    expect(agree(source, 'mana_cost', ['vote', ALICE], ctx)).toMatchObject(ok(0n))
    expect(agree(source, 'job_admission', [ALICE, BOB, 5n, 5000n], ctx)).toMatchObject(ok(true))
    expect(agree(source, 'job_admission', [ALICE, ALICE, 5n, 5000n], ctx)).toMatchObject(ok(false))
    expect(agree(source, 'job_admission', [ALICE, BOB, -1n, 5000n], ctx)).toMatchObject(trap('negative_mana'))
  })
})

/** Reads type, import, function and export sections straight from the binary, independently of the writer. */
function moduleShape(wasm: Uint8Array): {
  imports: { module: string; name: string; params: string[]; results: string[] }[]
  exports: { name: string; kind: string; params?: string[]; results?: string[] }[]
  sections: number[]
  globals: { type: string; mutable: boolean }[]
} {
  let pos = 8
  const u32 = (): number => {
    let result = 0
    let shift = 0
    while (true) {
      const b = wasm[pos++] as number
      result |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return result >>> 0
      shift += 7
    }
  }
  const name = (): string => {
    const len = u32()
    const text = new TextDecoder().decode(wasm.subarray(pos, pos + len))
    pos += len
    return text
  }
  const valType = (b: number): string => ({ 0x7f: 'i32', 0x7e: 'i64' })[b] ?? `0x${b.toString(16)}`
  const types: { params: string[]; results: string[] }[] = []
  const imports: { module: string; name: string; params: string[]; results: string[] }[] = []
  const functionTypes: number[] = []
  const exports: { name: string; kind: string; params?: string[]; results?: string[] }[] = []
  const sections: number[] = []
  const globals: { type: string; mutable: boolean }[] = []
  while (pos < wasm.length) {
    const id = wasm[pos++] as number
    const size = u32()
    const end = pos + size
    sections.push(id)
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        pos++ // 0x60
        const params = Array.from({ length: u32() }, () => valType(wasm[pos++] as number))
        const results = Array.from({ length: u32() }, () => valType(wasm[pos++] as number))
        types.push({ params, results })
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const module = name()
        const field = name()
        const kind = wasm[pos++]
        expect(kind).toBe(0)
        const type = types[u32()] as { params: string[]; results: string[] }
        imports.push({ module, name: field, ...type })
      }
    } else if (id === 6) {
      for (let n = u32(); n > 0; n--) {
        globals.push({ type: valType(wasm[pos++] as number), mutable: wasm[pos++] === 1 })
        while (wasm[pos] !== 0x0b) pos++ // the init expression
        pos++
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) functionTypes.push(u32())
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const field = name()
        const kind = wasm[pos++] as number
        const index = u32()
        if (kind === 0) {
          const type = types[functionTypes[index - imports.length] as number] as {
            params: string[]
            results: string[]
          }
          exports.push({ name: field, kind: 'func', ...type })
        } else {
          exports.push({ name: field, kind: kind === 2 ? 'memory' : String(kind) })
        }
      }
    }
    pos = end
  }
  return { imports, exports, sections, globals }
}

function runCompiledValue(wasm: Uint8Array): unknown {
  return instantiatePolicy(wasm, contextHost(policyContext())).call('vote_weight', [ALICE])
}

describe('ccl: module shape', () => {
  const source = `
    fn can_propose(proposer: Did, kind: String) -> Bool { log(kind); return has_role(proposer, kind) || abi_version() == 2; }
    fn job_admission(submitter: Did, executor: Did, max_price: Mana, fuel: Int) -> Bool { return balance(submitter) >= max_price; }
    fn helper() -> Int { return param_int("x", 1) + member_count(); }
  `

  it('imports only from icn, only what it calls, with the lowered types of abi.ts', () => {
    const shape = moduleShape(compile(source).wasm)
    const used = ['abi_version', 'param_int', 'balance', 'has_role', 'member_count', 'log']
    expect(shape.imports.map((i) => i.name)).toEqual(
      Object.keys(HOST_IMPORTS).filter((n) => used.includes(n)),
    )
    for (const imp of shape.imports) {
      const spec = HOST_IMPORTS[imp.name as keyof typeof HOST_IMPORTS]
      expect(imp).toEqual({
        module: 'icn',
        name: imp.name,
        params: [...spec.params],
        results: [...spec.results],
      })
    }
  })

  it('exports exactly memory, icn_alloc and the entry points with lowered signatures', () => {
    const shape = moduleShape(compile(source).wasm)
    const lower = (t: string): string[] =>
      t === 'String' || t === 'Did' ? ['i32', 'i32'] : t === 'Bool' ? ['i32'] : ['i64']
    const entry = (name: 'can_propose' | 'job_admission'): object => ({
      name,
      kind: 'func',
      params: POLICY_ENTRIES[name].params.flatMap((p) => lower(p.type)),
      results: lower(POLICY_ENTRIES[name].result),
    })
    expect(shape.exports).toEqual([
      { name: 'memory', kind: 'memory' },
      { name: 'icn_alloc', kind: 'func', params: ['i32'], results: ['i32'] },
      entry('can_propose'),
      entry('job_admission'),
    ])
    // No start function (8), no tables (4), no element segments (9): nothing runs on instantiation.
    expect(shape.sections).toEqual([1, 2, 3, 5, 6, 7, 10, 11])
  })

  it('uses WebAssembly 1.0 (MVP) only', async () => {
    const wabt = await (await import('wabt')).default()
    const mvpOnly = {
      mutable_globals: false,
      sat_float_to_int: false,
      sign_extension: false,
      simd: false,
      multi_value: false,
      bulk_memory: false,
      reference_types: false,
    }
    const module = wabt.readWasm(compile(source).wasm, { readDebugNames: false, ...mvpOnly })
    expect(() => module.validate()).not.toThrow()
    module.destroy()
  })

  it('can be rewritten by a third-party fuel instrumenter (wasm-metering) and still decide the same', () => {
    const require = createRequire(import.meta.url)
    const metering = require('wasm-metering') as {
      meterWASM(wasm: Buffer, options: { meterType: 'i64' }): Buffer
    }
    const policy = `
      fn proposal_passes(yes: Int, no: Int, abstain: Int, eligible: Int) -> Bool {
        let mut i = 0; let mut acc = 0;
        while i < 50 { i += 1; acc += yes % 7; }
        return acc > 0 && (yes + no + abstain) * 2 >= eligible && has_role(did("did:key:a"), "steward");
      }`
    const metered = metering.meterWASM(Buffer.from(compile(policy).wasm), { meterType: 'i64' })
    expect(wasmApi.validate(metered)).toBe(true)
    let gas = 0n
    const late: { memory?: { buffer: ArrayBuffer } } = {}
    const imports = icnImports(contextHost(policyContext({ roles: { 'did:key:a': ['steward'] } })), () => {
      if (late.memory === undefined) throw new Error('no memory yet')
      return late.memory
    })
    imports.metering = { usegas: (used: bigint) => void (gas += used) }
    const instance = new wasmApi.Instance(new wasmApi.Module(metered), imports)
    late.memory = instance.exports.memory as { buffer: ArrayBuffer }
    const passes = instance.exports.proposal_passes as (...args: bigint[]) => number
    expect(passes(6n, 4n, 0n, 20n)).toBe(1)
    expect(passes(6n, 4n, 0n, 21n)).toBe(0)
    expect(gas).toBeGreaterThan(0n)
  })

  it('contains no fuel metering: no globals besides the heap pointer, no imports outside the ABI', () => {
    const wasm = compile(
      'fn vote_weight(voter: Did) -> Int { let mut i = 0; while i < 10 { i += 1; } return i; }',
    ).wasm
    const shape = moduleShape(wasm)
    expect(shape.imports).toEqual([])
    expect(shape.globals).toEqual([{ type: 'i32', mutable: true }])
    // Without an instrumenter the loop runs free: nothing in the module counts.
    expect(runCompiledValue(wasm)).toBe(10n)
  })

  it('allocates 8-byte-aligned blocks, grows memory, and traps out_of_memory on huge requests', () => {
    const instance = new wasmApi.Instance(
      new wasmApi.Module(compile('fn vote_weight(voter: Did) -> Int { return 1; }').wasm),
      {
        icn: {},
      },
    )
    const alloc = instance.exports.icn_alloc as (n: number) => number
    const memory = instance.exports.memory as { buffer: ArrayBuffer }
    const a = alloc(3)
    const b = alloc(5)
    expect(a % 8).toBe(0)
    expect(b % 8).toBe(0)
    expect(b).toBeGreaterThanOrEqual(a + 3)
    const big = alloc(300_000)
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 300_000)
    expect(() => alloc(-1)).toThrow(wasmApi.RuntimeError)
    expect(new DataView(memory.buffer).getInt32(0, true)).toBe(6)
  })
})

describe('ccl: determinism', () => {
  it('compiles the same source to the same bytes, whatever the file name', () => {
    const source = `
      const GREETING: String = "hi";
      struct S { a: Int, b: String }
      fn f(x: Int) -> S { return S { b: GREETING + "!", a: x }; }
      fn vote_weight(voter: Did) -> Int { log("a"); log("b"); log(GREETING); return f(2).a + len(f(3).b); }
      fn can_propose(p: Did, kind: String) -> Bool { return kind == "a" || kind == "b"; }
    `
    const first = compile(source, { file: 'one.ccl' }).wasm
    const second = compile(source, { file: 'two.ccl' }).wasm
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true)
    // Every distinct literal is stored once.
    const text = new TextDecoder('latin1').decode(first)
    expect(text.match(/hi/g)?.length).toBe(1)
  })
})

describe('ccl: output stability', () => {
  it('emits exactly the pinned bytes for the examples at this compiler version', () => {
    // If this fails after a deliberate codegen change, bump CCL_COMPILER_VERSION and update the hashes: a node
    // recompiling an old proposal's source with a different compiler would otherwise get a different module CID.
    expect(CCL_COMPILER_VERSION).toBe(1)
    const pinned: Record<string, string> = {
      'job-allow-list.ccl': '333e087c14560145ce995f833d1ad832a073aae0c31b62883cbb3ede51d82d12',
      'mana-cost-by-reputation.ccl': '8153dde5579747c0234969e1ac8eb2571298d57427f6839dc797fdb56878bdcb',
      'quorum-by-role.ccl': '7b68f0ea3835e17e68d387448b5b5473815080ee0b5c62414e859902d3cce4f0',
      'tenure-weighted-votes.ccl': '8a0da8cc8fef150115c5ec08ca6b83fbaa80c73a6c3093120b1cfb9c715f79e7',
    }
    for (const [file, hash] of Object.entries(pinned)) {
      const source = readFileSync(join(import.meta.dirname, '..', '..', 'resources', 'ccl', file), 'utf8')
      const digest = createHash('sha256').update(compile(source).wasm).digest('hex')
      expect({ file, digest }).toEqual({ file, digest: hash })
    }
  })
})

describe('ccl: API and errors', () => {
  it('throws CCL_SYNTAX, CCL_TYPE with the diagnostics, and formats them for people', () => {
    const syntax = (() => {
      try {
        compile('fn vote_weight(voter: Did) -> Int { return 1 }', { file: 'w.ccl' })
      } catch (err) {
        return err
      }
    })()
    expect(isIcnError(syntax, 'CCL_SYNTAX')).toBe(true)
    expect((syntax as Error).message).toBe(
      'w.ccl:1:45: error[CCL0101]: expected `;`, found `}`\nfn vote_weight(voter: Did) -> Int { return 1 }\n                                            ^',
    )
    const typed = (() => {
      try {
        compile('fn vote_weight(voter: Did) -> Int {\n    return voter;\n}\nfn f() -> Bool { return 1; }')
      } catch (err) {
        return err
      }
    })()
    expect(isIcnError(typed, 'CCL_TYPE')).toBe(true)
    const diagnostics = (typed as { details: { diagnostics: unknown[] } }).details.diagnostics
    expect(diagnostics).toHaveLength(2)
    expect(formatDiagnostic(diagnostics[0] as never)).toBe(
      'policy.ccl:2:12: error[CCL0204]: `vote_weight` returns Int, found Did\n    return voter;\n           ^^^^^',
    )
    expect((typed as Error).message).toContain('(and 1 more error)')
  })

  it('reports the expected signature for a policy entry point with the wrong one', () => {
    const [d] = check('fn vote_weight(voter: Did) -> Bool { return true; }')
    expect(d).toMatchObject({
      code: 'CCL0210',
      line: 1,
      column: 4,
      message:
        'policy entry point `vote_weight` must have the signature `fn vote_weight(voter: Did) -> Int`, found `fn vote_weight(voter: Did) -> Bool`',
    })
    expect(
      check('fn job_admission(a: Did, b: Did, c: Int, d: Int) -> Bool { return true; }')[0],
    ).toMatchObject({ code: 'CCL0210' })
    expect(check('fn can_propose(a: Did) -> Bool { return true; }')[0]).toMatchObject({ code: 'CCL0210' })
  })

  it('warns, but compiles, a program without entry points', () => {
    const result = compile('fn helper() -> Int { return 1; }')
    expect(result.policies).toEqual([])
    expect(result.diagnostics.map((d) => [d.code, d.severity])).toEqual([['CCL0302', 'warning']])
  })

  it('interprets only known functions with well-typed arguments', () => {
    const host = contextHost(policyContext())
    const source = 'fn vote_weight(voter: Did) -> Int { return 1; }'
    expect(thrown(() => interpret(source, 'mana_cost', [], host))).toMatchObject({
      code: 'CCL_UNKNOWN_POLICY',
    })
    expect(() => interpret(source, 'vote_weight', [1n], host)).toThrow(TypeError)
    expect(thrown(() => interpret('fn x( {', 'vote_weight', [ALICE], host))).toMatchObject({
      code: 'CCL_SYNTAX',
    })
  })
})
