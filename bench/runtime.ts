import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { silentLogger } from '../core/logger'
import { FUEL_EXPORT, STACK_EXPORT, instrument } from '../core/runtime/instrument'
import { JOB_STACK_BUDGET_BYTES } from '../core/runtime/limits'
import { PolicyEngine } from '../core/runtime/policy'
import { runtime, type JobSpec, type PolicyContext } from '../core/runtime'
import { atMost, round, type BenchSuite, type Figure } from './harness'

/**
 * Runtime bench: what metering costs on a CPU-bound kernel (against the npm `wasm-metering` package on the same
 * kernel), what a policy call costs, how long instrumentation of a 1 MiB module takes, and how responsive the
 * main thread stays while hostile jobs run in the pool.
 */

const jobs = fileURLToPath(new URL('../resources/jobs/', import.meta.url))
const wasm = (path: string): Uint8Array => new Uint8Array(readFileSync(`${jobs}${path}`))

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Median wall time (ms) of `fn` after warm-up runs (V8 tiers WebAssembly up between calls). */
function time(fn: () => unknown, runs = 9, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn()
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    fn()
    samples.push(performance.now() - start)
  }
  return median(samples)
}

/**
 * Fastest time (ms) of each variant over interleaved runs. Interleaving exposes every variant to the same
 * background load, and the minimum is the least noisy estimate of CPU-bound work on a shared machine.
 */
function interleaved(variants: (() => unknown)[], runs: number): number[] {
  for (const fn of variants) for (let i = 0; i < 3; i++) fn()
  const best = variants.map(() => Infinity)
  for (let i = 0; i < runs; i++) {
    variants.forEach((fn, v) => {
      const start = performance.now()
      fn()
      best[v] = Math.min(best[v] as number, performance.now() - start)
    })
  }
  return best
}

type KernelExports = { kernel: (rounds: number) => number }

function meteringOverhead(): Figure[] {
  const bytes = wasm('c/sha256-kernel.wasm')
  const rounds = 60
  const plain = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as KernelExports
  const ours = new WebAssembly.Instance(new WebAssembly.Module(instrument(bytes, { memoryPages: 16 }).bytes))
    .exports as unknown as KernelExports & Record<string, WebAssembly.Global>
  const fuel = ours[FUEL_EXPORT] as WebAssembly.Global<'i64'>
  const stack = ours[STACK_EXPORT] as WebAssembly.Global<'i32'>

  const require = createRequire(import.meta.url)
  const metering = require('wasm-metering') as {
    meterWASM(bytes: Buffer, options: { meterType: 'i32' | 'i64' }): Uint8Array
  }
  let gas = 0
  const baseline = new WebAssembly.Instance(
    new WebAssembly.Module(metering.meterWASM(Buffer.from(bytes), { meterType: 'i32' })),
    {
      metering: {
        // What the package's README does: count, and stop at a limit.
        usegas: (amount: number) => {
          gas += amount
          if (gas > 1e15) throw new Error('out of gas')
        },
      },
    },
  ).exports as unknown as KernelExports

  const expected = plain.kernel(rounds)
  fuel.value = 10n ** 15n
  stack.value = JOB_STACK_BUDGET_BYTES
  if (ours.kernel(rounds) !== expected || baseline.kernel(rounds) !== expected) {
    throw new Error('metered kernels disagree with the plain kernel')
  }
  const [plainMs, oursMs, baselineMs] = interleaved(
    [
      () => plain.kernel(rounds),
      () => {
        fuel.value = 10n ** 15n
        stack.value = JOB_STACK_BUDGET_BYTES
        return ours.kernel(rounds)
      },
      () => baseline.kernel(rounds),
    ],
    15,
  ) as [number, number, number]
  const overhead = oursMs / plainMs
  return [
    {
      name: `metering overhead, SHA-256 kernel (${rounds} × 64 KiB), instrumented ÷ plain`,
      value: round(overhead, 2),
      unit: '×',
      target: '≤ 1.5',
      pass: atMost(overhead, 1.5),
      baseline: {
        name: 'npm wasm-metering on the same kernel',
        value: round(baselineMs / plainMs, 2),
        unit: '×',
      },
    },
    { name: 'SHA-256 kernel, plain V8', value: round(plainMs, 1), unit: 'ms', target: 'informational' },
  ]
}

async function policyCall(): Promise<Figure[]> {
  const wabt = await (await import('wabt')).default()
  const source = `(module
    (import "icn" "is_member" (func $is_member (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "icn_alloc") (param i32) (result i32) (local $p i32)
      (local.set $p (global.get $heap)) (global.set $heap (i32.add (local.get $p) (local.get 0))) (local.get $p))
    (func (export "vote_weight") (param i32 i32) (result i64)
      (i64.extend_i32_u (call $is_member (local.get 0) (local.get 1))))
    (func (export "proposal_passes") (param i64 i64 i64 i64) (result i32) (i64.gt_s (local.get 0) (local.get 1))))`
  const parsed = wabt.parseWat('policy.wat', source)
  const bytes = new Uint8Array(parsed.toBinary({}).buffer)
  parsed.destroy()
  const engine = new PolicyEngine()
  const policy = engine.compile(bytes)
  const context: PolicyContext = {
    now: 0,
    params: {},
    listParams: {},
    balances: {},
    reputation: {},
    members: { 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH': 0 },
    roles: {},
  }
  const voter = 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH'
  const perCall = (fn: () => unknown): number => {
    for (let i = 0; i < 20_000; i++) fn()
    const n = 100_000
    const samples: number[] = []
    for (let k = 0; k < 5; k++) {
      const start = performance.now()
      for (let i = 0; i < n; i++) fn()
      samples.push(((performance.now() - start) * 1000) / n)
    }
    return median(samples)
  }
  const scalar = perCall(() =>
    engine.call(policy, 'proposal_passes', { yes: 3n, no: 1n, abstain: 0n, eligible: 5n }, context),
  )
  const withString = perCall(() => engine.call(policy, 'vote_weight', { voter }, context))
  return [
    {
      name: 'policy call, host → WASM → host (proposal_passes, 4 Int args)',
      value: round(scalar, 2),
      unit: 'µs',
      target: '< 20',
      pass: scalar < 20,
    },
    {
      name: 'policy call with a DID argument and one host call (vote_weight)',
      value: round(withString, 2),
      unit: 'µs',
      target: '< 20',
      pass: withString < 20,
    },
  ]
}

async function instrumentationTime(): Promise<Figure[]> {
  const wabt = await (await import('wabt')).default()
  // ~1 MiB of realistic code: many functions with loops, branches, calls, loads/stores and float math.
  const fn = (
    i: number,
  ): string => `(func $f${i} (param $n i32) (result i32) (local $i i32) (local $acc i32) (local $x f64)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (i32.const ${i + 3}))))
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $acc (i32.xor (local.get $acc) (i32.load offset=${i % 1000} (i32.const 0)))))
        (else (i32.store offset=${(i * 4) % 4000} (i32.const 0) (local.get $acc))))
      (local.set $x (f64.add (local.get $x) (f64.sqrt (f64.convert_i32_u (local.get $acc)))))
      (f64.store (i32.const 8) (local.get $x))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    ${i > 0 ? `(drop (call $f${i - 1} (i32.const 0)))` : ''}
    (local.get $acc))`
  const parts: string[] = []
  let i = 0
  let bytes = new Uint8Array(0)
  // Grow the module until its binary reaches 1 MiB.
  while (bytes.length < 1024 * 1024) {
    for (let k = 0; k < 2000; k++) parts.push(fn(i++))
    const parsed = wabt.parseWat(
      'big.wat',
      `(module (memory 1) ${parts.join('\n')} (export "main" (func $f0)))`,
    )
    bytes = new Uint8Array(parsed.toBinary({}).buffer)
    parsed.destroy()
  }
  const ms = time(() => instrument(bytes, { memoryPages: 16 }), 5, 1)
  return [
    {
      name: `instrumentation of a ${round(bytes.length / 1048576, 2)} MiB module (${i} functions, incl. two V8 validations)`,
      value: round(ms, 1),
      unit: 'ms',
      target: '≤ 250',
      pass: atMost(ms, 250),
    },
  ]
}

async function eventLoopUnderHostileJobs(): Promise<Figure[]> {
  const rt = runtime({ poolSize: 2 })({ logger: silentLogger })
  await rt.start()
  try {
    const job = (module: Uint8Array, limits: Partial<JobSpec['limits']> = {}): JobSpec => ({
      module,
      engine: 'v8',
      args: [],
      env: {},
      inputs: [],
      limits: {
        fuel: 2_000_000_000,
        memoryMiB: 256,
        timeoutMs: 2000,
        outputBytes: 8 * 1024 * 1024,
        ...limits,
      },
      seed: new Uint8Array([1]),
      startTs: 0,
    })
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const started = performance.now()
    await Promise.all([
      rt.run(job(wasm('wat/infinite-loop.wasm'), { fuel: 10n ** 15n })),
      rt.run(job(wasm('wat/memory-bomb.wasm'))),
      rt.run(job(wasm('wat/output-flood.wasm'))),
      rt.run(job(wasm('wat/deep-recursion.wasm'))),
      rt.run(job(wasm('wat/infinite-loop.wasm'))),
    ])
    delay.disable()
    const p99 = delay.percentile(99) / 1e6
    const hello = wasm('wat/hello.wasm')
    await rt.run(job(hello))
    const roundTrips: number[] = []
    for (let k = 0; k < 50; k++) {
      const start = performance.now()
      await rt.run(job(hello))
      roundTrips.push(performance.now() - start)
    }
    return [
      {
        name: `main event loop delay p99 while hostile jobs run (${round((performance.now() - started) / 1000, 1)} s)`,
        value: round(p99, 1),
        unit: 'ms',
        target: '< 50',
        pass: p99 < 50,
      },
      {
        name: 'job round trip through the pool (hello.wat)',
        value: round(median(roundTrips), 2),
        unit: 'ms',
        target: 'informational',
      },
    ]
  } finally {
    await rt.stop()
  }
}

const suite: BenchSuite = {
  name: 'runtime',
  async run() {
    return [
      ...meteringOverhead(),
      ...(await policyCall()),
      ...(await instrumentationTime()),
      ...(await eventLoopUnderHostileJobs()),
    ]
  },
}

export default suite
