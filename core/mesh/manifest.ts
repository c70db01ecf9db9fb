import { IcnError } from '../errors'
import { CID, DAG_CBOR, RAW, isSha256Cid } from '../dag'
import type { ParamValues } from '../params'
import { JOB_LIMIT_BOUNDS, type JobEngine } from '../runtime'

/**
 * The job manifest: the body of a `mesh/job` event (DESIGN §7). Everything a bidder needs to decide and an
 * executor needs to run the job is here or behind a CID; the event's scope is the job's scope.
 */
export type VerificationMode = 'none' | 'reexecute'

export interface JobLimitsManifest {
  fuel: bigint
  memoryMiB: number
  timeoutMs: number
  outputBytes: number
}

export interface JobManifest {
  /** The WASM module: a raw block, or the root of a chunked file (modules over 1 MiB). */
  module: CID
  engine: JobEngine
  entry: string
  args: string[]
  env: Record<string, string>
  /** Standard input (a file CID) or null. */
  stdin: CID | null
  /** Input files, visible to the guest as /in/0, /in/1, … */
  inputs: CID[]
  limits: JobLimitsManifest
  /** Most mana the submitter pays; escrowed by the job event. */
  maxPrice: bigint
  /** Executors below this reputation score (0–1000) may not be chosen. */
  minReputation: number
  /** How long bids are collected after the job is announced (ms). */
  bidWindowMs: number
  /** 'reexecute': the submitter re-runs deterministic jobs and pays only when the result matches. */
  verification: VerificationMode
}

/** Absolute bounds of a manifest, whatever a scope's parameters say (the runtime's own bounds and event size). */
export const MANIFEST_BOUNDS = {
  entryLength: 128,
  args: 256,
  argLength: 4096,
  envEntries: 128,
  /** Bytes of args and env together (each string plus a separator). */
  textBytes: 16 * 1024,
  inputs: JOB_LIMIT_BOUNDS.maxInputs,
  maxPrice: 10n ** 15n,
  minBidWindowMs: 1,
  maxBidWindowMs: 3_600_000,
} as const

const FIELDS = [
  'args',
  'bidWindowMs',
  'engine',
  'entry',
  'env',
  'inputs',
  'limits',
  'maxPrice',
  'minReputation',
  'module',
  'stdin',
  'verification',
]
const LIMIT_FIELDS = ['fuel', 'memoryMiB', 'outputBytes', 'timeoutMs']

function invalid(message: string, field?: string): IcnError {
  return new IcnError('MESH_INVALID_MANIFEST', `Invalid job: ${message}`, {
    ...(field === undefined ? {} : { details: { field } }),
  })
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    CID.asCID(value) === null
  )
}

function exactKeys(value: Record<string, unknown>, keys: readonly string[], what: string): void {
  const present = Object.keys(value).sort()
  if (present.length !== keys.length || present.some((k, i) => k !== keys[i])) {
    throw invalid(`${what} must have exactly the fields ${keys.join(', ')}.`)
  }
}

function blockCid(value: unknown, field: string): CID {
  const cid = CID.asCID(value)
  if (cid === null || !isSha256Cid(cid) || (cid.code !== RAW && cid.code !== DAG_CBOR)) {
    throw invalid(`${field} must be a CIDv1 sha2-256 of a raw block or a file root.`, field)
  }
  return cid
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer from ${min} to ${max}.`, field)
  }
  return value
}

function bigInteger(value: unknown, field: string, min: bigint, max: bigint): bigint {
  let v: bigint
  if (typeof value === 'bigint') v = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value)
  else throw invalid(`${field} must be an integer.`, field)
  if (v < min || v > max) throw invalid(`${field} must be from ${min} to ${max}.`, field)
  return v
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length > max || value.includes('\0')) {
    throw invalid(`${field} must be a string of at most ${max} characters without NUL.`, field)
  }
  return value
}

/**
 * Structural check of a manifest (the stateless part of validation): exact fields, types, absolute bounds. A
 * failure is DAG_INVALID_EVENT-grade (the event is rejected, never stored), so the code is MESH_INVALID_MANIFEST.
 */
export function parseManifest(body: unknown): JobManifest {
  if (!isPlainMap(body)) throw invalid('the body must be a map.')
  exactKeys(body, FIELDS, 'A job')
  const module = blockCid(body['module'], 'module')
  const engine = body['engine']
  if (engine !== 'v8' && engine !== 'wasmer') throw invalid('engine must be "v8" or "wasmer".', 'engine')
  const entry = text(body['entry'], 'entry', MANIFEST_BOUNDS.entryLength)
  if (entry.length === 0) throw invalid('entry must name an exported function.', 'entry')
  if (engine === 'wasmer' && entry !== '_start')
    throw invalid('wasmer jobs are WASI commands: entry must be "_start".', 'entry')
  const rawArgs = body['args']
  if (!Array.isArray(rawArgs) || rawArgs.length > MANIFEST_BOUNDS.args)
    throw invalid(`args must be a list of at most ${MANIFEST_BOUNDS.args} strings.`, 'args')
  const args = rawArgs.map((a, i) => text(a, `args[${i}]`, MANIFEST_BOUNDS.argLength))
  const rawEnv = body['env']
  if (!isPlainMap(rawEnv) || Object.keys(rawEnv).length > MANIFEST_BOUNDS.envEntries)
    throw invalid(`env must be a map of at most ${MANIFEST_BOUNDS.envEntries} strings.`, 'env')
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(rawEnv)) {
    if (key.length === 0 || key.length > 256 || key.includes('=') || key.includes('\0'))
      throw invalid(`"${key.slice(0, 40)}" is not a valid environment variable name.`, 'env')
    env[key] = text(value, `env.${key}`, MANIFEST_BOUNDS.argLength)
  }
  const textBytes = [...args, ...Object.entries(env).flat()].reduce((n, s) => n + Buffer.byteLength(s) + 1, 0)
  if (textBytes > MANIFEST_BOUNDS.textBytes)
    throw invalid(`args and env together exceed ${MANIFEST_BOUNDS.textBytes} bytes.`, 'args')
  const stdin = body['stdin'] === null ? null : blockCid(body['stdin'], 'stdin')
  const rawInputs = body['inputs']
  if (!Array.isArray(rawInputs) || rawInputs.length > MANIFEST_BOUNDS.inputs)
    throw invalid(`inputs must be a list of at most ${MANIFEST_BOUNDS.inputs} CIDs.`, 'inputs')
  const inputs = rawInputs.map((c, i) => blockCid(c, `inputs[${i}]`))
  const rawLimits = body['limits']
  if (!isPlainMap(rawLimits)) throw invalid('limits must be a map.', 'limits')
  exactKeys(rawLimits, LIMIT_FIELDS, 'limits')
  const limits: JobLimitsManifest = {
    fuel: bigInteger(rawLimits['fuel'], 'limits.fuel', 1n, JOB_LIMIT_BOUNDS.maxFuel),
    memoryMiB: integer(rawLimits['memoryMiB'], 'limits.memoryMiB', 1, JOB_LIMIT_BOUNDS.maxMemoryMiB),
    timeoutMs: integer(rawLimits['timeoutMs'], 'limits.timeoutMs', 1, JOB_LIMIT_BOUNDS.maxTimeoutMs),
    outputBytes: integer(rawLimits['outputBytes'], 'limits.outputBytes', 0, JOB_LIMIT_BOUNDS.maxOutputBytes),
  }
  const maxPrice = bigInteger(body['maxPrice'], 'maxPrice', 0n, MANIFEST_BOUNDS.maxPrice)
  const minReputation = integer(body['minReputation'], 'minReputation', 0, 1000)
  const bidWindowMs = integer(
    body['bidWindowMs'],
    'bidWindowMs',
    MANIFEST_BOUNDS.minBidWindowMs,
    MANIFEST_BOUNDS.maxBidWindowMs,
  )
  const verification = body['verification']
  if (verification !== 'none' && verification !== 'reexecute')
    throw invalid('verification must be "none" or "reexecute".', 'verification')
  if (verification === 'reexecute' && engine === 'wasmer')
    throw invalid('wasmer jobs are not deterministic and cannot be verified by re-execution.', 'verification')
  return {
    module,
    engine,
    entry,
    args,
    env,
    stdin,
    inputs,
    limits,
    maxPrice,
    minReputation,
    bidWindowMs,
    verification,
  }
}

/** The scope's governed bounds (params mesh.*); GOV_BELOW_CHARTER_BOUNDS-style messages name the parameter. */
export function checkManifestParams(manifest: JobManifest, params: ParamValues): void {
  const over = (what: string, value: bigint, name: keyof ParamValues, below = false): IcnError =>
    new IcnError(
      'MESH_INVALID_MANIFEST',
      `${what} is ${value}; this scope allows ${below ? 'at least' : 'at most'} ${params[name]} (parameter ${name}).`,
      { details: { field: what, param: name, limit: params[name].toString() } },
    )
  const window = BigInt(manifest.bidWindowMs)
  if (window < params['mesh.minBidWindowMs']) throw over('bidWindowMs', window, 'mesh.minBidWindowMs', true)
  if (window > params['mesh.maxBidWindowMs']) throw over('bidWindowMs', window, 'mesh.maxBidWindowMs')
  if (manifest.limits.fuel > params['mesh.maxFuel'])
    throw over('limits.fuel', manifest.limits.fuel, 'mesh.maxFuel')
  const timeout = BigInt(manifest.limits.timeoutMs)
  if (timeout > params['mesh.maxTimeoutMs']) throw over('limits.timeoutMs', timeout, 'mesh.maxTimeoutMs')
  const memory = BigInt(manifest.limits.memoryMiB) * 1024n * 1024n
  if (memory > params['mesh.maxMemoryBytes'])
    throw over('limits.memoryMiB (in bytes)', memory, 'mesh.maxMemoryBytes')
  const output = BigInt(manifest.limits.outputBytes)
  if (output > params['mesh.maxOutputBytes']) throw over('limits.outputBytes', output, 'mesh.maxOutputBytes')
  const inputs = BigInt(manifest.inputs.length)
  if (inputs > params['mesh.maxInputs']) throw over('inputs', inputs, 'mesh.maxInputs')
}

/** The event body for a manifest (integers that fit stay numbers, so the encoding is canonical and small). */
export function manifestBody(m: JobManifest): Record<string, unknown> {
  const int = (v: bigint): number | bigint => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v)
  return {
    module: m.module,
    engine: m.engine,
    entry: m.entry,
    args: m.args,
    env: m.env,
    stdin: m.stdin,
    inputs: m.inputs,
    limits: {
      fuel: int(m.limits.fuel),
      memoryMiB: m.limits.memoryMiB,
      timeoutMs: m.limits.timeoutMs,
      outputBytes: m.limits.outputBytes,
    },
    maxPrice: int(m.maxPrice),
    minReputation: m.minReputation,
    bidWindowMs: m.bidWindowMs,
    verification: m.verification,
  }
}

/** Defaults for what a submitter leaves out (documented in docs/mesh.md). */
export const MANIFEST_DEFAULTS = {
  engine: 'v8' as JobEngine,
  entry: '_start',
  fuel: 1_000_000_000n,
  memoryMiB: 64,
  timeoutMs: 30_000,
  outputBytes: 1024 * 1024,
  minReputation: 0,
  bidWindowMs: 1000,
  verification: 'none' as VerificationMode,
}
