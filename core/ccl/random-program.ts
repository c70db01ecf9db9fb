/**
 * Random well-typed CCL programs for differential testing. The program is built from a "tape" of numbers that
 * fast-check generates (and shrinks), so one generator keeps track of scopes and types while fast-check explores.
 * Every loop is bounded by construction, so every program terminates; traps are expected and welcome.
 */

type Scalar = 'Int' | 'Bool'

interface Variable {
  name: string
  type: Scalar
  /** Loop counters are mutable but only their loop may change them. */
  assignable: boolean
}

interface Helper {
  name: string
  params: Scalar[]
  result: Scalar
}

const INT_LITERALS = [
  '0',
  '1',
  '-1',
  '2',
  '3',
  '7',
  '10',
  '-10',
  '100',
  '65536',
  '4294967296',
  '3037000499',
  '3037000500',
  '4611686018427387904',
  '9223372036854775807',
  '-9223372036854775807',
  '-9223372036854775808',
]

const STRING_LITERALS = [
  '""',
  '"a"',
  '"ab"',
  '"did:"',
  '"did:key:z6Mk"',
  '"héllo"',
  '"\\u{1F600}"',
  '"x\\ny"',
]

const ARITHMETIC = ['+', '-', '*', '/', '%']
const COMPARISONS = ['<', '<=', '>', '>=', '==', '!=']

class Tape {
  private pos = 0
  constructor(private readonly values: readonly number[]) {}

  /** A number in [0, n); 0 once the tape runs out, which steers towards leaves and ends the program. */
  pick(n: number): number {
    if (n <= 1) return 0
    const value = this.values[this.pos++]
    return value === undefined ? 0 : value % n
  }

  get exhausted(): boolean {
    return this.pos >= this.values.length
  }
}

export interface RandomProgram {
  source: string
  /** Names of the `param_int` parameters the program reads (set them in the context to vary inputs). */
  params: string[]
}

export function randomProgram(values: readonly number[]): RandomProgram {
  return new Generator(new Tape(values)).program()
}

class Generator {
  private counter = 0
  private readonly helpers: Helper[] = []
  private readonly lines: string[] = []
  private result: Scalar = 'Int'

  constructor(private readonly tape: Tape) {}

  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`
  }

  program(): RandomProgram {
    const params = ['p0', 'p1', 'p2']
    this.lines.push('struct P { a: Int, b: Bool, s: String }')
    this.lines.push(`const C0: Int = ${this.literal()};`)
    this.lines.push('const C1: Bool = true;')
    const helperCount = this.tape.pick(4)
    for (let i = 0; i < helperCount; i++) this.helper()

    this.result = 'Int'
    const entryScope: Variable[] = params.map((p) => ({ name: p, type: 'Int', assignable: false }))
    const body = [
      ...params.map((p) => `let ${p} = param_int("${p}", 0);`),
      ...this.statements(3, entryScope, 0),
    ]
    body.push(`return ${this.expr('Int', 3, entryScope)};`)
    this.lines.push('fn vote_weight(voter: Did) -> Int {', ...indent(body), '}')

    this.result = 'Bool'
    const tallyScope: Variable[] = ['yes', 'no', 'abstain', 'eligible'].map((p) => ({
      name: p,
      type: 'Int',
      assignable: false,
    }))
    const tally = [...this.statements(2, tallyScope, 0), `return ${this.expr('Bool', 3, tallyScope)};`]
    this.lines.push(
      'fn proposal_passes(yes: Int, no: Int, abstain: Int, eligible: Int) -> Bool {',
      ...indent(tally),
      '}',
    )
    return { source: this.lines.join('\n') + '\n', params }
  }

  private helper(): void {
    const params: Scalar[] = Array.from({ length: 1 + this.tape.pick(3) }, () => this.scalar())
    const result = this.scalar()
    const name = this.fresh('h')
    const scope: Variable[] = params.map((type, i) => ({ name: `a${i}`, type, assignable: false }))
    this.result = result
    const body = [...this.statements(2, scope, 0), `return ${this.expr(result, 3, scope)};`]
    const signature = params.map((type, i) => `a${i}: ${type}`).join(', ')
    this.lines.push(`fn ${name}(${signature}) -> ${result} {`, ...indent(body), '}')
    // Registered after its body, so helpers only call earlier helpers: no recursion, every call returns.
    this.helpers.push({ name, params, result })
  }

  private scalar(): Scalar {
    return this.tape.pick(2) === 0 ? 'Int' : 'Bool'
  }

  private literal(): string {
    return this.tape.pick(3) === 0
      ? String(this.tape.pick(41) - 20)
      : (INT_LITERALS[this.tape.pick(INT_LITERALS.length)] as string)
  }

  // ---- statements -----------------------------------------------------------------------------------------

  private statements(depth: number, outer: Variable[], loops: number): string[] {
    const scope = [...outer]
    const out: string[] = []
    const count = this.tape.exhausted ? 0 : this.tape.pick(4)
    for (let i = 0; i < count; i++) out.push(...this.statement(depth, scope, loops))
    return out
  }

  private statement(depth: number, scope: Variable[], loops: number): string[] {
    const choice = this.tape.pick(depth > 0 ? 11 : 4)
    switch (choice) {
      case 0:
      case 1: {
        const type = this.scalar()
        const mutable = this.tape.pick(2) === 0
        const name = this.fresh('v')
        const line = `let ${mutable ? 'mut ' : ''}${name} = ${this.expr(type, 2, scope)};`
        scope.push({ name, type, assignable: mutable })
        return [line]
      }
      case 2: {
        const target = this.pickVariable(scope, undefined, true)
        if (target === undefined) return [`log(${this.stringExpr(1, scope)});`]
        if (target.type === 'Int' && this.tape.pick(2) === 0) {
          const op = ['+=', '-=', '*=', '/=', '%='][this.tape.pick(5)] as string
          return [`${target.name} ${op} ${this.expr('Int', 2, scope)};`]
        }
        return [`${target.name} = ${this.expr(target.type, 2, scope)};`]
      }
      case 3:
        if (loops > 0 && this.tape.pick(2) === 0)
          return [`if ${this.expr('Bool', 1, scope)} { ${this.tape.pick(2) === 0 ? 'break' : 'continue'}; }`]
        return [`log(${this.stringExpr(1, scope)});`]
      case 4:
      case 5: {
        const then = this.statements(depth - 1, scope, loops)
        const otherwise = this.tape.pick(2) === 0 ? undefined : this.statements(depth - 1, scope, loops)
        const head = `if ${this.expr('Bool', 2, scope)} {`
        if (otherwise === undefined) return [head, ...indent(then), '}']
        return [head, ...indent(then), '} else {', ...indent(otherwise), '}']
      }
      case 6: {
        const counter = this.fresh('c')
        const bound = 1 + this.tape.pick(4)
        const inner = [...scope, { name: counter, type: 'Int' as const, assignable: false }]
        const body = this.statements(depth - 1, inner, loops + 1)
        // The counter is bumped first, so `continue` cannot skip it.
        return [
          `let mut ${counter} = 0;`,
          `while ${counter} < ${bound} && ${this.expr('Bool', 1, inner)} {`,
          ...indent([`${counter} = ${counter} + 1;`, ...body]),
          '}',
        ]
      }
      case 7: {
        const name = this.fresh('i')
        const from = this.tape.pick(7) - 3
        const to = from + this.tape.pick(5)
        const body = this.statements(
          depth - 1,
          [...scope, { name, type: 'Int', assignable: false }],
          loops + 1,
        )
        return [`for ${name} in ${from}..${to} {`, ...indent(body), '}']
      }
      case 8: {
        const name = this.fresh('x')
        const items = Array.from({ length: this.tape.pick(4) }, () => this.expr('Int', 1, scope))
        const body = this.statements(
          depth - 1,
          [...scope, { name, type: 'Int', assignable: false }],
          loops + 1,
        )
        if (items.length > 0) return [`for ${name} in [${items.join(', ')}] {`, ...indent(body), '}']
        const empty = this.fresh('e')
        return [`let ${empty}: [Int] = [];`, `for ${name} in ${empty} {`, ...indent(body), '}']
      }
      case 9:
        return [`if ${this.expr('Bool', 1, scope)} { return ${this.expr(this.result, 2, scope)}; }`]
      default: {
        const helper = this.pickHelper()
        if (helper === undefined) return [`log(${this.stringExpr(2, scope)});`]
        return [`${helper.name}(${helper.params.map((t) => this.expr(t, 1, scope)).join(', ')});`]
      }
    }
  }

  private pickVariable(
    scope: Variable[],
    type: Scalar | undefined,
    assignable: boolean,
  ): Variable | undefined {
    const candidates = scope.filter(
      (v) => (type === undefined || v.type === type) && (!assignable || v.assignable),
    )
    if (candidates.length === 0) return undefined
    return candidates[this.tape.pick(candidates.length)]
  }

  private pickHelper(result?: Scalar): Helper | undefined {
    const candidates = this.helpers.filter((h) => result === undefined || h.result === result)
    if (candidates.length === 0) return undefined
    return candidates[this.tape.pick(candidates.length)]
  }

  // ---- expressions ----------------------------------------------------------------------------------------

  private expr(type: Scalar, depth: number, scope: Variable[]): string {
    return type === 'Int' ? this.intExpr(depth, scope) : this.boolExpr(depth, scope)
  }

  private intExpr(depth: number, scope: Variable[]): string {
    const leaf = (): string => {
      const choice = this.tape.pick(4)
      const variable = this.pickVariable(scope, 'Int', false)
      if (choice === 0 && variable !== undefined) return variable.name
      if (choice === 1) return 'C0'
      return this.literal()
    }
    if (depth <= 0 || this.tape.exhausted) return leaf()
    const d = depth - 1
    switch (this.tape.pick(12)) {
      case 0:
      case 1:
      case 2:
        return `(${this.intExpr(d, scope)} ${ARITHMETIC[this.tape.pick(ARITHMETIC.length)] as string} ${this.intExpr(d, scope)})`
      case 3:
        return `(-${this.intExpr(d, scope)})`
      case 4: {
        const helper = this.pickHelper('Int')
        if (helper === undefined) return leaf()
        return `${helper.name}(${helper.params.map((t) => this.expr(t, d, scope)).join(', ')})`
      }
      case 5: {
        const items = Array.from({ length: 1 + this.tape.pick(3) }, () => this.intExpr(d, scope))
        const index = this.tape.pick(2) === 0 ? String(this.tape.pick(5) - 1) : this.intExpr(d, scope)
        return `[${items.join(', ')}][${index}]`
      }
      case 6: {
        const a = `mana(${this.intExpr(d, scope)})`
        const b = this.intExpr(d, scope)
        const form = this.tape.pick(5)
        const op = ['+', '-', '*', '/', '%'][form] as string
        return `int(${a} ${op} ${form < 2 ? `mana(${b})` : b})`
      }
      case 7:
        return `len(${this.stringExpr(d, scope)})`
      case 8:
        // Parenthesised: a struct literal cannot stand bare in an `if` or `while` condition.
        return `(P { s: ${this.stringExpr(0, scope)}, b: ${this.boolExpr(d, scope)}, a: ${this.intExpr(d, scope)} }).a`
      case 9:
        return [
          'member_count()',
          'now()',
          'abi_version()',
          `param_int("p${this.tape.pick(4)}", ${this.literal()})`,
        ][this.tape.pick(4)] as string
      default:
        return leaf()
    }
  }

  private boolExpr(depth: number, scope: Variable[]): string {
    const leaf = (): string => {
      const variable = this.pickVariable(scope, 'Bool', false)
      const choice = this.tape.pick(4)
      if (choice === 0 && variable !== undefined) return variable.name
      if (choice === 1) return 'C1'
      return choice === 2 ? 'true' : 'false'
    }
    if (depth <= 0 || this.tape.exhausted) return leaf()
    const d = depth - 1
    switch (this.tape.pick(11)) {
      case 0:
        return `(${this.boolExpr(d, scope)} && ${this.boolExpr(d, scope)})`
      case 1:
        return `(${this.boolExpr(d, scope)} || ${this.boolExpr(d, scope)})`
      case 2:
        return `(!${this.boolExpr(d, scope)})`
      case 3:
      case 4:
        return `(${this.intExpr(d, scope)} ${COMPARISONS[this.tape.pick(COMPARISONS.length)] as string} ${this.intExpr(d, scope)})`
      case 5:
        return `(${this.boolExpr(d, scope)} ${this.tape.pick(2) === 0 ? '==' : '!='} ${this.boolExpr(d, scope)})`
      case 6:
        return `(${this.stringExpr(d, scope)} ${this.tape.pick(2) === 0 ? '==' : '!='} ${this.stringExpr(d, scope)})`
      case 7: {
        const helper = this.pickHelper('Bool')
        if (helper === undefined) return leaf()
        return `${helper.name}(${helper.params.map((t) => this.expr(t, d, scope)).join(', ')})`
      }
      case 8:
        return `(P { a: ${this.intExpr(d, scope)}, b: ${this.boolExpr(d, scope)}, s: "" }).b`
      case 9: {
        const who = `did("did:key:" + ${this.stringExpr(0, scope)})`
        return this.tape.pick(2) === 0
          ? `is_member(${who})`
          : `has_role(${who}, ${this.stringExpr(0, scope)})`
      }
      default:
        return leaf()
    }
  }

  private stringExpr(depth: number, scope: Variable[]): string {
    const leaf = (): string => STRING_LITERALS[this.tape.pick(STRING_LITERALS.length)] as string
    if (depth <= 0 || this.tape.exhausted) return leaf()
    const d = depth - 1
    switch (this.tape.pick(4)) {
      case 0:
        return `(${this.stringExpr(d, scope)} + ${this.stringExpr(d, scope)})`
      case 1:
        // Never a bare literal: `did("x")` of a literal that is not a DID is a compile error, not a trap.
        return `string(did(${this.stringExpr(d, scope)} + ${leaf()}))`
      default:
        return leaf()
    }
  }
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `    ${line}`)
}
