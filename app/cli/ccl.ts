import { readFile, writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { check, compile, formatDiagnostic, CCL_COMPILER_VERSION } from '../../core/ccl'
import { cidFor, RAW } from '../../core/dag/codec'
import { isIcnError } from '../../core/errors'
import { CCL_POLICY_ENTRIES, type CclPolicyEntry } from '../contract'
import type { CliContext } from './index'

/** `icn ccl`: checking and compiling run locally (no node needed); running a policy asks the node. */
export function cclCommands({ io, program, print, setExitCode, connect }: CliContext): void {
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

  ccl
    .command('run')
    .description('dry-run one policy entry (a .ccl source or a compiled .wasm) on the node, against a scope')
    .argument('<file>')
    .requiredOption('--entry <name>', `the entry point: ${CCL_POLICY_ENTRIES.join(', ')}`)
    .option('--scope <scope>', 'scope whose members, roles and parameters the policy reads')
    .option('--input <name=value>', 'an entry argument (repeat for each)', collect, [])
    .option('--fuel <n>', 'fuel budget (default: the live budget, 1000000)')
    .action(
      async (file: string, options: { entry: string; scope?: string; input: string[]; fuel?: string }) => {
        if (!(CCL_POLICY_ENTRIES as readonly string[]).includes(options.entry)) {
          io.err(`--entry must be one of ${CCL_POLICY_ENTRIES.join(', ')}`)
          setExitCode(2)
          return
        }
        const inputs: Record<string, string> = {}
        for (const pair of options.input) {
          const eq = pair.indexOf('=')
          if (eq <= 0) {
            io.err(`--input takes name=value, not "${pair}"`)
            setExitCode(2)
            return
          }
          inputs[pair.slice(0, eq)] = pair.slice(eq + 1)
        }
        const bytes = await readFile(file)
        const isWasm = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73
        const client = await connect()
        const res = await client.call('ccl.run', {
          entry: options.entry as CclPolicyEntry,
          ...(isWasm
            ? { wasm: new Uint8Array(bytes) }
            : { source: bytes.toString('utf8'), file: basename(file) }),
          ...(options.scope === undefined ? {} : { scope: options.scope }),
          inputs,
          ...(options.fuel === undefined ? {} : { fuel: options.fuel }),
        })
        print(res, () =>
          [
            `${res.entry} = ${res.value}${res.fallback ? ' (built-in default: the policy failed)' : ''}`,
            res.error === null ? undefined : `policy failed: ${res.error.code}: ${res.error.message}`,
            `fuel used ${res.fuelUsed}; built-in rule would give ${res.defaultValue}; module ${res.module}`,
            ...res.logs.map((l) => `log: ${l}`),
          ]
            .filter((l) => l !== undefined)
            .join('\n'),
        )
      },
    )
  ccl
    .command('policies')
    .description('policies active per scope (module, activating proposal, since) and recent fallbacks')
    .option('--scope <scope>', 'only this scope')
    .action(async (options: { scope?: string }) => {
      const client = await connect()
      const res = await client.call(
        'ccl.policies',
        options.scope === undefined ? {} : { scope: options.scope },
      )
      print(res, () =>
        [
          res.policies.length === 0 ? 'No active policies: the built-in rules apply.' : undefined,
          ...res.policies.map(
            (p) =>
              `${p.scope} ${p.policy}: module ${p.module}, proposal ${p.proposal}, ` +
              `since ${new Date(p.since).toISOString()} (log #${p.n})`,
          ),
          ...res.fallbacks.map(
            (f) =>
              `fallback ${f.scope} ${f.policy} at ${new Date(f.ts).toISOString()}: ${f.code}: ${f.message}`,
          ),
        ]
          .filter((l) => l !== undefined)
          .join('\n'),
      )
    })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
