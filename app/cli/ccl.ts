import { readFile, writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { check, compile, formatDiagnostic, CCL_COMPILER_VERSION } from '../../core/ccl'
import { cidFor, RAW } from '../../core/dag/codec'
import { isIcnError } from '../../core/errors'
import type { CliContext } from './index'

/** `icn ccl`: checking and compiling run locally (no node needed); running a policy asks the node. */
export function cclCommands({ io, program, print, setExitCode }: CliContext): void {
  const ccl = program.command('ccl').description('Cooperative Contract Language policies')
  ccl
    .command('check')
    .description('report every error and warning in a policy, with line:column and a caret excerpt')
    .argument('<file>')
    .action(async (file: string) => {
      const source = await readFile(file, 'utf8')
      const diagnostics = check(source, { file: basename(file) })
      const errors = diagnostics.filter((d) => d.severity === 'error').length
      print({ ok: errors === 0, diagnostics }, () =>
        diagnostics.length === 0 ? `${file}: no problems` : diagnostics.map(formatDiagnostic).join('\n\n'),
      )
      if (errors > 0) setExitCode(1)
    })
  ccl
    .command('compile')
    .description('compile a policy to a WebAssembly module (default: <file>.wasm next to it)')
    .argument('<file>')
    .option('-o, --output <file>', 'where to write the module')
    .action(async (file: string, options: { output?: string }) => {
      const source = await readFile(file, 'utf8')
      try {
        const result = compile(source, { file: basename(file) })
        const target = resolve(options.output ?? file.replace(/\.ccl$/, '') + '.wasm')
        await writeFile(target, result.wasm)
        const cid = cidFor(result.wasm, RAW).toString()
        print(
          {
            file: target,
            cid,
            size: result.wasm.length,
            policies: result.policies,
            compilerVersion: CCL_COMPILER_VERSION,
          },
          () =>
            [
              `${target}: ${result.wasm.length} bytes, policies ${result.policies.join(', ') || '(none)'}`,
              `cid ${cid} (compiler v${CCL_COMPILER_VERSION})`,
              ...result.diagnostics.map(formatDiagnostic),
            ].join('\n'),
        )
      } catch (err) {
        if (isIcnError(err) && Array.isArray(err.details?.['diagnostics'])) {
          io.err(
            (err.details['diagnostics'] as Parameters<typeof formatDiagnostic>[0][])
              .map(formatDiagnostic)
              .join('\n\n'),
          )
          setExitCode(1)
          return
        }
        throw err
      }
    })
}
