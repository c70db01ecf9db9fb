import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Option, type Command } from 'commander'
import { ICN_VERSION } from '../../core/version'
import { startDaemon } from '../daemon'
import {
  CONFIG_FILE,
  CONFIG_KEYS,
  loadConfigFile,
  resolveConfig,
  type NodeConfig,
  type ResolvedConfig,
} from '../node-config'
import { findRendererDir, type CliContext } from './index'

export function nodeCommands({ io, program, globals, connect, print }: CliContext): void {
  // ---- node -----------------------------------------------------------------------------------------------
  const nodeCmd = program.command('node').description('run and inspect the node')
  nodeCmd
    .command('start')
    .description(
      'run the node in the foreground (JSON-RPC on 127.0.0.1, writes <data>/api.json when ready).\n' +
        'Settings: flag > environment variable > config file > default (icn node config shows them).',
    )
    .option('--config <file>', 'config file (default: $ICN_CONFIG, else <data>/config.json when present)')
    .option('--rpc-port <port>', 'JSON-RPC port (0 = any free port) [$ICN_RPC_PORT]', '0')
    .option('--rpc-host <host>', 'interface for JSON-RPC [$ICN_RPC_HOST]', '127.0.0.1')
    .option(
      '--p2p-port <port>',
      'libp2p TCP port; WebSockets use the next one (0 = any free ports) [$ICN_P2P_PORT]',
      '0',
    )
    .option('--p2p-host <host>', 'interface for libp2p [$ICN_P2P_HOST]', '0.0.0.0')
    .option(
      '--bootstrap <multiaddr>',
      'peer to dial at start and whenever no peer is connected (repeatable) [$ICN_BOOTSTRAP, comma-separated]',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--no-mdns', 'do not look for peers on the local network [$ICN_MDNS=false]')
    .addOption(
      new Option('--log-level <level>', 'log level [$ICN_LOG_LEVEL]')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .option(
      '--passphrase-file <file>',
      'unlock the identity at start with the passphrase in this file [$ICN_PASSPHRASE_FILE]',
    )
    .option('--no-ui', 'do not serve the browser UI [$ICN_UI=false]')
    .option(
      '--role <role>',
      "full (default), light (keeps only its member's chain and what it views; never executes jobs) or validator [$ICN_ROLE]",
    )
    .option(
      '--cache-mb <MiB>',
      'memory for the read cache of events and state, 1–4096 (default 32) [$ICN_CACHE_MB]',
    )
    .action(async (options: Record<string, unknown> & { config?: string }, cmd: Command) => {
      const { data } = globals()
      const { config } = await resolveStartConfig(data, options, cmd, io.env)
      const passphrase =
        config.passphraseFile !== null
          ? (await readFile(config.passphraseFile, 'utf8')).replace(/\r?\n$/, '')
          : io.env['ICN_PASSPHRASE'] !== undefined && io.env['ICN_PASSPHRASE'] !== ''
            ? io.env['ICN_PASSPHRASE']
            : undefined
      const staticDir = config.ui ? findRendererDir() : undefined
      // Handlers first: a signal that arrives while the node starts (or right after api.json appears) must
      // stop it cleanly, not kill it with the default action.
      const stopRequested = new Promise<string>((resolveSignal) => {
        process.once('SIGINT', () => resolveSignal('SIGINT'))
        process.once('SIGTERM', () => resolveSignal('SIGTERM'))
      })
      const daemon = await startDaemon({
        dataDir: data,
        rpcPort: config.rpcPort,
        rpcHost: config.rpcHost,
        logLevel: config.logLevel,
        p2pPort: config.p2pPort,
        p2pHost: config.p2pHost,
        bootstrap: config.bootstrap,
        mdns: config.mdns,
        role: config.role,
        cacheMb: config.cacheMb,
        ...(passphrase === undefined ? {} : { passphrase }),
        ...(staticDir === undefined ? {} : { staticDir }),
      })
      io.out(`ICN node ${ICN_VERSION} ready: ${daemon.url} (data: ${data}, role: ${config.role})`)
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
    })

  nodeCmd
    .command('config')
    .description('show the settings `icn node start` would use, and where each comes from')
    .option('--config <file>', 'config file (default: $ICN_CONFIG, else <data>/config.json when present)')
    .action(async (options: { config?: string }) => {
      const { data } = globals()
      const file = await loadConfigFile(data, options.config, io.env)
      const resolved = resolveConfig({ flags: {}, env: io.env, file })
      print(resolved, () =>
        [
          `config file  ${resolved.file ?? `none (${join(data, CONFIG_FILE)} is read when present)`}`,
          ...(Object.keys(CONFIG_KEYS) as (keyof NodeConfig)[]).map(
            (key) =>
              `${key.padEnd(15)}${JSON.stringify(resolved.config[key]).padEnd(24)} ${resolved.sources[key].padEnd(8)} ${CONFIG_KEYS[key].env}`,
          ),
          'Precedence: flag > environment variable > config file > default.',
        ].join('\n'),
      )
    })

  program
    .command('status')
    .description('node status at a glance')
    .action(async () => {
      const client = await connect()
      const s = await client.call('node.status')
      print(s, () =>
        [
          `status       ${s.status} (ICN ${s.version}, protocol ${s.protocolVersion})`,
          `role         ${describeRole(s)}`,
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

/** Flags the user typed (commander's defaults do not count), then env, file and defaults. */
async function resolveStartConfig(
  dataDir: string,
  options: Record<string, unknown> & { config?: string },
  cmd: Command,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedConfig> {
  const flags: Partial<Record<keyof NodeConfig, unknown>> = {}
  for (const key of Object.keys(CONFIG_KEYS) as (keyof NodeConfig)[]) {
    if (cmd.getOptionValueSource(key) === 'cli') flags[key] = options[key]
  }
  return resolveConfig({ flags, env, file: await loadConfigFile(dataDir, options.config, env) })
}

/** The role line of `icn status`: what the node does, and for a light node why it never gets jobs. */
function describeRole(s: {
  role: 'full' | 'light' | 'validator'
  executes: boolean
  validatorOf: string[]
  nextRole: 'full' | 'light' | 'validator' | null
}): string {
  const next =
    s.nextRole !== null && s.nextRole !== s.role ? ` (config file: ${s.nextRole} from the next start)` : ''
  if (s.role === 'light')
    return `light — keeps only this member's chain and what it views; never bids on or executes jobs${next}`
  if (s.role === 'validator')
    return s.validatorOf.length > 0
      ? `validator — listed in the charter of ${s.validatorOf.join(', ')}${next}`
      : `validator — but no scope charter lists this member as a validator yet (runs as a full node)${next}`
  return `full — stores every event${s.executes ? ', may execute jobs' : ''}${next}`
}
