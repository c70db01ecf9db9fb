/**
 * The `icn` command. `icn node start` runs the daemon in the foreground; every other command talks to a
 * running daemon through <data>/api.json, over the same contract as the desktop app.
 */
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command, Option } from 'commander'
import { WebSocket } from 'ws'
import { IcnError, toIcnError } from '../core/errors'
import type { LogLevel } from '../core/logger'
import { defaultDataDir } from '../core/paths'
import { ICN_VERSION } from '../core/version'
import {
  createClient,
  httpTransport,
  IcnClientError,
  type IcnClient,
  type WebSocketConstructor,
} from './client'
import type { EventSummary, Progress } from './contract'
import { readApiFile, startDaemon } from './daemon'
import { stringify } from './wire'

export interface CliIo {
  out(text: string): void
  err(text: string): void
  /** Reads a secret from the terminal without echo; undefined when there is no terminal. */
  promptSecret?(question: string): Promise<string | undefined>
  env: NodeJS.ProcessEnv
  isTTY: boolean
}

class UsageError extends Error {}

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

interface GlobalOptions {
  data: string
  json: boolean
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

  // ---- node -----------------------------------------------------------------------------------------------
  const nodeCmd = program.command('node').description('run and inspect the node')
  nodeCmd
    .command('start')
    .description('run the node in the foreground (JSON-RPC on 127.0.0.1, writes <data>/api.json when ready)')
    .option('--rpc-port <port>', 'JSON-RPC port (0 = any free port)', '0')
    .option('--rpc-host <host>', 'interface for JSON-RPC', '127.0.0.1')
    .option('--p2p-port <port>', 'libp2p TCP port (0 = any free port)', '0')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .option('--passphrase-file <file>', 'unlock the identity at start with the passphrase in this file')
    .option('--no-ui', 'do not serve the browser UI')
    .action(
      async (options: {
        rpcPort: string
        rpcHost: string
        p2pPort: string
        logLevel: LogLevel
        passphraseFile?: string
        ui: boolean
      }) => {
        const { data } = globals()
        const port = Number(options.rpcPort)
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--rpc-port must be 0–65535 (got ${options.rpcPort}).`)
        const passphrase =
          options.passphraseFile !== undefined
            ? (await readFile(options.passphraseFile, 'utf8')).replace(/\r?\n$/, '')
            : io.env['ICN_PASSPHRASE'] !== undefined && io.env['ICN_PASSPHRASE'] !== ''
              ? io.env['ICN_PASSPHRASE']
              : undefined
        const staticDir = options.ui ? findRendererDir() : undefined
        const daemon = await startDaemon({
          dataDir: data,
          rpcPort: port,
          rpcHost: options.rpcHost,
          logLevel: options.logLevel,
          ...(passphrase === undefined ? {} : { passphrase }),
          ...(staticDir === undefined ? {} : { staticDir }),
        })
        io.out(`ICN node ${ICN_VERSION} ready: ${daemon.url} (data: ${data})`)
        if (staticDir !== undefined) io.out(`Browser UI: ${daemon.url}/#token=${daemon.token}`)
        await new Promise<void>((resolveStop) => {
          let stopping = false
          const stop = (signal: string): void => {
            if (stopping) return
            stopping = true
            io.err(`${signal}: stopping the node…`)
            daemon
              .stop()
              .then(() => io.err('stopped'))
              .catch((err: unknown) => io.err(`stop failed: ${(err as Error).message}`))
              .finally(resolveStop)
          }
          process.once('SIGINT', () => stop('SIGINT'))
          process.once('SIGTERM', () => stop('SIGTERM'))
        })
      },
    )

  program
    .command('status')
    .description('node status at a glance')
    .action(async () => {
      const client = await connect()
      const s = await client.call('node.status')
      print(s, () =>
        [
          `status       ${s.status} (ICN ${s.version}, protocol ${s.protocolVersion})`,
          `identity     ${s.did ?? 'none (icn id create)'}${s.did !== null && s.locked ? ' [locked]' : ''}`,
          `peer id      ${s.peerId ?? '-'}`,
          `listening    ${s.listenAddrs.length > 0 ? s.listenAddrs.join(' ') : '-'}`,
          `events       ${s.events} from ${s.authors} authors${s.pendingEvents > 0 ? `, ${s.pendingEvents} waiting for dependencies` : ''}`,
          `state root   ${s.stateRoot}`,
          `uptime       ${Math.round(s.uptimeMs / 1000)} s`,
          `data         ${s.dataDir}`,
        ].join('\n'),
      )
    })

  // ---- identity -------------------------------------------------------------------------------------------
  const id = program.command('id').description('your member identity (did:key)')
  id.command('create')
    .description('create a new identity protected by a passphrase; prints the recovery phrase once')
    .option('--passphrase-file <file>')
    .action(async (options: { passphraseFile?: string }) => {
      const client = await connect()
      const passphrase = await readPassphrase(options, true)
      const result = await client.call('identity.create', { passphrase })
      print(result, () =>
        [
          `Created ${result.did}`,
          '',
          'Recovery phrase (write it down and keep it offline; it is shown only now):',
          `  ${result.phrase}`,
          '',
          'Then back up the key file too: icn id export',
        ].join('\n'),
      )
    })
  id.command('show')
    .description('show the identity and whether it is locked')
    .action(async () => {
      const client = await connect()
      const s = await client.call('identity.get')
      print(s, () =>
        s.exists
          ? `${s.did}\n${s.locked ? 'locked' : 'unlocked'}${s.backedUp ? '' : ' — not backed up yet (icn id export)'}`
          : 'No identity yet: icn id create',
      )
    })
  id.command('unlock')
    .option('--passphrase-file <file>')
    .action(async (options: { passphraseFile?: string }) => {
      const client = await connect()
      const result = await client.call('identity.unlock', { passphrase: await readPassphrase(options) })
      print(result, () => `Unlocked ${result.did}`)
    })
  id.command('lock').action(async () => {
    const client = await connect()
    print(await client.call('identity.lock'), () => 'Locked')
  })
  id.command('export')
    .description('write an encrypted backup file of the identity')
    .argument('[file]', 'where to write it (default: ./icn-identity-<id>.icnkey)')
    .option('--passphrase-file <file>')
    .action(async (file: string | undefined, options: { passphraseFile?: string }) => {
      const client = await connect()
      const { backup, fileName } = await client.call('identity.exportBackup', {
        passphrase: await readPassphrase(options),
      })
      const target = resolve(file ?? fileName)
      await writeFile(target, backup, { mode: 0o600 })
      await client.call('identity.confirmBackup')
      print({ file: target }, () => `Backup written to ${target} (encrypted with your passphrase)`)
    })
  id.command('import')
    .description('restore an identity from a backup file')
    .argument('<file>')
    .option('--passphrase-file <file>')
    .option('--overwrite', 'replace the identity this node already has')
    .action(async (file: string, options: { passphraseFile?: string; overwrite?: boolean }) => {
      const client = await connect()
      const backup = new Uint8Array(await readFile(file))
      const result = await client.call('identity.importBackup', {
        backup,
        passphrase: await readPassphrase(options),
        overwrite: options.overwrite === true,
      })
      print(result, () => `Imported ${result.did}`)
    })
  id.command('recover')
    .description('restore an identity from its 24-word recovery phrase')
    .requiredOption('--phrase-file <file>', 'file holding the recovery phrase')
    .option('--passphrase-file <file>')
    .option('--overwrite', 'replace the identity this node already has')
    .action(async (options: { phraseFile: string; passphraseFile?: string; overwrite?: boolean }) => {
      const client = await connect()
      const phrase = (await readFile(options.phraseFile, 'utf8')).trim()
      const result = await client.call('identity.recover', {
        phrase,
        passphrase: await readPassphrase(options, true),
        overwrite: options.overwrite === true,
      })
      print(result, () => `Recovered ${result.did}`)
    })

  // ---- dag ------------------------------------------------------------------------------------------------
  const dagCmd = program.command('dag').description('content-addressed blocks')
  dagCmd
    .command('put')
    .description('store a file; prints its CID')
    .argument('<file>')
    .action(async (file: string) => {
      const client = await connect()
      const bytes = new Uint8Array(await readFile(file))
      const off = client.on('node:progress', progressBar(io))
      const result = await client.call('dag.put', { bytes })
      off()
      print(result, () => result.cid)
    })
  dagCmd
    .command('get')
    .description('fetch a file or block by CID (to stdout or --output)')
    .argument('<cid>')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (cid: string, options: { output?: string }) => {
      const client = await connect()
      const info = await client.call('dag.get', { cid })
      const content = info.isFile ? (await client.call('dag.cat', { cid })).bytes : info.bytes
      if (options.output !== undefined) {
        await writeFile(options.output, content)
        print(
          { cid, file: resolve(options.output), size: content.length },
          () => `${content.length} bytes → ${resolve(options.output!)}`,
        )
      } else if (globals().json) {
        io.out(stringify({ ...info, bytes: content }, 2))
      } else {
        process.stdout.write(content)
      }
    })
  dagCmd
    .command('show')
    .description('describe a block: codec, size, links, decoded value')
    .argument('<cid>')
    .action(async (cid: string) => {
      const client = await connect()
      const info = await client.call('dag.get', { cid })
      const { bytes: _bytes, ...rest } = info
      print(rest, () => stringify(rest, 2))
    })

  // ---- events ---------------------------------------------------------------------------------------------
  const ev = program.command('events').description('signed events')
  ev.command('list')
    .option('--author <did>')
    .option('--type <type>')
    .option('--scope <scope>')
    .option('--limit <n>', 'how many', '20')
    .action(async (options: { author?: string; type?: string; scope?: string; limit: string }) => {
      const client = await connect()
      const result = await client.call('events.list', {
        ...(options.author === undefined ? {} : { author: options.author }),
        ...(options.type === undefined ? {} : { type: options.type }),
        ...(options.scope === undefined ? {} : { scope: options.scope }),
        limit: Number(options.limit),
      })
      print(result, () => result.events.map(formatEvent).join('\n') || 'no events')
    })
  ev.command('post')
    .description('post a signed note to a scope')
    .argument('<text>')
    .option('--scope <scope>', 'scope DID or "global"', 'global')
    .action(async (text: string, options: { scope: string }) => {
      const client = await connect()
      const result = await client.call('events.post', { text, scope: options.scope })
      print(result, () => result.id)
    })

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    exitCode = reportError(err, io)
  } finally {
    for (const c of clients) c.close()
  }
  return exitCode
}

function formatEvent(e: EventSummary): string {
  return `${new Date(e.ts).toISOString()}  ${e.type.padEnd(22)} ${e.author.slice(0, 20)}… #${e.seq}  ${e.id}${e.status === 'applied' ? '' : ` [${e.status}]`}`
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
  return 1
}
