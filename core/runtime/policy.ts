import { createHash } from 'node:crypto'
import { IcnError } from '../errors'
import {
  ABI_MODULE,
  ABI_VERSION,
  ALLOC_EXPORT,
  HOST_BYTE_FUEL,
  HOST_CALL_FUEL,
  MEMORY_EXPORT,
  POLICY_ENTRIES,
  type CclType,
  type HostImportName,
  type PolicyContext,
  type PolicyName,
} from './abi'
import {
  FUEL_EXPORT,
  MEMORY_LIMIT_EXPORT,
  STACK_EXPORT,
  START_EXPORT,
  instrument,
  type ModuleInfo,
} from './instrument'
import {
  POLICY_DEFAULT_FUEL,
  POLICY_LOG_MESSAGE_BYTES,
  POLICY_LOG_TOTAL_BYTES,
  POLICY_MEMORY_PAGES,
  POLICY_RESET_MAX_PAGES,
  POLICY_STACK_BUDGET_BYTES,
} from './limits'
import { FuelExhausted, classifyTrap } from './trap'

/**
 * Policies: `icn` ABI v1 modules (abi.ts) called in-process at decision points. A call is a few microseconds,
 * so the runtime keeps one warm instance per compiled policy and resets it after every call instead of
 * instantiating (which costs ~100 µs, mostly allocating linear memory). Why nothing leaks between calls:
 *
 * - the state of a WebAssembly instance is its linear memory, its globals, its tables and the dropped/kept
 *   status of passive segments; nothing else survives a call;
 * - after every call (successful or not) the memory is overwritten with the snapshot taken right after
 *   instantiation, and every mutable global (the instrumenter exports them all) is set back to its snapshot;
 *   if the memory grew during the call the instance is discarded, since memory cannot shrink;
 * - modules whose code can change tables or drop segments (`ModuleInfo.resettable === false`), and modules
 *   with more than POLICY_RESET_MAX_PAGES of initial memory, get a fresh instance for every call;
 * - host-side state (the context and the logs) is per call and cleared in `finally`.
 *
 * The module's start function, if any, runs once per instantiation with its own budget (POLICY_DEFAULT_FUEL)
 * before the snapshot; it does not count towards a call's `fuelUsed`.
 */

type CclValue<T extends CclType> = T extends 'Int' | 'Mana' ? bigint : T extends 'Bool' ? boolean : string
type EntryParams<N extends PolicyName> = (typeof POLICY_ENTRIES)[N]['params'][number]

/** Arguments of a policy entry by parameter name, e.g. `{ voter: 'did:key:z6Mk…' }` for vote_weight. */
export type PolicyArgs<N extends PolicyName> = { [P in EntryParams<N> as P['name']]: CclValue<P['type']> }
export type PolicyValue<N extends PolicyName> = CclValue<(typeof POLICY_ENTRIES)[N]['result']>

export interface PolicyCallOptions {
  /** Fuel for this call (host calls and argument bytes included). @default POLICY_DEFAULT_FUEL (1 000 000) */
  fuel?: bigint | number
}

export interface PolicyOutcome<N extends PolicyName> {
  value: PolicyValue<N>
  fuelUsed: bigint
  /** Messages the policy passed to `log`, each capped at 4 KiB, 64 KiB in total. */
  logs: string[]
}

export interface CompiledPolicy {
  /** sha-256 (hex) of the original module bytes. */
  readonly hash: string
  readonly info: ModuleInfo
  /** The POLICY_ENTRIES this module exports with the right signature. */
  readonly entries: readonly PolicyName[]
  /** @internal */
  readonly module: WebAssembly.Module
}

interface CallState {
  context: PolicyContext
  logs: string[]
  logBytes: number
  memberCount: bigint | undefined
}

interface WarmInstance {
  instance: WebAssembly.Instance
  exports: WebAssembly.Exports
  fuel: WebAssembly.Global<'i64'>
  stack: WebAssembly.Global<'i32'>
  memory: WebAssembly.Memory | undefined
  memorySnapshot: Uint8Array | undefined
  /** Mutable globals and their post-instantiation values (any value type; restored as read). */
  globals: { global: WebAssembly.Global; value: unknown }[]
  /** The per-call state the host functions read; undefined between calls. */
  binding: { state: CallState | undefined }
  busy: boolean
}

const LOWERED: Record<CclType, ('i32' | 'i64')[]> = {
  Int: ['i64'],
  Mana: ['i64'],
  Bool: ['i32'],
  String: ['i32', 'i32'],
  Did: ['i32', 'i32'],
}

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

function loweredSignature(name: PolicyName): { params: string[]; results: string[] } {
  const spec = POLICY_ENTRIES[name]
  return { params: spec.params.flatMap((p) => LOWERED[p.type]), results: LOWERED[spec.result] }
}

function trap(message: string): never {
  throw new IcnError('RUNTIME_TRAP', message)
}

function toI64(value: unknown): bigint {
  return BigInt.asIntN(64, typeof value === 'bigint' ? value : BigInt(value as number))
}

export class PolicyEngine {
  private readonly cache = new Map<string, { policy: CompiledPolicy; warm: WarmInstance | undefined }>()

  constructor(private readonly capacity = 64) {}

  /**
   * Instruments and compiles a policy module (cached by hash). Throws RUNTIME_INVALID_MODULE,
   * RUNTIME_UNKNOWN_IMPORT or RUNTIME_MEMORY_LIMIT.
   */
  compile(bytes: Uint8Array): CompiledPolicy {
    if (!(bytes instanceof Uint8Array))
      throw new IcnError('INVALID_ARGUMENT', 'The policy module must be a Uint8Array.')
    const hash = createHash('sha256').update(bytes).digest('hex')
    const hit = this.cache.get(hash)
    if (hit !== undefined) {
      this.cache.delete(hash)
      this.cache.set(hash, hit)
      return hit.policy
    }
    const { bytes: instrumented, info } = instrument(bytes, {
      memoryPages: POLICY_MEMORY_PAGES,
      allowedImports: [ABI_MODULE],
    })
    const entries = (Object.keys(POLICY_ENTRIES) as PolicyName[]).filter((name) => {
      const exported = info.exports.find((e) => e.name === name && e.kind === 'function')
      if (exported === undefined) return false
      const want = loweredSignature(name)
      return (
        JSON.stringify(exported.params) === JSON.stringify(want.params) &&
        JSON.stringify(exported.results) === JSON.stringify(want.results)
      )
    })
    const policy: CompiledPolicy = { hash, info, entries, module: new WebAssembly.Module(instrumented) }
    this.cache.set(hash, { policy, warm: undefined })
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string)
    return policy
  }

  /**
   * Calls a policy entry point. Returns the value, the fuel used and the logs; throws IcnError
   * RUNTIME_OUT_OF_FUEL, RUNTIME_STACK_OVERFLOW or RUNTIME_TRAP when the policy fails (details carry fuelUsed and
   * logs), RUNTIME_INVALID_MODULE when the module lacks the entry or its signature differs from abi.ts, and
   * INVALID_ARGUMENT for bad arguments.
   */
  call<N extends PolicyName>(
    policyOrBytes: CompiledPolicy | Uint8Array,
    entry: N,
    args: PolicyArgs<N>,
    context: PolicyContext,
    options: PolicyCallOptions = {},
  ): PolicyOutcome<N> {
    const policy = policyOrBytes instanceof Uint8Array ? this.compile(policyOrBytes) : policyOrBytes
    const spec = Object.hasOwn(POLICY_ENTRIES, entry) ? POLICY_ENTRIES[entry] : undefined
    if (spec === undefined)
      throw new IcnError('INVALID_ARGUMENT', `"${String(entry)}" is not a policy entry point.`)
    if (!policy.entries.includes(entry)) {
      const want = loweredSignature(entry)
      const has = policy.info.exports.some((e) => e.name === entry)
      throw new IcnError(
        'RUNTIME_INVALID_MODULE',
        has
          ? `The policy exports "${entry}" with the wrong signature; ABI v${ABI_VERSION} expects ` +
              `(${want.params.join(', ')}) -> (${want.results.join(', ')}).`
          : `The policy does not export "${entry}".`,
      )
    }
    const fuelLimit = options.fuel === undefined ? POLICY_DEFAULT_FUEL : toFuel(options.fuel)
    const lowered = this.lowerArgs(entry, args)
    const usesStrings = spec.params.some((p) => p.type === 'String' || p.type === 'Did')

    const cached = this.cache.get(policy.hash)
    const reusable =
      policy.info.resettable && (policy.info.memory?.initialPages ?? 0) <= POLICY_RESET_MAX_PAGES
    let warm = cached?.policy === policy ? cached.warm : undefined
    if (warm === undefined || warm.busy || !reusable) {
      warm = this.instantiate(policy)
      if (cached?.policy === policy && reusable && cached.warm === undefined) cached.warm = warm
    }
    const state: CallState = { context, logs: [], logBytes: 0, memberCount: undefined }
    warm.busy = true
    warm.binding.state = state
    const { fuel, stack } = warm
    fuel.value = fuelLimit
    stack.value = POLICY_STACK_BUDGET_BYTES
    try {
      const wasmArgs: (number | bigint)[] = []
      if (usesStrings) {
        const memory = warm.memory
        const alloc = warm.exports[ALLOC_EXPORT]
        if (memory === undefined || typeof alloc !== 'function') {
          throw new IcnError(
            'RUNTIME_INVALID_MODULE',
            `A policy taking strings must export "${MEMORY_EXPORT}" and "${ALLOC_EXPORT}(len: i32) -> i32".`,
          )
        }
        for (const arg of lowered) {
          if (typeof arg !== 'object') {
            wasmArgs.push(arg)
            continue
          }
          // Copying arguments in is charged like host reads: HOST_BYTE_FUEL per byte.
          const left = fuel.value - BigInt(arg.length) * HOST_BYTE_FUEL
          fuel.value = left
          if (left < 0n) throw new FuelExhausted()
          const ptr = (alloc as (len: number) => number)(arg.length) >>> 0
          if (ptr + arg.length > memory.buffer.byteLength)
            trap(`${ALLOC_EXPORT} returned an out-of-bounds pointer.`)
          new Uint8Array(memory.buffer, ptr, arg.length).set(arg)
          wasmArgs.push(ptr, arg.length)
        }
      } else {
        for (const arg of lowered) wasmArgs.push(arg as number | bigint)
      }
      const raw = (warm.exports[entry] as (...a: (number | bigint)[]) => number | bigint)(...wasmArgs)
      let value: unknown
      if (spec.result === 'Bool') {
        if (raw !== 0 && raw !== 1) trap(`"${entry}" returned ${String(raw)} for a Bool (must be 0 or 1).`)
        value = raw === 1
      } else {
        value = raw
      }
      const remaining = fuel.value
      return { value: value as PolicyValue<N>, fuelUsed: fuelLimit - remaining, logs: state.logs }
    } catch (err) {
      const remaining = fuel.value
      const fuelUsed = remaining < 0n ? fuelLimit : fuelLimit - remaining
      if (err instanceof IcnError && !err.code.startsWith('RUNTIME_')) throw err
      const failure =
        err instanceof IcnError && err.code !== 'RUNTIME_TRAP'
          ? { code: err.code, message: err.message }
          : classifyTrap(err, {
              fuelRemaining: remaining,
              stackRemaining: stack.value,
              memoryLimitHit: (warm.exports[MEMORY_LIMIT_EXPORT] as WebAssembly.Global<'i32'>).value !== 0,
            })
      throw new IcnError(failure.code, `Policy "${entry}" failed: ${failure.message}`, {
        cause: err,
        details: { fuelUsed, logs: state.logs },
      })
    } finally {
      warm.binding.state = undefined
      warm.busy = false
      this.reset(policy, warm)
    }
  }

  private lowerArgs<N extends PolicyName>(entry: N, args: PolicyArgs<N>): (number | bigint | Uint8Array)[] {
    if (typeof args !== 'object' || args === null)
      throw new IcnError('INVALID_ARGUMENT', 'Policy arguments must be an object.')
    const values = args as Record<string, unknown>
    const params: readonly { name: string; type: CclType }[] = POLICY_ENTRIES[entry].params
    return params.map((param): number | bigint | Uint8Array => {
      const value = Object.hasOwn(values, param.name) ? values[param.name] : undefined
      switch (param.type) {
        case 'Int':
        case 'Mana': {
          const big = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value
          if (typeof big !== 'bigint' || BigInt.asIntN(64, big) !== big) {
            throw new IcnError('INVALID_ARGUMENT', `Argument "${param.name}" must be a 64-bit integer.`)
          }
          return big
        }
        case 'Bool':
          if (typeof value !== 'boolean')
            throw new IcnError('INVALID_ARGUMENT', `Argument "${param.name}" must be a boolean.`)
          return value ? 1 : 0
        case 'String':
        case 'Did':
          if (typeof value !== 'string')
            throw new IcnError('INVALID_ARGUMENT', `Argument "${param.name}" must be a string.`)
          return utf8Encoder.encode(value)
      }
    })
  }

  private instantiate(policy: CompiledPolicy): WarmInstance {
    const binding: WarmInstance['binding'] = { state: undefined }
    const holder: { fuel?: WebAssembly.Global<'i64'>; memory?: WebAssembly.Memory } = {}
    const instance = new WebAssembly.Instance(policy.module, { [ABI_MODULE]: hostFunctions(binding, holder) })
    const exports = instance.exports
    const fuel = exports[FUEL_EXPORT] as WebAssembly.Global<'i64'>
    const stack = exports[STACK_EXPORT] as WebAssembly.Global<'i32'>
    const memoryExport = exports[MEMORY_EXPORT]
    const memory = memoryExport instanceof WebAssembly.Memory ? memoryExport : undefined
    holder.fuel = fuel
    if (memory !== undefined) holder.memory = memory
    const start = exports[START_EXPORT] as (() => void) | undefined
    if (start !== undefined) {
      fuel.value = POLICY_DEFAULT_FUEL
      stack.value = POLICY_STACK_BUDGET_BYTES
      binding.state = { context: EMPTY_CONTEXT, logs: [], logBytes: 0, memberCount: undefined }
      try {
        start()
      } catch (err) {
        const failure = classifyTrap(err, {
          fuelRemaining: fuel.value,
          stackRemaining: stack.value,
          memoryLimitHit: false,
        })
        throw new IcnError(failure.code, `The policy's start function failed: ${failure.message}`, {
          cause: err,
        })
      } finally {
        binding.state = undefined
      }
    }
    const globals = policy.info.mutableGlobalExports.map((name) => {
      const global = exports[name] as WebAssembly.Global
      return { global, value: global.value }
    })
    return {
      instance,
      exports,
      fuel,
      stack,
      memory,
      memorySnapshot: memory === undefined ? undefined : new Uint8Array(memory.buffer).slice(),
      globals,
      binding,
      busy: false,
    }
  }

  /** Puts a warm instance back into its post-instantiation state, or drops it when that is impossible. */
  private reset(policy: CompiledPolicy, warm: WarmInstance): void {
    const cached = this.cache.get(policy.hash)
    if (cached?.warm !== warm) return
    const snapshot = warm.memorySnapshot
    if (warm.memory !== undefined && snapshot !== undefined) {
      if (warm.memory.buffer.byteLength !== snapshot.length) {
        cached.warm = undefined
        return
      }
      new Uint8Array(warm.memory.buffer).set(snapshot)
    }
    for (const g of warm.globals) g.global.value = g.value
  }
}

const EMPTY_CONTEXT: PolicyContext = {
  now: 0,
  params: {},
  listParams: {},
  balances: {},
  reputation: {},
  members: {},
  roles: {},
}

function toFuel(value: bigint | number): bigint {
  const fuel = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value
  if (typeof fuel !== 'bigint' || fuel <= 0n || fuel > 2n ** 63n - 1n) {
    throw new IcnError('INVALID_ARGUMENT', 'Policy fuel must be an integer between 1 and 2^63 - 1.')
  }
  return fuel
}

/** The `icn` import object. Every function charges HOST_CALL_FUEL plus HOST_BYTE_FUEL per byte it reads. */
function hostFunctions(
  binding: WarmInstance['binding'],
  holder: { fuel?: WebAssembly.Global<'i64'>; memory?: WebAssembly.Memory },
): Record<HostImportName, (...args: never[]) => unknown> {
  const charge = (bytes: number): void => {
    const fuel = holder.fuel as WebAssembly.Global<'i64'>
    const left = fuel.value - HOST_CALL_FUEL - BigInt(bytes) * HOST_BYTE_FUEL
    fuel.value = left
    if (left < 0n) throw new FuelExhausted()
  }
  const state = (): CallState => {
    const s = binding.state
    if (s === undefined) trap('A host function was called outside a policy call.')
    return s
  }
  /** Reads a UTF-8 string argument; traps on out-of-bounds pointers and invalid UTF-8 (abi.ts). */
  const text = (ptr: number, len: number): string => {
    const p = ptr >>> 0
    const n = len >>> 0
    const memory = holder.memory
    if (memory === undefined || p + n > memory.buffer.byteLength) trap('A string argument is out of bounds.')
    try {
      return utf8Decoder.decode(new Uint8Array(memory.buffer, p, n))
    } catch {
      trap('A string argument is not valid UTF-8.')
    }
  }
  const lookup = <T>(record: Record<string, T>, key: string): T | undefined =>
    Object.hasOwn(record, key) ? record[key] : undefined

  return {
    abi_version: () => {
      charge(0)
      return ABI_VERSION
    },
    now: () => {
      charge(0)
      return toI64(state().context.now)
    },
    param_int: (ptr: number, len: number, fallback: bigint) => {
      charge(len >>> 0)
      const value = lookup(state().context.params, text(ptr, len))
      return value === undefined ? fallback : toI64(value)
    },
    param_list_contains: (listPtr: number, listLen: number, itemPtr: number, itemLen: number) => {
      charge((listLen >>> 0) + (itemLen >>> 0))
      const list = lookup(state().context.listParams, text(listPtr, listLen))
      return list !== undefined && list.includes(text(itemPtr, itemLen)) ? 1 : 0
    },
    balance: (ptr: number, len: number) => {
      charge(len >>> 0)
      const value = lookup(state().context.balances, text(ptr, len))
      return value === undefined ? 0n : toI64(value)
    },
    reputation: (ptr: number, len: number) => {
      charge(len >>> 0)
      const value = lookup(state().context.reputation, text(ptr, len))
      return value === undefined ? 0n : toI64(value)
    },
    is_member: (ptr: number, len: number) => {
      charge(len >>> 0)
      return lookup(state().context.members, text(ptr, len)) === undefined ? 0 : 1
    },
    member_since: (ptr: number, len: number) => {
      charge(len >>> 0)
      const since = lookup(state().context.members, text(ptr, len))
      return since === undefined ? -1n : toI64(since)
    },
    has_role: (didPtr: number, didLen: number, rolePtr: number, roleLen: number) => {
      charge((didLen >>> 0) + (roleLen >>> 0))
      const roles = lookup(state().context.roles, text(didPtr, didLen))
      return roles !== undefined && roles.includes(text(rolePtr, roleLen)) ? 1 : 0
    },
    member_count: () => {
      charge(0)
      const s = state()
      s.memberCount ??= BigInt(Object.keys(s.context.members).length)
      return s.memberCount
    },
    log: (ptr: number, len: number) => {
      charge(len >>> 0)
      const s = state()
      let message = text(ptr, len)
      let bytes = utf8Encoder.encode(message).length
      if (bytes > POLICY_LOG_MESSAGE_BYTES) {
        // Cut on a character boundary at or below the cap.
        let cut = utf8Encoder.encode(message).subarray(0, POLICY_LOG_MESSAGE_BYTES)
        while (cut.length > 0) {
          try {
            message = utf8Decoder.decode(cut)
            break
          } catch {
            cut = cut.subarray(0, cut.length - 1)
          }
        }
        bytes = cut.length
      }
      if (s.logBytes + bytes > POLICY_LOG_TOTAL_BYTES) return
      s.logBytes += bytes
      s.logs.push(message)
    },
  }
}

const defaultEngine = new PolicyEngine()

/** Instruments and compiles a policy with the process-wide engine (cached by module hash). */
export function compilePolicy(bytes: Uint8Array): CompiledPolicy {
  return defaultEngine.compile(bytes)
}

/** Calls a policy entry with the process-wide engine. See PolicyEngine.call. */
export function callPolicy<N extends PolicyName>(
  policy: CompiledPolicy | Uint8Array,
  entry: N,
  args: PolicyArgs<N>,
  context: PolicyContext,
  options?: PolicyCallOptions,
): PolicyOutcome<N> {
  return defaultEngine.call(policy, entry, args, context, options)
}
