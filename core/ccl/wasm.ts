/**
 * A minimal WebAssembly 1.0 (MVP) binary writer: LEB128, a byte-code emitter and a module assembler. Only what
 * the CCL code generator needs, and nothing beyond the MVP, so the runtime's fuel instrumenter can rewrite any
 * module we produce.
 */

export type ValType = 'i32' | 'i64'

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e }

/** Opcodes used by the code generator (names as in the spec's text format). */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  global_get: 0x23,
  global_set: 0x24,
  i32_load: 0x28,
  i64_load: 0x29,
  i32_load8_u: 0x2d,
  i32_store: 0x36,
  i64_store: 0x37,
  i32_store8: 0x3a,
  memory_size: 0x3f,
  memory_grow: 0x40,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_u: 0x4b,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_le_s: 0x57,
  i64_ge_s: 0x59,
  i64_ge_u: 0x5a,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_shl: 0x74,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_rem_s: 0x81,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_u: 0x88,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
} as const

/** Growable byte buffer with the LEB128 encodings the binary format uses. */
export class ByteWriter {
  private bytes = new Uint8Array(256)
  length = 0

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.length + extra) size *= 2
    const next = new Uint8Array(size)
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
  }

  byte(value: number): this {
    this.ensure(1)
    this.bytes[this.length++] = value & 0xff
    return this
  }

  raw(data: Uint8Array): this {
    this.ensure(data.length)
    this.bytes.set(data, this.length)
    this.length += data.length
    return this
  }

  u32(value: number): this {
    let v = value >>> 0
    do {
      let b = v & 0x7f
      v >>>= 7
      if (v !== 0) b |= 0x80
      this.byte(b)
    } while (v !== 0)
    return this
  }

  s32(value: number): this {
    let v = value | 0
    while (true) {
      const b = v & 0x7f
      v >>= 7
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b)
        return this
      }
      this.byte(b | 0x80)
    }
  }

  s64(value: bigint): this {
    let v = BigInt.asIntN(64, value)
    while (true) {
      const b = Number(v & 0x7fn)
      v >>= 7n
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.byte(b)
        return this
      }
      this.byte(b | 0x80)
    }
  }

  name(text: string): this {
    const data = new TextEncoder().encode(text)
    return this.u32(data.length).raw(data)
  }

  /** A length-prefixed vector of pre-encoded bytes. */
  sized(data: Uint8Array): this {
    return this.u32(data.length).raw(data)
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length)
  }
}

/** Block types: empty, or one result. */
export type BlockType = 'void' | ValType

/** Emits one function body's instructions. */
export class CodeEmitter {
  readonly out = new ByteWriter()

  op(code: number): this {
    this.out.byte(code)
    return this
  }

  i32(value: number): this {
    this.out.byte(Op.i32_const).s32(value)
    return this
  }

  i64(value: bigint): this {
    this.out.byte(Op.i64_const).s64(value)
    return this
  }

  get(local: number): this {
    this.out.byte(Op.local_get).u32(local)
    return this
  }

  set(local: number): this {
    this.out.byte(Op.local_set).u32(local)
    return this
  }

  tee(local: number): this {
    this.out.byte(Op.local_tee).u32(local)
    return this
  }

  globalGet(index: number): this {
    this.out.byte(Op.global_get).u32(index)
    return this
  }

  globalSet(index: number): this {
    this.out.byte(Op.global_set).u32(index)
    return this
  }

  call(func: number): this {
    this.out.byte(Op.call).u32(func)
    return this
  }

  br(depth: number): this {
    this.out.byte(Op.br).u32(depth)
    return this
  }

  brIf(depth: number): this {
    this.out.byte(Op.br_if).u32(depth)
    return this
  }

  private blockType(type: BlockType): void {
    this.out.byte(type === 'void' ? 0x40 : VALTYPE[type])
  }

  block(type: BlockType = 'void'): this {
    this.out.byte(Op.block)
    this.blockType(type)
    return this
  }

  loop(type: BlockType = 'void'): this {
    this.out.byte(Op.loop)
    this.blockType(type)
    return this
  }

  if(type: BlockType = 'void'): this {
    this.out.byte(Op.if)
    this.blockType(type)
    return this
  }

  else(): this {
    return this.op(Op.else)
  }

  end(): this {
    return this.op(Op.end)
  }

  /** Loads and stores with an alignment hint (log2 bytes) and a constant offset. */
  mem(code: number, align: number, offset: number): this {
    this.out.byte(code).u32(align).u32(offset)
    return this
  }

  memorySize(): this {
    this.out.byte(Op.memory_size).byte(0)
    return this
  }

  memoryGrow(): this {
    this.out.byte(Op.memory_grow).byte(0)
    return this
  }
}

export interface FuncType {
  params: readonly ValType[]
  results: readonly ValType[]
}

interface FunctionDef {
  type: number
  locals: readonly ValType[]
  body: Uint8Array
}

/** Assembles sections in the order the spec requires. Every list keeps insertion order, so output is deterministic. */
export class ModuleBuilder {
  private readonly types: FuncType[] = []
  private readonly typeKeys = new Map<string, number>()
  private readonly imports: { module: string; name: string; type: number }[] = []
  private readonly functions: FunctionDef[] = []
  private readonly exports: { name: string; kind: 'func' | 'memory'; index: number }[] = []
  private readonly globals: { type: ValType; mutable: boolean; init: number }[] = []
  private memoryPages = 1
  private data: { offset: number; bytes: Uint8Array } | undefined

  typeIndex(type: FuncType): number {
    const key = `${type.params.join(',')}->${type.results.join(',')}`
    const existing = this.typeKeys.get(key)
    if (existing !== undefined) return existing
    const index = this.types.length
    this.types.push(type)
    this.typeKeys.set(key, index)
    return index
  }

  /** Imports must all be added before any function, since they take the first function indices. */
  addImport(module: string, name: string, type: FuncType): number {
    if (this.functions.length > 0) throw new Error('imports must precede functions')
    this.imports.push({ module, name, type: this.typeIndex(type) })
    return this.imports.length - 1
  }

  /** Reserves the next function index; `define` supplies its body later (bodies may call later functions). */
  declareFunction(type: FuncType): number {
    this.functions.push({ type: this.typeIndex(type), locals: [], body: new Uint8Array() })
    return this.imports.length + this.functions.length - 1
  }

  define(index: number, locals: readonly ValType[], body: CodeEmitter): void {
    const def = this.functions[index - this.imports.length]
    if (def === undefined) throw new Error(`no function ${index}`)
    def.locals = locals
    def.body = body.end().out.finish()
  }

  addGlobal(type: ValType, mutable: boolean, init: number): number {
    this.globals.push({ type, mutable, init })
    return this.globals.length - 1
  }

  setGlobalInit(index: number, init: number): void {
    const global = this.globals[index]
    if (global !== undefined) global.init = init
  }

  addExport(name: string, kind: 'func' | 'memory', index: number): void {
    this.exports.push({ name, kind, index })
  }

  setMemory(pages: number): void {
    this.memoryPages = pages
  }

  setData(offset: number, bytes: Uint8Array): void {
    this.data = { offset, bytes }
  }

  finish(): Uint8Array {
    const out = new ByteWriter()
    out.raw(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]))

    const section = (id: number, build: (w: ByteWriter) => void): void => {
      const body = new ByteWriter()
      build(body)
      out.byte(id).sized(body.finish())
    }

    section(1, (w) => {
      w.u32(this.types.length)
      for (const type of this.types) {
        w.byte(0x60).u32(type.params.length)
        for (const p of type.params) w.byte(VALTYPE[p])
        w.u32(type.results.length)
        for (const r of type.results) w.byte(VALTYPE[r])
      }
    })
    if (this.imports.length > 0) {
      section(2, (w) => {
        w.u32(this.imports.length)
        for (const imp of this.imports) w.name(imp.module).name(imp.name).byte(0x00).u32(imp.type)
      })
    }
    section(3, (w) => {
      w.u32(this.functions.length)
      for (const fn of this.functions) w.u32(fn.type)
    })
    // Memory: minimum pages, no maximum (the runtime applies its own limit).
    section(5, (w) => w.u32(1).byte(0x00).u32(this.memoryPages))
    if (this.globals.length > 0) {
      section(6, (w) => {
        w.u32(this.globals.length)
        for (const g of this.globals) {
          w.byte(VALTYPE[g.type]).byte(g.mutable ? 1 : 0)
          w.byte(g.type === 'i32' ? Op.i32_const : Op.i64_const)
          if (g.type === 'i32') w.s32(g.init)
          else w.s64(BigInt(g.init))
          w.byte(Op.end)
        }
      })
    }
    section(7, (w) => {
      w.u32(this.exports.length)
      for (const e of this.exports)
        w.name(e.name)
          .byte(e.kind === 'func' ? 0x00 : 0x02)
          .u32(e.index)
    })
    section(10, (w) => {
      w.u32(this.functions.length)
      for (const fn of this.functions) {
        const body = new ByteWriter()
        const groups: { type: ValType; count: number }[] = []
        for (const local of fn.locals) {
          const last = groups[groups.length - 1]
          if (last !== undefined && last.type === local) last.count++
          else groups.push({ type: local, count: 1 })
        }
        body.u32(groups.length)
        for (const g of groups) body.u32(g.count).byte(VALTYPE[g.type])
        body.raw(fn.body)
        w.sized(body.finish())
      }
    })
    const data = this.data
    if (data !== undefined && data.bytes.length > 0) {
      section(11, (w) => {
        w.u32(1).u32(0).byte(Op.i32_const).s32(data.offset).byte(Op.end).sized(data.bytes)
      })
    }
    return out.finish()
  }
}
