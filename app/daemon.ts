import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { IcnError } from '../core/errors'
import { writeFileAtomic } from '../core/identity'
import {
  createFileSink,
  createLogger,
  multiSink,
  type LogLevel,
  type LogSink,
  type Logger,
} from '../core/logger'
import { createNode, type IcnNode, type IcnNodeInit, type NodeRole } from '../core/node'
import type { NetworkInit } from '../core/network'
import { ICN_VERSION } from '../core/version'
import { createDispatcher, type Dispatcher } from './dispatch'
import { bridgeEvents } from './events'
import { createMetrics, type NodeMetrics } from './metrics'
import { createHandlers } from './handlers'
import { createLogRing, teeSink, type LogRing } from './log-ring'
import { startRpcServer, type RpcServer } from './rpc/server'

export const API_FILE = 'api.json'
export const TOKEN_FILE = 'rpc-token'

/** What `icn node start` writes once the daemon is ready; the CLI and tests find the daemon through it. */
export interface ApiFile {
  url: string
  tokenFile: string
  pid: number
  version: string
  startedAt: number
}

export interface DaemonOptions {
  dataDir: string
  /** @default 0 (a free port) */
  rpcPort?: number
  /** @default '127.0.0.1' */
  rpcHost?: string
  /** @default 'info' */
  logLevel?: LogLevel
  logger?: Logger
  /** Recent log lines served by node.logs. @default a ring fed by the daemon's own logger (none with `logger`) */
  logs?: LogRing
  /** Unlocks the identity at start (headless servers); never logged. */
  passphrase?: string
  /** Built renderer to serve for browser mode. */
  staticDir?: string
  /** libp2p TCP port; WebSockets listen on the next port (0: any free ports). Omitted: the core default (loopback). */
  p2pPort?: number
  /** Interface for libp2p. @default '0.0.0.0' when p2pPort is given */
  p2pHost?: string
  /** Multiaddrs (with /p2p/<peer id>) dialled at start and whenever the node has no peer. */
  bootstrap?: string[]
  /** Find peers on the LAN with mDNS. @default the core default (off) */
  mdns?: boolean
  /** @default 'full' */
  role?: NodeRole
  /** Read cache budget in MiB. @default 32 (the DAG's default) */
  cacheMb?: number
  /** Extra node settings (tests lower scrypt cost, networking options…). */
  node?: Partial<IcnNodeInit>
}

export interface Daemon {
  readonly node: IcnNode
  readonly server: RpcServer
  readonly dispatcher: Dispatcher
  readonly url: string
  readonly token: string
  readonly apiFile: string
  stop(): Promise<void>
}

/** Reads or creates the bearer token (32 random bytes, base64url, file mode 0600). */
export async function ensureToken(dataDir: string): Promise<string> {
  const path = join(dataDir, TOKEN_FILE)
  try {
    const existing = (await readFile(path, 'utf8')).trim()
    if (/^[A-Za-z0-9_-]{32,}$/.test(existing)) {
      await chmod(path, 0o600).catch(() => undefined)
      return existing
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const token = randomBytes(32).toString('base64url')
  await writeFileAtomic(path, token + '\n', 0o600)
  return token
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const level = options.logLevel ?? 'info'
  // Every line at info and above goes to <data>/logs/node.log (rotated) and to the ring behind the Logs screen;
  // the terminal shows only the requested level.
  const file =
    options.logger === undefined ? createFileSink({ dir: join(options.dataDir, 'logs') }) : undefined
  const logs =
    options.logs ?? (options.logger === undefined ? createLogRing({ file: file?.path ?? null }) : undefined)
  const logger =
    options.logger ??
    createLogger({
      level: level === 'debug' ? 'debug' : 'info',
      sink: teeSink(
        multiSink(...([logs, file] as (LogSink | undefined)[]).filter((s): s is LogSink => s !== undefined)),
        { write: (l) => process.stderr.write(l) },
        level,
      ),
    })
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
  const apiFile = join(options.dataDir, API_FILE)
  // A stale api.json from a killed daemon must not point clients at a dead port while we start.
  await rm(apiFile, { force: true })
  const token = await ensureToken(options.dataDir)
  const node = createNode({
    dataDir: options.dataDir,
    logger,
    ...(options.role === undefined ? {} : { role: options.role }),
    ...options.node,
    ...(options.cacheMb === undefined
      ? {}
      : { dag: { ...options.node?.dag, cacheBytes: options.cacheMb * 2 ** 20 } }),
    network: { ...networkOptions(options), ...options.node?.network },
  })
  // The key derivation (scrypt, ~0.3–0.7 s by design) runs on the thread pool while the services start, so a
  // restarted server is ready sooner; the keystore is applied once the identity service runs.
  const decrypting =
    options.passphrase === undefined
      ? undefined
      : node.identity.decryptAhead(options.passphrase).then(
          (prepared) => ({ prepared }),
          (error: unknown) => ({ error }),
        )
  await node.start()
  let server: RpcServer
  let unbridge: () => void = () => undefined
  let dispatcher: Dispatcher
  let metrics: NodeMetrics | undefined
  try {
    if (decrypting !== undefined) {
      const outcome = await decrypting
      if ('error' in outcome) throw outcome.error
      if (outcome.prepared !== undefined && node.identity.status().exists)
        node.identity.unlockWith(outcome.prepared)
    }
    metrics = createMetrics(node)
    dispatcher = metrics.instrument(
      createDispatcher(createHandlers(node, logs === undefined ? {} : { logs }), logger.child('rpc')),
    )
    server = await startRpcServer(
      dispatcher,
      {
        host: options.rpcHost ?? '127.0.0.1',
        port: options.rpcPort ?? 0,
        token,
        ...(options.staticDir === undefined ? {} : { staticDir: options.staticDir }),
        health: () => ({ status: node.status, version: ICN_VERSION }),
        metrics: () => (metrics as NodeMetrics).render(),
      },
      logger.child('rpc'),
    )
    unbridge = bridgeEvents(node, (name, payload) => server.broadcast(name, payload))
    const api: ApiFile = {
      url: server.url,
      tokenFile: join(options.dataDir, TOKEN_FILE),
      pid: process.pid,
      version: ICN_VERSION,
      startedAt: Date.now(),
    }
    await writeFileAtomic(apiFile, JSON.stringify(api, null, 2) + '\n', 0o600)
  } catch (err) {
    metrics?.close()
    await node.stop()
    throw err instanceof IcnError
      ? err
      : new IcnError('NODE_START_FAILED', `The daemon could not start: ${(err as Error).message}`, {
          cause: err,
        })
  }
  let stopping: Promise<void> | undefined
  return {
    node,
    server,
    dispatcher,
    url: server.url,
    token,
    apiFile,
    stop() {
      stopping ??= (async () => {
        await rm(apiFile, { force: true })
        await server.close()
        unbridge()
        metrics?.close()
        await node.stop()
      })()
      return stopping
    },
  }
}

/** The network part of the node settings from the daemon's options. */
function networkOptions(options: DaemonOptions): NetworkInit {
  const out: NetworkInit = {}
  if (options.p2pPort !== undefined || options.p2pHost !== undefined) {
    const host = options.p2pHost ?? '0.0.0.0'
    const port = options.p2pPort ?? 0
    const ip = host.includes(':') ? 'ip6' : 'ip4'
    // WebSockets need their own port: the one after the TCP port (both free ones when the port is 0).
    out.listen = [`/${ip}/${host}/tcp/${port}`, `/${ip}/${host}/tcp/${port === 0 ? 0 : port + 1}/ws`]
  }
  if (options.bootstrap !== undefined) out.bootstrap = options.bootstrap
  if (options.mdns !== undefined) out.mdns = options.mdns
  return out
}

/** Reads api.json + token of a data dir; clear errors when no daemon runs there. */
export async function readApiFile(dataDir: string): Promise<{ api: ApiFile; token: string }> {
  let api: ApiFile
  try {
    api = JSON.parse(await readFile(join(dataDir, API_FILE), 'utf8')) as ApiFile
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new IcnError(
        'NODE_NOT_RUNNING',
        `No ICN node is running for ${dataDir}. Start one with: icn node start --data ${dataDir}`,
      )
    }
    throw new IcnError('NODE_NOT_RUNNING', `${join(dataDir, API_FILE)} is unreadable; restart the node.`, {
      cause: err,
    })
  }
  if (typeof api.url !== 'string' || typeof api.tokenFile !== 'string') {
    throw new IcnError('NODE_NOT_RUNNING', `${join(dataDir, API_FILE)} is malformed; restart the node.`)
  }
  const token = (await readFile(api.tokenFile, 'utf8')).trim()
  return { api, token }
}
