import { IcnError } from '../errors'
import { CID, DAG_CBOR, RAW, isSha256Cid } from '../dag'

/** Shape checks shared by the mesh event handlers (handlers.ts) and the dispute handlers (disputes.ts). */

export function malformed(type: string, why: string): IcnError {
  return new IcnError('DAG_INVALID_EVENT', `Malformed ${type} event: ${why}.`)
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    CID.asCID(value) === null
  )
}

export function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const present = Object.keys(value)
  return present.length === keys.length && keys.every((k) => k in value)
}

export function eventCid(value: unknown): CID | null {
  const cid = CID.asCID(value)
  return cid !== null && cid.code === DAG_CBOR && isSha256Cid(cid) ? cid : null
}

export function blockCid(value: unknown): CID | null {
  const cid = CID.asCID(value)
  return cid !== null && (cid.code === RAW || cid.code === DAG_CBOR) && isSha256Cid(cid) ? cid : null
}

export function bigOf(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value >= 0n ? value : null
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
  return null
}
