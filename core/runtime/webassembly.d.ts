/**
 * The WebAssembly JS API as Node provides it. The node-side tsconfig uses lib ES2023 without DOM, which has no
 * WebAssembly declarations (esbuild's typings only declare an empty namespace), so the runtime declares the
 * subset it uses here.
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

  interface CompileError extends Error {}
  var CompileError: { prototype: CompileError; new (message?: string): CompileError }
  interface LinkError extends Error {}
  var LinkError: { prototype: LinkError; new (message?: string): LinkError }
  interface RuntimeError extends Error {}
  var RuntimeError: { prototype: RuntimeError; new (message?: string): RuntimeError }

  interface Global<T extends ValueType = ValueType> {
    value: ValueTypeMap[T]
    valueOf(): ValueTypeMap[T]
  }
  var Global: {
    prototype: Global
    new <T extends ValueType = ValueType>(
      descriptor: { value: T; mutable?: boolean },
      v?: ValueTypeMap[T],
    ): Global<T>
  }

  interface Memory {
    readonly buffer: ArrayBuffer
    grow(delta: number): number
  }
  var Memory: { prototype: Memory; new (descriptor: { initial: number; maximum?: number }): Memory }

  interface Table {
    readonly length: number
  }

  interface Module {}
  interface ModuleExportDescriptor {
    kind: 'function' | 'global' | 'memory' | 'table'
    name: string
  }
  interface ModuleImportDescriptor extends ModuleExportDescriptor {
    module: string
  }
  var Module: {
    prototype: Module
    new (bytes: ArrayBufferView | ArrayBuffer): Module
    exports(module: Module): ModuleExportDescriptor[]
    imports(module: Module): ModuleImportDescriptor[]
  }

  type ExportValue = ((...args: never[]) => unknown) | Global | Memory | Table
  type Exports = Record<string, ExportValue>
  type Imports = Record<string, Record<string, unknown>>

  interface Instance {
    readonly exports: Exports
  }
  var Instance: { prototype: Instance; new (module: Module, imports?: Imports): Instance }

  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>
}
