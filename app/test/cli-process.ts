import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

export const REPO = resolve(import.meta.dirname, '../..')
export const ICN_BIN = join(REPO, 'bin/icn.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the real `icn` command (the bundled CLI) and collects its output. */
export function icn(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [ICN_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

export interface DaemonProcess {
  child: ChildProcess
  url: string
  /** Milliseconds from spawn to api.json written. */
  readyMs: number
  stop(signal?: NodeJS.Signals): Promise<number | null>
  /** What the process printed (stdout and stderr), for a failure message. */
  output(): string
}

/** Starts `icn node start` as a real process and waits for api.json. */
export async function startDaemonProcess(
  dataDir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<DaemonProcess> {
  const started = performance.now()
  // No mDNS: test daemons on one machine would otherwise find each other and connect unasked.
  const mdns = extraArgs.includes('--mdns') ? [] : ['--no-mdns']
  const args = extraArgs.filter((a) => a !== '--mdns')
  const child = spawn(
    process.execPath,
    [ICN_BIN, '--data', dataDir, 'node', 'start', '--log-level', 'warn', ...mdns, ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const apiPath = join(dataDir, 'api.json')
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  for (;;) {
    if (existsSync(apiPath)) {
      try {
        const api = JSON.parse(await readFile(apiPath, 'utf8')) as { url: string; pid: number }
        // A killed daemon leaves its api.json behind until the new one replaces it: wait for ours.
        if (api.pid !== child.pid) throw new Error('stale api.json')
        return {
          child,
          url: api.url,
          readyMs: performance.now() - started,
          output: () => output,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode !== null) return child.exitCode
            child.kill(signal)
            return exited
          },
        }
      } catch {
        // Stale (another pid) or being replaced: poll again.
      }
    }
    if (child.exitCode !== null) throw new Error(`icn node start exited with ${child.exitCode}: ${output}`)
    if (performance.now() - started > 20_000) {
      child.kill('SIGKILL')
      throw new Error(`icn node start did not become ready in 20 s: ${output}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}
