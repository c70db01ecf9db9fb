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
    .option('--p2p-port <port>', 'libp2p TCP port; WebSockets use the next one (0 = any free ports)', '0')
    .option('--p2p-host <host>', 'interface for libp2p', '0.0.0.0')
    .option(
      '--bootstrap <multiaddr>',
      'peer to dial at start and whenever no peer is connected (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--no-mdns', 'do not look for peers on the local network')
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
        p2pHost: string
        bootstrap: string[]
        mdns: boolean
        logLevel: LogLevel
        passphraseFile?: string
        ui: boolean
      }) => {
        const { data } = globals()
        const port = Number(options.rpcPort)
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--rpc-port must be 0–65535 (got ${options.rpcPort}).`)
        const p2pPort = Number(options.p2pPort)
        if (!Number.isInteger(p2pPort) || p2pPort < 0 || p2pPort > 65534)
          throw new UsageError(`--p2p-port must be 0–65534 (got ${options.p2pPort}).`)
        const passphrase =
          options.passphraseFile !== undefined
            ? (await readFile(options.passphraseFile, 'utf8')).replace(/\r?\n$/, '')
            : io.env['ICN_PASSPHRASE'] !== undefined && io.env['ICN_PASSPHRASE'] !== ''
              ? io.env['ICN_PASSPHRASE']
              : undefined
        const staticDir = options.ui ? findRendererDir() : undefined
        // Handlers first: a signal that arrives while the node starts (or right after api.json appears) must
        // stop it cleanly, not kill it with the default action.
        const stopRequested = new Promise<string>((resolveSignal) => {
          process.once('SIGINT', () => resolveSignal('SIGINT'))
          process.once('SIGTERM', () => resolveSignal('SIGTERM'))
        })
        const daemon = await startDaemon({
          dataDir: data,
          rpcPort: port,
          rpcHost: options.rpcHost,
          logLevel: options.logLevel,
          p2pPort,
          p2pHost: options.p2pHost,
          bootstrap: options.bootstrap,
          mdns: options.mdns,
          ...(passphrase === undefined ? {} : { passphrase }),
          ...(staticDir === undefined ? {} : { staticDir }),
        })
        io.out(`ICN node ${ICN_VERSION} ready: ${daemon.url} (data: ${data})`)
        // Networking comes up after the API (loading libp2p is the slow part of starting).
        daemon.node.network.ready().then(
          () =>
            io.out(
              `Peer ${daemon.node.network.peerId() ?? ''} listening on:\n  ${daemon.node.network.listenAddrs().join('\n  ')}`,
            ),
          (err: unknown) => {
            // Stopping before networking was up is not worth a message; failing to start is.
            if ((err as { code?: string }).code === 'UNAVAILABLE')
              io.err(`networking is off: ${(err as Error).message}`)
          },
        )
        if (staticDir !== undefined) io.out(`Browser UI: ${daemon.url}/#token=${daemon.token}`)
        const signal = await stopRequested
        io.err(`${signal}: stopping the node…`)
        await daemon
          .stop()
          .then(() => io.err('stopped'))
          .catch((err: unknown) => io.err(`stop failed: ${(err as Error).message}`))
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
