import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { IcnClient } from '../client'
import type { MeshDisputeInfo, MeshJobDetail, MeshJobSummary, Params } from '../contract'
import { UsageError, type CliContext } from './index'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** A file path when it exists, else a CID string (the node checks it). */
async function blobArg(arg: string): Promise<Uint8Array<ArrayBuffer> | string> {
  if (existsSync(arg)) return new Uint8Array(await readFile(arg))
  if (/^b[a-z2-7]{20,}$/.test(arg)) return arg
  throw new UsageError(`"${arg}" is neither a file nor a CID.`)
}

function intOption(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`${what} must be a whole number (got ${value}).`)
  return n
}

function amountOption(value: string, what: string): string {
  if (!/^\d{1,16}$/.test(value))
    throw new UsageError(`${what} must be a whole number of mana (got ${value}).`)
  return value
}

const TERMINAL = new Set(['paid', 'rejected', 'refunded'])
const time = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString())
const short = (did: string | null): string =>
  did === null ? '-' : did.length > 28 ? `${did.slice(0, 20)}…${did.slice(-6)}` : did

function statusText(s: MeshJobSummary): string {
  return s.reason === null ? s.status : `${s.status} (${s.reason})`
}

export function formatJob(d: MeshJobDetail): string {
  const lines = [
    `job          ${d.id}`,
    `status       ${statusText(d)}`,
    `role         ${d.role}`,
    `scope        ${d.scope}`,
    `submitter    ${d.submitter}`,
    `submitted    ${time(d.submittedAt)}`,
    `module       ${d.manifest.module} (${d.manifest.engine}, entry ${d.manifest.entry})`,
    `limits       fuel ${d.manifest.limits.fuel}, memory ${d.manifest.limits.memoryMiB} MiB, timeout ${d.manifest.limits.timeoutMs} ms, output ${d.manifest.limits.outputBytes} B`,
    `price        max ${d.manifest.maxPrice}${d.price === null ? '' : `, agreed ${d.price}`}`,
    `executor     ${d.executor ?? '-'}${d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}`,
  ]
  if (d.bids.length > 0) {
    lines.push('bids')
    for (const b of d.bids)
      lines.push(
        `  ${short(b.executor).padEnd(28)} price ${b.price.padStart(6)}  reputation ${String(b.reputation).padStart(4)}  ${String(b.latencyMs).padStart(4)} ms  ${b.score === null ? '' : `score ${b.score}  `}${b.state}`,
      )
  }
  if (d.assignments.length > 1) {
    lines.push('assignments')
    for (const a of d.assignments)
      lines.push(`  #${a.attempt} ${short(a.executor)} price ${a.price}${a.timedOut ? '  timed out' : ''}`)
  }
  for (const r of d.receipts) {
    lines.push(
      `receipt      ${r.id}${r.current ? '' : ' (late, not paid)'}`,
      `  exit ${r.exit}${r.error === null ? '' : `, error ${r.error.code}: ${r.error.message}`}`,
      `  fuel ${r.fuelUsed}, ${r.deterministic ? 'deterministic' : 'not deterministic'}, ran ${r.finishedAt - r.startedAt} ms`,
      `  stdout ${r.stdout} (${r.stdoutBytes} B), outputs ${r.output}`,
    )
  }
  if (d.verification !== null)
    lines.push(
      `verification ${d.verification.ok ? 'ok' : `failed (${d.verification.reason})`} by ${d.verification.method}${d.verification.differences.length > 0 ? `: ${d.verification.differences.join('; ')}` : ''}`,
    )
  if (d.settlement !== null)
    lines.push(
      `settlement   ${d.settlement.kind} ${d.settlement.kind === 'paid' ? `${d.settlement.price} mana to ${short(d.settlement.executor)}` : `(${d.settlement.reason})`} at ${time(d.settlement.ts)}  ${d.settlement.id}`,
      ...(d.settlement.attestations.length === 0
        ? []
        : [
            `attested by  ${d.settlement.attestations.map((a) => `${short(a.validator)} (${time(a.ts)})`).join(', ')}`,
          ]),
    )
  if (d.waiting.length > 0) {
    lines.push(d.status === 'bidding' ? 'waiting for' : 'why nobody bid')
    for (const w of d.waiting) lines.push(`  ${w.message}`)
  }
  return lines.join('\n')
}

export function formatDispute(d: MeshDisputeInfo): string {
  const lines = [
    `dispute      ${d.id}`,
    `job          ${d.job}`,
    `status       ${d.status}${d.status === 'open' ? ` (${d.verdicts.length} of ${d.validators.length} verdicts, ${d.quorum} of one side decide)` : ''}`,
    `settlement   ${d.kind}${d.kind === 'paid' ? ` ${d.price} mana to ${short(d.executor)}` : ''}  ${d.settlement}`,
    `opened by    ${d.opener === d.submitter ? 'submitter' : 'executor'} ${short(d.opener)} at ${time(d.openedAt)}`,
    `reason       ${d.reason}`,
    `validators   ${d.validators.map(short).join(', ')}`,
  ]
  if (d.verdicts.length > 0) lines.push('verdicts')
  for (const v of d.verdicts)
    lines.push(
      `  ${short(v.validator).padEnd(28)} ${v.result.padEnd(8)} ${v.matches ? 'reproduced the receipt' : `got stdout ${v.stdout}, fuel ${v.fuelUsed}, exit ${v.exit}`}  ${time(v.ts)}`,
    )
  if (d.resolution !== null)
    lines.push(
      `resolution   ${d.status} by ${short(d.resolution.by)} at ${time(d.resolution.ts)}  ${d.resolution.id}`,
    )
  if (d.debt !== null)
    lines.push(
      `debt         ${short(d.debt.debtor)} owes ${d.debt.amount} mana to ${short(d.debt.creditor)} (refunded to it already)`,
    )
  return lines.join('\n')
}

/** Polls a job until it is settled, printing each status change (stderr, so stdout stays the result). */
async function waitFor(
  client: IcnClient,
  job: string,
  ctx: CliContext,
  timeoutMs: number,
): Promise<MeshJobDetail> {
  const end = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    const detail = await client.call('mesh.get', { job })
    if (detail.status !== last) {
      last = detail.status
      if (!ctx.globals().json)
        ctx.io.err(`… ${statusText(detail)}${detail.executor === null ? '' : ` (${short(detail.executor)})`}`)
    }
    if (TERMINAL.has(detail.status)) return detail
    if (Date.now() > end)
      throw new UsageError(
        `The job is still ${detail.status} after ${timeoutMs / 1000} s; see icn job show ${job}.`,
      )
    await new Promise((r) => setTimeout(r, 100))
  }
}

interface SubmitOptions {
  arg?: string[]
  env?: string[]
  input?: string[]
  stdin?: string
  engine?: string
  entry?: string
  fuel?: string
  memory?: string
  timeout?: string
  outputBytes?: string
  maxPrice: string
  minReputation?: string
  bidWindow?: string
  scope?: string
  verify?: boolean
  preview?: boolean
  wait?: boolean
  waitTimeout: string
}

export function jobCommands(ctx: CliContext): void {
  const { io, program, connect, print, progress, globals } = ctx
  const job = program.command('job').description('compute jobs on the mesh: submit, follow, fetch results')

  job
    .command('submit')
    .description('submit a WASM job (a .wasm file or a module CID); prints the job id and what it costs')
    .argument('<module>', 'WASI module file, or the CID of a stored module')
    .option('--arg <value>', 'argument passed to the module (repeat for more)', collect)
    .option('--env <KEY=VALUE>', 'environment variable (repeat for more)', collect)
    .option('--input <file|cid>', 'input file, visible as /in/0, /in/1, … (repeat for more)', collect)
    .option('--stdin <file|cid>', 'standard input')
    .option('--engine <engine>', 'v8 (metered, deterministic) or wasmer (full WASI, wall clock only)')
    .option('--entry <name>', 'exported function to run (default _start)')
    .option('--fuel <n>', 'fuel limit (default 1e9)')
    .option('--memory <MiB>', 'memory limit in MiB (default 64)')
    .option('--timeout <ms>', 'wall-clock limit (default 30000)')
    .option('--output-bytes <n>', 'output budget: stdout, stderr and /out files together (default 1 MiB)')
    .requiredOption('--max-price <mana>', 'most you pay; escrowed until the job settles')
    .option('--min-reputation <0-1000>', 'lowest executor reputation accepted (default 0)')
    .option('--bid-window <ms>', 'how long bids are collected (default 1000)')
    .option('--scope <scope>', 'cooperative DID or "global"', 'global')
    .option('--verify', 're-run the job locally and pay only if the result matches (deterministic jobs)')
    .option('--preview', 'show the manifest and the cost without submitting')
    .option('--wait', 'wait until the job is settled and print its stdout')
    .option('--wait-timeout <s>', 'give up waiting after this many seconds', '300')
    .action(async (moduleArg: string, o: SubmitOptions) => {
      const env: Record<string, string> = {}
      for (const pair of o.env ?? []) {
        const eq = pair.indexOf('=')
        if (eq <= 0) throw new UsageError(`--env takes KEY=VALUE (got ${pair}).`)
        env[pair.slice(0, eq)] = pair.slice(eq + 1)
      }
      if (o.engine !== undefined && o.engine !== 'v8' && o.engine !== 'wasmer')
        throw new UsageError('--engine is v8 or wasmer.')
      const limits = {
        ...(o.fuel === undefined ? {} : { fuel: amountOption(o.fuel, '--fuel') }),
        ...(o.memory === undefined ? {} : { memoryMiB: intOption(o.memory, '--memory') as number }),
        ...(o.timeout === undefined ? {} : { timeoutMs: intOption(o.timeout, '--timeout') as number }),
        ...(o.outputBytes === undefined
          ? {}
          : { outputBytes: intOption(o.outputBytes, '--output-bytes') as number }),
      }
      const params: Params<'mesh.submit'> = {
        module: await blobArg(moduleArg),
        maxPrice: amountOption(o.maxPrice, '--max-price'),
        args: o.arg ?? [],
        env,
        inputs: await Promise.all((o.input ?? []).map(blobArg)),
        limits,
        scope: o.scope ?? 'global',
        ...(o.stdin === undefined ? {} : { stdin: await blobArg(o.stdin) }),
        ...(o.engine === undefined ? {} : { engine: o.engine }),
        ...(o.entry === undefined ? {} : { entry: o.entry }),
        ...(o.minReputation === undefined
          ? {}
          : { minReputation: intOption(o.minReputation, '--min-reputation') }),
        ...(o.bidWindow === undefined ? {} : { bidWindowMs: intOption(o.bidWindow, '--bid-window') }),
        ...(o.verify === true ? { verification: 'reexecute' as const } : {}),
        ...(o.preview === true ? { preview: true } : {}),
      }
      const client = await connect()
      const off = client.on('node:progress', progress())
      const result = await client.call('mesh.submit', params)
      off()
      const c = result.cost
      const costLine = `cost         escrow ${c.escrow}${c.fee === '0' ? '' : ` + fee ${c.fee}`} mana${c.available === null ? '' : `; available ${c.available}${c.covered === false ? ` (short by ${c.shortfall}${c.availableAt === null ? '' : `, enough at ${time(c.availableAt)}`})` : ''}`}`
      if (result.job === null) {
        print(result, () =>
          [`preview (nothing submitted)`, `module       ${result.manifest.module}`, costLine].join('\n'),
        )
        return
      }
      if (o.wait !== true) {
        print(result, () =>
          [`job          ${result.job}`, costLine, `follow with  icn job show ${result.job}`].join('\n'),
        )
        return
      }
      const waitSeconds = intOption(o.waitTimeout, '--wait-timeout') as number
      if (!globals().json) io.err(`job ${result.job} submitted (${costLine.replace(/^cost\s+/, '')})`)
      const detail = await waitFor(client, result.job, ctx, waitSeconds * 1000)
      if (globals().json) {
        io.out(JSON.stringify(detail, null, 2))
      } else {
        io.err(formatJob(detail))
        if (detail.receipts.some((r) => r.current)) {
          const out = await client.call('mesh.output', { job: result.job })
          process.stdout.write(out.stdout)
        }
      }
      if (detail.status !== 'paid') ctx.setExitCode(1)
    })

  job
    .command('list')
    .description('jobs you submitted or ran, newest first')
    .option('--role <role>', 'submitter, executor or all', 'all')
    .option('--limit <n>', 'how many', '20')
    .action(async (o: { role: string; limit: string }) => {
      if (!['submitter', 'executor', 'all'].includes(o.role))
        throw new UsageError('--role is submitter, executor or all.')
      const client = await connect()
      const { jobs } = await client.call('mesh.list', {
        role: o.role as 'submitter' | 'executor' | 'all',
        limit: intOption(o.limit, '--limit') as number,
      })
      print({ jobs }, () =>
        jobs.length === 0
          ? 'no jobs'
          : jobs
              .map(
                (j) =>
                  `${time(j.submittedAt)}  ${j.role.padEnd(9)} ${statusText(j).padEnd(22)} price ${(j.price ?? '-').padStart(5)}/${j.maxPrice.padEnd(5)} ${short(j.role === 'submitter' ? j.executor : j.submitter).padEnd(28)} ${j.id}`,
              )
              .join('\n'),
      )
    })

  job
    .command('show')
    .description('a job in full: bids, assignment, receipt, verification, settlement, and why it waits')
    .argument('<job>')
    .action(async (id: string) => {
      const client = await connect()
      const detail = await client.call('mesh.get', { job: id })
      print(detail, () => formatJob(detail))
    })

  job
    .command('cancel')
    .description('cancel a job that has no result yet; its escrow is refunded')
    .argument('<job>')
    .action(async (id: string) => {
      const client = await connect()
      const detail = await client.call('mesh.cancel', { job: id })
      print(detail, () => `${detail.id}: ${statusText(detail)}; ${detail.manifest.maxPrice} mana refunded`)
    })

  job
    .command('output')
    .description("a job's stdout (to stdout), stderr (to stderr), or everything into a directory with -o")
    .argument('<job>')
    .option('-o, --output <dir>', 'write stdout, stderr and the /out files into this directory')
    .action(async (id: string, o: { output?: string }) => {
      const client = await connect()
      const out = await client.call('mesh.output', { job: id })
      if (o.output !== undefined) {
        const dir = resolve(o.output)
        await mkdir(join(dir, 'out'), { recursive: true })
        await writeFile(join(dir, 'stdout'), out.stdout)
        await writeFile(join(dir, 'stderr'), out.stderr)
        const files = Object.entries(out.outputs)
        for (const [name, bytes] of files) await writeFile(join(dir, 'out', basename(name)), bytes)
        print(
          { job: out.job, receipt: out.receipt, dir, files: files.map(([n]) => n) },
          () => `stdout, stderr and ${files.length} output file(s) → ${dir}`,
        )
      } else if (globals().json) {
        print(out, () => '')
      } else {
        process.stdout.write(out.stdout)
        if (out.stderr.length > 0) process.stderr.write(out.stderr)
        if (out.error !== null) io.err(`job ended with ${out.error.code}: ${out.error.message}`)
      }
    })

  job
    .command('dispute')
    .description(
      "dispute a settled job's payment or rejection (submitter or executor); the scope's validators re-execute it",
    )
    .argument('<job>')
    .requiredOption('--reason <text>', 'why the settlement is wrong (validators and members see it)')
    .action(async (id: string, o: { reason: string }) => {
      const client = await connect()
      const dispute = await client.call('mesh.dispute', { job: id, reason: o.reason })
      print(dispute, () => `${formatDispute(dispute)}\nfollow with  icn job disputes ${dispute.job}`)
    })

  job
    .command('disputes')
    .description('disputes of a job, or the latest ones this node knows, with their verdicts')
    .argument('[job]')
    .option('--limit <n>', 'how many', '20')
    .action(async (id: string | undefined, o: { limit: string }) => {
      const client = await connect()
      const { disputes } = await client.call('mesh.disputes', {
        ...(id === undefined ? {} : { job: id }),
        limit: intOption(o.limit, '--limit') as number,
      })
      print({ disputes }, () =>
        disputes.length === 0 ? 'no disputes' : disputes.map(formatDispute).join('\n\n'),
      )
    })

  job
    .command('verify')
    .description('re-run the job on this node and compare with its receipt')
    .argument('<job>')
    .action(async (id: string) => {
      const client = await connect()
      const off = client.on('node:progress', progress())
      const report = await client.call('mesh.verify', { job: id })
      off()
      print(report, () =>
        [
          report.match
            ? `match: this node computed the same result as the receipt ${report.receipt}`
            : `MISMATCH with the receipt ${report.receipt}`,
          `  local   exit ${report.local.exit}, error ${report.local.error ?? 'none'}, fuel ${report.local.fuelUsed}, stdout ${report.local.stdout}`,
          `  receipt exit ${report.remote.exit}, error ${report.remote.error ?? 'none'}, fuel ${report.remote.fuelUsed}, stdout ${report.remote.stdout}`,
          ...(report.deterministic
            ? []
            : ['  (not deterministic: only the exit status and error are compared)']),
          ...report.differences.map((d) => `  ${d}`),
        ].join('\n'),
      )
      if (!report.match) ctx.setExitCode(1)
    })
}
