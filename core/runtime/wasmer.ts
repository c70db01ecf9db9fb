import type * as WasmerSdk from '@wasmer/sdk/node'
import type { ExecutionOutcome, NormalizedJob } from './job'

/**
 * Full-WASI jobs on @wasmer/sdk. Wasmer has no fuel and no memory limit, so these jobs are bounded only by the
 * wall clock (the pool terminates the worker) and by output caps, and their results say `deterministic: false`.
 * The worker that ran one is always discarded afterwards: the SDK keeps its own threads and `close()` can hang
 * after a timeout.
 *
 * Layout differences from the v8 engine: inputs are files /in/0, /in/1, … as well, but the SDK only lets the
 * host read files back from /workspace, so outputs are collected from /workspace/out (the guest's working
 * directory is /workspace, so the relative path `out/<name>` works for both engines when the guest does not
 * hard-code /out).
 */
export async function executeWasmerJob(job: NormalizedJob): Promise<ExecutionOutcome> {
  const empty = { stdout: new Uint8Array(0), stderr: new Uint8Array(0), outputs: {}, fuelUsed: 0n }
  let sdk: typeof WasmerSdk
  try {
    sdk = await import('@wasmer/sdk/node')
  } catch (err) {
    return {
      ...empty,
      exitCode: -1,
      error: {
        code: 'RUNTIME_ENGINE_UNAVAILABLE',
        message: `The wasmer engine could not be loaded: ${(err as Error).message}`,
      },
    }
  }
  let wasmer: InstanceType<typeof sdk.Wasmer>
  try {
    // No cache on disk: the default would write a .wasmer directory into the working directory.
    wasmer = new sdk.Wasmer({ cache: false, outputBytes: job.limits.outputBytes })
    await wasmer.ready()
  } catch (err) {
    return {
      ...empty,
      exitCode: -1,
      error: {
        code: 'RUNTIME_ENGINE_UNAVAILABLE',
        message: `The wasmer engine failed to start: ${(err as Error).message}`,
      },
    }
  }
  let pkg: Awaited<ReturnType<typeof wasmer.packages.create>>
  try {
    pkg = await wasmer.packages.create({
      modules: { job: job.module },
      commands: { main: { module: 'job' } },
      files: Object.fromEntries(job.inputs.map((bytes, i) => [`/in/${i}`, bytes])),
    })
  } catch (err) {
    return {
      ...empty,
      exitCode: -1,
      error: { code: 'RUNTIME_INVALID_MODULE', message: (err as Error).message },
    }
  }
  const sandbox = await wasmer.sandboxes.create({
    packages: [pkg],
    env: job.env,
    network: { mode: 'disabled' },
  })
  await sandbox.fs.mkdir('/workspace/out', { recursive: true })
  const output = await sandbox.command(pkg, job.args, { cwd: '/workspace', env: job.env }).run({
    check: false,
    stdin: job.stdin,
    timeoutMs: job.limits.timeoutMs,
    outputBytes: job.limits.outputBytes,
  })

  const outputs: Record<string, Uint8Array> = {}
  let used = output.stdout.bytes.length + output.stderr.bytes.length
  let overflow = output.stdout.truncated || output.stderr.truncated
  for (const entry of [...(await sandbox.fs.readDir('/workspace/out'))].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (entry.kind !== 'file') continue
    if (used + entry.size > job.limits.outputBytes) {
      overflow = true
      break
    }
    const bytes = await sandbox.fs.readFile(`/workspace/out/${entry.name}`)
    used += bytes.length
    outputs[entry.name] = bytes
  }
  const outcome: ExecutionOutcome = {
    exitCode: output.reason === 'exited' ? output.exitCode : -1,
    stdout: output.stdout.bytes,
    stderr: output.stderr.bytes,
    outputs,
    fuelUsed: 0n,
  }
  if (overflow) {
    outcome.error = {
      code: 'RUNTIME_OUTPUT_LIMIT',
      message: `The module wrote more than its output limit of ${job.limits.outputBytes} bytes.`,
    }
  } else if (output.reason === 'timeout') {
    outcome.error = {
      code: 'RUNTIME_TIMEOUT',
      message: `The module ran longer than ${job.limits.timeoutMs} ms.`,
    }
  } else if (output.reason === 'terminated') {
    outcome.error = { code: 'RUNTIME_TRAP', message: 'The module was terminated by the wasmer runtime.' }
  } else if (output.exitCode !== 0) {
    outcome.error = {
      code: 'RUNTIME_EXIT_NONZERO',
      message: `The module exited with code ${output.exitCode}.`,
    }
  }
  // Do not await sandbox.close()/wasmer.close(): the pool discards this worker after the job.
  return outcome
}
