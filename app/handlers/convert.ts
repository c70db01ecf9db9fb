import { CID } from 'multiformats/cid'

/** A dag-cbor value as plain dag-json-shaped data: links as {"/": cid}; bytes stay Uint8Array (the wire encodes them). */
export function toDagJson(value: unknown, depth = 0): unknown {
  if (depth > 64) return null
  const cid = CID.asCID(value)
  if (cid !== null) return { '/': cid.toString() }
  if (value instanceof Uint8Array) return value
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map((v) => toDagJson(v, depth + 1))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = toDagJson(v, depth + 1)
    return out
  }
  return value
}
