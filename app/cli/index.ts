/**
 * The `icn` command. `icn node start` runs the daemon in the foreground; every other command talks to a
 * running daemon through <data>/api.json, over the same contract as the desktop app.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { WebSocket } from 'ws'
import { IcnError, toIcnError } from '../../core/errors'
import { defaultDataDir } from '../../core/paths'
import { ICN_VERSION } from '../../core/version'
import {
  createClient,
  httpTransport,
  IcnClientError,
  type IcnClient,
  type WebSocketConstructor,
} from '../client'
import type { Progress } from '../contract'
import { readApiFile } from '../daemon'
import { stringify } from '../wire'
import { nodeCommands } from './node'
import { identityCommands } from './identity'
import { dagCommands } from './dag'
import { opsCommands } from './ops'
import { govCommands } from './gov'
import { cclCommands } from './ccl'
import { networkCommands } from './network'
import { jobCommands } from './job'
import { executorCommands } from './executor'
import { walletCommands } from './wallet'
import { credCommands } from './cred'

export interface CliIo {
  out(text: string): void
  err(text: string): void
  /** Reads a secret from the terminal without echo; undefined when there is no terminal. */
  promptSecret?(question: string): Promise<string | undefined>
  env: NodeJS.ProcessEnv
  isTTY: boolean
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {}

/** A time for CLI output: ISO 8601 in UTC, whole seconds without the `.000`. */
export const when = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

export interface GlobalOptions {
  data: string
  json: boolean
}

/** What a command group needs to register its commands. */
export interface CliContext {
  io: CliIo
  program: Command
  globals: () => GlobalOptions
  /** A client for the daemon of --data (through api.json). */
  connect: () => Promise<IcnClient>
  /** Prints `value` as JSON with --json, else the human text. */
  print: (value: unknown, human: () => string) => void
  readPassphrase: (options: { passphraseFile?: string }, confirm?: boolean) => Promise<string>
  /** Marks the run as failed without throwing (e.g. `ccl check` found errors it already printed). */
  setExitCode: (code: number) => void
  /** A progress-bar renderer for node:progress events (TTY only). */
  progress: () => (p: Progress) => void
}

export type CommandGroup = (ctx: CliContext) => void

/** Command groups, one module per domain. */
const COMMAND_GROUPS: CommandGroup[] = [
  nodeCommands,
  identityCommands,
  dagCommands,
  opsCommands,
  cclCommands,
  govCommands,
  networkCommands,
  jobCommands,
  executorCommands,
  walletCommands,
  credCommands,
]

function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    promptSecret: promptHidden,
    env: process.env,
    isTTY: process.stdin.isTTY === true && process.stderr.isTTY === true,
  }
}

/** Hidden terminal input (no echo), for passphrases. */
async function promptHidden(question: string): Promise<string | undefined> {
  const stdin = process.stdin
  if (stdin.isTTY !== true) return undefined
  process.stderr.write(question)
  stdin.setRawMode(true)
  stdin.resume()
  stdin.setEncoding('utf8')
  return new Promise((resolvePrompt, rejectPrompt) => {
    let value = ''
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          cleanup()
          process.stderr.write('\n')
          resolvePrompt(value)
          return
        }
        if (ch === '\u0003') {
          cleanup()
          process.stderr.write('\n')
          rejectPrompt(new IcnError('ABORTED', 'Cancelled.'))
          return
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else value += ch
      }
    }
    const cleanup = (): void => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
    }
    stdin.on('data', onData)
  })
}

/** Where the built browser UI lives, next to the bundled CLI or in the repository's dist/. */
export function findRendererDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [
    resolve(here, '../renderer'),
    resolve(here, '../dist/renderer'),
    resolve(here, '../../dist/renderer'),
  ]
  return candidates.find((dir) => existsSync(join(dir, 'index.html')))
}

function progressBar(io: CliIo): (p: Progress) => void {
  let last = ''
  return (p) => {
    if (!io.isTTY) return
    const width = 24
    const ratio = p.total === undefined || p.total === 0 ? 0 : Math.min(1, p.done / p.total)
    const filled = Math.round(ratio * width)
    const line = `${p.operation} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.total === undefined ? p.done : `${Math.round(ratio * 100)}%`}${p.message === undefined ? '' : ' ' + p.message}`
    if (line !== last) process.stderr.write('\r' + line + (ratio >= 1 ? '\n' : ''))
    last = line
  }
}

export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = new Command()
  let exitCode = 0
  const clients: IcnClient[] = []

  const globals = (): GlobalOptions => {
    const o = program.opts<{ data?: string; json?: boolean }>()
    return { data: resolve(o.data ?? defaultDataDir(io.env)), json: o.json === true }
  }

  const connect = async (): Promise<IcnClient> => {
    const { data } = globals()
    const { api, token } = await readApiFile(data)
    const client = createClient(
      httpTransport({
        url: api.url,
        token,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        reconnect: false,
      }),
    )
    clients.push(client)
    return client
  }

  const print = (value: unknown, human: () => string): void => {
    io.out(globals().json ? stringify(value, 2) : human())
  }

  const readPassphrase = async (options: { passphraseFile?: string }, confirm = false): Promise<string> => {
    if (options.passphraseFile !== undefined)
      return (await readFile(options.passphraseFile, 'utf8')).replace(/\r?\n$/, '')
    const fromEnv = io.env['ICN_PASSPHRASE']
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv
    const first = await io.promptSecret?.('Passphrase: ')
    if (first === undefined) {
      throw new UsageError(
        'No passphrase given: use --passphrase-file FILE or set ICN_PASSPHRASE (no terminal to ask on).',
      )
    }
    if (confirm) {
      const second = await io.promptSecret?.('Repeat passphrase: ')
      if (second !== first) throw new UsageError('The two passphrases differ; nothing was changed.')
    }
    return first
  }

  program
    .name('icn')
    .description('ICN node and command-line client')
    .version(ICN_VERSION)
    .option('-d, --data <dir>', 'node data directory (default: the per-user ICN data dir, or $ICN_DATA_DIR)')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })

  const ctx: CliContext = {
    io,
    program,
    globals,
    connect,
    print,
    readPassphrase,
    setExitCode: (code) => {
      exitCode = code
    },
    progress: () => progressBar(io),
  }
  for (const group of COMMAND_GROUPS) group(ctx)

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    exitCode = reportError(err, io)
  } finally {
    for (const c of clients) c.close()
  }
  return exitCode
}

function reportError(err: unknown, io: CliIo): number {
  const e = err as { code?: string; exitCode?: number }
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
    // commander already printed help/usage; help and version are successes.
    return e.code === 'commander.helpDisplayed' ||
      e.code === 'commander.version' ||
      e.code === 'commander.help'
      ? 0
      : 2
  }
  if (err instanceof UsageError) {
    io.err(`error: ${err.message}`)
    return 2
  }
  if (err instanceof IcnClientError) {
    io.err(`error[${err.code}]: ${err.message}`)
    return 1
  }
  const icn = toIcnError(err)
  io.err(
    `error[${icn.code}]: ${icn.code === 'INTERNAL' ? ((err as Error).message ?? String(err)) : icn.message}`,
  )
  // A bad setting (flag, environment variable or config file) is a usage error, like a bad argument.
  return icn.code === 'CONFIG_INVALID' || icn.code === 'CONFIG_NOT_FOUND' ? 2 : 1
}
