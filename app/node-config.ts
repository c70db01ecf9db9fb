/**
 * Settings of `icn node start`, from four places. The first that sets a key wins:
 *
 *   1. a command-line flag        (--rpc-port 7000)
 *   2. an environment variable    (ICN_RPC_PORT=7000)
 *   3. the config file            ({"rpcPort": 7000} in --config FILE, $ICN_CONFIG, or <data>/config.json)
 *   4. the built-in default
 *
 * Everything is validated before the node starts: a typo in the file or a bad value anywhere stops the start
 * with CONFIG_INVALID naming the key and where it came from, so a server never runs with a half-applied setting.
 * docs/operations.md documents the keys.
 */
import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '../core/identity'
import { NODE_ROLES, type NodeRole } from '../core/roles'
import { dirname, join, resolve } from 'node:path'
import { IcnError } from '../core/errors'
import type { LogLevel } from '../core/logger'

export const CONFIG_FILE = 'config.json'

export type ConfigSource = 'flag' | 'env' | 'file' | 'default'

export interface NodeConfig {
  rpcPort: number
  rpcHost: string
  p2pPort: number
  p2pHost: string
  bootstrap: string[]
  mdns: boolean
  logLevel: LogLevel
  ui: boolean
  passphraseFile: string | null
  role: NodeRole
  cacheMb: number
}

type Key = keyof NodeConfig

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent']

interface KeySpec {
  env: string
  flag: string
  default: NodeConfig[Key]
  /** Parses a value from the file (any JSON) or from an environment variable / flag (a string). */
  parse(value: unknown, fromText: boolean): NodeConfig[Key]
  describe: string
}

class Invalid extends Error {}

const port = (max: number) => (value: unknown, fromText: boolean) => {
  const n = fromText && typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max)
    throw new Invalid(`must be a whole number 0–${max} (0 = any free port)`)
  return n
}
const host = (value: unknown) => {
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value.trim()))
    throw new Invalid('must be a host name or IP address')
  return value.trim()
}
const bool = (value: unknown, fromText: boolean) => {
  if (typeof value === 'boolean') return value
  if (fromText && typeof value === 'string') {
    const v = value.trim().toLowerCase()
    if (['1', 'true', 'yes', 'on'].includes(v)) return true
    if (['0', 'false', 'no', 'off'].includes(v)) return false
  }
  throw new Invalid('must be true or false')
}
const multiaddrs = (value: unknown, fromText: boolean) => {
  const list =
    fromText && typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : value
  if (!Array.isArray(list) || list.some((a) => typeof a !== 'string' || !a.startsWith('/')))
    throw new Invalid('must be a list of multiaddrs such as /ip4/192.0.2.1/tcp/4001/p2p/12D3Koo…')
  return list as string[]
}

export const CONFIG_KEYS: Record<Key, KeySpec> = {
  rpcPort: {
    env: 'ICN_RPC_PORT',
    flag: '--rpc-port',
    default: 0,
    parse: port(65535),
    describe: 'JSON-RPC port',
  },
  rpcHost: {
    env: 'ICN_RPC_HOST',
    flag: '--rpc-host',
    default: '127.0.0.1',
    parse: host,
    describe: 'JSON-RPC interface',
  },
  p2pPort: {
    env: 'ICN_P2P_PORT',
    flag: '--p2p-port',
    default: 0,
    parse: port(65534),
    describe: 'libp2p TCP port (WebSockets on the next one)',
  },
  p2pHost: {
    env: 'ICN_P2P_HOST',
    flag: '--p2p-host',
    default: '0.0.0.0',
    parse: host,
    describe: 'libp2p interface',
  },
  bootstrap: {
    env: 'ICN_BOOTSTRAP',
    flag: '--bootstrap',
    default: [],
    parse: multiaddrs,
    describe: 'peers to dial (env: comma-separated)',
  },
  mdns: { env: 'ICN_MDNS', flag: '--no-mdns', default: true, parse: bool, describe: 'find peers on the LAN' },
  logLevel: {
    env: 'ICN_LOG_LEVEL',
    flag: '--log-level',
    default: 'info',
    parse: (value) => {
      if (typeof value !== 'string' || !LOG_LEVELS.includes(value.trim() as LogLevel))
        throw new Invalid(`must be one of ${LOG_LEVELS.join(', ')}`)
      return value.trim()
    },
    describe: 'log level',
  },
  ui: { env: 'ICN_UI', flag: '--no-ui', default: true, parse: bool, describe: 'serve the browser UI' },
  passphraseFile: {
    env: 'ICN_PASSPHRASE_FILE',
    flag: '--passphrase-file',
    default: null,
    parse: (value) => {
      if (typeof value !== 'string' || value.trim() === '') throw new Invalid('must be a file path')
      return value
    },
    describe: 'unlock the identity at start with the passphrase in this file',
  },
  role: {
    env: 'ICN_ROLE',
    flag: '--role',
    default: 'full',
    parse: (value) => {
      const v = typeof value === 'string' ? value.trim() : value
      if (typeof v !== 'string' || !NODE_ROLES.includes(v as NodeRole))
        throw new Invalid(`must be one of ${NODE_ROLES.join(', ')}`)
      return v
    },
    describe: 'what the node does: full, light (stores little, never executes jobs) or validator',
  },
  cacheMb: {
    env: 'ICN_CACHE_MB',
    flag: '--cache-mb',
    default: 8,
    parse: (value, fromText) => {
      const n = fromText && typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4096)
        throw new Invalid('must be a whole number of MiB, 1–4096')
      return n
    },
    describe: 'memory for the read cache of events and state (MiB)',
  },
}

export interface ResolvedConfig {
  config: NodeConfig
  /** Where each key's value came from. */
  sources: Record<Key, ConfigSource>
  /** The config file that was read, if any. */
  file: string | null
}

export interface ConfigInputs {
  /** Flags the user actually typed (not commander defaults), as commander parsed them. */
  flags: Partial<Record<Key, unknown>>
  env: NodeJS.ProcessEnv
  /** The parsed config file, or null when there is none. */
  file: { path: string; json: unknown } | null
}

const invalid = (where: string, key: string, message: string): IcnError =>
  new IcnError('CONFIG_INVALID', `${where}: ${key} ${message}.`, { details: { key, where } })

/** Applies flag > env > file > default to every key; throws CONFIG_INVALID on the first bad value. */
export function resolveConfig({ flags, env, file }: ConfigInputs): ResolvedConfig {
  let fileValues: Record<string, unknown> = {}
  if (file !== null) {
    if (typeof file.json !== 'object' || file.json === null || Array.isArray(file.json))
      throw new IcnError('CONFIG_INVALID', `${file.path}: must be a JSON object of settings.`, {
        details: { where: file.path },
      })
    fileValues = file.json as Record<string, unknown>
    const unknown = Object.keys(fileValues).filter((k) => !(k in CONFIG_KEYS))
    if (unknown.length > 0)
      throw new IcnError(
        'CONFIG_INVALID',
        `${file.path}: unknown setting ${unknown.map((k) => `"${k}"`).join(', ')}; known settings: ${Object.keys(CONFIG_KEYS).join(', ')}.`,
        { details: { where: file.path, key: unknown[0] } },
      )
  }
  const config = {} as Record<Key, unknown>
  const sources = {} as Record<Key, ConfigSource>
  for (const key of Object.keys(CONFIG_KEYS) as Key[]) {
    const spec = CONFIG_KEYS[key]
    const attempt = (where: string, value: unknown, fromText: boolean): unknown => {
      try {
        return spec.parse(value, fromText)
      } catch (err) {
        if (err instanceof Invalid) throw invalid(where, key, `${err.message} (got ${JSON.stringify(value)})`)
        throw err
      }
    }
    const envValue = env[spec.env]
    if (flags[key] !== undefined) {
      config[key] = attempt(spec.flag, flags[key], true)
      sources[key] = 'flag'
    } else if (envValue !== undefined && envValue !== '') {
      config[key] = attempt(`$${spec.env}`, envValue, true)
      sources[key] = 'env'
    } else if (file !== null && key in fileValues && fileValues[key] !== null) {
      config[key] = attempt(file.path, fileValues[key], false)
      sources[key] = 'file'
    } else {
      config[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default
      sources[key] = 'default'
    }
  }
  // A path in the config file is relative to the file, not to wherever the service manager started us.
  if (file !== null && sources.passphraseFile === 'file')
    config.passphraseFile = resolve(dirname(file.path), config.passphraseFile as string)
  return { config: config as unknown as NodeConfig, sources, file: file?.path ?? null }
}

/**
 * Reads the config file: `explicit` (--config) or $ICN_CONFIG must exist; <data>/config.json is optional.
 * A file that is not valid JSON is CONFIG_INVALID with the parser's position.
 */
export async function loadConfigFile(
  dataDir: string,
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ path: string; json: unknown } | null> {
  const named =
    explicit ?? (env['ICN_CONFIG'] !== undefined && env['ICN_CONFIG'] !== '' ? env['ICN_CONFIG'] : undefined)
  const path = named ?? join(dataDir, CONFIG_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (named === undefined) return null
      throw new IcnError(
        'CONFIG_NOT_FOUND',
        `Config file ${path} does not exist. Create it, or drop ${explicit !== undefined ? '--config' : '$ICN_CONFIG'} to use ${join(dataDir, CONFIG_FILE)} when present.`,
        { details: { where: path } },
      )
    }
    throw err
  }
  try {
    return { path, json: JSON.parse(text) as unknown }
  } catch (err) {
    throw new IcnError('CONFIG_INVALID', `${path}: not valid JSON (${(err as Error).message}).`, {
      details: { where: path },
    })
  }
}

/**
 * Sets `role` in <data>/config.json for the next start (the desktop Settings screen; `icn node start` reads the
 * same file). Other keys are kept; a file that is not a JSON object is CONFIG_INVALID and left untouched.
 */
export async function writeRoleToConfigFile(dataDir: string, role: NodeRole): Promise<string> {
  const path = join(dataDir, CONFIG_FILE)
  const file = await loadConfigFile(dataDir, undefined, {})
  const json = file?.json ?? {}
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new IcnError('CONFIG_INVALID', `${path}: must be a JSON object of settings.`, {
      details: { where: path },
    })
  await writeFileAtomic(path, JSON.stringify({ ...json, role }, null, 2) + '\n', 0o600)
  return path
}

/** The role <data>/config.json sets for the next start; null when the file or the key is absent or invalid. */
export async function roleInConfigFile(dataDir: string): Promise<NodeRole | null> {
  try {
    const file = await loadConfigFile(dataDir, undefined, {})
    const role = (file?.json as { role?: unknown } | null)?.role
    return NODE_ROLES.includes(role as NodeRole) ? (role as NodeRole) : null
  } catch {
    return null
  }
}
