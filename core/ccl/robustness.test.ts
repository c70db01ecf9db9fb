import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isIcnError } from '../errors'
import { DIAGNOSTIC_CODES, check, compile, type Diagnostic } from './index'
import { KEYWORDS } from './lexer'
import { randomProgram } from './random-program'

/** Every diagnostic must point into the source and carry an excerpt with carets. */
function assertWellFormed(source: string, diagnostics: Diagnostic[]): void {
  const lines = source.split('\n').length
  for (const d of diagnostics) {
    expect(Object.hasOwn(DIAGNOSTIC_CODES, d.code)).toBe(true)
    expect(d.line).toBeGreaterThanOrEqual(1)
    expect(d.line).toBeLessThanOrEqual(lines)
    expect(d.column).toBeGreaterThanOrEqual(1)
    expect(d.endLine).toBeGreaterThanOrEqual(d.line)
    if (d.endLine === d.line) expect(d.endColumn).toBeGreaterThanOrEqual(d.column)
    expect(d.excerpt).toMatch(/\n[\t …]*\^+$/)
    expect(d.message.length).toBeGreaterThan(0)
  }
}

/** check() never throws; compile() only throws IcnError with a CCL code; errors always come with a position. */
function robust(source: string): Diagnostic[] {
  const diagnostics = check(source)
  assertWellFormed(source, diagnostics)
  const hasErrors = diagnostics.some((d) => d.severity === 'error')
  try {
    compile(source)
    expect(hasErrors).toBe(false)
  } catch (err) {
    expect(isIcnError(err) && ['CCL_SYNTAX', 'CCL_TYPE'].includes(err.code)).toBe(true)
    expect(hasErrors).toBe(true)
  }
  return diagnostics
}

const anyChar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
)

const TOKENS = [
  ...KEYWORDS,
  ...'( ) { } [ ] , ; : -> . .. = += -= == != < <= > >= + - * / % ! && || & | @ " /* */ //'.split(' '),
  'x',
  'voter',
  'Int',
  'Bool',
  'String',
  'Did',
  'Mana',
  'vote_weight',
  'balance',
  'len',
  'mana',
  '0',
  '9223372036854775808',
  '12ab',
  '"s"',
  '"\\q"',
  '\n',
]
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }).map((tokens) => tokens.join(' '))

const programTape = fc.array(fc.nat({ max: 2 ** 30 }), { minLength: 20, maxLength: 300 })

describe('ccl: parser robustness', () => {
  it('never throws on arbitrary text, and every diagnostic has a position and an excerpt', () => {
    fc.assert(
      fc.property(anyChar, (source) => void robust(source)),
      { numRuns: 400 },
    )
  })

  it('never throws on token soup', () => {
    fc.assert(
      fc.property(tokenSoup, (source) => void robust(source)),
      { numRuns: 400 },
    )
  })

  it('never throws on mutated valid programs (deletions, insertions, swaps)', () => {
    const mutation = fc.record({
      at: fc.nat(),
      length: fc.nat({ max: 12 }),
      insert: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })),
    })
    fc.assert(
      fc.property(programTape, fc.array(mutation, { minLength: 1, maxLength: 4 }), (tape, mutations) => {
        let source = randomProgram(tape).source
        for (const m of mutations) {
          const at = m.at % (source.length + 1)
          source = source.slice(0, at) + m.insert + source.slice(at + m.length)
        }
        robust(source)
      }),
      { numRuns: 300 },
    )
  })

  it('reports a stray character exactly where it was inserted', () => {
    fc.assert(
      fc.property(
        programTape,
        fc.nat(),
        fc.constantFrom('@', '#', '$', '`', '~', '?', '\\'),
        (tape, pick, ch) => {
          const source = randomProgram(tape).source
          // Generated programs have no comments and no spaces inside strings, so any space is between tokens.
          const spaces = [...source.matchAll(/ /g)].map((m) => m.index)
          const at = spaces[pick % spaces.length] as number
          const mutated = `${source.slice(0, at)}${ch}${source.slice(at)}`
          const line = source.slice(0, at).split('\n').length
          const column = at - source.lastIndexOf('\n', at - 1)
          const diagnostics = robust(mutated)
          expect(diagnostics).toContainEqual(
            expect.objectContaining({ code: 'CCL0001', line, column, endColumn: column + 1 }),
          )
        },
      ),
      { numRuns: 200 },
    )
  })

  it('reports a missing semicolon on its line', () => {
    fc.assert(
      fc.property(programTape, fc.nat(), (tape, pick) => {
        const source = randomProgram(tape).source
        const semicolons = [...source.matchAll(/;/g)].map((m) => m.index)
        const at = semicolons[pick % semicolons.length] as number
        const mutated = source.slice(0, at) + source.slice(at + 1)
        const line = source.slice(0, at).split('\n').length
        const errors = robust(mutated).filter((d) => d.severity === 'error')
        expect(errors.length).toBeGreaterThan(0)
        expect(errors.map((d) => d.line)).toContain(line)
      }),
      { numRuns: 200 },
    )
  })

  it('reports an error for any program cut off inside its last function', () => {
    fc.assert(
      fc.property(programTape, fc.nat(), (tape, pick) => {
        const source = randomProgram(tape).source
        const lastFn = source.lastIndexOf('fn ')
        const bodyStart = source.indexOf('{', lastFn) + 1
        const lastBrace = source.lastIndexOf('}')
        const cut = bodyStart + (pick % (lastBrace - bodyStart))
        const errors = robust(source.slice(0, cut)).filter((d) => d.severity === 'error')
        expect(errors.length).toBeGreaterThan(0)
      }),
      { numRuns: 200 },
    )
  })

  it('survives pathological nesting and size quickly, with a bounded number of diagnostics', () => {
    const cases = [
      `fn f() -> Int { return ${'('.repeat(50_000)}1${')'.repeat(50_000)}; }`,
      `fn f() -> Int { return ${'-'.repeat(50_000)}1; }`,
      `fn f() -> Bool { return ${'!'.repeat(50_000)}true; }`,
      `fn f() -> Int { return ${'1 + '.repeat(20_000)}1; }`,
      `fn f() -> Int { return ${'['.repeat(20_000)}1${']'.repeat(20_000)}[0]; }`,
      `fn f() { ${'if true { '.repeat(20_000)}${'} '.repeat(20_000)}}`,
      `fn f(a: ${'['.repeat(20_000)}Int${']'.repeat(20_000)}) { }`,
      '{'.repeat(100_000),
      '@'.repeat(200_000),
      `fn f() -> Int { let x = "${'y'.repeat(100_000)}@"; return 1 }`,
      `fn f() { ${'let x = 1; '.repeat(20_000)} return 1; }`,
    ]
    for (const source of cases) {
      const started = performance.now()
      const diagnostics = robust(source)
      expect(performance.now() - started).toBeLessThan(3000)
      expect(diagnostics.some((d) => d.severity === 'error')).toBe(true)
      expect(diagnostics.length).toBeLessThanOrEqual(100)
      for (const d of diagnostics) expect(d.excerpt.length).toBeLessThan(400)
    }
  })
})
