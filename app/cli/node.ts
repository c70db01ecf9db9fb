import { readFile } from 'node:fs/promises'
import { Option } from 'commander'
import type { LogLevel } from '../../core/logger'
import { ICN_VERSION } from '../../core/version'
import { startDaemon } from '../daemon'
import { UsageError, findRendererDir, type CliContext } from './index'

export function nodeCommands({ io, program, globals, connect, print }: CliContext): void {
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
}
