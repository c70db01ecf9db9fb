/**
 * The slice of the global WebAssembly API the compiler and its test host use. The project's TypeScript setup
 * (lib ES2023 + @types/node 20) declares no WebAssembly globals, and declaring them globally here could clash
 * with the runtime's own declarations, so this stays a module-local view of `globalThis.WebAssembly`.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>
}

export type WasmImports = Record<string, Record<string, unknown>>

interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: WasmImports) => WasmInstance
  RuntimeError: new (...args: never[]) => Error
}

export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
