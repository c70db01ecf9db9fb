import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isIcnError } from '../errors'
import { silentLogger } from '../logger'
import { runtime, type JobProgress, type JobResult, type JobSpec, type Runtime } from './index'
import { locateWorker, RUNTIME_WORKER_ENTRY } from './runtime'
import { bytes, jobWasm, text, wat } from './testdata/wat'

function spec(module: Uint8Array, overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    module,
    engine: 'v8',
    args: [],
    env: {},
    inputs: [],
    limits: { fuel: 50_000_000, memoryMiB: 16, timeoutMs: 20_000, outputBytes: 64 * 1024 },
    seed: bytes('bafy-job'),
    startTs: 1_700_000_000_000,
    ...overrides,
  }
}

describe('worker location', () => {
  it('uses worker.ts through tsx from sources and runtime-worker.js next to a bundle', () => {
    const source = new URL('./runtime.ts', import.meta.url).href
    const dev = locateWorker(source)
    expect(dev.eval).toBe(true)
    expect(dev.script).toContain(new URL('./worker.ts', source).href)
    expect(dev.script).toContain('tsx')
    const bundled = locateWorker('file:///app/dist/node/main.js')
    expect(bundled).toEqual({ eval: false, script: new URL('file:///app/dist/node/runtime-worker.js') })
    expect(RUNTIME_WORKER_ENTRY).toBe('core/runtime/worker.ts')
  })
})

describe('runtime pool', () => {
  let rt: Runtime
  beforeAll(async () => {
    rt = runtime({ poolSize: 2 })({ logger: silentLogger })
    await rt.start()
  })
  afterAll(async () => {
    await rt.stop()
  })

  it('gives identical results for the same job in every worker, every time', async () => {
    const hello = spec(jobWasm('c/hello.wasm'), {
      args: ['x'],
      env: { WHO: 'members' },
      stdin: bytes('in\n'),
      inputs: [bytes('data')],
    })
    const results = await Promise.all(Array.from({ length: 6 }, () => rt.run(hello)))
    const first = results[0] as JobResult
    expect(first.error).toBeUndefined()
    expect(first.deterministic).toBe(true)
    expect(text(first.stdout)).toContain('WHO=members')
    for (const r of results) {
      expect(r.stdout).toEqual(first.stdout)
      expect(r.stderr).toEqual(first.stderr)
      expect(r.outputs).toEqual(first.outputs)
      expect(r.fuelUsed).toBe(first.fuelUsed)
      expect(r.exitCode).toBe(0)
    }
  })

  it('reports every hostile module with its code, keeps the event loop responsive, then runs a clean job', async () => {
    const hostile: [string, Uint8Array, Partial<JobSpec['limits']>, string][] = [
      ['infinite loop', jobWasm('wat/infinite-loop.wasm'), { fuel: 200_000_000 }, 'RUNTIME_OUT_OF_FUEL'],
      ['memory bomb', jobWasm('wat/memory-bomb.wasm'), { memoryMiB: 64 }, 'RUNTIME_MEMORY_LIMIT'],
      ['deep recursion', jobWasm('wat/deep-recursion.wasm'), {}, 'RUNTIME_STACK_OVERFLOW'],
      ['output flood', jobWasm('wat/output-flood.wasm'), { outputBytes: 100_000 }, 'RUNTIME_OUTPUT_LIMIT'],
      ['unknown import', jobWasm('wat/unknown-import.wasm'), {}, 'RUNTIME_UNKNOWN_IMPORT'],
      ['invalid module', bytes('\0asm\x01\0\0\0garbage'), {}, 'RUNTIME_INVALID_MODULE'],
      [
        'initial memory too large',
        await wat('(module (memory 2000) (func (export "_start")))'),
        {},
        'RUNTIME_MEMORY_LIMIT',
      ],
      [
        'endless loop with a huge budget',
        jobWasm('wat/infinite-loop.wasm'),
        { fuel: 10n ** 15n, timeoutMs: 1500 },
        'RUNTIME_TIMEOUT',
      ],
    ]
    const batch = async (): Promise<{ results: JobResult[]; p99: number }> => {
      const delay = monitorEventLoopDelay({ resolution: 5 })
      delay.enable()
      const results = await Promise.all(
        hostile.map(([, module, limits]) =>
          rt.run(spec(module, { limits: { ...spec(module).limits, ...limits } })),
        ),
      )
      delay.disable()
      return { results, p99: delay.percentile(99) / 1e6 }
    }
    // The delay is measured on a shared 2-core machine where other processes can steal the CPU for tens of
    // milliseconds; a real regression (guest work on the main thread) blocks for seconds in every attempt, so
    // the best of up to three batches must stay under the target.
    const attempts: number[] = []
    let results: JobResult[] = []
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = await batch()
      results = run.results
      attempts.push(run.p99)
      if (run.p99 < 50) break
    }
    hostile.forEach(([name, , , code], i) => {
      const result = results[i] as JobResult
      expect(result.error?.code, name).toBe(code)
      expect(result.exitCode, name).toBe(-1)
    })
    const timedOut = results[7] as JobResult
    expect(timedOut.deterministic).toBe(false)
    expect(timedOut.finishedAt - timedOut.startedAt).toBeGreaterThanOrEqual(1400)
    const flood = results[3] as JobResult
    expect(flood.stdout.length).toBe(100_000)
    const best = Math.min(...attempts)
    expect(best, `event loop p99 per batch: ${attempts.map((p) => p.toFixed(1)).join(', ')} ms`).toBeLessThan(
      50,
    )

    // The pool replaced the terminated worker; fresh instances in every worker see no earlier state.
    const probes = await Promise.all(Array.from({ length: 4 }, () => rt.run(spec(jobWasm('wat/state.wasm')))))
    for (const p of probes) expect(text(p.stdout)).toBe('1 1\n')
    expect(rt.stats().workers).toBe(2)
  })

  it('queues jobs beyond the pool size and reports progress', async () => {
    const stages: JobProgress[][] = [[], [], [], []]
    const results = await Promise.all(
      stages.map((events) =>
        rt.run(spec(jobWasm('wat/kernel.wasm'), { stdin: bytes('x'.repeat(2000)) }), {
          onProgress: (p) => events.push(p),
        }),
      ),
    )
    expect(new Set(results.map((r) => text(r.stdout))).size).toBe(1)
    for (const events of stages) {
      expect(events[0]?.stage).toBe('queued')
      expect(events.map((e) => e.stage)).toEqual(expect.arrayContaining(['started', 'finished']))
    }
    expect(stages.some((events) => events[0]?.stage === 'queued' && events[0].position > 1)).toBe(true)
  })

  it('cancels a running job with its signal and keeps serving', async () => {
    const controller = new AbortController()
    const running = rt.run(
      spec(jobWasm('wat/infinite-loop.wasm'), {
        limits: { fuel: 10n ** 15n, memoryMiB: 1, timeoutMs: 60_000, outputBytes: 0 },
      }),
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'running') setTimeout(() => controller.abort(), 100)
        },
      },
    )
    await expect(running).rejects.toSatisfy((err) => isIcnError(err, 'ABORTED'))
    const after = await rt.run(spec(jobWasm('wat/hello.wasm')))
    expect(text(after.stdout)).toBe('Hello from an ICN job!\n')
  })

  it.runIf(process.platform === 'linux')(
    'runs workers at a lower scheduling priority than the main thread',
    async () => {
      const { readFileSync } = await import('node:fs')
      // Field 19 of /proc/<pid>/task/<tid>/stat (index 16 after the command name) is the nice value.
      const niceness = (): number[] =>
        readdirSync(`/proc/${process.pid}/task`).map((tid) => {
          const fields =
            readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
          return Number(fields[16])
        })
      // Measure while two jobs run, so that both workers have started (a replaced worker may still be loading).
      let running = 0
      let measured: number[] = []
      const busy = spec(jobWasm('wat/infinite-loop.wasm'), {
        limits: { fuel: 400_000_000, memoryMiB: 1, timeoutMs: 20_000, outputBytes: 0 },
      })
      const onProgress = (p: JobProgress): void => {
        if (p.stage === 'running' && ++running === 2) measured = niceness()
      }
      await Promise.all([rt.run(busy, { onProgress }), rt.run(busy, { onProgress })])
      expect(running).toBe(2)
      expect(measured.filter((n) => n >= 10).length).toBeGreaterThanOrEqual(2)
    },
  )

  it('rejects misuse instead of reporting it as a job failure', async () => {
    await expect(
      rt.run(spec(jobWasm('wat/hello.wasm'), { args: [42 as unknown as string] })),
    ).rejects.toSatisfy((err) => isIcnError(err, 'INVALID_ARGUMENT'))
  })

  it('runs WASI commands on @wasmer/sdk, marked non-deterministic', async () => {
    const result = await rt.run(
      spec(jobWasm('c/sha256sum.wasm'), { engine: 'wasmer', stdin: bytes('abc'), inputs: [bytes('hello')] }),
    )
    expect(result.error).toBeUndefined()
    expect(result.deterministic).toBe(false)
    expect(result.fuelUsed).toBe(0n)
    expect(text(result.stdout)).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n' +
        '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  /in/0\n',
    )
    const endless = await rt.run(
      spec(jobWasm('wat/infinite-loop.wasm'), {
        engine: 'wasmer',
        limits: { fuel: 1, memoryMiB: 1, timeoutMs: 2500, outputBytes: 0 },
      }),
    )
    expect(endless.error?.code).toBe('RUNTIME_TIMEOUT')
    // The killed worker is gone; the pool starts a fresh one for the next job.
    expect(rt.stats().workers).toBeLessThanOrEqual(2)
    expect((await rt.run(spec(jobWasm('wat/hello.wasm')))).error).toBeUndefined()
  })
})

describe('runtime lifecycle', () => {
  it('refuses jobs before start and rejects queued jobs on stop', async () => {
    const rt = runtime({ poolSize: 1 })({ logger: silentLogger })
    await expect(rt.run(spec(jobWasm('wat/hello.wasm')))).rejects.toSatisfy((err) =>
      isIcnError(err, 'NODE_NOT_RUNNING'),
    )
    await rt.start()
    await rt.warm()
    const endless = spec(jobWasm('wat/infinite-loop.wasm'), {
      limits: { fuel: 10n ** 15n, memoryMiB: 1, timeoutMs: 60_000, outputBytes: 0 },
    })
    const running = rt.run(endless)
    const queued = rt.run(spec(jobWasm('wat/hello.wasm')))
    expect(rt.stats()).toMatchObject({ workers: 1, busy: 1, queued: 1 })
    const outcomes = Promise.allSettled([running, queued])
    await rt.stop()
    for (const outcome of await outcomes) {
      expect(outcome.status).toBe('rejected')
      expect(isIcnError((outcome as PromiseRejectedResult).reason, 'ABORTED')).toBe(true)
    }
    expect(rt.stats().workers).toBe(0)
  })

  it('starts no worker until a job arrives and ends idle workers', async () => {
    const lazy = runtime({ poolSize: 2, idleWorkerMs: 300 })({ logger: silentLogger })
    await lazy.start()
    expect(lazy.stats().workers).toBe(0)
    expect((await lazy.run(spec(jobWasm('wat/hello.wasm')))).error).toBeUndefined()
    expect(lazy.stats().workers).toBe(1)
    await new Promise((r) => setTimeout(r, 1000))
    expect(lazy.stats().workers).toBe(0)
    await lazy.stop()
  })

  it('ends idle workers on release and leaves a busy one running its job', async () => {
    const rt = runtime({ poolSize: 2 })({ logger: silentLogger })
    await rt.start()
    expect(await rt.release()).toBe(0)
    await rt.warm()
    expect(rt.stats().workers).toBe(2)
    // Threads of this process (Linux; elsewhere the check below is skipped).
    const linux = process.platform === 'linux'
    const threads = (): number => (linux ? readdirSync(`/proc/${process.pid}/task`).length : 0)
    const before = threads()
    const endless = spec(jobWasm('wat/infinite-loop.wasm'), {
      limits: { fuel: 10n ** 15n, memoryMiB: 1, timeoutMs: 60_000, outputBytes: 0 },
    })
    const stop = new AbortController()
    const running = rt.run(endless, { signal: stop.signal })
    expect(await rt.release()).toBe(1)
    expect(rt.stats()).toMatchObject({ workers: 1, busy: 1 })
    // The ended worker's thread is gone once release resolves.
    if (linux) expect(threads()).toBeLessThan(before)
    stop.abort()
    await expect(running).rejects.toSatisfy((err) => isIcnError(err, 'ABORTED'))
    // The next job starts a worker again.
    expect((await rt.run(spec(jobWasm('wat/hello.wasm')))).error).toBeUndefined()
    await rt.stop()
  })
})

describe('bundled worker', () => {
  it('loads dist/node/runtime-worker.js next to an esbuild bundle built like scripts/build.mjs', async () => {
    const { build } = await import('esbuild')
    const { NODE_BUNDLE } = await import('../../scripts/esbuild-node.mjs')
    const root = fileURLToPath(new URL('../../', import.meta.url))
    const dir = await mkdtemp(join(tmpdir(), 'icn-runtime-bundle-'))
    try {
      const entry = join(dir, 'entry.ts')
      await writeFile(
        entry,
        `import { runtime } from ${JSON.stringify(join(root, 'core/runtime/index.ts'))}
         import { silentLogger } from ${JSON.stringify(join(root, 'core/logger.ts'))}
         const rt = runtime({ poolSize: 1 })({ logger: silentLogger })
         await rt.start()
         const module = new Uint8Array(${JSON.stringify([...jobWasm('wat/hello.wasm')])})
         const result = await rt.run({ module, engine: 'v8', args: [], env: {}, inputs: [], seed: new Uint8Array([1]), startTs: 0,
           limits: { fuel: 1000000, memoryMiB: 1, timeoutMs: 10000, outputBytes: 1000 } })
         await rt.stop()
         process.stdout.write(new TextDecoder().decode(result.stdout))`,
      )
      await build({
        entryPoints: { main: entry, 'runtime-worker': join(root, RUNTIME_WORKER_ENTRY) },
        outdir: join(dir, 'dist/node'),
        ...NODE_BUNDLE,
        logLevel: 'silent',
      })
      // A plain node process: no tsx, no vitest; v8 jobs need no npm package at run time.
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [join(dir, 'dist/node/main.js')], { cwd: dir }, (err, out, errOut) =>
          err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
        ),
      )
      expect(stdout).toBe('Hello from an ICN job!\n')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
