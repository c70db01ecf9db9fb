import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ModuleCache, executeV8Job, normalizeJob, type JobSpec } from './job'
import { bytes, jobWasm, text } from './testdata/wat'

/** Reference implementation of resources/jobs/wat/kernel.wat. */
function kernelReference(input: Uint8Array): string {
  const mask = (1n << 64n) - 1n
  let h = 0x6a09e667f3bcc908n
  for (let round = 0n; round < 1000n; round++) {
    for (const byte of input) {
      const x = (h ^ BigInt(byte)) & mask
      const rotated = ((x << 13n) | (x >> 51n)) & mask
      h = (rotated * 0x9e3779b97f4a7c15n + round) & mask
    }
  }
  return h.toString(16).padStart(16, '0') + '\n'
}

function spec(module: Uint8Array, stdin: Uint8Array): JobSpec {
  return {
    module,
    engine: 'v8',
    args: [],
    env: {},
    stdin,
    inputs: [],
    limits: { fuel: 10n ** 12n, memoryMiB: 8, timeoutMs: 10_000, outputBytes: 4096 },
    seed: bytes('seed'),
    startTs: 0,
  }
}

describe('deterministic execution', () => {
  it('runs the CPU kernel exactly like the reference, with the same fuel on every run and every cache', () => {
    const kernel = jobWasm('wat/kernel.wasm')
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (input) => {
        // Two independent caches: two separate compilations, as in two different workers.
        const a = executeV8Job(normalizeJob(spec(kernel, input)), new ModuleCache())
        const b = executeV8Job(normalizeJob(spec(kernel, input)), new ModuleCache())
        expect(a.error).toBeUndefined()
        expect(text(a.stdout)).toBe(kernelReference(input))
        expect(b.stdout).toEqual(a.stdout)
        expect(b.fuelUsed).toBe(a.fuelUsed)
        // Each input byte costs 21 instructions per round plus one byte of fd_read; nothing depends on its value.
        const one = executeV8Job(
          normalizeJob(spec(kernel, new Uint8Array([input.length & 0xff]))),
          new ModuleCache(),
        )
        expect(a.fuelUsed - one.fuelUsed).toBe(BigInt(input.length - 1) * (1000n * 21n + 1n))
      }),
      { numRuns: 40 },
    )
  })

  it('sums integers from stdin', () => {
    const sum = jobWasm('wat/sum.wasm')
    const cache = new ModuleCache()
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), { maxLength: 200 }),
        (numbers) => {
          const stdin = bytes(numbers.join(numbers.length % 2 === 0 ? ' ' : '\n'))
          const outcome = executeV8Job(normalizeJob(spec(sum, stdin)), cache)
          expect(text(outcome.stdout)).toBe(`${numbers.reduce((a, b) => a + b, 0)}\n`)
        },
      ),
      { numRuns: 100 },
    )
  })
})
