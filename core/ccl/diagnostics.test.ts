import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HOST_IMPORTS, POLICY_ENTRIES } from '../runtime/abi'
import { DIAGNOSTIC_CODES, check, formatDiagnostic, type Diagnostic } from './index'

const ERRORS_DIR = join(import.meta.dirname, 'testdata', 'errors')
const DOCS = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'ccl.md'), 'utf8')

function render(d: Diagnostic): string {
  return `${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.severity} ${d.code} ${d.message}`
}

const corpus = readdirSync(ERRORS_DIR)
  .filter((f) => f.endsWith('.ccl'))
  .sort()

describe('ccl: golden diagnostics (testdata/errors)', () => {
  for (const file of corpus) {
    it(file, () => {
      const source = readFileSync(join(ERRORS_DIR, file), 'utf8')
      const expected = readFileSync(join(ERRORS_DIR, file.replace(/\.ccl$/, '.expected')), 'utf8')
      const diagnostics = check(source, { file })
      expect(diagnostics.map(render).join('\n') + '\n').toBe(expected)
      for (const d of diagnostics) expect(d.file).toBe(file)
    })
  }

  it('covers every diagnostic code a program can trigger', () => {
    const seen = new Set<string>()
    for (const file of corpus) {
      const expected = readFileSync(join(ERRORS_DIR, file.replace(/\.ccl$/, '.expected')), 'utf8')
      for (const match of expected.matchAll(/ (CCL\d{4}) /g)) seen.add(match[1] as string)
    }
    // CCL0401 reports a compiler bug (an invalid module); no source should trigger it.
    const triggerable = Object.keys(DIAGNOSTIC_CODES).filter((code) => code !== 'CCL0401')
    expect(triggerable.filter((code) => !seen.has(code))).toEqual([])
  })
})

describe('ccl: diagnostic excerpts', () => {
  it('underlines the span with carets, aligned through tabs and wide characters', () => {
    const source = 'fn vote_weight(voter: Did) -> Int {\n\tlet s = "héllo😀"; return s;\n}'
    const [d] = check(source, { file: 'x.ccl' })
    // Columns count code points: the tab, `é` and `😀` are one column each.
    expect(d).toMatchObject({ line: 2, column: 27, endLine: 2, endColumn: 28, code: 'CCL0204' })
    const caret = `\t${' '.repeat(25)}^`
    expect(d?.excerpt).toBe(`\tlet s = "héllo😀"; return s;\n${caret}`)
    expect(formatDiagnostic(d as Diagnostic)).toBe(
      `x.ccl:2:27: error[CCL0204]: \`vote_weight\` returns Int, found String\n\tlet s = "héllo😀"; return s;\n${caret}`,
    )
  })

  it('clips a multi-line span to its first line and marks zero-width spans with one caret', () => {
    const source = 'fn vote_weight(voter: Did) -> Int {\n  return [1,\n  2];\n}\n'
    const [d] = check(source)
    expect(d).toMatchObject({ code: 'CCL0204', line: 2, column: 10, endLine: 3, endColumn: 5 })
    expect(d?.excerpt).toBe('  return [1,\n         ^^^')
    const [eof] = check('fn f() -> Int {')
    expect(eof).toMatchObject({ code: 'CCL0101', line: 1, column: 16 })
    expect(eof?.excerpt).toBe('fn f() -> Int {\n               ^')
  })

  it('reports several independent errors in one run', () => {
    const source = [
      'fn a() -> Int { let x = ; return 1; }',
      'fn b() -> Int { return 1 + ; }',
      'fn c() -> Int { let y = 2 return y; }',
    ].join('\n')
    expect(check(source).map((d) => `${d.line}:${d.code}`)).toEqual(['1:CCL0102', '2:CCL0102', '3:CCL0101'])
    const typed = [
      'fn a() -> Int { return true; }',
      'fn b() -> Bool { return 1; }',
      'fn c() -> Int { return x; }',
    ].join('\n')
    expect(check(typed).map((d) => `${d.line}:${d.code}`)).toEqual(['1:CCL0204', '2:CCL0204', '3:CCL0201'])
  })

  it('does not cascade from one unknown name', () => {
    const source =
      'fn vote_weight(voter: Did) -> Int { let a = nope; let b = a + 1; let c = b * a; if c > 2 { return a; } return b; }'
    expect(check(source).map((d) => d.code)).toEqual(['CCL0201'])
  })
})

/** Cells of the markdown table rows whose first cell matches. */
function tableRows(first: RegExp): string[][] {
  return DOCS.split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => first.test(cells[0] ?? ''))
}

describe('ccl: docs/ccl.md stays in step with the compiler and abi.ts', () => {
  it('lists every diagnostic code with its severity and meaning, and no others', () => {
    const rows = tableRows(/^CCL\d{4}$/)
    expect(rows.map((r) => r[0])).toEqual(Object.keys(DIAGNOSTIC_CODES))
    for (const [code, severity, meaning] of rows) {
      expect({ code, severity, meaning: meaning?.replaceAll('\\|', '|') }).toEqual({
        code,
        severity: code?.startsWith('CCL03') ? 'warning' : 'error',
        meaning: DIAGNOSTIC_CODES[code as keyof typeof DIAGNOSTIC_CODES],
      })
    }
  })

  it('documents every host call with its CCL and wasm signature and its abi.ts description', () => {
    const rows = tableRows(/^`[a-z_]+\(/).filter((r) => r[1]?.startsWith('`icn.'))
    const documented = new Map(rows.map((r) => [/^`([a-z_]+)\(/.exec(r[0] as string)?.[1], r]))
    expect([...documented.keys()]).toEqual(Object.keys(HOST_IMPORTS))
    for (const [name, spec] of Object.entries(HOST_IMPORTS)) {
      const [ccl, wasm, doc] = documented.get(name) as string[]
      const types = [...(ccl as string).matchAll(/: ([A-Za-z]+)/g)].map((m) => m[1])
      expect({ name, types }).toEqual({ name, types: [...spec.ccl.params] })
      expect(ccl).toMatch(spec.ccl.result === 'Unit' ? /\)`$/ : new RegExp(`\\) -> ${spec.ccl.result}\`$`))
      const lowered = `\`icn.${name}(${spec.params.join(', ')})${spec.results.length === 0 ? '' : ` -> ${spec.results.join(', ')}`}\``
      expect(wasm).toBe(lowered)
      expect(doc).toBe(spec.doc)
    }
  })

  it('has examples that compile as written (all complete `ccl` blocks)', () => {
    const blocks = [...DOCS.matchAll(/```ccl\n([\s\S]*?)```/g)].map((m) => m[1] as string)
    const complete = blocks.filter((b) => !b.includes('…'))
    expect(complete.length).toBeGreaterThanOrEqual(3)
    for (const block of complete) {
      expect(check(block).filter((d) => d.severity === 'error')).toEqual([])
    }
  })

  it('documents every policy entry point with its exact signature', () => {
    const rows = tableRows(/^`(can_propose|vote_weight|proposal_passes|mana_cost|job_admission)`$/)
    expect(rows.map((r) => r[0])).toEqual(Object.keys(POLICY_ENTRIES).map((n) => `\`${n}\``))
    for (const [name, spec] of Object.entries(POLICY_ENTRIES)) {
      const row = rows.find((r) => r[0] === `\`${name}\``) as string[]
      const params = spec.params.map((p) => `${p.name}: ${p.type}`).join(', ')
      expect(row[1]).toBe(`\`fn ${name}(${params}) -> ${spec.result}\``)
      expect(row[3]).toBe(spec.doc)
    }
  })
})
