import { IcnError } from '../errors'
import { publicKeyFromDid, isDidKey, isScopeDid, type Did } from '../identity/did'
import type { Ed25519, Signer } from '../identity/ed25519'
import { nodeEd25519 } from '../identity/ed25519'
import type { CID } from './codec'
import { DAG_CBOR, asCid, cidFor, cidText, decodeCanonical, encode } from './codec'

/** Events larger than this are refused before decoding; blobs travel as separate blocks. */
export const MAX_EVENT_BYTES = 64 * 1024
/** Domain separation for event signatures (DESIGN §3). */
export const EVENT_SIGNATURE_DOMAIN = new TextEncoder().encode('icn/v1/event\0')
/** The scope of events that belong to no cooperative or federation (notes, profiles, peer records). */
export const GLOBAL_SCOPE = 'global'

export interface UnsignedEvent<B = unknown> {
  v: 1
  type: string
  author: Did
  seq: number
  prev: CID | null
  ts: number
  scope: string
  body: B
}

export interface SignedEvent<B = unknown> extends UnsignedEvent<B> {
  sig: Uint8Array
}

/** A decoded, signature-checked event with its identity. */
export interface VerifiedEvent<B = unknown> {
  cid: CID
  /** Base32 CIDv1 string, the event id everywhere in the API. */
  id: string
  bytes: Uint8Array
  event: SignedEvent<B>
}

const TYPE_PATTERN = /^[a-z][a-z0-9-]{0,30}(\/[a-z][a-z0-9-]{0,30}){0,3}$/

export function isScope(value: unknown): value is string {
  return value === GLOBAL_SCOPE || isScopeDid(value)
}

export function signingPayload(event: UnsignedEvent): Uint8Array {
  const body = encode(toUnsignedMap(event))
  const out = new Uint8Array(EVENT_SIGNATURE_DOMAIN.length + body.length)
  out.set(EVENT_SIGNATURE_DOMAIN, 0)
  out.set(body, EVENT_SIGNATURE_DOMAIN.length)
  return out
}

function toUnsignedMap(event: UnsignedEvent): UnsignedEvent {
  return {
    v: 1,
    type: event.type,
    author: event.author,
    seq: event.seq,
    prev: event.prev,
    ts: event.ts,
    scope: event.scope,
    body: event.body,
  }
}

/** Signs and encodes an event; the result is exactly what peers receive. */
export function signEvent<B>(event: UnsignedEvent<B>, signer: Signer): VerifiedEvent<B> {
  const sig = signer.sign(signingPayload(event))
  const signed: SignedEvent<B> = { ...(toUnsignedMap(event) as UnsignedEvent<B>), sig }
  const bytes = encode(signed)
  if (bytes.length > MAX_EVENT_BYTES) {
    throw new IcnError(
      'DAG_TOO_LARGE',
      `The event is ${bytes.length} bytes; the limit is ${MAX_EVENT_BYTES}. Put large data in a block and reference its CID.`,
    )
  }
  const cid = cidFor(bytes, DAG_CBOR)
  return { cid, id: cidText(cid), bytes, event: signed }
}

function invalid(why: string): IcnError {
  return new IcnError('DAG_INVALID_EVENT', `Malformed event: ${why}.`)
}

/** Structural check of a decoded value; returns the typed event or throws DAG_INVALID_EVENT. */
export function checkEventShape(value: unknown): SignedEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw invalid('not a map')
  }
  const e = value as Record<string, unknown>
  const keys = Object.keys(e)
  const expected = ['author', 'body', 'prev', 'scope', 'seq', 'sig', 'ts', 'type', 'v']
  if (keys.length !== expected.length || !expected.every((k) => k in e)) {
    throw invalid(`fields must be exactly ${expected.join(', ')}`)
  }
  if (e['v'] !== 1) throw invalid(`unsupported version ${String(e['v'])}`)
  if (typeof e['type'] !== 'string' || !TYPE_PATTERN.test(e['type'])) throw invalid('bad type name')
  if (!isDidKey(e['author'])) throw invalid('author is not a did:key')
  const seq = e['seq']
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    throw invalid('seq must be an integer ≥ 1')
  const ts = e['ts']
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0)
    throw invalid('ts must be a non-negative integer')
  if (!isScope(e['scope'])) throw invalid('scope must be "global" or a did:icn scope')
  const prev = e['prev']
  if (seq === 1) {
    if (prev !== null) throw invalid('the first event of a chain has prev = null')
  } else {
    const cid = asCid(prev)
    if (cid === null || cid.version !== 1 || cid.code !== DAG_CBOR)
      throw invalid('prev must link the previous event')
  }
  if (!(e['sig'] instanceof Uint8Array) || e['sig'].length !== 64) throw invalid('sig must be 64 bytes')
  if (e['body'] === undefined) throw invalid('body is missing')
  return value as SignedEvent
}

/** Length of a CBOR unsigned integer's encoding (major type 0). */
function uintLength(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9
}

const SIG_ENTRY_PREFIX = [0x63, 0x73, 0x69, 0x67, 0x58, 0x40] // text "sig", bytes(64)
const SIG_ENTRY_LENGTH = SIG_ENTRY_PREFIX.length + 64

/**
 * The signing payload cut out of the canonical signed bytes, without re-encoding: canonical dag-cbor sorts map
 * keys by length then bytes, so the 9-key event is `v, ts, seq, sig, body, prev, type, scope, author`; removing
 * the `sig` entry and decrementing the map header yields exactly encode(event without sig). Falls back to
 * encoding when the layout is not the expected one.
 */
export function signingPayloadFromBytes(bytes: Uint8Array, event: SignedEvent): Uint8Array {
  const pos = 1 + 3 + 3 + uintLength(event.ts) + 4 + uintLength(event.seq)
  const matches = bytes[0] === 0xa9 && SIG_ENTRY_PREFIX.every((b, i) => bytes[pos + i] === b)
  if (!matches) return signingPayload(event)
  const out = new Uint8Array(EVENT_SIGNATURE_DOMAIN.length + bytes.length - SIG_ENTRY_LENGTH)
  out.set(EVENT_SIGNATURE_DOMAIN, 0)
  let o = EVENT_SIGNATURE_DOMAIN.length
  out[o++] = 0xa8
  out.set(bytes.subarray(1, pos), o)
  o += pos - 1
  out.set(bytes.subarray(pos + SIG_ENTRY_LENGTH), o)
  return out
}

/**
 * Bytes from anywhere (peer, API, disk) → verified event, or an IcnError whose code says why:
 * DAG_TOO_LARGE, DAG_DECODE_FAILED, DAG_INVALID_EVENT, DAG_BAD_SIGNATURE. Chain and type rules are the DAG
 * service's job; this function needs no state.
 */
export function decodeEvent(bytes: Uint8Array, ed25519: Ed25519 = nodeEd25519): VerifiedEvent {
  const { event, publicKey, payload } = parseEvent(bytes)
  if (!ed25519.verify(publicKey, payload, event.sig)) throw badSignature(event)
  return verifiedEvent(bytes, event)
}

/**
 * `decodeEvent` with the signature checked off the calling thread (`Ed25519.verifyAsync`). Decoding and shape
 * errors throw at once; the returned promise rejects with DAG_BAD_SIGNATURE.
 */
export function decodeEventAsync(bytes: Uint8Array, ed25519: Ed25519 = nodeEd25519): Promise<VerifiedEvent> {
  const { event, publicKey, payload } = parseEvent(bytes)
  return ed25519.verifyAsync(publicKey, payload, event.sig).then((ok) => {
    if (!ok) throw badSignature(event)
    return verifiedEvent(bytes, event)
  })
}

function parseEvent(bytes: Uint8Array): {
  event: SignedEvent
  publicKey: Uint8Array
  payload: Uint8Array
} {
  if (!(bytes instanceof Uint8Array)) throw new IcnError('DAG_DECODE_FAILED', 'An event must be bytes.')
  if (bytes.length > MAX_EVENT_BYTES) {
    throw new IcnError(
      'DAG_TOO_LARGE',
      `The event is ${bytes.length} bytes; the limit is ${MAX_EVENT_BYTES}.`,
    )
  }
  const event = checkEventShape(decodeCanonical(bytes))
  const publicKey = publicKeyFromDid(event.author)
  return { event, publicKey, payload: signingPayloadFromBytes(bytes, event) }
}

const badSignature = (event: SignedEvent): IcnError =>
  new IcnError('DAG_BAD_SIGNATURE', `The signature does not match the author ${event.author}.`)

function verifiedEvent(bytes: Uint8Array, event: SignedEvent): VerifiedEvent {
  const cid = cidFor(bytes, DAG_CBOR)
  return { cid, id: cidText(cid), bytes, event }
}
