import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { IcnError } from '../errors'
import { asciiString, decodeDagCborTrusted, encodeDagCbor } from './fast-cbor'

export { CID }

export const DAG_CBOR = 0x71
export const RAW = 0x55
const SHA2_256 = 0x12

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

/** CIDv1 (sha2-256) of bytes under a codec: dag-cbor for events and structured blocks, raw for blobs. */
export function cidFor(bytes: Uint8Array, codec: typeof DAG_CBOR | typeof RAW): CID {
  return CID.createV1(codec, Digest.create(SHA2_256, sha256(bytes)))
}

const BASE32 = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz234567')
let textScratch = new Uint8Array(128)

/**
 * A CID's string, as `cid.toString()` gives it (CIDv1: multibase base32, "b" prefix), written in one buffer: the
 * multiformats encoder builds the string a character at a time, ~4 KB of garbage per ingested event for its few
 * first-time encodings. Other versions go to `toString()`.
 */
export function cidText(cid: CID): string {
  if (cid.version !== 1) return cid.toString()
  const bytes = cid.bytes
  const size = 1 + Math.ceil((bytes.length * 8) / 5)
  if (textScratch.length < size) textScratch = new Uint8Array(size * 2)
  const out = textScratch
  out[0] = 0x62 // 'b'
  let o = 1
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | bytes[i]!) & 0xfff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out[o++] = BASE32[(buffer >>> bits) & 31]!
    }
  }
  if (bits > 0) out[o++] = BASE32[(buffer << (5 - bits)) & 31]!
  return asciiString(out, 0, o)
}

/** dag-cbor bytes of a value (fast-cbor.ts: the same bytes as @ipld/dag-cbor, with less garbage). */
export function encode(value: unknown): Uint8Array {
  return encodeDagCbor(value)
}

/**
 * Decodes dag-cbor strictly and insists on the canonical form: re-encoding must give the same bytes, so one
 * value has exactly one CID and a peer cannot mint look-alike duplicates. The direct decoder hands whatever it does
 * not expect to `@ipld/dag-cbor` (whose error is the one reported), and the re-encoding check refuses the rest.
 */
export function decodeCanonical(bytes: Uint8Array): unknown {
  let value: unknown
  try {
    value = decodeDagCborTrusted(bytes)
  } catch (err) {
    throw new IcnError('DAG_DECODE_FAILED', `Not valid dag-cbor: ${(err as Error).message}`, { cause: err })
  }
  let again: Uint8Array
  try {
    again = encodeDagCbor(value)
  } catch (err) {
    throw new IcnError('DAG_DECODE_FAILED', `Not valid dag-cbor: ${(err as Error).message}`, { cause: err })
  }
  if (!bytesEqual(again, bytes)) {
    throw new IcnError('DAG_DECODE_FAILED', 'The dag-cbor encoding is not canonical.')
  }
  return value
}

/**
 * Decodes bytes this node checked with decodeCanonical before storing them (its own events and blocks): the
 * re-encoding check is not repeated on every read. Bytes from anywhere else go through decodeCanonical.
 */
export function decodeStored(bytes: Uint8Array): unknown {
  try {
    return decodeDagCborTrusted(bytes)
  } catch (err) {
    throw new IcnError('DAG_DECODE_FAILED', `Not valid dag-cbor: ${(err as Error).message}`, { cause: err })
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  return Buffer.compare(a, b) === 0
}

/** Parses a CID string; INVALID_ARGUMENT with a readable message otherwise. */
export function parseCid(text: unknown, what = 'CID'): CID {
  if (typeof text !== 'string' || text.length === 0 || text.length > 200) {
    throw new IcnError('INVALID_ARGUMENT', `The ${what} must be a CID string (bafy…).`)
  }
  try {
    const cid = CID.parse(text)
    return cid.toV1()
  } catch (err) {
    throw new IcnError('INVALID_ARGUMENT', `"${text.slice(0, 80)}" is not a valid CID.`, { cause: err })
  }
}

export function asCid(value: unknown): CID | null {
  return CID.asCID(value)
}

export function isSha256Cid(cid: CID): boolean {
  return cid.version === 1 && cid.multihash.code === SHA2_256 && (cid.code === RAW || cid.code === DAG_CBOR)
}

/** Verifies that bytes hash to the CID (sha2-256, raw or dag-cbor). */
export function bytesMatchCid(cid: CID, bytes: Uint8Array): boolean {
  if (!isSha256Cid(cid)) return false
  return bytesEqual(sha256(bytes), cid.multihash.digest)
}
