import { IcnError } from '../errors'
import { ABI_MODULE, HOST_IMPORTS, type AbiScalar } from './abi'
import { FRAME_BASE_BYTES, FUEL, MODULE_BOUNDS, SLOT_BYTES, WASM_PAGE_BYTES } from './limits'
import { Reader, WasmFormatError, Writer } from './wasm-binary'
import { WASI_IMPORTS, WASI_MODULE } from './wasi-spec'

/**
 * The instrumenter: parses an untrusted module, rejects what the sandbox does not support, and rewrites it so
 * that it meters itself deterministically (see docs/runtime.md for the full design):
 *
 * - fuel: an exported mutable i64 global `__icn_fuel`. Every basic block subtracts its static cost on entry and
 *   traps with `unreachable` when the result is negative, so after a trap `__icn_fuel < 0` means "out of fuel";
 * - stack: an exported mutable i32 global `__icn_stack` holding the remaining stack budget in estimated bytes.
 *   Each call site subtracts the callee's frame estimate (trapping below zero) and adds it back after the call;
 *   after a trap `__icn_stack < 0` means "stack overflow";
 * - memory: the maximum is clamped to the limit so `memory.grow` beyond it returns -1 (and sets the exported
 *   flag `__icn_memory_limit_hit`, so a job that then fails can be reported as RUNTIME_MEMORY_LIMIT);
 * - floats: NaN payloads are canonicalised wherever their bits could become observable (stores, reinterpret,
 *   copysign's sign operand), so no CPU-specific NaN bit pattern reaches memory or an integer;
 * - the start function is not run by instantiation (it would run before the host sets fuel); it is exported as
 *   `__icn_start` and the host calls it first, metered like any other call.
 */

export const FUEL_EXPORT = '__icn_fuel'
export const STACK_EXPORT = '__icn_stack'
export const START_EXPORT = '__icn_start'
/** Set to 1 by the instrumented code when a memory.grow fails (the memory is at its clamped maximum). */
export const MEMORY_LIMIT_EXPORT = '__icn_memory_limit_hit'
/** Prefix of the exports the instrumenter adds for every mutable global (policies reset them between calls). */
export const GLOBAL_EXPORT_PREFIX = '__icn_g'
const RESERVED_PREFIX = '__icn_'

export type ImportNamespace = typeof WASI_MODULE | typeof ABI_MODULE
export type ValueTypeName = 'i32' | 'i64' | 'f32' | 'f64' | 'funcref' | 'externref'

export interface InstrumentOptions {
  /** Cap for linear memory, in 64 KiB pages. */
  memoryPages: number
  /** Namespaces the module may import from. @default ['wasi_snapshot_preview1', 'icn'] */
  allowedImports?: readonly ImportNamespace[]
}

export interface ModuleInfo {
  imports: { module: string; name: string; params: ValueTypeName[]; results: ValueTypeName[] }[]
  exports: {
    name: string
    kind: 'function' | 'table' | 'memory' | 'global'
    /** For functions: the signature. */
    params?: ValueTypeName[]
    results?: ValueTypeName[]
  }[]
  /** The module's own memory with the clamped maximum, or null when it defines none. */
  memory: { initialPages: number; maximumPages: number } | null
  definedFunctions: number
  hasStart: boolean
  /**
   * Whether resetting linear memory and mutable globals restores the instance to its freshly instantiated state:
   * false when the code can change tables or drop passive segments.
   */
  resettable: boolean
  /** Export names of the mutable globals (for resets), in global order. */
  mutableGlobalExports: string[]
}

export interface InstrumentedModule {
  bytes: Uint8Array
  info: ModuleInfo
}

const VALUE_TYPE_NAMES: Record<number, ValueTypeName> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x70: 'funcref',
  0x6f: 'externref',
}
const SCALAR_CODES: Record<AbiScalar, number> = { i32: 0x7f, i64: 0x7e }

interface FuncType {
  params: number[]
  results: number[]
  key: string
}

function invalid(message: string): never {
  throw new IcnError('RUNTIME_INVALID_MODULE', message)
}

function unsupported(feature: string): never {
  throw new IcnError(
    'RUNTIME_INVALID_MODULE',
    `The module uses ${feature}, which the sandbox does not support.`,
  )
}

function tooMany(what: string, count: number, bound: number): void {
  if (count > bound) invalid(`The module has ${count} ${what}; the sandbox allows at most ${bound}.`)
}

function readValueType(r: Reader): number {
  const at = r.pos
  const code = r.u8()
  if (VALUE_TYPE_NAMES[code] !== undefined) return code
  if (code === 0x7b) unsupported('SIMD (v128)')
  if (code === 0x69 || code === 0x68) unsupported('exception handling (exnref)')
  if (code === 0x63 || code === 0x64 || (code >= 0x6a && code <= 0x6e) || (code >= 0x71 && code <= 0x74)) {
    unsupported('the GC / typed function references proposal')
  }
  throw new WasmFormatError(`unknown value type 0x${code.toString(16)}`, at)
}

function readReferenceType(r: Reader): number {
  const type = readValueType(r)
  if (type !== 0x70 && type !== 0x6f) invalid(`A table or element segment has a non-reference type.`)
  return type
}

/** Skips a constant expression, checking that it only uses supported instructions and existing globals. */
function skipConstExpr(r: Reader, globalCount: number): void {
  for (;;) {
    const at = r.pos
    const op = r.u8()
    switch (op) {
      case 0x0b:
        return
      case 0x41:
        r.s32()
        break
      case 0x42:
        r.skipSigned(64)
        break
      case 0x43:
        r.skip(4)
        break
      case 0x44:
        r.skip(8)
        break
      case 0x23: {
        const index = r.u32()
        if (index >= globalCount)
          invalid(`A constant expression reads global ${index}, which does not exist.`)
        break
      }
      case 0xd0:
        readHeapType(r)
        break
      case 0xd2:
        r.u32()
        break
      case 0x6a: // i32.add, i32.sub, i32.mul, i64.add, i64.sub, i64.mul (extended-const)
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break
      case 0xfd:
        unsupported('SIMD')
        break
      case 0xfb:
        unsupported('the GC proposal')
        break
      default:
        throw new WasmFormatError(`unsupported instruction 0x${op.toString(16)} in a constant expression`, at)
    }
  }
}

function memoryIndexZero(r: Reader): void {
  if (r.u32() !== 0) unsupported('multiple memories')
}

function memarg(r: Reader): void {
  const align = r.u32()
  if (align & 0x40) unsupported('multiple memories')
  r.u32()
}

function readHeapType(r: Reader): void {
  const code = r.u8()
  if (code === 0x70 || code === 0x6f) return
  unsupported('the GC / typed function references proposal')
}

function readLimits(r: Reader, what: 'memory' | 'table'): { min: number; max: number | undefined } {
  const flags = r.u8()
  if (flags & 0x02) unsupported(what === 'memory' ? 'shared memory (threads)' : 'shared tables')
  if (flags & 0x04) unsupported(what === 'memory' ? 'memory64' : 'table64')
  if (flags & 0x08) unsupported('custom page sizes')
  if (flags > 1) throw new WasmFormatError(`invalid ${what} limits flags 0x${flags.toString(16)}`, r.pos - 1)
  const min = r.u32()
  const max = flags === 1 ? r.u32() : undefined
  return { min, max }
}

// Edit kinds recorded while decoding a function body and applied while re-emitting it.
const EDIT_CHARGE = 1
const EDIT_CALL_PRE = 2
const EDIT_CALL_POST = 3
const EDIT_INDIRECT_PRE = 4
const EDIT_INDIRECT_POST = 5
const EDIT_BULK_MEMORY = 6
const EDIT_BULK_TABLE = 7
const EDIT_MEMORY_GROW = 8
const EDIT_CANON_F32 = 9
const EDIT_CANON_F64 = 10
const EDIT_MEMORY_GROW_POST = 11

/** Growable struct-of-arrays of edits: [offset in the original bytes, kind, argument]. */
class Edits {
  offset = new Int32Array(1024)
  kind = new Uint8Array(1024)
  arg = new Int32Array(1024)
  length = 0
  add(offset: number, kind: number, arg: number): number {
    if (this.length === this.offset.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const next = make(a.length * 2)
        next.set(a)
        return next
      }
      this.offset = grow(this.offset, (n) => new Int32Array(n))
      this.kind = grow(this.kind, (n) => new Uint8Array(n))
      this.arg = grow(this.arg, (n) => new Int32Array(n))
    }
    const i = this.length++
    this.offset[i] = offset
    this.kind[i] = kind
    this.arg[i] = arg
    return i
  }
}

interface FunctionBody {
  /** Offset of the local declarations' group count. */
  localsStart: number
  /** Offset just after the group count (the raw local groups start here). */
  groupsStart: number
  groupCount: number
  /** Offset of the first instruction. */
  codeStart: number
  end: number
  localCount: number
  editStart: number
  editEnd: number
  /** Estimated frame size in bytes (see limits.ts). */
  frameBytes: number
}

interface Section {
  id: number
  start: number
  end: number
}

// Section ids in their required order (tag 13 sits between memory and global; datacount 12 before code).
const SECTION_RANK: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
}

/**
 * Parses, checks and instruments `bytes`. Throws IcnError RUNTIME_INVALID_MODULE (malformed, unsupported feature,
 * over a bound), RUNTIME_UNKNOWN_IMPORT (import outside the allowed namespaces or with a wrong signature) or
 * RUNTIME_MEMORY_LIMIT (initial memory above the limit). The output always passes `WebAssembly.validate`.
 */
export function instrument(bytes: Uint8Array, options: InstrumentOptions): InstrumentedModule {
  if (!(bytes instanceof Uint8Array))
    throw new IcnError('INVALID_ARGUMENT', 'The module must be a Uint8Array.')
  const memoryPages = options.memoryPages
  if (!Number.isInteger(memoryPages) || memoryPages < 1 || memoryPages > 65_536) {
    throw new IcnError('INVALID_ARGUMENT', 'memoryPages must be an integer between 1 and 65536.')
  }
  tooMany('bytes', bytes.length, MODULE_BOUNDS.moduleBytes)
  let result: InstrumentedModule
  try {
    result = new Instrumenter(bytes, memoryPages, options.allowedImports ?? [WASI_MODULE, ABI_MODULE]).run()
  } catch (err) {
    if (err instanceof IcnError) throw err
    if (err instanceof WasmFormatError) {
      throw new IcnError('RUNTIME_INVALID_MODULE', `The module is malformed: ${err.message}.`, { cause: err })
    }
    throw new IcnError(
      'RUNTIME_INVALID_MODULE',
      `The instrumenter could not process this module (internal error: ${(err as Error)?.message ?? String(err)}).`,
      { cause: err },
    )
  }
  return result
}

/** The original module must itself be valid: otherwise appended globals or locals could give meaning to bad indices. */
function assertValidOriginal(bytes: Uint8Array): void {
  if (WebAssembly.validate(bytes)) return
  let reason = 'it does not validate'
  try {
    new WebAssembly.Module(bytes)
  } catch (err) {
    reason = (err as Error).message.replace(/^WebAssembly\.Module\(\): /, '')
  }
  invalid(`The module is not valid WebAssembly: ${reason}.`)
}

class Instrumenter {
  private readonly r: Reader
  private types: FuncType[] = []
  private imports: ModuleInfo['imports'] = []
  private importTypes: number[] = []
  private funcTypes: number[] = []
  private tables: { type: number; min: number; max: number | undefined }[] = []
  private memory: { min: number; max: number } | null = null
  private globalCount = 0
  private mutableGlobals: number[] = []
  private exportCount = 0
  private exportsRaw: Section | null = null
  private globalsRaw: Section | null = null
  private exportsInfo: ModuleInfo['exports'] = []
  private start: number | null = null
  private bodies: FunctionBody[] = []
  private readonly edits = new Edits()
  private resettable = true
  private sections = new Map<number, Section>()
  private dataBytes = 0

  // State of the function body being decoded. Control frames: kind (0 function, 1 block, 2 loop, 3 if,
  // 4 else), operand stack height at entry minus params, params, results, and whether a branch targets it.
  private depth = 0
  private readonly kinds = new Uint8Array(MODULE_BOUNDS.nestingDepth + 1)
  private readonly bases = new Int32Array(MODULE_BOUNDS.nestingDepth + 1)
  private readonly paramsOf = new Int32Array(MODULE_BOUNDS.nestingDepth + 1)
  private readonly resultsOf = new Int32Array(MODULE_BOUNDS.nestingDepth + 1)
  private readonly targeted = new Uint8Array(MODULE_BOUNDS.nestingDepth + 1)
  private height = 0
  private maxHeight = 0
  /** Index of the current basic block's charge edit, or -1 while the code is unreachable. */
  private segment = -1
  /** Static cost of the current basic block so far. */
  private cost = 0

  constructor(
    private readonly bytes: Uint8Array,
    private readonly memoryPages: number,
    private readonly allowedImports: readonly ImportNamespace[],
  ) {
    this.r = new Reader(bytes)
  }

  run(): InstrumentedModule {
    this.parse()
    assertValidOriginal(this.bytes)
    const out = this.emit()
    if (!WebAssembly.validate(out)) {
      // Our own output failed validation: a bug in this file, never the guest's fault, but refuse to run it.
      invalid('The instrumenter produced an invalid module (internal error); the module cannot run.')
    }
    return {
      bytes: out,
      info: {
        imports: this.imports,
        exports: this.exportsInfo,
        memory:
          this.memory === null ? null : { initialPages: this.memory.min, maximumPages: this.memory.max },
        definedFunctions: this.funcTypes.length,
        hasStart: this.start !== null,
        resettable: this.resettable,
        mutableGlobalExports: this.mutableGlobals.map((g) => `${GLOBAL_EXPORT_PREFIX}${g}`),
      },
    }
  }

  // ---------------------------------------------------------------------------------------------- parsing

  private parse(): void {
    const r = this.r
    if (r.end < 8) r.fail('too short to be a WebAssembly module', 0)
    const magic = r.take(4)
    if (magic[0] !== 0x00 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d) {
      r.fail('missing the \\0asm magic number', 0)
    }
    const version = r.take(4)
    if (version[0] !== 1 || version[1] !== 0 || version[2] !== 0 || version[3] !== 0) {
      // Version 0x0d 0x00 0x01 0x00 is the component model.
      invalid('Only core WebAssembly modules (version 1) are supported; components are not.')
    }
    let lastRank = 0
    while (!r.eof) {
      const idAt = r.pos
      const id = r.u8()
      const size = r.u32()
      const start = r.pos
      const end = start + size
      if (end > r.end) r.fail(`section ${id} runs past the end of the module`, idAt)
      if (id !== 0) {
        const rank = SECTION_RANK[id]
        if (rank === undefined) return r.fail(`unknown section id ${id}`, idAt)
        if (rank <= lastRank) r.fail(`section ${id} is out of order or repeated`, idAt)
        lastRank = rank
        this.sections.set(id, { id, start, end })
      }
      const section = new Reader(this.bytes, start, end)
      switch (id) {
        case 0:
          section.name() // custom sections are dropped; their name must still be well formed
          break
        case 1:
          this.parseTypes(section)
          break
        case 2:
          this.parseImports(section)
          break
        case 3:
          this.parseFunctions(section)
          break
        case 4:
          this.parseTables(section)
          break
        case 5:
          this.parseMemory(section)
          break
        case 13:
          unsupported('exception handling (tag section)')
          break
        case 6:
          this.parseGlobals(section)
          break
        case 7:
          this.parseExports(section)
          break
        case 8:
          this.start = section.u32()
          if (this.start >= this.importTypes.length + this.funcTypes.length)
            invalid('The start function does not exist.')
          break
        case 9:
          this.parseElements(section)
          break
        case 12:
          section.u32()
          break
        case 10:
          this.parseCode(section)
          break
        case 11:
          this.parseData(section)
          break
      }
      if (id !== 0 && !section.eof) section.fail(`section ${id} has trailing bytes`)
      r.pos = end
    }
    if (this.funcTypes.length > 0 && !this.sections.has(10))
      invalid('The module declares functions but has no code section.')
  }

  private parseTypes(r: Reader): void {
    const count = r.u32()
    tooMany('types', count, MODULE_BOUNDS.types)
    for (let i = 0; i < count; i++) {
      const form = r.u8()
      if (form !== 0x60) {
        if (
          form === 0x4e ||
          form === 0x4f ||
          form === 0x50 ||
          form === 0x5e ||
          form === 0x5f ||
          form === 0x5d
        ) {
          unsupported('the GC proposal (struct, array or recursive types)')
        }
        r.fail(`unknown type form 0x${form.toString(16)}`, r.pos - 1)
      }
      const paramCount = r.u32()
      tooMany('parameters in a function type', paramCount, MODULE_BOUNDS.params)
      const params: number[] = []
      for (let p = 0; p < paramCount; p++) params.push(readValueType(r))
      const resultCount = r.u32()
      tooMany('results in a function type', resultCount, MODULE_BOUNDS.results)
      const results: number[] = []
      for (let p = 0; p < resultCount; p++) results.push(readValueType(r))
      this.types.push({ params, results, key: `${params.join(',')}:${results.join(',')}` })
    }
  }

  private type(index: number): FuncType {
    const type = this.types[index]
    if (type === undefined) invalid(`Type ${index} does not exist.`)
    return type
  }

  private parseImports(r: Reader): void {
    const count = r.u32()
    tooMany('imports', count, MODULE_BOUNDS.imports)
    for (let i = 0; i < count; i++) {
      const module = r.name()
      const name = r.name()
      const kind = r.u8()
      const label = `${module}.${name}`
      if (kind === 2) invalid(`The module imports its memory (${label}); it must define its own memory.`)
      if (kind === 4) unsupported('exception handling (imported tag)')
      if (kind !== 0) {
        throw new IcnError(
          'RUNTIME_UNKNOWN_IMPORT',
          `The module imports ${kind === 1 ? 'a table' : 'a global'} "${label}"; only functions can be imported.`,
          { details: { import: label } },
        )
      }
      const typeIndex = r.u32()
      const type = this.type(typeIndex)
      this.checkImport(module, name, type)
      this.importTypes.push(typeIndex)
      this.imports.push({
        module,
        name,
        params: type.params.map(typeName),
        results: type.results.map(typeName),
      })
    }
  }

  private checkImport(module: string, name: string, type: FuncType): void {
    const label = `${module}.${name}`
    const fail = (why: string): never => {
      throw new IcnError('RUNTIME_UNKNOWN_IMPORT', `The module imports "${label}": ${why}`, {
        details: { import: label },
      })
    }
    if (!(this.allowedImports as readonly string[]).includes(module)) {
      fail(`only ${this.allowedImports.map((m) => `"${m}"`).join(' and ')} imports are available here.`)
    }
    const table: Record<string, { params: readonly AbiScalar[]; results: readonly AbiScalar[] }> =
      module === WASI_MODULE ? WASI_IMPORTS : HOST_IMPORTS
    const spec = Object.hasOwn(table, name) ? table[name] : undefined
    if (spec === undefined) return fail(`the host does not provide a function of that name.`)
    const same =
      spec.params.length === type.params.length &&
      spec.results.length === type.results.length &&
      spec.params.every((p, i) => SCALAR_CODES[p] === type.params[i]) &&
      spec.results.every((p, i) => SCALAR_CODES[p] === type.results[i])
    if (!same) {
      fail(
        `expected (${spec.params.join(', ')}) -> (${spec.results.join(', ')}) but the module declares ` +
          `(${type.params.map(typeName).join(', ')}) -> (${type.results.map(typeName).join(', ')}).`,
      )
    }
  }

  private parseFunctions(r: Reader): void {
    const count = r.u32()
    tooMany('functions', count + this.importTypes.length, MODULE_BOUNDS.functions)
    for (let i = 0; i < count; i++) {
      const index = r.u32()
      this.type(index)
      this.funcTypes.push(index)
    }
  }

  private parseTables(r: Reader): void {
    const count = r.u32()
    tooMany('tables', count, MODULE_BOUNDS.tables)
    for (let i = 0; i < count; i++) {
      if (r.peek() === 0x40) unsupported('tables with initialiser expressions (typed function references)')
      const type = readReferenceType(r)
      const { min, max } = readLimits(r, 'table')
      if (min > MODULE_BOUNDS.tableElements) {
        invalid(
          `A table starts with ${min} elements; the sandbox allows at most ${MODULE_BOUNDS.tableElements}.`,
        )
      }
      if (max !== undefined && max < min) r.fail('table maximum below its minimum')
      this.tables.push({ type, min, max })
    }
  }

  private parseMemory(r: Reader): void {
    const count = r.u32()
    if (count > 1) unsupported('multiple memories')
    if (count === 0) return
    const { min, max } = readLimits(r, 'memory')
    if (min > 65_536 || (max !== undefined && max > 65_536)) r.fail('memory size above 4 GiB')
    if (max !== undefined && max < min) r.fail('memory maximum below its minimum')
    if (min > this.memoryPages) {
      throw new IcnError(
        'RUNTIME_MEMORY_LIMIT',
        `The module needs ${min} memory pages (${(min * WASM_PAGE_BYTES) / 1048576} MiB) at start; the limit is ` +
          `${this.memoryPages} pages (${(this.memoryPages * WASM_PAGE_BYTES) / 1048576} MiB).`,
        { details: { initialPages: min, limitPages: this.memoryPages } },
      )
    }
    this.memory = { min, max: Math.min(max ?? this.memoryPages, this.memoryPages) }
  }

  private parseGlobals(r: Reader): void {
    this.globalsRaw = { id: 6, start: r.pos, end: r.end }
    const count = r.u32()
    tooMany('globals', count, MODULE_BOUNDS.globals)
    this.globalsRaw.start = r.pos
    for (let i = 0; i < count; i++) {
      readValueType(r)
      const mutability = r.u8()
      if (mutability > 1) unsupported('shared globals (threads)')
      // Initialisers may only read globals defined before them (imported globals are not allowed at all).
      skipConstExpr(r, i)
      if (mutability === 1) this.mutableGlobals.push(i)
      this.globalCount++
    }
  }

  private parseExports(r: Reader): void {
    const count = r.u32()
    tooMany('exports', count, MODULE_BOUNDS.exports)
    this.exportsRaw = { id: 7, start: r.pos, end: r.end }
    this.exportCount = count
    const functionCount = this.importTypes.length + this.funcTypes.length
    for (let i = 0; i < count; i++) {
      const name = r.name()
      const kind = r.u8()
      const index = r.u32()
      if (name.startsWith(RESERVED_PREFIX))
        invalid(`Export names starting with "${RESERVED_PREFIX}" are reserved ("${name}").`)
      if (kind === 4) unsupported('exception handling (exported tag)')
      if (kind > 4) r.fail(`unknown export kind ${kind}`)
      if (kind === 0) {
        if (index >= functionCount) invalid(`Export "${name}" names function ${index}, which does not exist.`)
        const type = this.type(
          index < this.importTypes.length
            ? (this.importTypes[index] as number)
            : (this.funcTypes[index - this.importTypes.length] as number),
        )
        this.exportsInfo.push({
          name,
          kind: 'function',
          params: type.params.map(typeName),
          results: type.results.map(typeName),
        })
      } else if (kind === 3) {
        if (index >= this.globalCount)
          invalid(`Export "${name}" names global ${index}, which does not exist.`)
        this.exportsInfo.push({ name, kind: 'global' })
      } else {
        this.exportsInfo.push({ name, kind: kind === 1 ? 'table' : 'memory' })
      }
    }
  }

  private parseElements(r: Reader): void {
    const count = r.u32()
    tooMany('element segments', count, MODULE_BOUNDS.elementSegments)
    for (let i = 0; i < count; i++) {
      const flags = r.u32()
      if (flags > 7) r.fail(`invalid element segment flags ${flags}`)
      const passiveOrDeclarative = (flags & 1) !== 0
      const explicitTable = (flags & 2) !== 0
      const usesExpressions = (flags & 4) !== 0
      if (!passiveOrDeclarative) {
        if (explicitTable) r.u32()
        skipConstExpr(r, this.globalCount)
      }
      if (passiveOrDeclarative || explicitTable) {
        if (usesExpressions) readReferenceType(r)
        else if (r.u8() !== 0x00) r.fail('invalid element kind')
      }
      const items = r.u32()
      tooMany('elements in one segment', items, MODULE_BOUNDS.moduleBytes)
      for (let j = 0; j < items; j++) {
        if (usesExpressions) skipConstExpr(r, this.globalCount)
        else r.u32()
      }
    }
  }

  private parseData(r: Reader): void {
    const count = r.u32()
    tooMany('data segments', count, MODULE_BOUNDS.dataSegments)
    for (let i = 0; i < count; i++) {
      const flags = r.u32()
      if (flags > 2) r.fail(`invalid data segment flags ${flags}`)
      if (flags === 2 && r.u32() !== 0) unsupported('multiple memories')
      if (flags !== 1) skipConstExpr(r, this.globalCount)
      const size = r.u32()
      r.skip(size)
      this.dataBytes += size
      tooMany('bytes of data segments', this.dataBytes, MODULE_BOUNDS.dataBytes)
    }
  }

  private parseCode(r: Reader): void {
    const count = r.u32()
    if (count !== this.funcTypes.length)
      invalid(`The code section has ${count} bodies for ${this.funcTypes.length} functions.`)
    for (let i = 0; i < count; i++) {
      const size = r.u32()
      tooMany('bytes in one function body', size, MODULE_BOUNDS.functionBodyBytes)
      const start = r.pos
      r.skip(size)
      this.parseBody(new Reader(this.bytes, start, start + size), i)
    }
  }

  /**
   * Decodes one function body, recording edits (fuel charges at basic block starts, stack accounting around
   * calls, dynamic charges before bulk operations, NaN canonicalisation) and the frame estimate.
   */
  private parseBody(r: Reader, funcIndex: number): void {
    const type = this.type(this.funcTypes[funcIndex] as number)
    const localsStart = r.pos
    const groupCount = r.u32()
    const groupsStart = r.pos
    let localCount = type.params.length
    for (let g = 0; g < groupCount; g++) {
      const n = r.u32()
      readValueType(r)
      localCount += n
      tooMany('locals in one function', localCount, MODULE_BOUNDS.localsPerFunction)
    }
    const codeStart = r.pos
    const edits = this.edits
    const editStart = edits.length
    const functionCount = this.importTypes.length + this.funcTypes.length

    // Control stack (see the fields below); the function body is frame 0.
    this.depth = 1
    this.kinds[0] = 0
    this.bases[0] = 0
    this.paramsOf[0] = 0
    this.resultsOf[0] = type.results.length
    this.targeted[0] = 0
    this.height = 0
    this.maxHeight = 0
    this.cost = 0
    this.segment = edits.add(codeStart, EDIT_CHARGE, 0)
    const importCount = this.importTypes.length

    for (;;) {
      const at = r.pos
      const op = r.u8()
      if (op >= 0x45 && op <= 0xc4) {
        // Numeric instructions without immediates: unary (1→1) or binary (2→1), see numericArity.
        this.cost += 1
        if (NUMERIC_BINARY[op - 0x45] === 1) this.pop(1)
        if (op === 0x98 || op === 0xbc) edits.add(at, EDIT_CANON_F32, 0)
        else if (op === 0xa6 || op === 0xbd) edits.add(at, EDIT_CANON_F64, 0)
        continue
      }
      switch (op) {
        case 0x00: // unreachable
          this.cost += 1
          this.deadEnd()
          break
        case 0x01: // nop
          break
        case 0x02: // block
        case 0x03: // loop
        case 0x04: {
          // if
          const [p, res] = this.blockType(r)
          if (op === 0x04) {
            this.cost += 1
            this.pop(1)
          }
          const d = this.depth
          if (d >= MODULE_BOUNDS.nestingDepth) tooMany('nested blocks', d + 1, MODULE_BOUNDS.nestingDepth)
          this.kinds[d] = op === 0x02 ? 1 : op === 0x03 ? 2 : 3
          this.bases[d] = Math.max(0, this.height - p)
          this.paramsOf[d] = p
          this.resultsOf[d] = res
          this.targeted[d] = 0
          this.depth = d + 1
          // A loop header is entered on every iteration; an if's then-arm is entered conditionally.
          if (op !== 0x02) {
            this.close()
            this.open(r.pos)
          }
          break
        }
        case 0x05: {
          // else
          const top = this.depth - 1
          if (this.kinds[top] !== 3) r.fail('else without if', at)
          this.close()
          this.kinds[top] = 4
          this.height = (this.bases[top] as number) + (this.paramsOf[top] as number)
          this.open(r.pos)
          break
        }
        case 0x0b: {
          // end
          const top = this.depth - 1
          const kind = this.kinds[top] as number
          const isTarget = this.targeted[top] === 1
          this.height = (this.bases[top] as number) + (this.resultsOf[top] as number)
          this.depth = top
          if (kind === 0) {
            this.close()
            if (!r.eof) r.fail('code after the end of the function', r.pos)
            const frameBytes = FRAME_BASE_BYTES + SLOT_BYTES * (localCount + 3 + this.maxHeight)
            this.bodies.push({
              localsStart,
              groupsStart,
              groupCount,
              codeStart,
              end: r.end,
              localCount,
              editStart,
              editEnd: edits.length,
              frameBytes,
            })
            return
          }
          if (this.height > this.maxHeight) this.maxHeight = this.height
          // After the end of an if/else, or of a block some branch jumps to, control joins: a new basic block.
          // A loop's end and an untargeted block's end are only reached by falling through.
          if (kind === 3 || kind === 4 || (kind === 1 && isTarget)) {
            this.close()
            this.open(r.pos)
          }
          break
        }
        case 0x0c: // br
          this.label(r.u32(), funcIndex)
          this.cost += 1
          this.deadEnd()
          break
        case 0x0d: // br_if
          this.label(r.u32(), funcIndex)
          this.cost += 1
          this.pop(1)
          this.close()
          this.open(r.pos)
          break
        case 0x0e: {
          // br_table
          const n = r.u32()
          tooMany('br_table targets', n, MODULE_BOUNDS.functionBodyBytes)
          for (let i = 0; i <= n; i++) this.label(r.u32(), funcIndex)
          this.cost += 1
          this.deadEnd()
          break
        }
        case 0x0f: // return
          this.cost += 1
          this.deadEnd()
          break
        case 0x10: {
          // call
          const index = r.u32()
          if (index >= functionCount)
            invalid(`Function ${funcIndex} calls function ${index}, which does not exist.`)
          this.cost += 1
          const t = this.funcType(index)
          if (index >= importCount) {
            edits.add(at, EDIT_CALL_PRE, index)
            edits.add(r.pos, EDIT_CALL_POST, index)
          }
          this.pop(t.params.length)
          this.push(t.results.length)
          break
        }
        case 0x11: {
          // call_indirect
          const typeIndex = r.u32()
          r.u32() // table index
          const t = this.type(typeIndex)
          this.cost += 1
          edits.add(at, EDIT_INDIRECT_PRE, typeIndex)
          edits.add(r.pos, EDIT_INDIRECT_POST, typeIndex)
          this.pop(t.params.length + 1)
          this.push(t.results.length)
          break
        }
        case 0x12:
        case 0x13:
          unsupported('tail calls')
          break
        case 0x14:
        case 0x15:
        case 0xd3:
        case 0xd4:
        case 0xd5:
        case 0xd6:
          unsupported('the GC / typed function references proposal')
          break
        case 0x06:
        case 0x07:
        case 0x08:
        case 0x09:
        case 0x0a:
        case 0x18:
        case 0x19:
        case 0x1f:
          unsupported('exception handling')
          break
        case 0x1a: // drop
          this.cost += 1
          this.pop(1)
          break
        case 0x1b: // select
          this.cost += 1
          this.pop(3)
          this.push(1)
          break
        case 0x1c: {
          // select with types
          const n = r.u32()
          if (n !== 1) r.fail('typed select must have exactly one type', at)
          readValueType(r)
          this.cost += 1
          this.pop(3)
          this.push(1)
          break
        }
        case 0x20: // local.get
          if (r.u32() >= localCount) invalid(`Function ${funcIndex} reads a local that does not exist.`)
          this.cost += 1
          this.push(1)
          break
        case 0x21: // local.set
        case 0x22: // local.tee
          if (r.u32() >= localCount) invalid(`Function ${funcIndex} writes a local that does not exist.`)
          this.cost += 1
          if (op === 0x21) this.pop(1)
          break
        case 0x23: // global.get
        case 0x24: // global.set
          if (r.u32() >= this.globalCount) invalid(`Function ${funcIndex} uses a global that does not exist.`)
          this.cost += 1
          if (op === 0x23) this.push(1)
          else this.pop(1)
          break
        case 0x25: // table.get
          r.u32()
          this.cost += 1
          break
        case 0x26: // table.set
          r.u32()
          this.cost += 1
          this.pop(2)
          this.resettable = false
          break
        case 0x3f: // memory.size
          memoryIndexZero(r)
          this.cost += 1
          this.push(1)
          break
        case 0x40: // memory.grow
          memoryIndexZero(r)
          this.cost += 1
          edits.add(at, EDIT_MEMORY_GROW, 0)
          edits.add(r.pos, EDIT_MEMORY_GROW_POST, 0)
          break
        case 0x41: // i32.const
          r.s32()
          this.cost += 1
          this.push(1)
          break
        case 0x42: // i64.const
          r.skipSigned(64)
          this.cost += 1
          this.push(1)
          break
        case 0x43: // f32.const
          r.skip(4)
          this.cost += 1
          this.push(1)
          break
        case 0x44: // f64.const
          r.skip(8)
          this.cost += 1
          this.push(1)
          break
        case 0xd0: // ref.null
          readHeapType(r)
          this.cost += 1
          this.push(1)
          break
        case 0xd1: // ref.is_null
          this.cost += 1
          break
        case 0xd2: // ref.func
          if (r.u32() >= functionCount)
            invalid(`Function ${funcIndex} references a function that does not exist.`)
          this.cost += 1
          this.push(1)
          break
        case 0xfc: {
          const sub = r.u32()
          this.cost += 1
          switch (sub) {
            case 0:
            case 1:
            case 2:
            case 3:
            case 4:
            case 5:
            case 6:
            case 7: // trunc_sat: 1 → 1
              break
            case 8: // memory.init
              r.u32()
              memoryIndexZero(r)
              edits.add(at, EDIT_BULK_MEMORY, 0)
              this.pop(3)
              break
            case 9: // data.drop
              r.u32()
              this.resettable = false
              break
            case 10: // memory.copy
              memoryIndexZero(r)
              memoryIndexZero(r)
              edits.add(at, EDIT_BULK_MEMORY, 0)
              this.pop(3)
              break
            case 11: // memory.fill
              memoryIndexZero(r)
              edits.add(at, EDIT_BULK_MEMORY, 0)
              this.pop(3)
              break
            case 12: // table.init
              r.u32()
              r.u32()
              edits.add(at, EDIT_BULK_TABLE, 0)
              this.pop(3)
              this.resettable = false
              break
            case 13: // elem.drop
              r.u32()
              this.resettable = false
              break
            case 14: // table.copy
              r.u32()
              r.u32()
              edits.add(at, EDIT_BULK_TABLE, 0)
              this.pop(3)
              this.resettable = false
              break
            case 15: // table.grow
              r.u32()
              edits.add(at, EDIT_BULK_TABLE, 0)
              this.pop(1)
              this.resettable = false
              break
            case 16: // table.size
              r.u32()
              this.push(1)
              break
            case 17: // table.fill
              r.u32()
              edits.add(at, EDIT_BULK_TABLE, 0)
              this.pop(3)
              this.resettable = false
              break
            default:
              r.fail(`unknown instruction 0xfc ${sub}`, at)
          }
          break
        }
        case 0xfd:
          unsupported('SIMD')
          break
        case 0xfe:
          unsupported('threads / atomics')
          break
        case 0xfb:
          unsupported('the GC proposal')
          break
        default:
          if (op >= 0x28 && op <= 0x3e) {
            memarg(r)
            this.cost += 1
            if (op <= 0x35) break // loads: 1 → 1
            this.pop(2) // stores
            if (op === 0x38) edits.add(at, EDIT_CANON_F32, 0)
            else if (op === 0x39) edits.add(at, EDIT_CANON_F64, 0)
            break
          }
          r.fail(`unknown opcode 0x${op.toString(16)}`, at)
      }
    }
  }

  private push(n: number): void {
    this.height += n
    if (this.height > this.maxHeight) this.maxHeight = this.height
  }

  /** Pops operands; never below the current frame's base (unreachable code is stack-polymorphic). */
  private pop(n: number): void {
    this.height = Math.max(this.bases[this.depth - 1] as number, this.height - n)
  }

  /** Ends the current basic block, fixing its charge. */
  private close(): void {
    if (this.segment >= 0) this.edits.arg[this.segment] = this.cost
    this.segment = -1
    this.cost = 0
  }

  /** Starts a basic block whose charge is inserted at `at`. */
  private open(at: number): void {
    this.segment = this.edits.add(at, EDIT_CHARGE, 0)
    this.cost = 0
  }

  /** After an unconditional branch: the rest of the frame is unreachable until its else/end. */
  private deadEnd(): void {
    this.close()
    this.height = this.bases[this.depth - 1] as number
  }

  private label(depth: number, funcIndex: number): void {
    if (depth >= this.depth)
      invalid(`A branch in function ${funcIndex} targets label ${depth}, which does not exist.`)
    this.targeted[this.depth - 1 - depth] = 1
  }

  private blockType(r: Reader): [number, number] {
    const code = r.peek()
    if (code === 0x40) {
      r.pos++
      return [0, 0]
    }
    if (VALUE_TYPE_NAMES[code] !== undefined) {
      r.pos++
      return [0, 1]
    }
    if (code === 0x7b) unsupported('SIMD (v128)')
    const index = r.s33()
    if (index < 0) unsupported('the GC / typed function references proposal (block type)')
    const t = this.type(index)
    return [t.params.length, t.results.length]
  }

  private funcType(index: number): FuncType {
    return this.type(
      index < this.importTypes.length
        ? (this.importTypes[index] as number)
        : (this.funcTypes[index - this.importTypes.length] as number),
    )
  }

  // --------------------------------------------------------------------------------------------- emitting

  private emit(): Uint8Array {
    const src = this.bytes
    const out = new Writer(src.length + (src.length >> 1) + 256)
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])
    const raw = (id: number): void => {
      const s = this.sections.get(id)
      if (s === undefined) return
      out.byte(id)
      out.u32(s.end - s.start)
      out.bytes(src.subarray(s.start, s.end))
    }
    const fuelGlobal = this.globalCount
    const stackGlobal = this.globalCount + 1

    raw(1)
    raw(2)
    raw(3)
    if (this.tables.length > 0) {
      const w = new Writer()
      w.u32(this.tables.length)
      for (const t of this.tables) {
        const max = Math.min(t.max ?? MODULE_BOUNDS.tableElements, MODULE_BOUNDS.tableElements)
        w.byte(t.type).byte(0x01).u32(t.min).u32(max)
      }
      out.section(4, w)
    }
    if (this.memory !== null) {
      const w = new Writer()
      w.u32(1).byte(0x01).u32(this.memory.min).u32(this.memory.max)
      out.section(5, w)
    }
    {
      const w = new Writer()
      w.u32(this.globalCount + 3)
      if (this.globalsRaw !== null) w.bytes(src.subarray(this.globalsRaw.start, this.globalsRaw.end))
      w.bytes([0x7e, 0x01, 0x42, 0x00, 0x0b]) // __icn_fuel: mut i64 = 0
      w.bytes([0x7f, 0x01, 0x41, 0x00, 0x0b]) // __icn_stack: mut i32 = 0
      w.bytes([0x7f, 0x01, 0x41, 0x00, 0x0b]) // __icn_memory_limit_hit: mut i32 = 0
      out.section(6, w)
    }
    {
      const w = new Writer()
      const extra = 3 + (this.start === null ? 0 : 1) + this.mutableGlobals.length
      w.u32(this.exportCount + extra)
      if (this.exportsRaw !== null) w.bytes(src.subarray(this.exportsRaw.start, this.exportsRaw.end))
      w.name(FUEL_EXPORT).byte(0x03).u32(fuelGlobal)
      w.name(STACK_EXPORT).byte(0x03).u32(stackGlobal)
      w.name(MEMORY_LIMIT_EXPORT)
        .byte(0x03)
        .u32(stackGlobal + 1)
      if (this.start !== null) w.name(START_EXPORT).byte(0x00).u32(this.start)
      for (const g of this.mutableGlobals) w.name(`${GLOBAL_EXPORT_PREFIX}${g}`).byte(0x03).u32(g)
      out.section(7, w)
    }
    // The start section is dropped on purpose (see the file comment).
    raw(9)
    raw(12)
    if (this.bodies.length > 0) out.section(10, this.emitCode(fuelGlobal, stackGlobal))
    raw(11)
    return out.finish()
  }

  private emitCode(fuelGlobal: number, stackGlobal: number): Writer {
    const src = this.bytes
    const edits = this.edits
    const importCount = this.importTypes.length
    const frameOf = (index: number): number => (this.bodies[index - importCount] as FunctionBody).frameBytes
    // call_indirect may reach any defined function of a structurally equal type: charge the largest frame.
    const indirectFrame = new Map<string, number>()
    this.funcTypes.forEach((typeIndex, i) => {
      const key = this.type(typeIndex).key
      indirectFrame.set(key, Math.max(indirectFrame.get(key) ?? FRAME_BASE_BYTES, frameOf(i + importCount)))
    })
    const frameForType = (typeIndex: number): number =>
      indirectFrame.get(this.type(typeIndex).key) ?? FRAME_BASE_BYTES

    const bytes = (...parts: (number | number[])[]): Uint8Array => new Uint8Array(parts.flat())
    const fuelGet = [0x23, ...leb(fuelGlobal)]
    const fuelSet = [0x24, ...leb(fuelGlobal)]
    const stackGet = [0x23, ...leb(stackGlobal)]
    const stackSet = [0x24, ...leb(stackGlobal)]
    // Sequences around the per-edit immediates, prebuilt once per module.
    // charge: global.get fuel; i64.const <cost>; i64.sub; global.set fuel; global.get fuel; i64.const 0; i64.lt_s;
    //         if; unreachable; end
    const chargeHead = bytes(fuelGet, 0x42)
    const chargeTail = bytes(0x7d, fuelSet, fuelGet, 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b)
    // stack: global.get stack; i32.const <frame>; i32.sub; global.set stack; global.get stack; i32.const 0;
    //        i32.lt_s; if; unreachable; end   … call …   global.get stack; i32.const <frame>; i32.add; global.set stack
    const stackHead = bytes(stackGet, 0x41)
    const stackPreTail = bytes(0x6b, stackSet, stackGet, 0x41, 0x00, 0x48, 0x04, 0x40, 0x00, 0x0b)
    const stackPostTail = bytes(0x6a, stackSet)
    const dynamicTail = bytes(0x7d, fuelSet, fuelGet, 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b)
    const fuelGetBytes = bytes(fuelGet)
    const newLocals = bytes(0x01, 0x7f, 0x01, 0x7d, 0x01, 0x7c)
    const nan32 = bytes(0x43, 0x00, 0x00, 0xc0, 0x7f)
    const nan64 = bytes(0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x7f)
    const growFlag = bytes(0x41, 0x7f, 0x46, 0x04, 0x40, 0x41, 0x01, 0x24, ...leb(stackGlobal + 1), 0x0b)

    const section = new Writer(src.length + (src.length >> 1))
    section.u32(this.bodies.length)
    const body = new Writer(1 << 16)
    for (const fn of this.bodies) {
      body.reset()
      const scratchI32 = fn.localCount
      const scratchF32 = fn.localCount + 1
      const scratchF64 = fn.localCount + 2
      body.u32(fn.groupCount + 3)
      body.bytes(src.subarray(fn.groupsStart, fn.codeStart))
      body.bytes(newLocals)
      let cursor = fn.codeStart
      for (let e = fn.editStart; e < fn.editEnd; e++) {
        const at = edits.offset[e] as number
        const arg = edits.arg[e] as number
        if (at > cursor) {
          body.bytes(src.subarray(cursor, at))
          cursor = at
        }
        switch (edits.kind[e]) {
          case EDIT_CHARGE:
            if (arg === 0) break
            // Costs are below 2^31 (bodies are bounded), and s32 and s64 encode such values identically.
            body.bytes(chargeHead).s32(arg).bytes(chargeTail)
            break
          case EDIT_CALL_PRE:
          case EDIT_INDIRECT_PRE: {
            const frame = edits.kind[e] === EDIT_CALL_PRE ? frameOf(arg) : frameForType(arg)
            body.bytes(stackHead).s32(frame).bytes(stackPreTail)
            break
          }
          case EDIT_CALL_POST:
          case EDIT_INDIRECT_POST: {
            const frame = edits.kind[e] === EDIT_CALL_POST ? frameOf(arg) : frameForType(arg)
            body.bytes(stackHead).s32(frame).bytes(stackPostTail)
            break
          }
          case EDIT_BULK_MEMORY:
          case EDIT_BULK_TABLE:
          case EDIT_MEMORY_GROW: {
            // The count operand is on top of the stack: keep it, charge for it, then let the operation run.
            body.byte(0x22).u32(scratchI32).bytes(fuelGetBytes).byte(0x20).u32(scratchI32).byte(0xad) // i64.extend_i32_u
            if (edits.kind[e] === EDIT_BULK_MEMORY) body.byte(0x42).s64(FUEL.bulkMemoryByteShift).byte(0x88)
            else if (edits.kind[e] === EDIT_MEMORY_GROW) body.byte(0x42).s64(FUEL.memoryGrowPage).byte(0x7e)
            else if (FUEL.tableElement !== 1n) body.byte(0x42).s64(FUEL.tableElement).byte(0x7e)
            body.bytes(dynamicTail)
            break
          }
          case EDIT_MEMORY_GROW_POST:
            // local.tee s; local.get s; i32.const -1; i32.eq; if; i32.const 1; global.set flag; end
            body.byte(0x22).u32(scratchI32).byte(0x20).u32(scratchI32).bytes(growFlag)
            break
          case EDIT_CANON_F32:
            // x → (x == x) ? x : canonical NaN
            body.byte(0x22).u32(scratchF32).bytes(nan32)
            body.byte(0x20).u32(scratchF32).byte(0x20).u32(scratchF32).byte(0x5b).byte(0x1b)
            break
          case EDIT_CANON_F64:
            body.byte(0x22).u32(scratchF64).bytes(nan64)
            body.byte(0x20).u32(scratchF64).byte(0x20).u32(scratchF64).byte(0x61).byte(0x1b)
            break
        }
      }
      body.bytes(src.subarray(cursor, fn.end))
      section.u32(body.length)
      section.bytes(body.view())
    }
    return section
  }
}

function typeName(code: number): ValueTypeName {
  return VALUE_TYPE_NAMES[code] ?? 'i32'
}

function leb(value: number): number[] {
  const out: number[] = []
  let v = value >>> 0
  do {
    let byte = v & 0x7f
    v >>>= 7
    if (v !== 0) byte |= 0x80
    out.push(byte)
  } while (v !== 0)
  return out
}

/**
 * 1 for numeric opcodes 0x45..0xc4 that pop two operands (binary arithmetic and comparisons), 0 for unary ones
 * (tests, unary arithmetic, conversions, sign extension).
 */
const NUMERIC_BINARY = (() => {
  const table = new Uint8Array(0xc4 - 0x45 + 1)
  const binary = (from: number, to: number): void => {
    for (let op = from; op <= to; op++) table[op - 0x45] = 1
  }
  binary(0x46, 0x4f) // i32 comparisons
  binary(0x51, 0x5a) // i64 comparisons
  binary(0x5b, 0x66) // f32/f64 comparisons
  binary(0x6a, 0x78) // i32 binary arithmetic
  binary(0x7c, 0x8a) // i64 binary arithmetic
  binary(0x92, 0x98) // f32 binary arithmetic
  binary(0xa0, 0xa6) // f64 binary arithmetic
  return table
})()
