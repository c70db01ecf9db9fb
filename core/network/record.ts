import { IcnError } from '../errors'
import { bytesEqual, decodeCanonical, encode } from '../dag'
import { isDidKey, nodeEd25519, publicKeyFromDid, type Did, type Ed25519, type Signer } from '../identity'
import { PEER_RECORD_BYTES } from './limits'
import { PEER_RECORD_NAMESPACE } from './topics'

/**
 * A member's statement "my node is this libp2p peer", signed with the member's DID key. The peer key is a
 * separate, unencrypted key (so the node runs while the member is locked out); this record is what binds the
 * two. Anyone can verify it: it travels in the DHT under `/icnpeer/<did>` and in the sync handshake.
 */
export interface PeerRecord {
  v: 1
  did: Did
  /** libp2p peer id (base58btc, e.g. 12D3KooW…). */
  peer: string
  /** Monotonic per DID: a newer record has a higher seq. Milliseconds-based, so a restored DID still wins. */
  seq: number
  /** Unix ms after which the record is void. */
  expires: number
}

export interface SignedPeerRecord extends PeerRecord {
  sig: Uint8Array
}

/** Domain separation: a peer-record signature can never be replayed as an event signature or vice versa. */
export const PEER_RECORD_DOMAIN = new TextEncoder().encode('icn/v1/peer-record\0')
/** How long a new record is valid. Republished well before (see docs/network.md). */
export const PEER_RECORD_VALIDITY_MS = 7 * 24 * 3_600_000
/** Records valid for longer than this are refused: a leaked key must not mint records that outlive rotation. */
export const PEER_RECORD_MAX_VALIDITY_MS = 8 * 24 * 3_600_000

/** Base58btc peer ids as printed by libp2p (identity multihash of ed25519/secp256k1 keys, or sha256 of RSA). */
const PEER_ID_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{40,128}$/

export function peerRecordKey(did: string): Uint8Array {
  return new TextEncoder().encode(`/${PEER_RECORD_NAMESPACE}/${did}`)
}

function payload(record: PeerRecord): Uint8Array {
  const body = encode({ v: 1, did: record.did, peer: record.peer, seq: record.seq, expires: record.expires })
  const out = new Uint8Array(PEER_RECORD_DOMAIN.length + body.length)
  out.set(PEER_RECORD_DOMAIN, 0)
  out.set(body, PEER_RECORD_DOMAIN.length)
  return out
}

export function signPeerRecord(record: PeerRecord, signer: Signer): Uint8Array {
  return encode({ ...record, sig: signer.sign(payload(record)) })
}

function invalid(why: string): IcnError {
  return new IcnError('NETWORK_INVALID_RECORD', `Invalid peer record: ${why}.`)
}

/**
 * Decodes and checks a signed record: size, canonical dag-cbor, exact fields, signature by the DID, expiry.
 * Throws NETWORK_INVALID_RECORD with the reason. `did`/`peer` pin what the caller expects (the DHT key's DID,
 * the connection's remote peer).
 */
export function verifyPeerRecord(
  bytes: Uint8Array,
  options: { now?: number; did?: string; peer?: string; ed25519?: Ed25519 } = {},
): SignedPeerRecord {
  if (!(bytes instanceof Uint8Array)) throw invalid('not bytes')
  if (bytes.length > PEER_RECORD_BYTES) throw invalid(`${bytes.length} bytes is over ${PEER_RECORD_BYTES}`)
  let value: unknown
  try {
    value = decodeCanonical(bytes)
  } catch {
    throw invalid('not canonical dag-cbor')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    throw invalid('not a map')
  const r = value as Record<string, unknown>
  const keys = Object.keys(r).sort().join(',')
  if (keys !== 'did,expires,peer,seq,sig,v') throw invalid('fields must be v, did, peer, seq, expires, sig')
  if (r['v'] !== 1) throw invalid(`unsupported version ${String(r['v'])}`)
  if (!isDidKey(r['did'])) throw invalid('did is not a did:key')
  if (typeof r['peer'] !== 'string' || !PEER_ID_PATTERN.test(r['peer']))
    throw invalid('peer is not a peer id')
  const seq = r['seq']
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    throw invalid('seq must be an integer ≥ 1')
  const expires = r['expires']
  if (typeof expires !== 'number' || !Number.isSafeInteger(expires))
    throw invalid('expires must be an integer')
  if (!(r['sig'] instanceof Uint8Array) || r['sig'].length !== 64) throw invalid('sig must be 64 bytes')
  const record = value as SignedPeerRecord
  const now = options.now ?? Date.now()
  if (expires <= now) throw invalid('expired')
  if (expires - now > PEER_RECORD_MAX_VALIDITY_MS) throw invalid('valid for too long')
  if (options.did !== undefined && record.did !== options.did) throw invalid('signed for another DID')
  if (options.peer !== undefined && record.peer !== options.peer) throw invalid('names another peer')
  const ed = options.ed25519 ?? nodeEd25519
  if (!ed.verify(publicKeyFromDid(record.did), payload(record), record.sig)) throw invalid('bad signature')
  return record
}

/** The DID a DHT key of our namespace names, or undefined. */
export function didFromRecordKey(key: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(key)
  const prefix = `/${PEER_RECORD_NAMESPACE}/`
  if (!text.startsWith(prefix)) return undefined
  const did = text.slice(prefix.length)
  return isDidKey(did) ? did : undefined
}

/** Kad-DHT validator for `/icnpeer/<did>`: throws unless the record is valid and signed by that DID. */
export function validatePeerRecordEntry(key: Uint8Array, value: Uint8Array, now = Date.now()): void {
  const did = didFromRecordKey(key)
  if (did === undefined) throw invalid('the key is not /icnpeer/<did:key>')
  verifyPeerRecord(value, { did, now })
}

/**
 * Kad-DHT selector: the index of the best record. Valid beats invalid, then higher seq, later expiry, and
 * finally the smaller encoding, so the choice does not depend on the order the records arrived in.
 */
export function selectPeerRecord(key: Uint8Array, records: Uint8Array[], now = Date.now()): number {
  let best = -1
  let bestRecord: SignedPeerRecord | undefined
  records.forEach((bytes, index) => {
    let record: SignedPeerRecord
    try {
      validatePeerRecordEntry(key, bytes, now)
      record = decodeCanonical(bytes) as SignedPeerRecord
    } catch {
      return
    }
    if (bestRecord === undefined || better(record, bytes, bestRecord, records[best] as Uint8Array)) {
      best = index
      bestRecord = record
    }
  })
  return best === -1 ? 0 : best
}

function better(a: PeerRecord, aBytes: Uint8Array, b: PeerRecord, bBytes: Uint8Array): boolean {
  if (a.seq !== b.seq) return a.seq > b.seq
  if (a.expires !== b.expires) return a.expires > b.expires
  if (bytesEqual(aBytes, bBytes)) return false
  return Buffer.compare(aBytes, bBytes) < 0
}
