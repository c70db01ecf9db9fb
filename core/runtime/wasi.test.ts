import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HOST_BYTE_FUEL, HOST_CALL_FUEL } from './abi'
import { ModuleCache, executeV8Job, normalizeJob, type ExecutionOutcome, type JobSpec } from './job'
import { ERRNO } from './wasi'
import { bytes, jobWasm, text, wat } from './testdata/wat'

const cache = new ModuleCache()

function job(module: Uint8Array, overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    module,
    engine: 'v8',
    args: [],
    env: {},
    inputs: [],
    limits: { fuel: 100_000_000, memoryMiB: 32, timeoutMs: 10_000, outputBytes: 1 << 20 },
    seed: bytes('job-cid'),
    startTs: 1_700_000_000_000,
    ...overrides,
  }
}

function run(module: Uint8Array, overrides: Partial<JobSpec> = {}): ExecutionOutcome {
  return executeV8Job(normalizeJob(job(module, overrides)), cache)
}

const IMPORT = (name: string, params: string, results = '(result i32)'): string =>
  `(import "wasi_snapshot_preview1" "${name}" (func $${name} (param ${params}) ${results}))`

/** A WASI command that runs `body` and then writes memory[512, 512 + count) to stdout. */
async function probe(body: string, count: number, extraImports: string[] = []): Promise<Uint8Array> {
  return wat(`(module
    ${IMPORT('fd_write', 'i32 i32 i32 i32')}
    ${extraImports.join('\n')}
    (memory (export "memory") 1)
    (data (i32.const 1024) "../secret\\00/etc/passwd\\00sub/x\\005\\00new\\000\\00result.txt\\00.")
    (func (export "_start")
      ${body}
      (i32.store (i32.const 0) (i32.const 512))
      (i32.store (i32.const 4) (i32.const ${count}))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`)
}

describe('clang-built WASI programs', () => {
  it('see arguments, environment, stdin, /in files, the fixed clock and the seeded random', () => {
    const outcome = run(jobWasm('c/hello.wasm'), {
      args: ['one', 'two words'],
      env: { WHO: 'the cooperative' },
      stdin: bytes('first line\nsecond line\n'),
      inputs: [bytes('twelve bytes')],
      startTs: 1_717_171_717_000,
    })
    expect(outcome.error).toBeUndefined()
    expect(outcome.exitCode).toBe(0)
    const lines = text(outcome.stdout).split('\n')
    expect(lines[0]).toBe('argc=3 argv[1]=one argv[2]=two words')
    expect(lines[1]).toBe('WHO=the cooperative')
    expect(lines[2]).toBe('stdin=first line')
    expect(lines[3]).toBe('/in/0 has 12 bytes')
    expect(lines[4]).toMatch(/^random=[0-9a-f]{16}$/)
    expect(lines[5]).toBe('time=1717171717')
    expect(lines[6]).toBe('pi~3.141593')
    expect(Object.keys(outcome.outputs)).toEqual(['greeting.txt'])
    expect(text(outcome.outputs['greeting.txt'] as Uint8Array)).toBe('hello, the cooperative\n')
  })

  it('draws random bytes from the seed: same seed same bytes, other seed other bytes', () => {
    const randomLine = (seed: string): string =>
      text(run(jobWasm('c/hello.wasm'), { seed: bytes(seed) }).stdout)
        .split('\n')
        .find((l) => l.startsWith('random=')) as string
    // SHA-256 counter mode: block 0 = sha256("icn/v1/random\0" || seed || u64be(0)).
    const expected = createHash('sha256')
      .update('icn/v1/random\0')
      .update('seed-a')
      .update(new Uint8Array(8))
      .digest('hex')
      .slice(0, 16)
    expect(randomLine('seed-a')).toBe(`random=${expected}`)
    expect(randomLine('seed-a')).toBe(randomLine('seed-a'))
    expect(randomLine('seed-b')).not.toBe(randomLine('seed-a'))
  })

  it('computes SHA-256 exactly like node:crypto, for stdin and every input file', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 3 }),
        (stdin, inputs) => {
          const outcome = run(jobWasm('c/sha256sum.wasm'), { stdin, inputs })
          expect(outcome.error).toBeUndefined()
          const hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
          const expected =
            [`${hex(stdin)}  -`, ...inputs.map((b, i) => `${hex(b)}  /in/${i}`)].join('\n') + '\n'
          expect(text(outcome.stdout)).toBe(expected)
          expect(text(outcome.outputs['digests.txt'] as Uint8Array)).toBe(expected)
        },
      ),
      { numRuns: 25 },
    )
  })
})

describe('file system sandbox', () => {
  it('refuses to leave /in and /out and enforces read-only / write-only', async () => {
    const open = (i: number, dir: number, ptr: number, len: number, oflags: number): string =>
      `(i32.store8 (i32.const ${512 + i}) (call $path_open (i32.const ${dir}) (i32.const 0) (i32.const ${ptr}) (i32.const ${len})
         (i32.const ${oflags}) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))`
    const module = await probe(
      [
        open(0, 3, 1024, 9, 0), // ../secret
        open(1, 3, 1034, 11, 0), // /etc/passwd
        open(2, 3, 1046, 5, 0), // sub/x
        open(3, 3, 1052, 1, 0), // /in/5 does not exist
        open(4, 3, 1054, 3, 1), // create in /in
        open(5, 3, 1058, 1, 0), // /in/0 exists
        // write to the read-only input just opened (fd stored at 16)
        `(i32.store (i32.const 32) (i32.const 1024)) (i32.store (i32.const 36) (i32.const 3))
         (i32.store8 (i32.const 518) (call $fd_write (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 40)))`,
        open(7, 4, 1060, 10, 1), // create /out/result.txt
        // read from the write-only output
        `(i32.store8 (i32.const 520) (call $fd_read (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 40)))`,
        open(9, 4, 1054, 3, 0), // /out/new without O_CREAT
        open(10, 1, 1058, 1, 0), // stdout is not a directory
        open(11, 99, 1058, 1, 0), // no such fd
      ].join('\n'),
      12,
      [IMPORT('path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32'), IMPORT('fd_read', 'i32 i32 i32 i32')],
    )
    const outcome = run(module, { inputs: [bytes('abc')] })
    expect(outcome.error).toBeUndefined()
    expect([...outcome.stdout]).toEqual([
      ERRNO.NOTCAPABLE,
      ERRNO.NOTCAPABLE,
      ERRNO.NOENT,
      ERRNO.NOENT,
      ERRNO.NOTCAPABLE,
      ERRNO.SUCCESS,
      ERRNO.BADF,
      ERRNO.SUCCESS,
      ERRNO.BADF,
      ERRNO.NOENT,
      ERRNO.NOTDIR,
      ERRNO.BADF,
    ])
    expect(outcome.outputs).toEqual({ 'result.txt': new Uint8Array(0) })
  })

  it('lists /in with fd_readdir', async () => {
    const module = await probe(
      `(drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 1071) (i32.const 1) (i32.const 2)
          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))
       (drop (call $fd_readdir (i32.load (i32.const 16)) (i32.const 512) (i32.const 200) (i64.const 0) (i32.const 20)))`,
      200,
      [
        IMPORT('path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32'),
        IMPORT('fd_readdir', 'i32 i32 i32 i64 i32'),
      ],
    )
    const outcome = run(module, { inputs: [bytes('a'), bytes('bb'), bytes('ccc')] })
    const view = new DataView(outcome.stdout.buffer, outcome.stdout.byteOffset)
    const names: string[] = []
    for (let at = 0; at + 24 <= 200;) {
      const length = view.getUint32(at + 16, true)
      if (length === 0) break
      names.push(text(outcome.stdout.subarray(at + 24, at + 24 + length)))
      at += 24 + length
    }
    expect(names).toEqual(['0', '1', '2'])
  })
})

describe('limits and exits', () => {
  it('caps output exactly at outputBytes across stdout, stderr and /out', async () => {
    const flood = jobWasm('wat/output-flood.wasm')
    const outcome = run(flood, {
      limits: { fuel: 100_000_000, memoryMiB: 1, timeoutMs: 1000, outputBytes: 10_000 },
    })
    expect(outcome.error?.code).toBe('RUNTIME_OUTPUT_LIMIT')
    expect(outcome.stdout.length).toBe(10_000)
    expect(outcome.stdout.every((b) => b === 65)).toBe(true)
  })

  it('reports proc_exit codes, and non-zero ones as RUNTIME_EXIT_NONZERO', async () => {
    const exit = async (code: number): Promise<ExecutionOutcome> =>
      run(
        await wat(`(module ${IMPORT('proc_exit', 'i32', '')} (memory (export "memory") 1)
          (func (export "_start") (call $proc_exit (i32.const ${code})) unreachable))`),
      )
    expect(await exit(0)).toMatchObject({ exitCode: 0 })
    expect((await exit(0)).error).toBeUndefined()
    expect(await exit(3)).toMatchObject({ exitCode: 3, error: { code: 'RUNTIME_EXIT_NONZERO' } })
  })

  it('meters the start function too', async () => {
    const outcome = run(
      await wat(`(module (func $spin (loop (br 0))) (start $spin) (func (export "_start")))`),
      {
        limits: { fuel: 10_000, memoryMiB: 1, timeoutMs: 1000, outputBytes: 0 },
      },
    )
    expect(outcome.error?.code).toBe('RUNTIME_OUT_OF_FUEL')
    expect(outcome.fuelUsed).toBe(10_000n)
  })

  it('checks the entry point', async () => {
    const module = await wat(
      `(module (func (export "_start") (param i32)) (func (export "main") (result i32) (i32.const 7)))`,
    )
    expect(run(module).error?.code).toBe('RUNTIME_INVALID_MODULE')
    expect(run(module, { entry: 'missing' }).error?.message).toMatch(/does not export a function "missing"/)
    expect(run(module, { entry: 'main' })).toMatchObject({
      exitCode: 7,
      error: { code: 'RUNTIME_EXIT_NONZERO' },
    })
  })

  it('rejects misuse with INVALID_ARGUMENT', () => {
    const module = jobWasm('wat/hello.wasm')
    expect(() => normalizeJob(job(module, { args: ['a\0b'] }))).toThrow(/NUL/)
    expect(() => normalizeJob(job(module, { env: { 'A=B': 'x' } }))).toThrow(/environment variable/)
    expect(() =>
      normalizeJob(job(module, { limits: { fuel: 0, memoryMiB: 1, timeoutMs: 1, outputBytes: 0 } })),
    ).toThrow(/fuel/)
    expect(() =>
      normalizeJob(job(module, { limits: { fuel: 1, memoryMiB: 5000, timeoutMs: 1, outputBytes: 0 } })),
    ).toThrow(/memoryMiB/)
  })
})

describe('fuel for host calls', () => {
  const yieldLoop = (n: number): Promise<Uint8Array> =>
    wat(`(module ${IMPORT('sched_yield', '')} (memory (export "memory") 1)
      (func (export "_start") (local $i i32)
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (i32.const ${n})))
          (drop (call $sched_yield))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))))`)

  it('charges HOST_CALL_FUEL per call on top of the instructions', async () => {
    const fuel = async (n: number): Promise<bigint> => run(await yieldLoop(n)).fuelUsed
    // Per iteration: 11 instructions plus one host call.
    expect((await fuel(10)) - (await fuel(0))).toBe(10n * (11n + HOST_CALL_FUEL))
  })

  it('charges HOST_BYTE_FUEL per byte written', async () => {
    const write = (n: number): Promise<Uint8Array> =>
      wat(`(module ${IMPORT('fd_write', 'i32 i32 i32 i32')} (memory (export "memory") 1)
        (func (export "_start")
          (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const ${n}))
          (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`)
    const a = run(await write(0))
    const b = run(await write(1000))
    expect(b.stdout.length).toBe(1000)
    expect(b.fuelUsed - a.fuelUsed).toBe(1000n * HOST_BYTE_FUEL)
  })
})
