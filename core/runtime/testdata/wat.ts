import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type wabtInit from 'wabt'

/** Test helpers: WAT → wasm with wabt, and the example jobs in resources/jobs. */

type Wabt = Awaited<ReturnType<typeof wabtInit>>
let wabt: Promise<Wabt> | undefined

export type WatFeatures = Partial<
  Record<
    | 'simd'
    | 'threads'
    | 'exceptions'
    | 'tail_call'
    | 'multi_memory'
    | 'memory64'
    | 'gc'
    | 'function_references'
    | 'reference_types'
    | 'bulk_memory'
    | 'extended_const',
    boolean
  >
>

export async function wat(source: string, features: WatFeatures = {}): Promise<Uint8Array> {
  wabt ??= import('wabt').then((m) => m.default())
  const w = await wabt
  const module = w.parseWat('test.wat', source, features)
  try {
    module.resolveNames()
    return new Uint8Array(module.toBinary({}).buffer)
  } finally {
    module.destroy()
  }
}

const jobsDir = fileURLToPath(new URL('../../../resources/jobs/', import.meta.url))

export function jobWat(name: string): string {
  return readFileSync(`${jobsDir}wat/${name}.wat`, 'utf8')
}

export function jobWasm(path: string): Uint8Array {
  return new Uint8Array(readFileSync(`${jobsDir}${path}`))
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
