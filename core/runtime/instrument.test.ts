import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IcnError } from '../errors'
import { FUEL_EXPORT, MEMORY_LIMIT_EXPORT, STACK_EXPORT, START_EXPORT, instrument } from './instrument'
import { FUEL, JOB_STACK_BUDGET_BYTES, MODULE_BOUNDS } from './limits'
import { jobWasm, jobWat, wat } from './testdata/wat'

type Exports = Record<string, unknown> & {
  [FUEL_EXPORT]: WebAssembly.Global<'i64'>
  [STACK_EXPORT]: WebAssembly.Global<'i32'>
  [MEMORY_LIMIT_EXPORT]: WebAssembly.Global<'i32'>
}

function load(bytes: Uint8Array, memoryPages = 16, imports: WebAssembly.Imports = {}): Exports {
  const { bytes: out } = instrument(bytes, { memoryPages })
  const exports = new WebAssembly.Instance(new WebAssembly.Module(out), imports).exports as unknown as Exports
  exports[FUEL_EXPORT].value = 10n ** 15n
  exports[STACK_EXPORT].value = JOB_STACK_BUDGET_BYTES
  return exports
}

/** Fuel a call consumed. */
function metered<T>(exports: Exports, call: () => T): { result: T; fuel: bigint } {
  const before = 10n ** 15n
  exports[FUEL_EXPORT].value = before
  exports[STACK_EXPORT].value = JOB_STACK_BUDGET_BYTES
  const result = call()
  return { result, fuel: before - exports[FUEL_EXPORT].value }
}

function rejects(fn: () => unknown, code: string, message?: RegExp): void {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(caught, 'expected an IcnError').toBeInstanceOf(IcnError)
  expect((caught as IcnError).code).toBe(code)
  if (message !== undefined) expect((caught as IcnError).message).toMatch(message)
}

const LOOP = `(module
  (func (export "sum") (param $n i32) (result i32) (local $acc i32)
    (block $exit
      (loop $next
        (br_if $exit (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))`

describe('fuel', () => {
  it('charges the static instruction count of each basic block, per loop iteration', async () => {
    const exports = load(await wat(LOOP))
    const sum = exports['sum'] as (n: number) => number
    // Per iteration: header block [local.get, i32.eqz, br_if] = 3, body [9 instructions ending in br] = 9.
    // Entry [block, loop: free] = 0; exit path: after the block's end [local.get] = 1.
    for (const n of [0, 1, 10, 1000]) {
      const { result, fuel } = metered(exports, () => sum(n))
      expect(result).toBe((n * (n + 1)) / 2)
      expect(fuel).toBe(BigInt(12 * n + 3 + 1))
    }
  })

  it('gives the same fuel on every run and every fresh instance', async () => {
    const bytes = await wat(LOOP)
    const runs = [1, 2, 3].map(() => {
      const exports = load(bytes)
      return metered(exports, () => (exports['sum'] as (n: number) => number)(777)).fuel
    })
    expect(new Set(runs).size).toBe(1)
  })

  it('traps with a negative fuel counter when the budget runs out, and not before', async () => {
    const exports = load(await wat(LOOP))
    const sum = exports['sum'] as (n: number) => number
    const needed = metered(exports, () => sum(100)).fuel
    exports[FUEL_EXPORT].value = needed
    expect(sum(100)).toBe(5050)
    expect(exports[FUEL_EXPORT].value).toBe(0n)
    exports[FUEL_EXPORT].value = needed - 1n
    expect(() => sum(100)).toThrow(WebAssembly.RuntimeError)
    expect(exports[FUEL_EXPORT].value < 0n).toBe(true)
  })

  it('charges memory.fill/copy and memory.grow in proportion to their size', async () => {
    const exports = load(
      await wat(`(module (memory 1)
        (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0)))
        (func (export "copy") (param i32) (memory.copy (i32.const 0) (i32.const 100) (local.get 0)))
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`),
      64,
    )
    const fill = (n: number): bigint =>
      metered(exports, () => (exports['fill'] as (n: number) => void)(n)).fuel
    const copy = (n: number): bigint =>
      metered(exports, () => (exports['copy'] as (n: number) => void)(n)).fuel
    const grow = (n: number): bigint =>
      metered(exports, () => (exports['grow'] as (n: number) => number)(n)).fuel
    expect(fill(60_000) - fill(0)).toBe(60_000n >> FUEL.bulkMemoryByteShift)
    expect(copy(8_000) - copy(0)).toBe(8_000n >> FUEL.bulkMemoryByteShift)
    expect(grow(10) - grow(0)).toBe(10n * FUEL.memoryGrowPage)
  })

  it('charges calls inside the callee, so recursion costs per call', async () => {
    const exports = load(
      await wat(`(module
        (func $fib (export "fib") (param i32) (result i32)
          (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
            (then (local.get 0))
            (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                           (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`),
    )
    const fib = exports['fib'] as (n: number) => number
    const calls = (n: number): number => (n < 2 ? 1 : 1 + calls(n - 1) + calls(n - 2))
    const leaves = (n: number): number => (n < 2 ? 1 : leaves(n - 1) + leaves(n - 2))
    const { result, fuel } = metered(exports, () => fib(15))
    expect(result).toBe(610)
    // Entry block [local.get, i32.const, i32.lt_u, if] = 4 per call; then-arm [local.get] = 1 per leaf;
    // else-arm [local.get, i32.const, i32.sub, call, local.get, i32.const, i32.sub, call, i32.add] = 9 per inner call.
    const inner = calls(15) - leaves(15)
    expect(fuel).toBe(BigInt(4 * calls(15) + leaves(15) + 9 * inner))
  })
})

describe('stack budget', () => {
  const RECURSE = `(module (global $depth (export "depth") (mut i32) (i32.const 0))
    (func $down (export "down") (param i64) (result i64)
      (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
      (i64.add (call $down (i64.add (local.get 0) (i64.const 1))) (i64.const 1))))`

  it('traps deterministically, at the same depth every time, long before V8 overflows', async () => {
    const bytes = await wat(RECURSE)
    // The uninstrumented module really overflows V8's stack: the budget is what stops it, not luck.
    const raw = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<string, unknown>
    expect(() => (raw['down'] as (n: bigint) => bigint)(0n)).toThrow(RangeError)

    const exports = load(bytes)
    const depth = exports['depth'] as WebAssembly.Global<'i32'>
    const down = exports['down'] as (n: bigint) => bigint
    const depths: number[] = []
    // Enough runs for V8 to tier the function up: both tiers must stop at the same depth.
    for (let i = 0; i < 40; i++) {
      depth.value = 0
      exports[STACK_EXPORT].value = JOB_STACK_BUDGET_BYTES
      let error: unknown
      try {
        down(0n)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(WebAssembly.RuntimeError)
      expect(exports[STACK_EXPORT].value).toBeLessThan(0)
      depths.push(depth.value)
    }
    expect(new Set(depths).size).toBe(1)
    expect(depths[0]).toBeGreaterThan(1000)
  })

  it('restores the budget after each call returns', async () => {
    const exports = load(
      await wat(`(module
        (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (type $t (func (param i32) (result i32)))
        (table 1 funcref) (elem (i32.const 0) $leaf)
        (func (export "both") (param i32) (result i32)
          (i32.add (call $leaf (local.get 0)) (call_indirect (type $t) (local.get 0) (i32.const 0)))))`),
    )
    exports[STACK_EXPORT].value = 5000
    expect((exports['both'] as (n: number) => number)(1)).toBe(4)
    expect(exports[STACK_EXPORT].value).toBe(5000)
  })
})

describe('memory', () => {
  it('clamps the maximum so memory.grow past the limit returns -1 and raises the flag', async () => {
    const exports = load(
      await wat(`(module (memory (export "memory") 1 100)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`),
      4,
    )
    const grow = exports['grow'] as (n: number) => number
    expect(grow(3)).toBe(1)
    expect(exports[MEMORY_LIMIT_EXPORT].value).toBe(0)
    expect(grow(1)).toBe(-1)
    expect(exports[MEMORY_LIMIT_EXPORT].value).toBe(1)
    expect((exports['memory'] as WebAssembly.Memory).buffer.byteLength).toBe(4 * 65536)
  })

  it('rejects an initial memory above the limit with RUNTIME_MEMORY_LIMIT', async () => {
    const bytes = await wat(`(module (memory 20))`)
    rejects(() => instrument(bytes, { memoryPages: 16 }), 'RUNTIME_MEMORY_LIMIT', /20 memory pages/)
  })
})

describe('floats', () => {
  it('canonicalises NaN bits that reach memory, integers or a sign', async () => {
    // The probe job, with a no-op fd_write: only the stored bits matter here.
    const exports = load(await wat(jobWat('nan')), 16, { wasi_snapshot_preview1: { fd_write: () => 0 } })
    ;(exports['_start'] as () => void)()
    const view = new DataView((exports['memory'] as WebAssembly.Memory).buffer)
    expect(view.getUint32(64, true)).toBe(0x7fc00000) // f32 0/0
    expect(view.getBigUint64(72, true)).toBe(0x7ff8000000000000n) // f64 sqrt(-1)
    expect(view.getUint32(80, true)).toBe(0x7fc00000) // signalling NaN + 1
    expect(view.getUint32(88, true)).toBe(0x7fc00000) // reinterpret(inf - inf)
    expect(view.getBigUint64(96, true)).toBe(0x3ff0000000000000n) // copysign(1, NaN) is +1
    expect(view.getBigUint64(104, true)).toBe(0x7ff8000000000000n) // -nan:0x4 * 2

    if (process.arch === 'x64') {
      // The same probe without instrumentation shows the x86 bits the canonicalisation hides.
      const raw = new WebAssembly.Instance(new WebAssembly.Module(jobWasm('wat/nan.wasm')), {
        wasi_snapshot_preview1: { fd_write: () => 0 },
      }).exports
      ;(raw['_start'] as () => void)()
      const rawView = new DataView((raw['memory'] as WebAssembly.Memory).buffer)
      expect(rawView.getUint32(64, true)).toBe(0xffc00000)
      expect(rawView.getBigUint64(96, true)).toBe(0xbff0000000000000n)
    }
  })

  it('leaves ordinary floats bit for bit alone', async () => {
    const exports = load(
      await wat(`(module (memory (export "memory") 1)
        (func (export "run") (param f64 f64)
          (f64.store (i32.const 0) (f64.div (local.get 0) (local.get 1)))
          (f64.store (i32.const 8) (f64.copysign (local.get 0) (local.get 1)))))`),
    )
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        ;(exports['run'] as (a: number, b: number) => void)(a, b)
        const view = new DataView((exports['memory'] as WebAssembly.Memory).buffer)
        const quotient = a / b
        if (Number.isNaN(quotient)) expect(view.getBigUint64(0, true)).toBe(0x7ff8000000000000n)
        else expect(view.getFloat64(0, true)).toBe(quotient)
        expect(
          Object.is(
            view.getFloat64(8, true),
            Math.sign(b) === -1 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a),
          ),
        ).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

describe('structure', () => {
  it('does not run the start function at instantiation and exports it for the host', async () => {
    const { bytes, info } = instrument(
      await wat(`(module (global $g (export "g") (mut i32) (i32.const 0))
        (func $init (global.set $g (i32.const 42))) (start $init))`),
      { memoryPages: 1 },
    )
    expect(info.hasStart).toBe(true)
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports
    const g = exports['g'] as WebAssembly.Global<'i32'>
    expect(g.value).toBe(0)
    ;(exports[FUEL_EXPORT] as WebAssembly.Global<'i64'>).value = 100n
    ;(exports[START_EXPORT] as () => void)()
    expect(g.value).toBe(42)
  })

  it('reports imports, exports, memory and resettability', async () => {
    const { info } = instrument(jobWasm('c/hello.wasm'), { memoryPages: 256 })
    expect(info.imports.map((i) => i.name)).toContain('fd_write')
    expect(info.imports.every((i) => i.module === 'wasi_snapshot_preview1')).toBe(true)
    expect(info.exports).toContainEqual({ name: '_start', kind: 'function', params: [], results: [] })
    expect(info.memory?.maximumPages).toBe(256)
    const table = instrument(
      await wat(`(module (table 1 funcref) (func (export "f") (table.set (i32.const 0) (ref.null func))))`),
      {
        memoryPages: 1,
      },
    )
    expect(table.info.resettable).toBe(false)
  })
})

describe('rejections', () => {
  const cases: [string, string, Parameters<typeof wat>[1], string, RegExp][] = [
    [
      'SIMD',
      `(module (func (drop (v128.const i32x4 0 0 0 0))))`,
      { simd: true },
      'RUNTIME_INVALID_MODULE',
      /SIMD/,
    ],
    [
      'atomics',
      `(module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))`,
      { threads: true },
      'RUNTIME_INVALID_MODULE',
      /shared memory/,
    ],
    [
      'atomics on unshared memory',
      `(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))`,
      { threads: true },
      'RUNTIME_INVALID_MODULE',
      /threads/,
    ],
    ['memory64', `(module (memory i64 1))`, { memory64: true }, 'RUNTIME_INVALID_MODULE', /memory64/],
    [
      'multi-memory',
      `(module (memory 1) (memory 1))`,
      { multi_memory: true },
      'RUNTIME_INVALID_MODULE',
      /multiple memories/,
    ],
    [
      'exceptions',
      `(module (tag $e) (func (throw $e)))`,
      { exceptions: true },
      'RUNTIME_INVALID_MODULE',
      /exception handling/,
    ],
    [
      'tail calls',
      `(module (func $f (return_call $f)))`,
      { tail_call: true },
      'RUNTIME_INVALID_MODULE',
      /tail calls/,
    ],
    [
      'GC types',
      `(module (type (struct (field i32))))`,
      { gc: true, function_references: true },
      'RUNTIME_INVALID_MODULE',
      /GC/,
    ],
    [
      'imported memory',
      `(module (import "wasi_snapshot_preview1" "memory" (memory 1)))`,
      {},
      'RUNTIME_INVALID_MODULE',
      /imports its memory/,
    ],
    [
      'unknown namespace',
      `(module (import "env" "system" (func (param i32) (result i32))))`,
      {},
      'RUNTIME_UNKNOWN_IMPORT',
      /env\.system/,
    ],
    [
      'unknown WASI function',
      `(module (import "wasi_snapshot_preview1" "sock_open" (func (param i32) (result i32))))`,
      {},
      'RUNTIME_UNKNOWN_IMPORT',
      /sock_open/,
    ],
    [
      'wrong WASI signature',
      `(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32))))`,
      {},
      'RUNTIME_UNKNOWN_IMPORT',
      /fd_write.*expected \(i32, i32, i32, i32\) -> \(i32\)/,
    ],
    [
      'wrong icn signature',
      `(module (import "icn" "balance" (func (param i32 i32) (result i32))))`,
      {},
      'RUNTIME_UNKNOWN_IMPORT',
      /icn\.balance/,
    ],
    ['imported global', `(module (import "icn" "g" (global i32)))`, {}, 'RUNTIME_UNKNOWN_IMPORT', /global/],
    [
      'too many locals',
      `(module (func (local ${'i32 '.repeat(MODULE_BOUNDS.localsPerFunction + 1)})))`,
      {},
      'RUNTIME_INVALID_MODULE',
      /locals/,
    ],
    [
      'a huge table',
      `(module (table ${MODULE_BOUNDS.tableElements + 1} funcref))`,
      {},
      'RUNTIME_INVALID_MODULE',
      /table/,
    ],
    [
      'reserved export',
      `(module (global (export "__icn_fuel") i64 (i64.const 0)))`,
      {},
      'RUNTIME_INVALID_MODULE',
      /reserved/,
    ],
  ]

  it.each(cases)('rejects %s', async (_name, source, features, code, message) => {
    const bytes = await wat(source, features)
    rejects(() => instrument(bytes, { memoryPages: 16 }), code, message)
  })

  it('rejects malformed bytes with a position', () => {
    rejects(
      () => instrument(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1]), { memoryPages: 1 }),
      'RUNTIME_INVALID_MODULE',
      /byte \d+/,
    )
    rejects(
      () => instrument(new Uint8Array([1, 2, 3]), { memoryPages: 1 }),
      'RUNTIME_INVALID_MODULE',
      /malformed/,
    )
  })

  it('rejects modules that do not validate, with V8’s reason', async () => {
    // Structurally fine, but adds an i32 to an i64.
    const bytes = await wat(`(module (func (result i32) (i32.const 1)))`)
    const broken = bytes.slice()
    const at = broken.lastIndexOf(0x41) // i32.const → i64.const makes the result type wrong
    broken[at] = 0x42
    rejects(() => instrument(broken, { memoryPages: 1 }), 'RUNTIME_INVALID_MODULE', /not valid WebAssembly/)
  })

  it('rejects the component model', () => {
    rejects(
      () => instrument(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), { memoryPages: 1 }),
      'RUNTIME_INVALID_MODULE',
      /components/,
    )
  })
})

describe('fuzz', () => {
  const outcome = (bytes: Uint8Array): 'ok' | 'rejected' => {
    let out: Uint8Array
    try {
      out = instrument(bytes, { memoryPages: 16 }).bytes
    } catch (err) {
      expect(err).toBeInstanceOf(IcnError)
      expect((err as IcnError).code).toMatch(/^RUNTIME_(INVALID_MODULE|UNKNOWN_IMPORT|MEMORY_LIMIT)$/)
      expect((err as IcnError).message).not.toMatch(/internal error/)
      return 'rejected'
    }
    expect(WebAssembly.validate(out)).toBe(true)
    return 'ok'
  }

  it('never crashes and never emits an invalid module on random bytes', () => {
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (body, withHeader) => {
        outcome(new Uint8Array(withHeader ? [...header, ...body] : body))
      }),
      { numRuns: 3000 },
    )
  })

  it('never crashes and never emits an invalid module on mutated real modules', async () => {
    const seeds = [
      jobWasm('wat/kernel.wasm'),
      jobWasm('wat/sum.wasm'),
      jobWasm('wat/nan.wasm'),
      jobWasm('c/sha256-kernel.wasm'),
      await wat(LOOP),
    ]
    let accepted = 0
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (which, mutations) => {
          const seed = seeds[which] as Uint8Array
          let bytes = Array.from(seed)
          for (const [position, value, kind] of mutations) {
            const at = position % (bytes.length + 1)
            if (kind === 0) bytes[at] = value
            else if (kind === 1) bytes.splice(at, 0, value)
            else bytes.splice(at, 1)
          }
          bytes = bytes.slice(0, 1 << 20)
          if (outcome(new Uint8Array(bytes)) === 'ok') accepted++
        },
      ),
      { numRuns: 2000 },
    )
    // Some mutations must survive (e.g. changed constants), or this test would only exercise rejections.
    expect(accepted).toBeGreaterThan(10)
  })

  it('instruments a real clang-built WASI program into a valid module', () => {
    const { bytes } = instrument(jobWasm('c/sha256sum.wasm'), { memoryPages: 256 })
    expect(WebAssembly.validate(bytes)).toBe(true)
  })
})

describe('semantics', () => {
  /** Random, well-typed, terminating integer programs: blocks, loops, ifs, branches, calls, memory ops. */
  function program(seed: number): string {
    let state = seed >>> 0
    const rand = (n: number): number => {
      state = (state + 0x6d2b79f5) >>> 0
      let t = state
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) % n
    }
    let labels = 0
    const expr = (depth: number): string => {
      const leaf = depth <= 0 || rand(3) === 0
      if (leaf) {
        return [`(i32.const ${rand(2000) - 1000})`, '(local.get $a)', '(local.get $b)', '(local.get $x)'][
          rand(4)
        ] as string
      }
      switch (rand(7)) {
        case 0:
          return `(i32.load (i32.and ${expr(depth - 1)} (i32.const 1020)))`
        case 1:
          return `(select ${expr(depth - 1)} ${expr(depth - 1)} ${expr(depth - 1)})`
        case 2:
          return `(call $h ${expr(depth - 1)})`
        case 3:
          return `(i32.div_u ${expr(depth - 1)} (i32.or ${expr(depth - 1)} (i32.const 1)))`
        default: {
          const op = [
            'i32.add',
            'i32.sub',
            'i32.mul',
            'i32.xor',
            'i32.and',
            'i32.shl',
            'i32.rotl',
            'i32.lt_s',
          ][rand(8)]
          return `(${op} ${expr(depth - 1)} ${expr(depth - 1)})`
        }
      }
    }
    const stmts = (depth: number, count: number): string => {
      const out: string[] = []
      for (let i = 0; i < count; i++) {
        const kind = depth <= 0 ? rand(2) : rand(8)
        const label = `$l${labels++}`
        switch (kind) {
          case 0:
            out.push(`(local.set $x ${expr(3)})`)
            break
          case 1:
            out.push(`(i32.store (i32.and ${expr(2)} (i32.const 1020)) ${expr(3)})`)
            break
          case 2:
            out.push(`(if ${expr(2)} (then ${stmts(depth - 1, 2)}) (else ${stmts(depth - 1, 2)}))`)
            break
          case 3:
            out.push(
              `(block ${label} ${stmts(depth - 1, 2)} (br_if ${label} ${expr(2)}) ${stmts(depth - 1, 2)})`,
            )
            break
          case 4: {
            const counter = `$i${depth}`
            out.push(
              `(local.set ${counter} (i32.const ${1 + rand(20)}))
               (loop ${label} ${stmts(depth - 1, 2)}
                 (local.set ${counter} (i32.sub (local.get ${counter}) (i32.const 1)))
                 (br_if ${label} (local.get ${counter})))`,
            )
            break
          }
          case 5:
            out.push(
              `(memory.fill (i32.and ${expr(2)} (i32.const 511)) ${expr(1)} (i32.and ${expr(2)} (i32.const 255)))`,
            )
            break
          case 6:
            out.push(
              `(local.set $x (i32.add (local.get $x) (memory.grow (i32.and ${expr(1)} (i32.const 1)))))`,
            )
            break
          default:
            out.push(
              `(block ${label} (br_table ${label} ${label} (i32.and ${expr(2)} (i32.const 1))) ${stmts(depth - 1, 1)})`,
            )
        }
      }
      return out.join('\n')
    }
    const body = stmts(3, 6)
    return `(module (memory (export "memory") 1 4)
      (func $h (param i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const 31)) (i32.const 7)))
      (func (export "run") (param $a i32) (param $b i32) (result i32)
        (local $x i32) (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32)
        ${body}
        (i32.add (local.get $x) (i32.load (i32.const 64)))))`
  }

  it('instrumented programs compute exactly what the originals compute', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer(), fc.integer(), async (seed, a, b) => {
        const bytes = await wat(program(seed))
        const plain = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports
        const ours = load(bytes, 4)
        const expected = (plain['run'] as (a: number, b: number) => number)(a, b)
        const first = metered(ours, () => (ours['run'] as (a: number, b: number) => number)(a, b))
        expect(first.result).toBe(expected)
        const plainMemory = new Uint8Array((plain['memory'] as WebAssembly.Memory).buffer)
        const meteredMemory = new Uint8Array((ours['memory'] as WebAssembly.Memory).buffer)
        expect(Buffer.compare(meteredMemory, plainMemory)).toBe(0)
        // A second instance spends exactly the same fuel.
        const again = load(bytes, 4)
        expect(metered(again, () => (again['run'] as (a: number, b: number) => number)(a, b)).fuel).toBe(
          first.fuel,
        )
      }),
      { numRuns: 150 },
    )
  })
})
