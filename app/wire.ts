/**
 * JSON on the wire (JSON-RPC, WebSocket, CLI --json): bytes travel as dag-json style `{"/": {"bytes": "<base64>"}}`
 * and come back as Uint8Array. Works in Node and in the browser (no Buffer).
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]))

export function toBase64(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += B64[n >> 18] + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += B64[n >> 18]! + B64[(n >> 12) & 63]!
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!
  }
  return out
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '')
  if (clean.length % 4 === 1) throw new TypeError('Invalid base64 length')
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4))
  let bits = 0
  let value = 0
  let o = 0
  for (const c of clean) {
    const v = B64_INDEX.get(c)
    if (v === undefined) throw new TypeError('Invalid base64 character')
    value = (value << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (value >> bits) & 0xff
    }
  }
  return out
}

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { '/': { bytes: toBase64(value) } }
  if (typeof value === 'bigint') return value.toString()
  return value
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const slash = (value as Record<string, unknown>)['/']
    if (
      slash !== undefined &&
      Object.keys(value).length === 1 &&
      typeof slash === 'object' &&
      slash !== null
    ) {
      const bytes = (slash as Record<string, unknown>)['bytes']
      if (typeof bytes === 'string' && Object.keys(slash).length === 1) return fromBase64(bytes)
    }
  }
  return value
}

export function stringify(value: unknown, space?: number): string {
  // Buffers define toJSON, which runs before the replacer sees them; normalise to plain Uint8Array first.
  return JSON.stringify(normaliseBuffers(value), replacer, space)
}

export function parse(text: string): unknown {
  return JSON.parse(text, reviver) as unknown
}

function normaliseBuffers(value: unknown, depth = 0): unknown {
  if (depth > 64) return value
  if (value instanceof Uint8Array) {
    return value.constructor === Uint8Array
      ? value
      : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  }
  if (Array.isArray(value)) return value.map((v) => normaliseBuffers(v, depth + 1))
  if (typeof value === 'object' && value !== null && (value as { toJSON?: unknown }).toJSON === undefined) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = normaliseBuffers(v, depth + 1)
    return out
  }
  return value
}
