/**
 * A plain-JavaScript `icn` host for tests: answers host calls from a PolicyContext and runs compiled policy modules
 * through the ABI exactly as core/runtime/abi.ts describes (strings passed in through `icn_alloc`, lowered
 * scalars, trap codes read from address 0). The node's real host — fuel, limits, workers — is in core/runtime.
 */
import { IcnError } from '../errors'
import {
  ABI_MODULE,
  ABI_VERSION,
  ALLOC_EXPORT,
  HOST_IMPORTS,
  MEMORY_EXPORT,
  POLICY_ENTRIES,
  type CclType,
  type HostImportName,
  type PolicyContext,
  type PolicyName,
} from '../runtime/abi'
import type { CheckedProgram } from './checker'
import type { CclHost, Value } from './host'
import { compile, interpret } from './index'
import { trapError, trapKindFromCode, trapKindOf, type TrapKind } from './ops'
import { wasmApi, type WasmImports, type WasmMemory } from './wasm-api'

const LOG_CAP_BYTES = 4096
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** A CclHost answering from a PolicyContext, as the ABI documents each call; `logs` collects `log` messages. */
export function contextHost(ctx: PolicyContext): CclHost & { logs: string[] } {
  const logs: string[] = []
  return {
    logs,
    abi_version: () => BigInt(ABI_VERSION),
    now: () => BigInt(ctx.now),
    param_int: (name, fallback) =>
      Object.hasOwn(ctx.params, name) ? (ctx.params[name] as bigint) : fallback,
    param_list_contains: (name, value) =>
      Object.hasOwn(ctx.listParams, name) ? (ctx.listParams[name] ?? []).includes(value) : false,
    balance: (did) => (Object.hasOwn(ctx.balances, did) ? (ctx.balances[did] as bigint) : 0n),
    reputation: (did) => (Object.hasOwn(ctx.reputation, did) ? (ctx.reputation[did] as bigint) : 0n),
    is_member: (did) => Object.hasOwn(ctx.members, did),
    member_since: (did) => (Object.hasOwn(ctx.members, did) ? BigInt(ctx.members[did] as number) : -1n),
    has_role: (did, role) => (Object.hasOwn(ctx.roles, did) ? (ctx.roles[did] ?? []).includes(role) : false),
    member_count: () => BigInt(Object.keys(ctx.members).length),
    log: (message) => {
      const bytes = encoder.encode(message)
      logs.push(
        bytes.length <= LOG_CAP_BYTES ? message : new TextDecoder().decode(bytes.subarray(0, LOG_CAP_BYTES)),
      )
    },
  }
}

/** Thrown by a host import; the policy fails with trap kind `host`. */
class HostFault extends Error {}

/** The lowered `icn` import object for a CclHost: strings are read from the module's memory as (ptr, len). */
export function icnImports(host: CclHost, memory: () => WasmMemory): WasmImports {
  const functions: Record<string, unknown> = {}
  for (const name of Object.keys(HOST_IMPORTS) as HostImportName[]) {
    const spec = HOST_IMPORTS[name]
    functions[name] = (...raw: (number | bigint)[]): number | bigint | undefined => {
      try {
        const args: (bigint | string)[] = []
        let slot = 0
        for (const type of spec.ccl.params) {
          if (type === 'String' || type === 'Did') {
            args.push(readString(memory(), raw[slot] as number, raw[slot + 1] as number))
            slot += 2
          } else {
            args.push(raw[slot] as bigint)
            slot += 1
          }
        }
        const result = (host[name] as (...a: (bigint | string)[]) => unknown)(...args)
        const expected = spec.ccl.result as string
        if (expected === 'Unit') return undefined
        if (expected === 'Bool') {
          if (typeof result !== 'boolean') throw new TypeError(`${name} must answer a boolean`)
          return result ? 1 : 0
        }
        if (typeof result !== 'bigint') throw new TypeError(`${name} must answer a bigint`)
        return spec.results[0] === 'i32' ? Number(BigInt.asIntN(32, result)) : result
      } catch (err) {
        throw new HostFault(`host function ${name} failed`, { cause: err })
      }
    }
  }
  return { [ABI_MODULE]: functions }
}

function readString(memory: WasmMemory, ptr: number, len: number): string {
  const start = ptr >>> 0
  const length = len >>> 0
  if (start + length > memory.buffer.byteLength) throw new RangeError('string out of bounds')
  return decoder.decode(new Uint8Array(memory.buffer, start, length))
}

export interface PolicyInstance {
  /** Calls an entry point with CCL values; traps throw IcnError('CCL_POLICY_FAILED') with `details.trap`. */
  call(entry: PolicyName, args: readonly Value[]): Value
  readonly memory: WasmMemory
}

/** Instantiates a compiled policy module against a host. */
export function instantiatePolicy(wasm: Uint8Array, host: CclHost): PolicyInstance {
  // Imports need the memory, which exists only once the instance does.
  const late: { memory?: WasmMemory } = {}
  const getMemory = (): WasmMemory => {
    if (late.memory === undefined) throw new Error('memory is not available before instantiation')
    return late.memory
  }
  const instance = new wasmApi.Instance(new wasmApi.Module(wasm), icnImports(host, getMemory))
  const mem = instance.exports[MEMORY_EXPORT] as WasmMemory
  late.memory = mem
  const alloc = instance.exports[ALLOC_EXPORT] as (len: number) => number

  return {
    memory: mem,
    call(entry, args) {
      const fn = instance.exports[entry] as ((...a: (number | bigint)[]) => number | bigint) | undefined
      const spec = POLICY_ENTRIES[entry]
      if (typeof fn !== 'function')
        throw new IcnError('CCL_UNKNOWN_POLICY', `The module does not export \`${entry}\`.`)
      if (args.length !== spec.params.length)
        throw new TypeError(`${entry} takes ${spec.params.length} arguments`)
      try {
        new DataView(mem.buffer).setInt32(0, 0, true)
        const lowered: (number | bigint)[] = []
        spec.params.forEach((param, i) => {
          const arg = args[i]
          const type = param.type as CclType
          if (type === 'String' || type === 'Did') {
            const bytes = encoder.encode(arg as string)
            const ptr = alloc(bytes.length)
            new Uint8Array(mem.buffer, ptr, bytes.length).set(bytes)
            lowered.push(ptr, bytes.length)
          } else if (type === 'Bool') {
            lowered.push(arg === true ? 1 : 0)
          } else {
            lowered.push(arg as bigint)
          }
        })
        const result = fn(...lowered)
        return spec.result === 'Bool' ? result !== 0 : (result as bigint)
      } catch (err) {
        throw asTrap(err, mem)
      }
    },
  }
}

function asTrap(err: unknown, memory: WasmMemory): unknown {
  if (err instanceof HostFault) return trapError('host', err.cause)
  if (err instanceof wasmApi.RuntimeError) {
    const kind = trapKindFromCode(new DataView(memory.buffer).getInt32(0, true))
    // A RuntimeError the module did not raise itself would be a compiler bug here: let it surface as is.
    return kind === undefined ? err : trapError(kind, err)
  }
  if (err instanceof RangeError) return trapError('stack_overflow', err)
  return err
}

export type Outcome = { ok: true; value: Value } | { ok: false; trap: TrapKind }

/** Runs `f`, turning a policy trap into `{ ok: false, trap }`; other errors propagate. */
export function outcome(f: () => Value): Outcome {
  try {
    return { ok: true, value: f() }
  } catch (err) {
    const trap = trapKindOf(err)
    if (trap === undefined) throw err
    return { ok: false, trap }
  }
}

/** Compiles nothing: instantiates `wasm` fresh, as the node does per decision, and calls one entry point. */
export function runCompiled(
  wasm: Uint8Array,
  entry: PolicyName,
  args: readonly Value[],
  host: CclHost,
): Outcome {
  return outcome(() => instantiatePolicy(wasm, host).call(entry, args))
}

/** A PolicyContext with nothing in it, plus the given fields. */
export function policyContext(fields: Partial<PolicyContext> = {}): PolicyContext {
  return {
    now: 0,
    params: {},
    listParams: {},
    balances: {},
    reputation: {},
    members: {},
    roles: {},
    ...fields,
  }
}

export interface BothOutcomes {
  compiled: Outcome
  interpreted: Outcome
  compiledLogs: string[]
  interpretedLogs: string[]
}

/** Runs an entry point both ways — compiled wasm and the reference interpreter — against fresh hosts for `ctx`. */
export function runBoth(
  source: string | { wasm: Uint8Array; program: string | CheckedProgram },
  entry: PolicyName,
  args: readonly Value[],
  ctx: PolicyContext = policyContext(),
): BothOutcomes {
  let wasm: Uint8Array
  let program: string | CheckedProgram
  if (typeof source === 'string') {
    wasm = compile(source).wasm
    program = source
  } else {
    wasm = source.wasm
    program = source.program
  }
  const compiledHost = contextHost(ctx)
  const interpretedHost = contextHost(ctx)
  const compiled = runCompiled(wasm, entry, args, compiledHost)
  const interpreted = outcome(() => interpret(program, entry, args, interpretedHost))
  return { compiled, interpreted, compiledLogs: compiledHost.logs, interpretedLogs: interpretedHost.logs }
}

/**
 * Runs an entry point both ways and returns the shared outcome, or throws when the compiled module and the
 * interpreter disagree on the result, the trap kind or the log messages.
 */
export function runAgreeing(
  source: string | { wasm: Uint8Array; program: string | CheckedProgram },
  entry: PolicyName,
  args: readonly Value[],
  ctx: PolicyContext = policyContext(),
): Outcome & { logs: string[] } {
  const both = runBoth(source, entry, args, ctx)
  const show = (value: unknown): string =>
    JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
  if (
    show(both.compiled) !== show(both.interpreted) ||
    show(both.compiledLogs) !== show(both.interpretedLogs)
  ) {
    throw new Error(
      `compiled and interpreted runs of ${entry} disagree: ${show(both.compiled)} ${show(both.compiledLogs)} vs ${show(both.interpreted)} ${show(both.interpretedLogs)}`,
    )
  }
  return { ...both.compiled, logs: both.compiledLogs }
}
