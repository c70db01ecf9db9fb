/**
 * The WebAssembly JS API as Node provides it. The node-side tsconfig uses lib ES2023 without DOM, which has no
 * WebAssembly declarations (esbuild's typings only declare an empty `WebAssembly.Module` interface, which these
 * classes merge with), so the runtime declares the subset it uses here.
 */
declare namespace WebAssembly {
  type ValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'externref' | 'anyfunc'
  interface ValueTypeMap {
    i32: number
    i64: bigint
    f32: number
    f64: number
    externref: unknown
    anyfunc: unknown
  }

  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}

  class Global<T extends ValueType = ValueType> {
    constructor(descriptor: { value: T; mutable?: boolean }, v?: ValueTypeMap[T])
    value: ValueTypeMap[T]
    valueOf(): ValueTypeMap[T]
  }

  class Memory {
    constructor(descriptor: { initial: number; maximum?: number })
    readonly buffer: ArrayBuffer
    grow(delta: number): number
  }

  class Table {
    readonly length: number
  }

  interface ModuleExportDescriptor {
    kind: 'function' | 'global' | 'memory' | 'table'
    name: string
  }
  interface ModuleImportDescriptor extends ModuleExportDescriptor {
    module: string
  }

  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer)
    static exports(module: Module): ModuleExportDescriptor[]
    static imports(module: Module): ModuleImportDescriptor[]
  }

  type ExportValue = ((...args: never[]) => unknown) | Global | Memory | Table
  type Exports = Record<string, ExportValue>
  type Imports = Record<string, Record<string, unknown>>

  class Instance {
    constructor(module: Module, imports?: Imports)
    readonly exports: Exports
  }

  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>
}
