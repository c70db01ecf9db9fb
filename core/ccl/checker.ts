/**
 * Name resolution and type checking. Annotates the tree in place and returns the tables the code generator and the
 * interpreter share. Reports every error it can find: an expression whose type is unknown gets the `error` type,
 * which is compatible with everything, so one mistake produces one diagnostic.
 */
import type { DiagnosticSink, Span } from './diagnostics'
import type { BuiltinName, ConstDecl, ConstValue, Expr, FnDecl, Program, Stmt, Block, TypeNode } from './ast'
import { HOST_IMPORTS, POLICY_ENTRIES, type HostImportName, type PolicyName } from '../runtime/abi'
import {
  BOOL,
  DID,
  ERROR,
  INT,
  MANA,
  PRIMITIVES,
  STRING,
  UNIT,
  isPrim,
  sameType,
  typeName,
  type Type,
} from './types'
import {
  checkedAdd,
  checkedDiv,
  checkedMul,
  checkedNeg,
  checkedRem,
  checkedSub,
  didCheck,
  manaCheck,
  trapKindOf,
  utf8Length,
} from './ops'

export const BUILTINS: readonly BuiltinName[] = ['len', 'mana', 'int', 'did', 'string']

export interface StructInfo {
  name: string
  fields: { name: string; type: Type }[]
}

export interface CheckedFunction {
  name: string
  decl: FnDecl
  /** Position among the program's functions (source order). */
  index: number
  params: Type[]
  result: Type
  /** Types of every local slot: parameters first, then each `let` and loop variable in order of appearance. */
  locals: Type[]
  policy?: PolicyName
}

export interface CheckedProgram {
  readonly kind: 'checked-program'
  functions: CheckedFunction[]
  functionsByName: Map<string, CheckedFunction>
  structs: Map<string, StructInfo>
  /** Entry points the program defines, in the order of POLICY_ENTRIES. */
  policies: PolicyName[]
  /** Host functions the program calls, in the order of HOST_IMPORTS. */
  hostImports: HostImportName[]
}

interface LocalBinding {
  id: number
  type: Type
  mutable: boolean
  what: 'variable' | 'parameter' | 'loop variable'
}

interface ConstInfo {
  type: Type
  value?: ConstValue
  /** Position in source order, so initialisers can only use earlier constants. */
  order: number
}

const HOST_NAMES = Object.keys(HOST_IMPORTS) as HostImportName[]
const POLICY_NAMES = Object.keys(POLICY_ENTRIES) as PolicyName[]

function isHostName(name: string): name is HostImportName {
  return Object.hasOwn(HOST_IMPORTS, name)
}

function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(POLICY_ENTRIES, name)
}

function isBuiltin(name: string): name is BuiltinName {
  return (BUILTINS as readonly string[]).includes(name)
}

export function checkProgram(program: Program, sink: DiagnosticSink): CheckedProgram {
  return new Checker(sink).run(program)
}

class Checker {
  private readonly structs = new Map<string, StructInfo>()
  private readonly consts = new Map<string, ConstInfo>()
  private readonly functions = new Map<string, CheckedFunction>()
  private readonly usedHost = new Set<HostImportName>()
  /** Every constant's position, known before any initialiser is checked. */
  private readonly constOrder = new Map<string, number>()

  // Per-function state.
  private scopes: Map<string, LocalBinding>[] = []
  private current: CheckedFunction | undefined
  private loopDepth = 0
  /** Set while checking a constant initialiser: only earlier constants are visible. */
  private constContext: { order: number } | undefined

  constructor(private readonly sink: DiagnosticSink) {}

  private error(code: Parameters<DiagnosticSink['report']>[0], message: string, span: Span): void {
    this.sink.report(code, message, span)
  }

  run(program: Program): CheckedProgram {
    const itemNames = new Map<string, Span>()
    const declare = (name: string, span: Span, what: string): boolean => {
      const previous = itemNames.get(name)
      if (previous !== undefined) {
        const { line } = this.sink.map.position(previous.start)
        this.error('CCL0208', `${what} \`${name}\` is already defined on line ${line}`, span)
        return false
      }
      itemNames.set(name, span)
      return true
    }

    // Struct names first, so field, parameter and constant types can refer to any struct.
    const structDecls = program.items.filter((item) => item.kind === 'struct')
    for (const decl of structDecls) {
      if (Object.hasOwn(PRIMITIVES, decl.name)) {
        this.error(
          'CCL0218',
          `\`${decl.name}\` is a built-in type; choose another struct name`,
          decl.nameSpan,
        )
        continue
      }
      if (declare(decl.name, decl.nameSpan, 'struct'))
        this.structs.set(decl.name, { name: decl.name, fields: [] })
    }
    for (const decl of structDecls) {
      const info = this.structs.get(decl.name)
      const seen = new Set<string>()
      for (const field of decl.fields) {
        const type = this.resolveType(field.type)
        if (seen.has(field.name)) {
          this.error('CCL0208', `field \`${field.name}\` is declared twice in \`${decl.name}\``, field.span)
          continue
        }
        seen.add(field.name)
        info?.fields.push({ name: field.name, type })
      }
    }

    const fnDecls = program.items.filter((item) => item.kind === 'fn')
    const functions: CheckedFunction[] = []
    for (const decl of fnDecls) {
      const params = decl.params.map((p) => this.resolveType(p.type))
      const result = decl.result === undefined ? UNIT : this.resolveType(decl.result)
      const fn: CheckedFunction = {
        name: decl.name,
        decl,
        index: functions.length,
        params,
        result,
        locals: [...params],
      }
      if (isHostName(decl.name) || isBuiltin(decl.name)) {
        const what = isHostName(decl.name) ? 'a host function' : 'a built-in function'
        this.error('CCL0218', `\`${decl.name}\` is ${what}; choose another function name`, decl.nameSpan)
      } else if (declare(decl.name, decl.nameSpan, 'function')) {
        this.functions.set(decl.name, fn)
      }
      if (isPolicyName(decl.name)) {
        this.checkEntrySignature({ ...fn, policy: decl.name })
        fn.policy = decl.name
      }
      functions.push(fn)
    }

    const constDecls = program.items.filter((item) => item.kind === 'const')
    constDecls.forEach((decl, order) => {
      if (!this.constOrder.has(decl.name)) this.constOrder.set(decl.name, order)
    })
    constDecls.forEach((decl, order) => {
      if (declare(decl.name, decl.nameSpan, 'constant')) this.checkConst(decl, order)
    })

    for (const fn of functions) this.checkFunction(fn)

    const policies = POLICY_NAMES.filter((name) => this.functions.get(name)?.policy === name)
    if (policies.length === 0 && !this.sink.hasErrors()) {
      this.error(
        'CCL0302',
        `no policy entry point: define one of ${POLICY_NAMES.map((n) => `\`${n}\``).join(', ')} for the node to call`,
        { start: 0, end: 0 },
      )
    }
    return {
      kind: 'checked-program',
      functions,
      functionsByName: this.functions,
      structs: this.structs,
      policies,
      hostImports: HOST_NAMES.filter((name) => this.usedHost.has(name)),
    }
  }

  private resolveType(node: TypeNode): Type {
    if (node.kind === 'array') {
      const element = this.resolveType(node.element)
      return element.kind === 'error' ? ERROR : { kind: 'array', element }
    }
    const prim = Object.hasOwn(PRIMITIVES, node.name)
      ? PRIMITIVES[node.name as keyof typeof PRIMITIVES]
      : undefined
    if (prim !== undefined) return prim
    if (this.structs.has(node.name)) return { kind: 'struct', name: node.name }
    const hint = suggest(node.name, [...Object.keys(PRIMITIVES), ...this.structs.keys()])
    this.error('CCL0203', `unknown type \`${node.name}\`${hint}`, node.span)
    return ERROR
  }

  private checkEntrySignature(fn: CheckedFunction & { policy: PolicyName }): void {
    const spec = POLICY_ENTRIES[fn.policy]
    if (fn.params.some((t) => t.kind === 'error') || fn.result.kind === 'error') return
    const matches =
      fn.params.length === spec.params.length &&
      spec.params.every((p, i) => {
        const actual = fn.params[i]
        return actual !== undefined && isPrim(actual, p.type)
      }) &&
      isPrim(fn.result, spec.result)
    if (matches) return
    const expected = `fn ${fn.name}(${spec.params.map((p) => `${p.name}: ${p.type}`).join(', ')}) -> ${spec.result}`
    const params = fn.decl.params.map((p, i) => `${p.name}: ${typeName(fn.params[i] ?? ERROR)}`).join(', ')
    const found = `fn ${fn.name}(${params})${fn.result.kind === 'unit' ? '' : ` -> ${typeName(fn.result)}`}`
    this.error(
      'CCL0210',
      `policy entry point \`${fn.name}\` must have the signature \`${expected}\`, found \`${found}\``,
      fn.decl.nameSpan,
    )
  }

  // ---- constants ------------------------------------------------------------------------------------------

  private checkConst(decl: ConstDecl, order: number): void {
    const type = this.resolveType(decl.type)
    const info: ConstInfo = { type, order }
    this.consts.set(decl.name, info)
    if (type.kind !== 'prim' && type.kind !== 'error') {
      this.error(
        'CCL0214',
        `constant \`${decl.name}\` has type ${typeName(type)}; constants must be Int, Bool, String, Did or Mana`,
        decl.type.span,
      )
      return
    }
    const nonConstant = findNonConstant(decl.init)
    if (nonConstant !== undefined) {
      this.error(
        'CCL0214',
        'a constant initialiser may only use literals, earlier constants, operators and `mana`, `int`, `did`, `string`, `len`',
        nonConstant.span,
      )
      return
    }
    const before = this.sink.items.length
    this.constContext = { order }
    const actual = this.checkValue(decl.init, type)
    this.constContext = undefined
    if (!sameType(type, actual)) {
      this.error(
        'CCL0204',
        `constant \`${decl.name}\` is declared as ${typeName(type)} but its value is ${typeName(actual)}`,
        decl.init.span,
      )
      return
    }
    if (this.sink.items.length > before || type.kind === 'error') return
    try {
      info.value = this.fold(decl.init)
    } catch (err) {
      const trap = trapKindOf(err)
      if (trap === undefined) throw err
      this.error(
        'CCL0214',
        `constant \`${decl.name}\` cannot be evaluated: it traps with ${trap}`,
        decl.init.span,
      )
    }
  }

  /** Evaluates a checked constant initialiser with the same arithmetic as the interpreter. */
  private fold(expr: Expr): ConstValue {
    switch (expr.kind) {
      case 'int':
      case 'bool':
      case 'string':
        return expr.value
      case 'name': {
        const value = expr.ref?.kind === 'const' ? expr.ref.value : undefined
        if (value === undefined) throw new Error(`constant folding reached unresolved name ${expr.name}`)
        return value
      }
      case 'unary': {
        const value = this.fold(expr.operand)
        return expr.op === '!' ? !(value as boolean) : checkedNeg(value as bigint)
      }
      case 'binary':
        return foldBinary(
          expr,
          () => this.fold(expr.left),
          () => this.fold(expr.right),
        )
      case 'call': {
        const arg = this.fold(expr.args[0] as Expr)
        switch (expr.name) {
          case 'mana':
            return manaCheck(arg as bigint)
          case 'did':
            return didCheck(arg as string)
          case 'len':
            return utf8Length(arg as string)
          default:
            return arg
        }
      }
      default:
        throw new Error(`constant folding reached ${expr.kind}`)
    }
  }

  // ---- functions ------------------------------------------------------------------------------------------

  private checkFunction(fn: CheckedFunction): void {
    this.current = fn
    this.loopDepth = 0
    const scope = new Map<string, LocalBinding>()
    fn.decl.params.forEach((param, i) => {
      if (scope.has(param.name)) {
        this.error('CCL0208', `parameter \`${param.name}\` is declared twice in \`${fn.name}\``, param.span)
        return
      }
      scope.set(param.name, { id: i, type: fn.params[i] ?? ERROR, mutable: false, what: 'parameter' })
    })
    this.scopes = [scope]
    const diverges = this.checkBlock(fn.decl.body, false)
    if (!diverges && fn.result.kind !== 'unit' && fn.result.kind !== 'error') {
      this.error(
        'CCL0209',
        `\`${fn.name}\` must return ${article(fn.result)} on every path; add a \`return\` at the end of its body`,
        fn.decl.nameSpan,
      )
    }
    this.current = undefined
  }

  private newLocal(name: string, type: Type, mutable: boolean, what: LocalBinding['what']): number {
    const fn = this.current as CheckedFunction
    const id = fn.locals.length
    fn.locals.push(type)
    const scope = this.scopes[this.scopes.length - 1] as Map<string, LocalBinding>
    scope.set(name, { id, type, mutable, what })
    return id
  }

  private lookupLocal(name: string): LocalBinding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i]?.get(name)
      if (found !== undefined) return found
    }
    return undefined
  }

  /** Returns whether control never reaches the end of the block. */
  private checkBlock(block: Block, newScope = true): boolean {
    if (newScope) this.scopes.push(new Map())
    let diverges = false
    let warned = false
    for (const stmt of block.stmts) {
      if (diverges && !warned) {
        this.error(
          'CCL0301',
          'unreachable code: this statement follows a `return`, `break` or `continue`',
          stmt.span,
        )
        warned = true
      }
      if (this.checkStmt(stmt)) diverges = true
    }
    if (newScope) this.scopes.pop()
    return diverges
  }

  private loopBody(block: Block, setup?: () => void): void {
    this.loopDepth++
    this.scopes.push(new Map())
    setup?.()
    this.checkBlock(block, false)
    this.scopes.pop()
    this.loopDepth--
  }

  private checkStmt(stmt: Stmt): boolean {
    const fn = this.current as CheckedFunction
    switch (stmt.kind) {
      case 'let': {
        const declared = stmt.annotation === undefined ? undefined : this.resolveType(stmt.annotation)
        const actual = this.checkValue(stmt.init, declared)
        if (declared !== undefined && !sameType(declared, actual)) {
          this.error(
            'CCL0204',
            `\`${stmt.name}\` is declared as ${typeName(declared)} but initialised with ${typeName(actual)}`,
            stmt.init.span,
          )
        }
        stmt.local = this.newLocal(stmt.name, declared ?? actual, stmt.mutable, 'variable')
        return false
      }
      case 'assign': {
        const binding = this.lookupLocal(stmt.name)
        if (binding === undefined) {
          if (this.consts.has(stmt.name)) {
            this.error('CCL0207', `cannot assign to constant \`${stmt.name}\``, stmt.nameSpan)
          } else {
            this.unknownName(stmt.name, stmt.nameSpan)
          }
          // Still check what is assigned, but not the target again (`x += e` reads `x`).
          const assigned = stmt.value.kind === 'binary' && stmt.op !== '=' ? stmt.value.right : stmt.value
          this.checkValue(assigned)
          return false
        }
        const valueType = this.checkValue(stmt.value, binding.type)
        stmt.local = binding.id
        if (!binding.mutable) {
          const fix = binding.what === 'variable' ? `; declare it with \`let mut ${stmt.name}\`` : ''
          this.error(
            'CCL0207',
            `cannot assign to ${binding.what} \`${stmt.name}\`: it is immutable${fix}`,
            stmt.nameSpan,
          )
        } else if (!sameType(binding.type, valueType)) {
          this.error(
            'CCL0204',
            `cannot assign ${typeName(valueType)} to \`${stmt.name}\`, which is ${typeName(binding.type)}`,
            stmt.value.span,
          )
        }
        return false
      }
      case 'if': {
        this.condition(stmt.cond, '`if`')
        const thenDiverges = this.checkBlock(stmt.then)
        const elseDiverges = stmt.otherwise === undefined ? false : this.checkBlock(stmt.otherwise)
        return thenDiverges && elseDiverges
      }
      case 'while':
        this.condition(stmt.cond, '`while`')
        this.loopBody(stmt.body)
        return false
      case 'for-range': {
        for (const bound of [stmt.from, stmt.to]) {
          const type = this.checkValue(bound)
          if (!sameType(type, INT))
            this.error('CCL0204', `range bounds must be Int, found ${typeName(type)}`, bound.span)
        }
        this.loopBody(stmt.body, () => {
          stmt.local = this.newLocal(stmt.name, INT, false, 'loop variable')
        })
        return false
      }
      case 'for-each': {
        const type = this.checkValue(stmt.iterable)
        let element: Type = ERROR
        if (type.kind === 'array') element = type.element
        else if (type.kind !== 'error') {
          this.error(
            'CCL0220',
            `cannot iterate over ${typeName(type)}: \`for … in\` needs an array or a range \`a..b\``,
            stmt.iterable.span,
          )
        }
        this.loopBody(stmt.body, () => {
          stmt.local = this.newLocal(stmt.name, element, false, 'loop variable')
        })
        return false
      }
      case 'return': {
        if (fn.result.kind === 'unit') {
          if (stmt.value !== undefined) {
            this.checkExpr(stmt.value)
            this.error(
              'CCL0213',
              `\`${fn.name}\` has no result type: remove the value or declare \`-> T\``,
              stmt.value.span,
            )
          }
        } else if (stmt.value === undefined) {
          this.error(
            'CCL0213',
            `\`${fn.name}\` must return ${article(fn.result)}: write \`return <value>;\``,
            stmt.span,
          )
        } else {
          const type = this.checkValue(stmt.value, fn.result)
          if (!sameType(type, fn.result)) {
            this.error(
              'CCL0204',
              `\`${fn.name}\` returns ${typeName(fn.result)}, found ${typeName(type)}`,
              stmt.value.span,
            )
          }
        }
        return true
      }
      case 'break':
      case 'continue':
        if (this.loopDepth === 0) this.error('CCL0212', `\`${stmt.kind}\` outside a loop`, stmt.span)
        return true
      case 'expr':
        if (stmt.expr.kind !== 'call') {
          this.checkExpr(stmt.expr)
          this.error(
            'CCL0217',
            'this expression has no effect: only calls can be statements (use `let` to keep a value)',
            stmt.expr.span,
          )
          return false
        }
        this.checkExpr(stmt.expr)
        return false
    }
  }

  private condition(expr: Expr, what: string): void {
    const type = this.checkValue(expr, BOOL)
    if (!sameType(type, BOOL))
      this.error('CCL0204', `the condition of ${what} must be Bool, found ${typeName(type)}`, expr.span)
  }

  // ---- expressions ----------------------------------------------------------------------------------------

  /** Checks an expression whose value is used: a call without result is an error here. */
  private checkValue(expr: Expr, expected?: Type): Type {
    const type = this.checkExpr(expr, expected)
    if (type.kind === 'unit') {
      const name = expr.kind === 'call' ? `\`${expr.name}\`` : 'this expression'
      this.error('CCL0216', `${name} returns no value, so its result cannot be used`, expr.span)
      expr.type = ERROR
      return ERROR
    }
    return type
  }

  private checkExpr(expr: Expr, expected?: Type): Type {
    const type = this.typeOf(expr, expected)
    expr.type = type
    return type
  }

  private typeOf(expr: Expr, expected: Type | undefined): Type {
    switch (expr.kind) {
      case 'int':
        return INT
      case 'bool':
        return BOOL
      case 'string':
        return STRING
      case 'name':
        return this.name(expr)
      case 'unary': {
        const operand = this.checkValue(expr.operand)
        if (operand.kind === 'error') return expr.op === '!' ? BOOL : ERROR
        if (expr.op === '!' && isPrim(operand, 'Bool')) return BOOL
        if (expr.op === '-' && isPrim(operand, 'Int')) return INT
        const hint =
          expr.op === '-' && isPrim(operand, 'Mana')
            ? ' (Mana is never negative; convert with `int(…)` first)'
            : ''
        this.error(
          'CCL0206',
          `operator \`${expr.op}\` cannot be applied to ${typeName(operand)}${hint}`,
          expr.span,
        )
        return ERROR
      }
      case 'binary':
        return this.binary(expr)
      case 'call':
        return this.call(expr)
      case 'index': {
        const target = this.checkValue(expr.target)
        const index = this.checkValue(expr.index)
        if (!sameType(index, INT))
          this.error('CCL0204', `an array index must be Int, found ${typeName(index)}`, expr.index.span)
        if (target.kind === 'array') return target.element
        if (target.kind !== 'error')
          this.error(
            'CCL0220',
            `cannot index into ${typeName(target)}: only arrays can be indexed`,
            expr.target.span,
          )
        return ERROR
      }
      case 'field': {
        const target = this.checkValue(expr.target)
        if (target.kind === 'error') return ERROR
        if (target.kind !== 'struct') {
          this.error(
            'CCL0211',
            `${typeName(target)} has no fields (looking for \`${expr.field}\`)`,
            expr.fieldSpan,
          )
          return ERROR
        }
        const info = this.structs.get(target.name)
        const index = info?.fields.findIndex((f) => f.name === expr.field) ?? -1
        const field = info?.fields[index]
        if (field === undefined) {
          const hint = suggest(expr.field, info?.fields.map((f) => f.name) ?? [])
          this.error(
            'CCL0211',
            `struct \`${target.name}\` has no field \`${expr.field}\`${hint}`,
            expr.fieldSpan,
          )
          return ERROR
        }
        expr.fieldIndex = index
        return field.type
      }
      case 'array': {
        const expectedElement = expected?.kind === 'array' ? expected.element : undefined
        if (expr.elements.length === 0) {
          if (expectedElement !== undefined) return { kind: 'array', element: expectedElement }
          // The annotation was already reported (an unknown type): no second error for the same line.
          if (expected?.kind === 'error') return ERROR
          this.error(
            'CCL0215',
            'cannot infer the type of an empty array: give the variable a type, as in `let xs: [Int] = [];`',
            expr.span,
          )
          return ERROR
        }
        let element: Type | undefined = expectedElement
        for (const item of expr.elements) {
          const type = this.checkValue(item, element)
          if (element === undefined || element.kind === 'error') element = type
          else if (!sameType(element, type)) {
            this.error(
              'CCL0204',
              `array elements must all have one type: expected ${typeName(element)}, found ${typeName(type)}`,
              item.span,
            )
          }
        }
        return element === undefined || element.kind === 'error' ? ERROR : { kind: 'array', element }
      }
      case 'record':
        return this.record(expr)
    }
  }

  private name(expr: Expr & { kind: 'name' }): Type {
    const local = this.constContext === undefined ? this.lookupLocal(expr.name) : undefined
    if (local !== undefined) {
      expr.ref = { kind: 'local', id: local.id }
      return local.type
    }
    const order = this.constOrder.get(expr.name)
    if (this.constContext !== undefined && order !== undefined && order >= this.constContext.order) {
      this.error(
        'CCL0214',
        `constant \`${expr.name}\` is not declared yet: a constant can only use constants declared before it`,
        expr.span,
      )
      return ERROR
    }
    const constant = this.consts.get(expr.name)
    if (constant !== undefined) {
      if (constant.value !== undefined) expr.ref = { kind: 'const', value: constant.value }
      return constant.type
    }
    this.unknownName(expr.name, expr.span)
    return ERROR
  }

  private unknownName(name: string, span: Span): void {
    const candidates = [...this.consts.keys()]
    for (const scope of this.scopes) candidates.push(...scope.keys())
    const hint =
      this.functions.has(name) || isHostName(name) || isBuiltin(name)
        ? ` (\`${name}\` is a function: call it as \`${name}(…)\`)`
        : suggest(name, candidates)
    this.error('CCL0201', `unknown variable or constant \`${name}\`${hint}`, span)
  }

  private binary(expr: Expr & { kind: 'binary' }): Type {
    const left = this.checkValue(expr.left)
    const right = this.checkValue(expr.right)
    const op = expr.op
    const bothKnown = left.kind !== 'error' && right.kind !== 'error'
    const both = (name: 'Int' | 'Bool' | 'String' | 'Mana' | 'Did'): boolean =>
      isPrim(left, name) && isPrim(right, name)
    switch (op) {
      case '||':
      case '&&':
        if (!bothKnown || both('Bool')) return BOOL
        break
      case '==':
      case '!=':
        if (!bothKnown) return BOOL
        if (sameType(left, right) && left.kind === 'prim') return BOOL
        break
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (!bothKnown || both('Int') || both('Mana')) return BOOL
        break
      case '+':
        if (!bothKnown) return ERROR
        if (both('Int')) return INT
        if (both('Mana')) return MANA
        if (both('String')) return STRING
        break
      case '-':
        if (!bothKnown) return ERROR
        if (both('Int')) return INT
        if (both('Mana')) return MANA
        break
      case '*':
        if (!bothKnown) return ERROR
        if (both('Int')) return INT
        if ((isPrim(left, 'Mana') && isPrim(right, 'Int')) || (isPrim(left, 'Int') && isPrim(right, 'Mana')))
          return MANA
        break
      case '/':
      case '%':
        if (!bothKnown) return ERROR
        if (both('Int')) return INT
        if (isPrim(left, 'Mana') && isPrim(right, 'Int')) return MANA
        break
    }
    const mixesMana =
      (isPrim(left, 'Mana') && isPrim(right, 'Int')) || (isPrim(left, 'Int') && isPrim(right, 'Mana'))
    const mixesDid =
      (isPrim(left, 'Did') && isPrim(right, 'String')) || (isPrim(left, 'String') && isPrim(right, 'Did'))
    const hint = mixesMana
      ? '; convert with `mana(…)` or `int(…)`'
      : mixesDid
        ? '; convert with `did(…)` or `string(…)`'
        : (op === '==' || op === '!=') && left.kind !== 'prim'
          ? '; only Int, Mana, Bool, String and Did values can be compared'
          : ''
    this.error(
      'CCL0206',
      `operator \`${op}\` cannot be applied to ${typeName(left)} and ${typeName(right)}${hint}`,
      expr.opSpan,
    )
    return op === '==' ||
      op === '!=' ||
      op === '<' ||
      op === '<=' ||
      op === '>' ||
      op === '>=' ||
      op === '&&' ||
      op === '||'
      ? BOOL
      : ERROR
  }

  private arguments(expr: Expr & { kind: 'call' }, params: readonly Type[], what: string): void {
    if (expr.args.length !== params.length) {
      this.error(
        'CCL0205',
        `${what} takes ${params.length} argument${params.length === 1 ? '' : 's'} but ${expr.args.length} ${expr.args.length === 1 ? 'was' : 'were'} given`,
        expr.span,
      )
    }
    expr.args.forEach((arg, i) => {
      const param = params[i]
      const type = this.checkValue(arg, param)
      if (param !== undefined && !sameType(param, type)) {
        this.error(
          'CCL0204',
          `argument ${i + 1} of ${what} must be ${typeName(param)}, found ${typeName(type)}`,
          arg.span,
        )
      }
    })
  }

  private call(expr: Expr & { kind: 'call' }): Type {
    const name = expr.name
    if (this.constContext === undefined) {
      const fn = this.functions.get(name)
      if (fn !== undefined) {
        expr.callee = { kind: 'user', index: fn.index }
        this.arguments(expr, fn.params, `\`${name}\``)
        return fn.result
      }
      if (isHostName(name)) {
        const spec = HOST_IMPORTS[name].ccl
        expr.callee = { kind: 'host', name }
        this.usedHost.add(name)
        this.arguments(
          expr,
          spec.params.map((p) => PRIMITIVES[p]),
          `\`${name}\``,
        )
        return spec.result === 'Unit' ? UNIT : PRIMITIVES[spec.result]
      }
    }
    if (isBuiltin(name)) {
      expr.callee = { kind: 'builtin', name }
      return this.builtin(expr, name)
    }
    for (const arg of expr.args) this.checkExpr(arg)
    const hint = suggest(name, [...this.functions.keys(), ...HOST_NAMES, ...BUILTINS])
    this.error('CCL0202', `unknown function \`${name}\`${hint}`, expr.nameSpan)
    return ERROR
  }

  private builtin(expr: Expr & { kind: 'call' }, name: BuiltinName): Type {
    const conversions: Partial<Record<BuiltinName, [Type, Type]>> = {
      mana: [INT, MANA],
      int: [MANA, INT],
      did: [STRING, DID],
      string: [DID, STRING],
    }
    const conversion = conversions[name]
    if (conversion !== undefined) {
      this.arguments(expr, [conversion[0]], `\`${name}\``)
      const arg = expr.args[0]
      if (name === 'did' && arg?.kind === 'string' && !arg.value.startsWith('did:')) {
        this.error(
          'CCL0219',
          `"${arg.value.slice(0, 40)}" is not a DID: a DID starts with \`did:\``,
          arg.span,
        )
      }
      return conversion[1]
    }
    // len
    if (expr.args.length !== 1) {
      this.error(
        'CCL0205',
        `\`len\` takes 1 argument but ${expr.args.length} ${expr.args.length === 1 ? 'was' : 'were'} given`,
        expr.span,
      )
      for (const arg of expr.args) this.checkExpr(arg)
      return INT
    }
    const arg = expr.args[0] as Expr
    const type = this.checkValue(arg)
    if (type.kind !== 'error' && type.kind !== 'array' && !isPrim(type, 'String')) {
      this.error('CCL0204', `\`len\` needs a String or an array, found ${typeName(type)}`, arg.span)
    }
    return INT
  }

  private record(expr: Expr & { kind: 'record' }): Type {
    const info = this.structs.get(expr.name)
    if (info === undefined) {
      for (const field of expr.fields) this.checkExpr(field.value)
      const hint = suggest(expr.name, [...this.structs.keys()])
      this.error('CCL0203', `unknown struct \`${expr.name}\`${hint}`, expr.nameSpan)
      return ERROR
    }
    const given = new Set<string>()
    for (const field of expr.fields) {
      const index = info.fields.findIndex((f) => f.name === field.name)
      const declared = info.fields[index]
      const type = this.checkValue(field.value, declared?.type)
      if (declared === undefined) {
        const hint = suggest(
          field.name,
          info.fields.map((f) => f.name),
        )
        this.error('CCL0211', `struct \`${info.name}\` has no field \`${field.name}\`${hint}`, field.nameSpan)
        continue
      }
      if (given.has(field.name)) {
        this.error('CCL0211', `field \`${field.name}\` is given twice`, field.nameSpan)
        continue
      }
      given.add(field.name)
      field.index = index
      if (!sameType(declared.type, type)) {
        this.error(
          'CCL0204',
          `field \`${field.name}\` of \`${info.name}\` is ${typeName(declared.type)}, found ${typeName(type)}`,
          field.value.span,
        )
      }
    }
    const missing = info.fields.filter((f) => !given.has(f.name)).map((f) => `\`${f.name}\``)
    if (missing.length > 0) {
      this.error(
        'CCL0211',
        `missing field${missing.length === 1 ? '' : 's'} ${missing.join(', ')} in \`${info.name}\` literal`,
        expr.nameSpan,
      )
    }
    return { kind: 'struct', name: info.name }
  }
}

/** Binary operators on values, shared with the interpreter so both evaluate exactly alike. */
export function foldBinary(
  expr: Expr & { kind: 'binary' },
  left: () => ConstValue,
  right: () => ConstValue,
): ConstValue {
  const op = expr.op
  if (op === '&&') return (left() as boolean) && right()
  if (op === '||') return left() || right()
  const a = left()
  const b = right()
  switch (op) {
    case '==':
      return a === b
    case '!=':
      return a !== b
    case '<':
      return (a as bigint) < (b as bigint)
    case '<=':
      return (a as bigint) <= (b as bigint)
    case '>':
      return (a as bigint) > (b as bigint)
    case '>=':
      return (a as bigint) >= (b as bigint)
    default:
      break
  }
  if (typeof a === 'string') return a + (b as string)
  const x = a as bigint
  const y = b as bigint
  const mana = expr.type !== undefined && isPrim(expr.type, 'Mana')
  let result: bigint
  switch (op) {
    case '+':
      result = checkedAdd(x, y)
      break
    case '-':
      result = checkedSub(x, y)
      break
    case '*':
      result = checkedMul(x, y)
      break
    case '/':
      result = checkedDiv(x, y)
      break
    default:
      result = checkedRem(x, y)
      break
  }
  return mana ? manaCheck(result) : result
}

/** The first sub-expression that cannot appear in a constant initialiser. */
function findNonConstant(expr: Expr): Expr | undefined {
  switch (expr.kind) {
    case 'int':
    case 'bool':
    case 'string':
    case 'name':
      return undefined
    case 'unary':
      return findNonConstant(expr.operand)
    case 'binary':
      return findNonConstant(expr.left) ?? findNonConstant(expr.right)
    case 'call':
      if (!isBuiltin(expr.name)) return expr
      for (const arg of expr.args) {
        const found = findNonConstant(arg)
        if (found !== undefined) return found
      }
      return undefined
    default:
      return expr
  }
}

function article(type: Type): string {
  const name = typeName(type)
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`
}

/** ` (did you mean `x`?)` for the closest candidate within a small edit distance, or ''. */
function suggest(name: string, candidates: readonly string[]): string {
  let best: string | undefined
  // Short names are too easily "close" to each other to suggest anything.
  let bestDistance = (name.length <= 2 ? 0 : name.length <= 5 ? 1 : 2) + 1
  for (const candidate of [...new Set(candidates)].sort()) {
    const d = editDistance(name, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best === undefined ? '' : ` (did you mean \`${best}\`?)`
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row.push(
        Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + cost),
      )
    }
    previous = row
  }
  return previous[b.length] as number
}
