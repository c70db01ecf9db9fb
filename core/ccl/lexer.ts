import type { DiagnosticSink } from './diagnostics'

export const KEYWORDS = [
  'fn',
  'let',
  'mut',
  'const',
  'struct',
  'if',
  'else',
  'while',
  'for',
  'in',
  'return',
  'break',
  'continue',
  'true',
  'false',
] as const

export type Keyword = (typeof KEYWORDS)[number]

const PUNCTUATION = [
  // Longest first, so `..` wins over `.` and `->` over `-`.
  '->',
  '..',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ';',
  ':',
  '.',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '!',
] as const

export type Punct = (typeof PUNCTUATION)[number]

export type Token =
  | { kind: 'ident'; text: string; start: number; end: number }
  | { kind: 'keyword'; text: Keyword; start: number; end: number }
  | { kind: 'punct'; text: Punct; start: number; end: number }
  /** `value` is the literal's magnitude; range checks happen in the parser, which knows about unary minus. */
  | { kind: 'int'; text: string; value: bigint; start: number; end: number }
  /** `closed` is false for an unterminated literal, so the parser does not pile a second error on it. */
  | { kind: 'string'; text: string; value: string; closed: boolean; start: number; end: number }
  | { kind: 'eof'; text: ''; start: number; end: number }

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS)

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c)
}

/** Splits source into tokens, reporting lexical errors and skipping past them. Always ends with an `eof` token. */
export function tokenize(source: string, sink: DiagnosticSink): Token[] {
  const tokens: Token[] = []
  const n = source.length
  let i = 0
  while (i < n) {
    const c = source.charCodeAt(i)
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++
      continue
    }
    if (c === 47 && source.charCodeAt(i + 1) === 47) {
      while (i < n && source.charCodeAt(i) !== 10) i++
      continue
    }
    if (c === 47 && source.charCodeAt(i + 1) === 42) {
      i = blockComment(source, i, sink)
      continue
    }
    const start = i
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(source.charCodeAt(i))) i++
      const text = source.slice(start, i)
      if (KEYWORD_SET.has(text)) tokens.push({ kind: 'keyword', text: text as Keyword, start, end: i })
      else tokens.push({ kind: 'ident', text, start, end: i })
      continue
    }
    if (isDigit(c)) {
      while (i < n && (isDigit(source.charCodeAt(i)) || source.charCodeAt(i) === 95)) i++
      if (i < n && isIdentStart(source.charCodeAt(i))) {
        while (i < n && isIdentPart(source.charCodeAt(i))) i++
        sink.report(
          'CCL0006',
          `malformed number \`${source.slice(start, i)}\`: a number cannot be followed by letters`,
          {
            start,
            end: i,
          },
        )
        tokens.push({ kind: 'int', text: source.slice(start, i), value: 0n, start, end: i })
        continue
      }
      const text = source.slice(start, i)
      tokens.push({ kind: 'int', text, value: BigInt(text.replaceAll('_', '')), start, end: i })
      continue
    }
    if (c === 34) {
      const token = stringLiteral(source, i, sink)
      tokens.push(token)
      i = token.end
      continue
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i))
    if (punct !== undefined) {
      tokens.push({ kind: 'punct', text: punct, start, end: i + punct.length })
      i += punct.length
      continue
    }
    if (c === 38 || c === 124) {
      // A lone `&` or `|` almost always means `&&` or `||`: read it so, to avoid follow-up errors.
      const meant = c === 38 ? '&&' : '||'
      sink.report(
        'CCL0001',
        `unexpected character \`${source[i] as string}\`: the operator is \`${meant}\``,
        {
          start,
          end: i + 1,
        },
      )
      tokens.push({ kind: 'punct', text: meant, start, end: i + 1 })
      i++
      continue
    }
    const cp = source.codePointAt(i) as number
    const width = cp > 0xffff ? 2 : 1
    sink.report('CCL0001', `unexpected character ${describeChar(String.fromCodePoint(cp), cp)}`, {
      start,
      end: i + width,
    })
    i += width
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n })
  return tokens
}

function describeChar(ch: string, cp: number): string {
  if (cp < 32 || cp === 127 || (cp >= 0xd800 && cp <= 0xdfff))
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  return `\`${ch}\``
}

function blockComment(source: string, start: number, sink: DiagnosticSink): number {
  let depth = 0
  let i = start
  while (i < source.length) {
    if (source.startsWith('/*', i)) {
      depth++
      i += 2
    } else if (source.startsWith('*/', i)) {
      depth--
      i += 2
      if (depth === 0) return i
    } else {
      i++
    }
  }
  sink.report('CCL0004', 'unterminated block comment: add `*/`', { start, end: start + 2 })
  return source.length
}

function stringLiteral(source: string, start: number, sink: DiagnosticSink): Token & { kind: 'string' } {
  let i = start + 1
  let value = ''
  while (true) {
    if (i >= source.length || source.charCodeAt(i) === 10 || source.charCodeAt(i) === 13) {
      sink.report('CCL0002', 'unterminated string literal: add the closing `"` on the same line', {
        start,
        end: start + 1,
      })
      return { kind: 'string', text: source.slice(start, i), value, closed: false, start, end: i }
    }
    const c = source.charCodeAt(i)
    if (c === 34) {
      i++
      return { kind: 'string', text: source.slice(start, i), value, closed: true, start, end: i }
    }
    if (c === 92) {
      const escaped = escape(source, i, sink)
      value += escaped.value
      i = escaped.end
      continue
    }
    const cp = source.codePointAt(i) as number
    const width = cp > 0xffff ? 2 : 1
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate has no UTF-8 encoding; accepting it would make byte and text equality disagree.
      sink.report('CCL0001', `unexpected character ${describeChar('', cp)} in a string literal`, {
        start: i,
        end: i + 1,
      })
    } else {
      value += String.fromCodePoint(cp)
    }
    i += width
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\', '"': '"' }

function escape(source: string, start: number, sink: DiagnosticSink): { value: string; end: number } {
  const next = source[start + 1]
  if (next !== undefined && next in SIMPLE_ESCAPES)
    return { value: SIMPLE_ESCAPES[next] as string, end: start + 2 }
  if (next === 'u' && source[start + 2] === '{') {
    let i = start + 3
    while (i < source.length && /[0-9a-fA-F]/.test(source[i] as string)) i++
    const digits = source.slice(start + 3, i)
    if (source[i] === '}' && digits.length >= 1 && digits.length <= 6) {
      const cp = parseInt(digits, 16)
      if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff))
        return { value: String.fromCodePoint(cp), end: i + 1 }
    }
    const end = source[i] === '}' ? i + 1 : i
    sink.report(
      'CCL0003',
      'invalid unicode escape: write `\\u{…}` with 1–6 hex digits naming a Unicode scalar value',
      {
        start,
        end,
      },
    )
    return { value: '', end }
  }
  const bad = next === undefined || next === '\n' || next === '\r' ? '' : next
  const width = bad.length === 0 ? 1 : (source.codePointAt(start + 1) as number) > 0xffff ? 3 : 2
  sink.report(
    'CCL0003',
    `invalid escape sequence \`\\${bad}\`: use \\n, \\r, \\t, \\0, \\\\, \\" or \\u{…}`,
    {
      start,
      end: start + width,
    },
  )
  return { value: '', end: start + width }
}
