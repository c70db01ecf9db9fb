import { check, compile, formatDiagnostic, CCL_COMPILER_VERSION, type Diagnostic } from '../../core/ccl'
import { RAW } from '../../core/dag'
import type { IcnNode } from '../../core/node'
import type { EventSink } from '../events'
import type { CclDiagnostic, Handlers } from '../contract'

type CclMethods = 'ccl.check' | 'ccl.compile' | 'ccl.run' | 'ccl.policies'

export function toCclDiagnostic(d: Diagnostic): CclDiagnostic {
  return { ...d, formatted: formatDiagnostic(d) }
}

export function cclHandlers(node: IcnNode): Pick<Handlers, CclMethods> {
  return {
    async 'ccl.check'({ source, file }) {
      const diagnostics = check(source, file === undefined ? {} : { file }).map(toCclDiagnostic)
      return { ok: !diagnostics.some((d) => d.severity === 'error'), diagnostics }
    },
    async 'ccl.compile'({ source, file }) {
      // Errors are IcnError CCL_SYNTAX / CCL_TYPE / CCL_COMPILE with details.diagnostics for the caller.
      const result = compile(source, file === undefined ? {} : { file })
      const cid = await node.dag.blocks.put(result.wasm, RAW)
      return {
        wasm: result.wasm,
        cid: cid.toString(),
        policies: result.policies,
        compilerVersion: CCL_COMPILER_VERSION,
        diagnostics: result.diagnostics.map(toCclDiagnostic),
      }
    },
    async 'ccl.run'(params) {
      const source = params.source
      // A source is compiled here (not in the engine) so its diagnostics name the caller's file.
      const wasm =
        source === undefined
          ? params.wasm
          : compile(source, params.file === undefined ? {} : { file: params.file }).wasm
      return node.policies.run({
        entry: params.entry,
        ...(wasm === undefined ? {} : { wasm }),
        ...(params.module === undefined ? {} : { module: params.module }),
        ...(params.scope === undefined ? {} : { scope: params.scope }),
        inputs: params.inputs ?? {},
        ...(params.fuel === undefined ? {} : { fuel: BigInt(params.fuel) }),
      })
    },
    async 'ccl.policies'({ scope }) {
      return { policies: await node.policies.active(scope), fallbacks: node.policies.fallbacks(scope) }
    },
  }
}

/** Forwards this domain's core events to contract events; returns an unsubscribe function. */
export function cclEvents(_node: IcnNode, _emit: EventSink): () => void {
  return () => undefined
}
