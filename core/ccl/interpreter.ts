/**
 * The reference interpreter: CCL's semantics written as directly as possible over the checked tree. The compiled
 * wasm is tested against it (same results, same trap kinds), so it favours clarity over speed.
 */
import { IcnError } from '../errors'
import type { Block, Expr, Stmt } from './ast'
import type { CheckedFunction, CheckedProgram } from './checker'
import { foldBinary } from './checker'
import { HOST_IMPORTS, type HostImportName } from '../runtime/abi'
import type { CclHost, RecordValue, Value } from './host'
import { isPrim, type Type } from './types'
import { checkedNeg, didCheck, manaCheck, trapError, trapKindOf, utf8Length } from './ops'

const BREAK = Symbol('break')
const CONTINUE = Symbol('continue')

/** What a statement did: nothing special, a loop exit, or a `return` carrying its value. */
type Completion = undefined | typeof BREAK | typeof CONTINUE | { value: Value | undefined }

export function interpretChecked(
  program: CheckedProgram,
  entry: string,
  args: readonly Value[],
  host: CclHost,
): Value {
  const fn = program.functionsByName.get(entry)
  if (fn === undefined) {
    throw new IcnError('CCL_UNKNOWN_POLICY', `The program defines no function \`${entry}\`.`, {
      details: { entry },
    })
  }
  if (fn.result.kind === 'unit') throw new TypeError(`\`${entry}\` has no result to interpret`)
  if (args.length !== fn.params.length) {
    throw new TypeError(`\`${entry}\` takes ${fn.params.length} arguments, got ${args.length}`)
  }
  fn.params.forEach((type, i) => assertValue(args[i], type, `argument ${i + 1} of \`${entry}\``))
  const run = new Run(program, host)
  try {
    // Mana arguments are checked on entry, as the compiled entry wrappers do.
    const checked = args.map((arg, i) =>
      isPrim(fn.params[i] as Type, 'Mana') ? manaCheck(arg as bigint) : arg,
    )
    return run.call(fn, checked) as Value
  } catch (err) {
    if (trapKindOf(err) !== undefined) throw err
    if (err instanceof RangeError) throw trapError('stack_overflow', err)
    throw err
  }
}

function assertValue(value: unknown, type: Type, what: string): void {
  if (type.kind !== 'prim') return
  const ok =
    type.name === 'Bool'
      ? typeof value === 'boolean'
      : type.name === 'String' || type.name === 'Did'
        ? typeof value === 'string'
        : typeof value === 'bigint'
  if (!ok)
    throw new TypeError(
      `${what} must be a ${type.name} (${type.name === 'Int' || type.name === 'Mana' ? 'bigint' : typeof value})`,
    )
}

class Run {
  constructor(
    private readonly program: CheckedProgram,
    private readonly host: CclHost,
  ) {}

  call(fn: CheckedFunction, args: readonly Value[]): Value | undefined {
    const frame: (Value | undefined)[] = new Array<Value | undefined>(fn.locals.length)
    args.forEach((arg, i) => (frame[i] = arg))
    const completion = this.block(fn.decl.body, frame)
    return typeof completion === 'object' ? completion.value : undefined
  }

  private block(block: Block, frame: (Value | undefined)[]): Completion {
    for (const stmt of block.stmts) {
      const completion = this.stmt(stmt, frame)
      if (completion !== undefined) return completion
    }
    return undefined
  }

  private stmt(stmt: Stmt, frame: (Value | undefined)[]): Completion {
    switch (stmt.kind) {
      case 'let':
        frame[stmt.local as number] = this.expr(stmt.init, frame)
        return undefined
      case 'assign':
        frame[stmt.local as number] = this.expr(stmt.value, frame)
        return undefined
      case 'if':
        if (this.expr(stmt.cond, frame) as boolean) return this.block(stmt.then, frame)
        return stmt.otherwise === undefined ? undefined : this.block(stmt.otherwise, frame)
      case 'while':
        while (this.expr(stmt.cond, frame) as boolean) {
          const completion = this.block(stmt.body, frame)
          if (completion === BREAK) break
          if (typeof completion === 'object') return completion
        }
        return undefined
      case 'for-range': {
        const from = this.expr(stmt.from, frame) as bigint
        const to = this.expr(stmt.to, frame) as bigint
        for (let i = from; i < to; i++) {
          frame[stmt.local as number] = i
          const completion = this.block(stmt.body, frame)
          if (completion === BREAK) break
          if (typeof completion === 'object') return completion
        }
        return undefined
      }
      case 'for-each': {
        const items = this.expr(stmt.iterable, frame) as readonly Value[]
        for (const item of items) {
          frame[stmt.local as number] = item
          const completion = this.block(stmt.body, frame)
          if (completion === BREAK) break
          if (typeof completion === 'object') return completion
        }
        return undefined
      }
      case 'return':
        return { value: stmt.value === undefined ? undefined : this.expr(stmt.value, frame) }
      case 'break':
        return BREAK
      case 'continue':
        return CONTINUE
      case 'expr':
        this.expr(stmt.expr, frame)
        return undefined
    }
  }

  private expr(expr: Expr, frame: (Value | undefined)[]): Value {
    switch (expr.kind) {
      case 'int':
      case 'bool':
      case 'string':
        return expr.value
      case 'name': {
        const ref = expr.ref
        if (ref === undefined) throw new Error(`unresolved name ${expr.name}: interpret a checked program`)
        return ref.kind === 'const' ? ref.value : (frame[ref.id] as Value)
      }
      case 'unary': {
        const value = this.expr(expr.operand, frame)
        return expr.op === '!' ? !(value as boolean) : checkedNeg(value as bigint)
      }
      case 'binary':
        return foldBinary(
          expr,
          () => this.expr(expr.left, frame) as bigint | boolean | string,
          () => this.expr(expr.right, frame) as bigint | boolean | string,
        )
      case 'call':
        return this.callExpr(expr, frame)
      case 'index': {
        const items = this.expr(expr.target, frame) as readonly Value[]
        const index = this.expr(expr.index, frame) as bigint
        if (index < 0n || index >= BigInt(items.length)) throw trapError('index_out_of_bounds')
        return items[Number(index)] as Value
      }
      case 'field': {
        const record = this.expr(expr.target, frame) as RecordValue
        return record.fields[expr.field] as Value
      }
      case 'array':
        return expr.elements.map((element) => this.expr(element, frame))
      case 'record': {
        const fields: Record<string, Value> = {}
        for (const field of expr.fields) fields[field.name] = this.expr(field.value, frame)
        return { struct: expr.name, fields }
      }
    }
  }

  private callExpr(expr: Expr & { kind: 'call' }, frame: (Value | undefined)[]): Value {
    const callee = expr.callee
    if (callee === undefined) throw new Error(`unresolved call ${expr.name}: interpret a checked program`)
    const args = expr.args.map((arg) => this.expr(arg, frame))
    switch (callee.kind) {
      case 'user':
        return this.call(this.program.functions[callee.index] as CheckedFunction, args) as Value
      case 'builtin': {
        const arg = args[0] as Value
        switch (callee.name) {
          case 'len':
            return typeof arg === 'string' ? utf8Length(arg) : BigInt((arg as readonly Value[]).length)
          case 'mana':
            return manaCheck(arg as bigint)
          case 'did':
            return didCheck(arg as string)
          default:
            return arg
        }
      }
      case 'host':
        return this.hostCall(callee.name, args)
    }
  }

  private hostCall(name: HostImportName, args: Value[]): Value {
    let result: unknown
    try {
      result = (this.host[name] as (...a: Value[]) => unknown)(...args)
    } catch (err) {
      throw trapError('host', err)
    }
    const expected = HOST_IMPORTS[name].ccl.result
    const ok =
      expected === 'Unit'
        ? result === undefined
        : expected === 'Bool'
          ? typeof result === 'boolean'
          : typeof result === 'bigint'
    // A host answering with the wrong kind of value is a failing host call, as a wasm type error would be.
    if (!ok)
      throw trapError(
        'host',
        new TypeError(`host function ${name} returned ${typeof result}, not ${expected}`),
      )
    // The compiled code traps on a negative balance, keeping Mana non-negative; so does the reference.
    if (expected === 'Mana') return manaCheck(result as bigint)
    return result as Value
  }
}
