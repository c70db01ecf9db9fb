import { formatWithOptions } from 'node:util'
import { createRotatingLog } from './log-file'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  /** A logger whose lines carry `component`. */
  child(component: string): Logger
}

export interface LogSink {
  write(line: string): void
}

export interface LoggerInit {
  /** @default 'info' */
  level?: LogLevel
  /** Where JSON lines go. @default process.stderr */
  sink?: LogSink
  component?: string
}

/** Serialises errors with their code and cause chain: a log line must be enough to act on. */
function plain(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message }
    const code = (value as { code?: unknown }).code
    if (code !== undefined) out['code'] = code
    if (value.stack !== undefined) out['stack'] = value.stack
    if (value.cause !== undefined && depth < 4) out['cause'] = plain(value.cause, depth + 1)
    return out
  }
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return `<${value.length} bytes>`
  return value
}

export function createLogger(init: LoggerInit = {}): Logger {
  const threshold = LEVELS[init.level ?? 'info']
  const sink = init.sink ?? { write: (line: string) => process.stderr.write(line) }
  const make = (component: string | undefined): Logger => {
    const log = (
      level: Exclude<LogLevel, 'silent'>,
      message: string,
      fields?: Record<string, unknown>,
    ): void => {
      if (LEVELS[level] < threshold) return
      const record: Record<string, unknown> = { t: new Date().toISOString(), level, msg: message }
      if (component !== undefined) record['component'] = component
      if (fields !== undefined) for (const [k, v] of Object.entries(fields)) record[k] = plain(v)
      let line: string
      try {
        line = JSON.stringify(record)
      } catch {
        line = JSON.stringify({ ...record, fields: formatWithOptions({ depth: 3 }, '%o', fields) })
      }
      sink.write(line + '\n')
    }
    return {
      debug: (m, f) => log('debug', m, f),
      info: (m, f) => log('info', m, f),
      warn: (m, f) => log('warn', m, f),
      error: (m, f) => log('error', m, f),
      child: (c) => make(component === undefined ? c : `${component}.${c}`),
    }
  }
  return make(init.component)
}

export const silentLogger: Logger = createLogger({ level: 'silent' })

/** Rotating log files live in core/log-file.ts; the node's file is <dir>/node.log (node.1.log … when rotated). */
export function createFileSink(init: {
  dir: string
  maxBytes?: number
  keep?: number
}): LogSink & { readonly path: string } {
  return createRotatingLog({
    dir: init.dir,
    name: 'node',
    maxBytes: init.maxBytes ?? 10 * 1024 * 1024,
    keep: init.keep ?? 5,
  })
}

/** Sends each line to several sinks (terminal and file). */
export function multiSink(...sinks: LogSink[]): LogSink {
  return { write: (line) => sinks.forEach((s) => s.write(line)) }
}
