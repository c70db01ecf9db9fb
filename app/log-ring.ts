import type { LogSink } from '../core/logger'
import type { LogLevelName, LogLine } from './contract'

const LEVELS: Record<LogLevelName, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const LEVEL_IN_LINE = /"level":"(debug|info|warn|error)"/

export interface LogRingInit {
  /** Lines kept; the oldest are dropped first. @default 1000 */
  capacity?: number
  /** Longer lines are cut (a cut line is shown as its raw text). @default 8192 */
  maxLineLength?: number
  /** The log file the lines also go to, shown to the member; null when there is none. @default null */
  file?: string | null
}

/**
 * The recent log lines behind `node.logs`: a bounded ring of the logger's JSON lines (at most
 * capacity × maxLineLength characters), parsed only when read.
 */
export interface LogRing extends LogSink {
  readonly file: string | null
  /** Lines dropped from the ring since it was created. */
  readonly dropped: number
  recent(options?: { limit?: number; level?: LogLevelName }): LogLine[]
}

export function createLogRing(init: LogRingInit = {}): LogRing {
  const capacity = init.capacity ?? 1000
  const maxLength = init.maxLineLength ?? 8192
  const lines: string[] = []
  let start = 0
  let dropped = 0
  return {
    file: init.file ?? null,
    get dropped() {
      return dropped
    },
    write(line) {
      const text = line.endsWith('\n') ? line.slice(0, -1) : line
      const kept = text.length > maxLength ? text.slice(0, maxLength) : text
      if (lines.length < capacity) {
        lines.push(kept)
        return
      }
      lines[start] = kept
      start = (start + 1) % capacity
      dropped++
    },
    recent(options = {}) {
      const min = LEVELS[options.level ?? 'debug']
      const ordered = [...lines.slice(start), ...lines.slice(0, start)]
      const out: LogLine[] = []
      for (let i = ordered.length - 1; i >= 0 && out.length < (options.limit ?? 200); i--) {
        const parsed = parseLine(ordered[i] as string)
        if (LEVELS[parsed.level] >= min) out.push(parsed)
      }
      return out.reverse()
    },
  }
}

/** Splits one JSON log record into time, level, message, component and the remaining fields. */
export function parseLine(text: string): LogLine {
  let record: unknown
  try {
    record = JSON.parse(text)
  } catch {
    const level = LEVEL_IN_LINE.exec(text)?.[1] as LogLevelName | undefined
    return { t: '', level: level ?? 'info', msg: text }
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { t: '', level: 'info', msg: text }
  }
  const { t, level, msg, component, ...fields } = record as Record<string, unknown>
  const line: LogLine = {
    t: typeof t === 'string' ? t : '',
    level: typeof level === 'string' && level in LEVELS ? (level as LogLevelName) : 'info',
    msg: typeof msg === 'string' ? msg : '',
  }
  if (typeof component === 'string') line.component = component
  if (Object.keys(fields).length > 0) line.fields = fields
  return line
}

/** The level of a JSON log line, read without parsing it. */
export function lineLevel(line: string): LogLevelName {
  return (LEVEL_IN_LINE.exec(line)?.[1] as LogLevelName | undefined) ?? 'info'
}

/**
 * A sink that keeps every line in `ring` and passes to `next` only those at or above `nextLevel`, so the
 * Logs screen has info lines even when the terminal shows only warnings.
 */
export function teeSink(ring: LogSink, next: LogSink, nextLevel: LogLevelName | 'silent'): LogSink {
  const min = nextLevel === 'silent' ? Infinity : LEVELS[nextLevel]
  return {
    write(line) {
      ring.write(line)
      if (LEVELS[lineLevel(line)] >= min) next.write(line)
    },
  }
}
