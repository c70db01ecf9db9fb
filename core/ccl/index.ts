/**
 * The CCL compiler: source → diagnostics, a checked program, a WebAssembly policy module, or a reference
 * interpretation. The language is specified in docs/ccl.md.
 */
import { IcnError } from '../errors'
import type { PolicyName } from '../runtime/abi'
import { checkProgram, type CheckedProgram } from './checker'
import { generate } from './codegen'
import { DiagnosticSink, SourceMap, formatDiagnostic, isSyntaxCode, type Diagnostic } from './diagnostics'
import type { CclHost, Value } from './host'
import { interpretChecked } from './interpreter'
import { parse } from './parser'
import { wasmApi } from './wasm-api'

export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics'
export { DIAGNOSTIC_CODES, formatDiagnostic } from './diagnostics'
export type { CheckedProgram } from './checker'
export type { CclHost, RecordValue, Value } from './host'
export { TRAP_CODES, trapKindOf, type TrapKind } from './ops'

/**
 * Version of the code the compiler emits. Nodes verify a policy proposal's module CID by recompiling its source, so
 * any change to the output bytes must bump this (and the pinned hashes in compiler.test.ts); a proposal should
 * record the version it was compiled with.
 */
export const CCL_COMPILER_VERSION = 1

export interface CompileOptions {
  /** Name shown in diagnostics. @default 'policy.ccl' */
  file?: string
}

export interface CompileResult {
  /** The policy module: imports only from `icn`, exports `memory`, `icn_alloc` and the entry points. */
  wasm: Uint8Array
  /** Entry points the module exports, in the order of POLICY_ENTRIES. */
  policies: PolicyName[]
  /** Warnings (compilation succeeded, so there are no errors). */
  diagnostics: Diagnostic[]
}

export interface Analysis {
  /** The checked program, when there are no errors. */
  program: CheckedProgram | undefined
  diagnostics: Diagnostic[]
}

/** Parses and type-checks; the checker runs only when the source has no lexical or syntax errors. */
export function analyze(source: string, options: CompileOptions = {}): Analysis {
  if (typeof source !== 'string') throw new TypeError('CCL source must be a string')
  const sink = new DiagnosticSink(new SourceMap(source, options.file ?? 'policy.ccl'))
  const ast = parse(source, sink)
  if (sink.hasErrors()) return { program: undefined, diagnostics: sink.sorted() }
  const program = checkProgram(ast, sink)
  return { program: sink.hasErrors() ? undefined : program, diagnostics: sink.sorted() }
}

/** All diagnostics (errors and warnings) for a source text. Never throws for any input string. */
export function check(source: string, options: CompileOptions = {}): Diagnostic[] {
  return analyze(source, options).diagnostics
}

/**
 * Compiles a policy. Throws IcnError `CCL_SYNTAX`, `CCL_TYPE` or `CCL_COMPILE` with `details.diagnostics`.
 * Deterministic: the same source gives the same bytes.
 */
export function compile(source: string, options: CompileOptions = {}): CompileResult {
  const { program, diagnostics } = analyze(source, options)
  if (program === undefined) throw failure(diagnostics)
  const wasm = generate(program)
  if (!wasmApi.validate(wasm)) {
    const map = new SourceMap(source, options.file ?? 'policy.ccl')
    const internal = map.diagnostic(
      'CCL0401',
      'internal compiler error: the generated module is not valid WebAssembly; please report this program',
      { start: 0, end: 0 },
    )
    throw failure([...diagnostics, internal])
  }
  return { wasm, policies: [...program.policies], diagnostics }
}

function failure(diagnostics: Diagnostic[]): IcnError {
  const errors = diagnostics.filter((d) => d.severity === 'error')
  const first = errors[0]
  if (first === undefined)
    return new IcnError('CCL_COMPILE', 'Compilation failed without a diagnostic.', {
      details: { diagnostics },
    })
  const code = isSyntaxCode(first.code)
    ? 'CCL_SYNTAX'
    : first.code.startsWith('CCL02')
      ? 'CCL_TYPE'
      : 'CCL_COMPILE'
  const more =
    errors.length > 1 ? `\n(and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : ''
  return new IcnError(code, `${formatDiagnostic(first)}${more}`, { details: { diagnostics } })
}

/**
 * Runs a function of a program with the reference interpreter. A trap throws IcnError `CCL_POLICY_FAILED` with
 * `details.trap`; an unknown function throws `CCL_UNKNOWN_POLICY`; a source with errors throws as `compile` does.
 */
export function interpret(
  program: string | CheckedProgram,
  entry: string,
  args: readonly Value[],
  host: CclHost,
  options: CompileOptions = {},
): Value {
  let checked: CheckedProgram
  if (typeof program === 'string') {
    const analysis = analyze(program, options)
    if (analysis.program === undefined) throw failure(analysis.diagnostics)
    checked = analysis.program
  } else {
    checked = program
  }
  return interpretChecked(checked, entry, args, host)
}
