/**
 * Code generation: a checked program to a WebAssembly 1.0 binary that follows the `icn` ABI (docs/ccl.md §11).
 *
 * Function index space: the host imports the program uses (abi.ts order), the runtime helpers (fixed order), the
 * user functions (source order), then one exported wrapper per policy entry point (abi.ts order). Nothing depends
 * on hash order, time or the machine, so the same source always gives the same bytes.
 */
import {
  ABI_MODULE,
  ALLOC_EXPORT,
  HOST_IMPORTS,
  MEMORY_EXPORT,
  POLICY_ENTRIES,
  type CclType,
  type HostImportName,
} from '../runtime/abi'
import type { Block, ConstValue, Expr, Stmt } from './ast'
import type { CheckedFunction, CheckedProgram } from './checker'
import { TRAP_CODES, type RaisedTrapKind } from './ops'
import { isPrim, valType, type Type } from './types'
import { CodeEmitter, ModuleBuilder, Op, type FuncType, type ValType } from './wasm'

/** Bytes 0–15 are reserved: the trap code is stored at 0. String literals start here. */
const DATA_START = 16
const PAGE = 65536
const I64_MIN = -(1n << 63n)
/** Largest single allocation; larger requests trap `out_of_memory` (keeps every size computation within i32). */
const MAX_ALLOCATION = 0x7fff0000
/** Array layout: length (i32) and padding, then one 8-byte slot per element. */
const ARRAY_HEADER = 8
const SLOT = 8

const HELPERS = [
  'trap',
  'alloc',
  'add',
  'sub',
  'mul',
  'div',
  'rem',
  'neg',
  'mana',
  'str_eq',
  'concat',
  'did',
  'index',
] as const
type Helper = (typeof HELPERS)[number]

const HELPER_TYPES: Record<Helper, FuncType> = {
  trap: { params: ['i32'], results: [] },
  alloc: { params: ['i32'], results: ['i32'] },
  add: { params: ['i64', 'i64'], results: ['i64'] },
  sub: { params: ['i64', 'i64'], results: ['i64'] },
  mul: { params: ['i64', 'i64'], results: ['i64'] },
  div: { params: ['i64', 'i64'], results: ['i64'] },
  rem: { params: ['i64', 'i64'], results: ['i64'] },
  neg: { params: ['i64'], results: ['i64'] },
  mana: { params: ['i64'], results: ['i64'] },
  str_eq: { params: ['i64', 'i64'], results: ['i32'] },
  concat: { params: ['i64', 'i64'], results: ['i64'] },
  did: { params: ['i64'], results: ['i64'] },
  index: { params: ['i32', 'i64'], results: ['i32'] },
}

function lowerParam(type: 'Int' | 'Bool' | 'String' | 'Did' | 'Mana'): ValType[] {
  if (type === 'String' || type === 'Did') return ['i32', 'i32']
  return type === 'Bool' ? ['i32'] : ['i64']
}

function funcTypeOf(fn: CheckedFunction): FuncType {
  return { params: fn.params.map(valType), results: fn.result.kind === 'unit' ? [] : [valType(fn.result)] }
}

export function generate(program: CheckedProgram): Uint8Array {
  return new Generator(program).run()
}

class Generator {
  private readonly module = new ModuleBuilder()
  private readonly imports = new Map<HostImportName, number>()
  private readonly helpers = new Map<Helper, number>()
  private readonly userBase: number
  private readonly heapGlobal: number
  private readonly strings = new Map<string, bigint>()
  private data: number[] = []

  constructor(private readonly program: CheckedProgram) {
    for (const name of program.hostImports) {
      const spec = HOST_IMPORTS[name]
      this.imports.set(
        name,
        this.module.addImport(ABI_MODULE, name, { params: spec.params, results: spec.results }),
      )
    }
    for (const helper of HELPERS) this.helpers.set(helper, this.module.declareFunction(HELPER_TYPES[helper]))
    this.userBase = this.imports.size + HELPERS.length
    for (const fn of program.functions) this.module.declareFunction(funcTypeOf(fn))
    this.heapGlobal = this.module.addGlobal('i32', true, 0)
  }

  helper(name: Helper): number {
    return this.helpers.get(name) as number
  }

  run(): Uint8Array {
    this.emitRuntime()
    for (const fn of this.program.functions) new FunctionGen(this, fn).emit()
    const entryIndices = this.program.policies.map((name) => {
      const fn = this.program.functionsByName.get(name) as CheckedFunction
      return { name, index: this.emitEntry(fn) }
    })

    const heapBase = align8(DATA_START + this.data.length)
    this.module.setGlobalInit(this.heapGlobal, heapBase)
    this.module.setMemory(Math.max(1, Math.ceil(heapBase / PAGE)))
    if (this.data.length > 0) this.module.setData(DATA_START, Uint8Array.from(this.data))
    this.module.addExport(MEMORY_EXPORT, 'memory', 0)
    this.module.addExport(ALLOC_EXPORT, 'func', this.helper('alloc'))
    for (const { name, index } of entryIndices) this.module.addExport(name, 'func', index)
    return this.module.finish()
  }

  userFunction(index: number): number {
    return this.userBase + index
  }

  hostImport(name: HostImportName): number {
    const index = this.imports.get(name)
    if (index === undefined) throw new Error(`host import ${name} was not collected by the checker`)
    return index
  }

  /** The packed `(ptr << 32) | len` of a string literal; each distinct literal is stored once. */
  stringConstant(value: string): bigint {
    const known = this.strings.get(value)
    if (known !== undefined) return known
    const bytes = new TextEncoder().encode(value)
    const ptr = bytes.length === 0 ? 0 : DATA_START + this.data.length
    for (const b of bytes) this.data.push(b)
    const packed = (BigInt(ptr) << 32n) | BigInt(bytes.length)
    this.strings.set(value, packed)
    return packed
  }

  private emitEntry(fn: CheckedFunction): number {
    const spec = POLICY_ENTRIES[fn.policy as keyof typeof POLICY_ENTRIES]
    const params = spec.params.flatMap((p) => lowerParam(p.type))
    const index = this.module.declareFunction({ params, results: [valType(fn.result)] })
    const e = new CodeEmitter()
    let slot = 0
    for (const p of spec.params) {
      // Widened: no entry takes a Bool today, but the ABI may add one.
      const type = p.type as CclType
      if (type === 'String' || type === 'Did') {
        // (ptr, len) → (ptr << 32) | len
        e.get(slot).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl)
        e.get(slot + 1)
          .op(Op.i64_extend_i32_u)
          .op(Op.i64_or)
        slot += 2
      } else {
        e.get(slot)
        if (type === 'Mana') e.call(this.helper('mana'))
        if (type === 'Bool') e.op(Op.i32_eqz).op(Op.i32_eqz)
        slot += 1
      }
    }
    e.call(this.userFunction(fn.index))
    this.module.define(index, [], e)
    return index
  }

  private trap(e: CodeEmitter, kind: RaisedTrapKind): void {
    e.i32(TRAP_CODES[kind]).call(this.helper('trap')).op(Op.unreachable)
  }

  /** `if (cond on stack) trap(kind)`. */
  private trapIf(e: CodeEmitter, kind: RaisedTrapKind): void {
    e.if()
    this.trap(e, kind)
    e.end()
  }

  /** The runtime helpers: checked arithmetic, allocation, strings, bounds checks. */
  private emitRuntime(): void {
    const define = (name: Helper, locals: ValType[], build: (e: CodeEmitter) => void): void => {
      const e = new CodeEmitter()
      build(e)
      this.module.define(this.helper(name), locals, e)
    }

    define('trap', [], (e) => {
      e.i32(0).get(0).mem(Op.i32_store, 2, 0).op(Op.unreachable)
    })

    // alloc(len) — params: 0 len; locals: 1 ptr (i32), 2 end (i64), 3 pages needed (i64)
    define('alloc', ['i32', 'i64', 'i64'], (e) => {
      e.get(0).i32(MAX_ALLOCATION).op(Op.i32_gt_u)
      this.trapIf(e, 'out_of_memory')
      e.globalGet(this.heapGlobal).i32(7).op(Op.i32_add).i32(-8).op(Op.i32_and).set(1)
      e.get(1).op(Op.i64_extend_i32_u).get(0).op(Op.i64_extend_i32_u).op(Op.i64_add).set(2)
      // Keep the heap pointer representable as an i32 (memories are at most 4 GiB).
      e.get(2).i64(0xfffffff0n).op(Op.i64_gt_u)
      this.trapIf(e, 'out_of_memory')
      e.get(2)
        .i64(BigInt(PAGE - 1))
        .op(Op.i64_add)
        .i64(16n)
        .op(Op.i64_shr_u)
        .tee(3)
      e.memorySize().op(Op.i64_extend_i32_u).op(Op.i64_gt_u)
      e.if()
      e.get(3)
        .memorySize()
        .op(Op.i64_extend_i32_u)
        .op(Op.i64_sub)
        .op(Op.i32_wrap_i64)
        .memoryGrow()
        .i32(-1)
        .op(Op.i32_eq)
      this.trapIf(e, 'out_of_memory')
      e.end()
      e.get(2).op(Op.i32_wrap_i64).globalSet(this.heapGlobal)
      e.get(1)
    })

    // add(a, b): overflow iff a and b have the same sign and the result's differs: ((a ^ r) & (b ^ r)) < 0
    define('add', ['i64'], (e) => {
      e.get(0).get(1).op(Op.i64_add).set(2)
      e.get(0).get(2).op(Op.i64_xor).get(1).get(2).op(Op.i64_xor).op(Op.i64_and).i64(0n).op(Op.i64_lt_s)
      this.trapIf(e, 'overflow')
      e.get(2)
    })

    // sub(a, b): overflow iff a and b differ in sign and the result's sign differs from a: ((a ^ b) & (a ^ r)) < 0
    define('sub', ['i64'], (e) => {
      e.get(0).get(1).op(Op.i64_sub).set(2)
      e.get(0).get(1).op(Op.i64_xor).get(0).get(2).op(Op.i64_xor).op(Op.i64_and).i64(0n).op(Op.i64_lt_s)
      this.trapIf(e, 'overflow')
      e.get(2)
    })

    // mul(a, b): the (-1, MIN) pairs first (their check below would itself trap), then r / a == b for a != 0.
    define('mul', ['i64'], (e) => {
      e.get(0).i64(-1n).op(Op.i64_eq).get(1).i64(I64_MIN).op(Op.i64_eq).op(Op.i32_and)
      e.get(1).i64(-1n).op(Op.i64_eq).get(0).i64(I64_MIN).op(Op.i64_eq).op(Op.i32_and)
      e.op(Op.i32_or)
      this.trapIf(e, 'overflow')
      e.get(0).get(1).op(Op.i64_mul).set(2)
      e.get(0).op(Op.i64_eqz).op(Op.i32_eqz)
      e.if()
      e.get(2).get(0).op(Op.i64_div_s).get(1).op(Op.i64_ne)
      this.trapIf(e, 'overflow')
      e.end()
      e.get(2)
    })

    for (const [name, op] of [
      ['div', Op.i64_div_s],
      ['rem', Op.i64_rem_s],
    ] as const) {
      // As Rust's checked_div / checked_rem: by zero, and MIN by -1 (also for %, whose result would fit).
      define(name, [], (e) => {
        e.get(1).op(Op.i64_eqz)
        this.trapIf(e, 'division_by_zero')
        e.get(0).i64(I64_MIN).op(Op.i64_eq).get(1).i64(-1n).op(Op.i64_eq).op(Op.i32_and)
        this.trapIf(e, 'overflow')
        e.get(0).get(1).op(op)
      })
    }

    define('neg', [], (e) => {
      e.get(0).i64(I64_MIN).op(Op.i64_eq)
      this.trapIf(e, 'overflow')
      e.i64(0n).get(0).op(Op.i64_sub)
    })

    define('mana', [], (e) => {
      e.get(0).i64(0n).op(Op.i64_lt_s)
      this.trapIf(e, 'negative_mana')
      e.get(0)
    })

    // str_eq(a, b) — locals: 2 len, 3 pa, 4 pb, 5 i
    define('str_eq', ['i32', 'i32', 'i32', 'i32'], (e) => {
      e.get(0).op(Op.i32_wrap_i64).tee(2).get(1).op(Op.i32_wrap_i64).op(Op.i32_ne)
      e.if().i32(0).op(Op.return).end()
      unpackPtr(e, 0).set(3)
      unpackPtr(e, 1).set(4)
      e.get(3).get(4).op(Op.i32_eq)
      e.if().i32(1).op(Op.return).end()
      e.i32(0).set(5)
      e.block().loop()
      e.get(5).get(2).op(Op.i32_ge_u).brIf(1)
      e.get(3).get(5).op(Op.i32_add).mem(Op.i32_load8_u, 0, 0)
      e.get(4).get(5).op(Op.i32_add).mem(Op.i32_load8_u, 0, 0)
      e.op(Op.i32_ne)
      e.if().i32(0).op(Op.return).end()
      e.get(5).i32(1).op(Op.i32_add).set(5)
      e.br(0)
      e.end().end()
      e.i32(1)
    })

    // concat(a, b) — locals: 2 la, 3 lb, 4 p, 5 i
    define('concat', ['i32', 'i32', 'i32', 'i32'], (e) => {
      e.get(0).op(Op.i32_wrap_i64).set(2)
      e.get(1).op(Op.i32_wrap_i64).set(3)
      e.get(2).get(3).op(Op.i32_add).call(this.helper('alloc')).set(4)
      copyBytes(e, { dst: () => e.get(4), src: () => unpackPtr(e, 0), len: 2, i: 5 })
      copyBytes(e, { dst: () => e.get(4).get(2).op(Op.i32_add), src: () => unpackPtr(e, 1), len: 3, i: 5 })
      e.get(4).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl)
      e.get(2).get(3).op(Op.i32_add).op(Op.i64_extend_i32_u).op(Op.i64_or)
    })

    // did(s): the bytes must start with "did:" (0x3a646964 read little-endian).
    define('did', [], (e) => {
      e.get(0).op(Op.i32_wrap_i64).i32(4).op(Op.i32_lt_u)
      this.trapIf(e, 'invalid_did')
      unpackPtr(e, 0).mem(Op.i32_load, 0, 0).i32(0x3a646964).op(Op.i32_ne)
      this.trapIf(e, 'invalid_did')
      e.get(0)
    })

    // index(p, i): address of element i, trapping unless 0 <= i < len (one unsigned compare covers both).
    define('index', [], (e) => {
      e.get(1).get(0).mem(Op.i32_load, 2, 0).op(Op.i64_extend_i32_u).op(Op.i64_ge_u)
      this.trapIf(e, 'index_out_of_bounds')
      e.get(0)
        .get(1)
        .op(Op.i32_wrap_i64)
        .i32(3)
        .op(Op.i32_shl)
        .op(Op.i32_add)
        .i32(ARRAY_HEADER)
        .op(Op.i32_add)
    })
  }

  define(index: number, locals: ValType[], e: CodeEmitter): void {
    this.module.define(index, locals, e)
  }

  structFieldCount(name: string): number {
    return this.program.structs.get(name)?.fields.length ?? 0
  }
}

function align8(n: number): number {
  return (n + 7) & ~7
}

/** Pushes the pointer half of the packed string in local `local`. */
function unpackPtr(e: CodeEmitter, local: number): CodeEmitter {
  return e.get(local).i64(32n).op(Op.i64_shr_u).op(Op.i32_wrap_i64)
}

/** Byte-by-byte copy (bulk memory is not MVP). `len` and `i` are i32 locals. */
function copyBytes(
  e: CodeEmitter,
  { dst, src, len, i }: { dst: () => void; src: () => void; len: number; i: number },
): void {
  e.i32(0).set(i)
  e.block().loop()
  e.get(i).get(len).op(Op.i32_ge_u).brIf(1)
  dst()
  e.get(i).op(Op.i32_add)
  src()
  e.get(i).op(Op.i32_add).mem(Op.i32_load8_u, 0, 0)
  e.mem(Op.i32_store8, 0, 0)
  e.get(i).i32(1).op(Op.i32_add).set(i)
  e.br(0)
  e.end().end()
}

function isMana(type: Type | undefined): boolean {
  return type !== undefined && isPrim(type, 'Mana')
}

function isStringLike(type: Type | undefined): boolean {
  return type !== undefined && (isPrim(type, 'String') || isPrim(type, 'Did'))
}

function loadOp(type: Type): { op: number; align: number } {
  return valType(type) === 'i64' ? { op: Op.i64_load, align: 3 } : { op: Op.i32_load, align: 2 }
}

function storeOp(type: Type): { op: number; align: number } {
  return valType(type) === 'i64' ? { op: Op.i64_store, align: 3 } : { op: Op.i32_store, align: 2 }
}

interface Loop {
  /** Index in `labels` of the block a `break` leaves. */
  breakLabel: number
  /** Index in `labels` of the block or loop a `continue` branches to. */
  continueLabel: number
}

class FunctionGen {
  private readonly e = new CodeEmitter()
  private readonly extraLocals: ValType[] = []
  private readonly freeTemps: Record<ValType, number[]> = { i32: [], i64: [] }
  private labels = 0
  private readonly loops: Loop[] = []

  constructor(
    private readonly gen: Generator,
    private readonly fn: CheckedFunction,
  ) {}

  emit(): void {
    this.block(this.fn.decl.body)
    // The checker proved every path returns; the end of a function with a result is unreachable.
    if (this.fn.result.kind !== 'unit') this.e.op(Op.unreachable)
    const locals = [...this.fn.locals.slice(this.fn.params.length).map(valType), ...this.extraLocals]
    this.gen.define(this.gen.userFunction(this.fn.index), locals, this.e)
  }

  private temp(type: ValType): number {
    const free = this.freeTemps[type].pop()
    if (free !== undefined) return free
    this.extraLocals.push(type)
    return this.fn.locals.length + this.extraLocals.length - 1
  }

  private release(type: ValType, local: number): void {
    this.freeTemps[type].push(local)
  }

  private open(kind: 'block' | 'loop' | 'if', type: 'void' | ValType = 'void'): number {
    if (kind === 'block') this.e.block(type)
    else if (kind === 'loop') this.e.loop(type)
    else this.e.if(type)
    return this.labels++
  }

  private close(): void {
    this.e.end()
    this.labels--
  }

  private branchTo(label: number): void {
    this.e.br(this.labels - 1 - label)
  }

  // ---- statements -----------------------------------------------------------------------------------------

  private block(block: Block): void {
    for (const stmt of block.stmts) this.stmt(stmt)
  }

  private stmt(stmt: Stmt): void {
    const e = this.e
    switch (stmt.kind) {
      case 'let':
        this.expr(stmt.init)
        e.set(stmt.local as number)
        return
      case 'assign':
        this.expr(stmt.value)
        e.set(stmt.local as number)
        return
      case 'if':
        this.expr(stmt.cond)
        this.open('if')
        this.block(stmt.then)
        if (stmt.otherwise !== undefined) {
          e.else()
          this.block(stmt.otherwise)
        }
        this.close()
        return
      case 'while': {
        const breakLabel = this.open('block')
        const continueLabel = this.open('loop')
        this.expr(stmt.cond)
        e.op(Op.i32_eqz)
        e.brIf(this.labels - 1 - breakLabel)
        this.loops.push({ breakLabel, continueLabel })
        this.block(stmt.body)
        this.loops.pop()
        this.branchTo(continueLabel)
        this.close()
        this.close()
        return
      }
      case 'for-range': {
        const counter = this.temp('i64')
        const limit = this.temp('i64')
        this.expr(stmt.from)
        e.set(counter)
        this.expr(stmt.to)
        e.set(limit)
        const breakLabel = this.open('block')
        const top = this.open('loop')
        e.get(counter).get(limit).op(Op.i64_ge_s)
        e.brIf(this.labels - 1 - breakLabel)
        e.get(counter).set(stmt.local as number)
        const continueLabel = this.open('block')
        this.loops.push({ breakLabel, continueLabel })
        this.block(stmt.body)
        this.loops.pop()
        this.close()
        // counter < limit <= i64::MAX, so the increment cannot overflow.
        e.get(counter).i64(1n).op(Op.i64_add).set(counter)
        this.branchTo(top)
        this.close()
        this.close()
        this.release('i64', limit)
        this.release('i64', counter)
        return
      }
      case 'for-each': {
        const element = (stmt.iterable.type as Type & { kind: 'array' }).element
        const base = this.temp('i32')
        const length = this.temp('i32')
        const position = this.temp('i32')
        this.expr(stmt.iterable)
        e.tee(base).mem(Op.i32_load, 2, 0).set(length)
        e.i32(0).set(position)
        const breakLabel = this.open('block')
        const top = this.open('loop')
        e.get(position).get(length).op(Op.i32_ge_u)
        e.brIf(this.labels - 1 - breakLabel)
        e.get(base).get(position).i32(3).op(Op.i32_shl).op(Op.i32_add)
        const load = loadOp(element)
        e.mem(load.op, load.align, ARRAY_HEADER).set(stmt.local as number)
        const continueLabel = this.open('block')
        this.loops.push({ breakLabel, continueLabel })
        this.block(stmt.body)
        this.loops.pop()
        this.close()
        e.get(position).i32(1).op(Op.i32_add).set(position)
        this.branchTo(top)
        this.close()
        this.close()
        this.release('i32', position)
        this.release('i32', length)
        this.release('i32', base)
        return
      }
      case 'return':
        if (stmt.value !== undefined) this.expr(stmt.value)
        e.op(Op.return)
        return
      case 'break':
        this.branchTo((this.loops[this.loops.length - 1] as Loop).breakLabel)
        return
      case 'continue':
        this.branchTo((this.loops[this.loops.length - 1] as Loop).continueLabel)
        return
      case 'expr':
        this.expr(stmt.expr)
        if (stmt.expr.type !== undefined && stmt.expr.type.kind !== 'unit') e.op(Op.drop)
        return
    }
  }

  // ---- expressions ----------------------------------------------------------------------------------------

  private constant(value: ConstValue): void {
    if (typeof value === 'boolean') this.e.i32(value ? 1 : 0)
    else if (typeof value === 'bigint') this.e.i64(value)
    else this.e.i64(this.gen.stringConstant(value))
  }

  private expr(expr: Expr): void {
    const e = this.e
    switch (expr.kind) {
      case 'int':
        e.i64(expr.value)
        return
      case 'bool':
        e.i32(expr.value ? 1 : 0)
        return
      case 'string':
        e.i64(this.gen.stringConstant(expr.value))
        return
      case 'name': {
        const ref = expr.ref
        if (ref === undefined) throw new Error(`unresolved name ${expr.name}`)
        if (ref.kind === 'const') this.constant(ref.value)
        else e.get(ref.id)
        return
      }
      case 'unary':
        this.expr(expr.operand)
        if (expr.op === '!') e.op(Op.i32_eqz)
        else e.call(this.gen.helper('neg'))
        return
      case 'binary':
        this.binary(expr)
        return
      case 'call':
        this.call(expr)
        return
      case 'index': {
        this.expr(expr.target)
        this.expr(expr.index)
        e.call(this.gen.helper('index'))
        const load = loadOp(expr.type as Type)
        e.mem(load.op, load.align, 0)
        return
      }
      case 'field': {
        this.expr(expr.target)
        const load = loadOp(expr.type as Type)
        e.mem(load.op, load.align, (expr.fieldIndex as number) * SLOT)
        return
      }
      case 'array': {
        const element = (expr.type as Type & { kind: 'array' }).element
        const store = storeOp(element)
        const base = this.temp('i32')
        e.i32(ARRAY_HEADER + expr.elements.length * SLOT)
          .call(this.gen.helper('alloc'))
          .tee(base)
        e.i32(expr.elements.length).mem(Op.i32_store, 2, 0)
        expr.elements.forEach((item, k) => {
          e.get(base)
          this.expr(item)
          e.mem(store.op, store.align, ARRAY_HEADER + k * SLOT)
        })
        e.get(base)
        this.release('i32', base)
        return
      }
      case 'record': {
        const base = this.temp('i32')
        e.i32(this.gen.structFieldCount(expr.name) * SLOT)
          .call(this.gen.helper('alloc'))
          .set(base)
        for (const field of expr.fields) {
          const store = storeOp(field.value.type as Type)
          e.get(base)
          this.expr(field.value)
          e.mem(store.op, store.align, (field.index as number) * SLOT)
        }
        e.get(base)
        this.release('i32', base)
        return
      }
    }
  }

  private binary(expr: Expr & { kind: 'binary' }): void {
    const e = this.e
    const operand = expr.left.type as Type
    switch (expr.op) {
      case '&&':
        this.expr(expr.left)
        this.open('if', 'i32')
        this.expr(expr.right)
        e.else().i32(0)
        this.close()
        return
      case '||':
        this.expr(expr.left)
        this.open('if', 'i32')
        e.i32(1).else()
        this.expr(expr.right)
        this.close()
        return
      default:
        break
    }
    this.expr(expr.left)
    this.expr(expr.right)
    switch (expr.op) {
      case '==':
      case '!=': {
        if (isStringLike(operand)) {
          e.call(this.gen.helper('str_eq'))
          if (expr.op === '!=') e.op(Op.i32_eqz)
        } else if (valType(operand) === 'i32') {
          e.op(expr.op === '==' ? Op.i32_eq : Op.i32_ne)
        } else {
          e.op(expr.op === '==' ? Op.i64_eq : Op.i64_ne)
        }
        return
      }
      case '<':
        e.op(Op.i64_lt_s)
        return
      case '<=':
        e.op(Op.i64_le_s)
        return
      case '>':
        e.op(Op.i64_gt_s)
        return
      case '>=':
        e.op(Op.i64_ge_s)
        return
      case '+':
        e.call(this.gen.helper(isPrim(operand, 'String') ? 'concat' : 'add'))
        return
      case '-':
        e.call(this.gen.helper('sub'))
        break
      case '*':
        e.call(this.gen.helper('mul'))
        break
      case '/':
        e.call(this.gen.helper('div'))
        break
      case '%':
        e.call(this.gen.helper('rem'))
        break
    }
    if (isMana(expr.type)) e.call(this.gen.helper('mana'))
  }

  private call(expr: Expr & { kind: 'call' }): void {
    const e = this.e
    const callee = expr.callee
    if (callee === undefined) throw new Error(`unresolved call ${expr.name}`)
    switch (callee.kind) {
      case 'user':
        for (const arg of expr.args) this.expr(arg)
        e.call(this.gen.userFunction(callee.index))
        return
      case 'host': {
        for (const arg of expr.args) {
          this.expr(arg)
          if (isStringLike(arg.type)) {
            // Lower the packed string to the ABI's (ptr, len).
            const packed = this.temp('i64')
            e.tee(packed).i64(32n).op(Op.i64_shr_u).op(Op.i32_wrap_i64)
            e.get(packed).op(Op.i32_wrap_i64)
            this.release('i64', packed)
          }
        }
        e.call(this.gen.hostImport(callee.name))
        const spec = HOST_IMPORTS[callee.name]
        const result = spec.ccl.result
        if (result === 'Bool') e.op(Op.i32_eqz).op(Op.i32_eqz)
        else if (result === 'Mana') e.call(this.gen.helper('mana'))
        else if (result !== 'Unit' && spec.results[0] === 'i32') e.op(Op.i64_extend_i32_s)
        return
      }
      case 'builtin': {
        const arg = expr.args[0] as Expr
        this.expr(arg)
        switch (callee.name) {
          case 'len':
            if (isPrim(arg.type as Type, 'String')) e.i64(0xffffffffn).op(Op.i64_and)
            else e.mem(Op.i32_load, 2, 0).op(Op.i64_extend_i32_u)
            return
          case 'mana':
            e.call(this.gen.helper('mana'))
            return
          case 'did':
            e.call(this.gen.helper('did'))
            return
          default:
            return
        }
      }
    }
  }
}
