/**
 * Diagnostics: stable codes, positions and caret excerpts. Every code is listed in docs/ccl.md §12 (a test keeps
 * the two in step), so tools and people can rely on them.
 */

export const DIAGNOSTIC_CODES = {
  CCL0001: 'unexpected character',
  CCL0002: 'unterminated string literal',
  CCL0003: 'invalid escape sequence in a string literal',
  CCL0004: 'unterminated block comment',
  CCL0005: 'integer literal out of range for Int',
  CCL0006: 'malformed number (digits followed by letters)',
  CCL0101: 'unexpected token (expected …, found …)',
  CCL0102: 'expected an expression',
  CCL0103: 'expected a type',
  CCL0104: 'expected an item (`fn`, `const` or `struct`)',
  CCL0105: 'comparison operators cannot be chained',
  CCL0106: 'nesting too deep',
  CCL0107: 'invalid assignment target (only variables can be assigned)',
  CCL0201: 'unknown variable or constant',
  CCL0202: 'unknown function',
  CCL0203: 'unknown type',
  CCL0204: 'type mismatch',
  CCL0205: 'wrong number of arguments',
  CCL0206: 'operator not defined for these operand types',
  CCL0207: 'assignment to something that is not a `let mut` variable',
  CCL0208: 'duplicate definition',
  CCL0209: 'function may reach its end without returning a value',
  CCL0210: 'policy entry point with the wrong signature',
  CCL0211: 'struct field problem (unknown, missing or repeated field; field access on a non-struct)',
  CCL0212: '`break` or `continue` outside a loop',
  CCL0213: '`return` with a value in a function without result, or without one where a value is needed',
  CCL0214: 'invalid constant (unsupported type, not constant, or its evaluation traps)',
  CCL0215: 'cannot infer the type of an empty array literal',
  CCL0216: 'a call without result used as a value',
  CCL0217: 'expression statement that is not a call',
  CCL0218: 'name reserved for a host function, built-in function or built-in type',
  CCL0219: '`did(…)` of a string literal that is not a DID',
  CCL0220: 'indexing or iterating over something that is not an array',
  CCL0301: 'unreachable code',
  CCL0302: 'no policy entry point defined',
  CCL0401: 'internal compiler error: the generated module failed validation',
} as const

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES

/** One run reports at most this many diagnostics. */
export const MAX_DIAGNOSTICS = 100
/** Excerpts of longer lines show this many code points around the span. */
const EXCERPT_WIDTH = 160
const EXCERPT_CONTEXT = 60
export type Severity = 'error' | 'warning'

export interface Diagnostic {
  code: DiagnosticCode
  severity: Severity
  message: string
  file: string
  /** 1-based. */
  line: number
  /** 1-based, in Unicode code points. */
  column: number
  endLine: number
  /** Exclusive. */
  endColumn: number
  /** The source line, a newline, and carets under the span (clipped to that line). */
  excerpt: string
}

/** A half-open range of UTF-16 offsets into the source. */
export interface Span {
  start: number
  end: number
}

export function severityOf(code: DiagnosticCode): Severity {
  return code.startsWith('CCL03') ? 'warning' : 'error'
}

/** Lexical and syntax codes stop compilation before type checking. */
export function isSyntaxCode(code: DiagnosticCode): boolean {
  return code.startsWith('CCL00') || code.startsWith('CCL01')
}

/** Offsets to line/column and excerpts for one source text. */
export class SourceMap {
  private readonly lineStarts: number[]

  constructor(
    readonly source: string,
    readonly file: string,
  ) {
    this.lineStarts = [0]
    for (let i = 0; i < source.length; i++) {
      if (source.charCodeAt(i) === 10) this.lineStarts.push(i + 1)
    }
  }

  /** 0-based line index containing the offset. */
  private lineIndex(offset: number): number {
    let lo = 0
    let hi = this.lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.lineStarts[mid] as number) <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  position(offset: number): { line: number; column: number } {
    const clamped = Math.max(0, Math.min(offset, this.source.length))
    const index = this.lineIndex(clamped)
    const start = this.lineStarts[index] as number
    // Lines without surrogate pairs (nearly all) map offsets to columns directly; long garbage lines stay linear.
    const column =
      this.line(index).chars.length === this.line(index).text.length
        ? clamped - start
        : codePoints(this.source.slice(start, clamped))
    return { line: index + 1, column: column + 1 }
  }

  private readonly lines = new Map<number, { text: string; chars: string[] }>()

  /** A line's text (without its line break) and its code points, cached: diagnostics cluster on few lines. */
  private line(index: number): { text: string; chars: string[] } {
    const cached = this.lines.get(index)
    if (cached !== undefined) return cached
    const start = this.lineStarts[index] as number
    const next = this.lineStarts[index + 1]
    const end = next === undefined ? this.source.length : next - 1
    const text = this.source.slice(start, end).replace(/\r$/, '')
    const entry = { text, chars: Array.from(text) }
    this.lines.set(index, entry)
    return entry
  }

  diagnostic(code: DiagnosticCode, message: string, span: Span): Diagnostic {
    const start = Math.max(0, Math.min(span.start, this.source.length))
    const end = Math.max(start, Math.min(span.end, this.source.length))
    const from = this.position(start)
    const to = this.position(end)
    const { chars } = this.line(from.line - 1)
    const column = from.column - 1
    const spanEnd = to.line === from.line ? to.column - 1 : chars.length
    // Very long lines are shown as a window around the span, so an excerpt stays readable (and small).
    const windowStart = chars.length > EXCERPT_WIDTH ? Math.max(0, column - EXCERPT_CONTEXT) : 0
    const windowEnd = Math.min(chars.length, windowStart + EXCERPT_WIDTH)
    const shown = `${windowStart > 0 ? '…' : ''}${chars.slice(windowStart, windowEnd).join('')}${windowEnd < chars.length ? '…' : ''}`
    // Tabs stay tabs in the caret line so the carets line up whatever the tab width.
    const pad =
      (windowStart > 0 ? ' ' : '') +
      chars
        .slice(windowStart, column)
        .map((ch) => (ch === '\t' ? '\t' : ' '))
        .join('')
    const width = Math.max(1, Math.min(spanEnd, windowEnd) - column)
    return {
      code,
      severity: severityOf(code),
      message,
      file: this.file,
      line: from.line,
      column: from.column,
      endLine: to.line,
      endColumn: to.column,
      excerpt: `${shown}\n${pad}${'^'.repeat(width)}`,
    }
  }
}

function codePoints(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    n++
  }
  return n
}

/** `file:line:column: error[CCL0101]: message` followed by the excerpt. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${d.message}\n${d.excerpt}`
}

/** Collects diagnostics for one source, in the order they are found. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = []

  constructor(readonly map: SourceMap) {}

  report(code: DiagnosticCode, message: string, span: Span): void {
    // Past this many, further diagnostics are noise (and would cost time on garbage input).
    if (this.items.length >= MAX_DIAGNOSTICS) return
    this.items.push(this.map.diagnostic(code, message, span))
  }

  /** In source order (stable, so diagnostics at one position keep the order they were found in). */
  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.line - b.line || a.column - b.column)
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error')
  }
}
