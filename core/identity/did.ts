import { base58btc } from 'multiformats/bases/base58'
import { IcnError } from '../errors'

/** Multicodec ed25519-pub (0xed) as an unsigned varint. */
const ED25519_PUB_PREFIX = new Uint8Array([0xed, 0x01])
const DID_KEY_PREFIX = 'did:key:'
const PUBLIC_KEY_BYTES = 32
/** did:key:z6Mk… for 32-byte ed25519 keys is always 56 characters long after the prefix's 'z'. */
const MAX_DID_LENGTH = 128

export type Did = `did:${string}`

/** did:key of an ed25519 public key (multicodec 0xed, multibase base58btc). */
export function didFromPublicKey(publicKey: Uint8Array): Did {
  if (publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new TypeError(`An ed25519 public key has ${PUBLIC_KEY_BYTES} bytes (got ${publicKey.length})`)
  }
  const bytes = new Uint8Array(ED25519_PUB_PREFIX.length + PUBLIC_KEY_BYTES)
  bytes.set(ED25519_PUB_PREFIX, 0)
  bytes.set(publicKey, ED25519_PUB_PREFIX.length)
  return `${DID_KEY_PREFIX}${base58btc.encode(bytes)}` as Did
}

/** Decoded keys of recently seen DIDs: every incoming event needs its author's key. Bounded. */
const keyCache = new Map<string, Uint8Array>()
const KEY_CACHE_LIMIT = 4096

/** The ed25519 public key inside a did:key (treat as read-only). Throws IDENTITY_INVALID_DID otherwise. */
export function publicKeyFromDid(did: string): Uint8Array {
  const cached = keyCache.get(did)
  if (cached !== undefined) return cached
  const key = decodeDidKey(did)
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string)
  keyCache.set(did, key)
  return key
}

function decodeDidKey(did: string): Uint8Array {
  if (typeof did !== 'string' || did.length > MAX_DID_LENGTH || !did.startsWith(DID_KEY_PREFIX)) {
    throw invalid(did, 'it is not a did:key')
  }
  const multibase = did.slice(DID_KEY_PREFIX.length)
  if (!multibase.startsWith('z')) throw invalid(did, 'only base58btc (z…) did:key values are supported')
  let bytes: Uint8Array
  try {
    bytes = base58btc.decode(multibase)
  } catch (err) {
    throw invalid(did, 'its key is not valid base58btc', err)
  }
  if (
    bytes.length !== ED25519_PUB_PREFIX.length + PUBLIC_KEY_BYTES ||
    bytes[0] !== 0xed ||
    bytes[1] !== 0x01
  ) {
    throw invalid(did, 'it is not an ed25519 key (multicodec 0xed, 32 bytes)')
  }
  return bytes.slice(ED25519_PUB_PREFIX.length)
}

export function isDidKey(value: unknown): value is Did {
  if (typeof value !== 'string') return false
  try {
    publicKeyFromDid(value)
    return true
  } catch {
    return false
  }
}

/** did:icn:<cid> names cooperatives and federations (their genesis event's CID). */
export function isScopeDid(value: unknown): value is Did {
  return typeof value === 'string' && /^did:icn:b[a-z2-7]{20,100}$/.test(value)
}

/** A member (did:key) or a scope (did:icn). */
export function isDid(value: unknown): value is Did {
  return isDidKey(value) || isScopeDid(value)
}

export function assertDidKey(value: unknown, what = 'DID'): asserts value is Did {
  if (!isDidKey(value)) {
    throw new IcnError(
      'IDENTITY_INVALID_DID',
      `The ${what} "${String(value).slice(0, 80)}" is not a valid did:key (did:key:z6Mk…).`,
    )
  }
}

function invalid(did: unknown, why: string, cause?: unknown): IcnError {
  return new IcnError(
    'IDENTITY_INVALID_DID',
    `"${String(did).slice(0, 80)}" is not a valid member DID: ${why}.`,
    {
      cause,
    },
  )
}

/** A minimal W3C DID document for a did:key (resolution is purely local). */
export function resolveDidKey(did: string): {
  id: string
  verificationMethod: {
    id: string
    type: 'Ed25519VerificationKey2020'
    controller: string
    publicKeyMultibase: string
  }[]
  authentication: string[]
  assertionMethod: string[]
} {
  publicKeyFromDid(did)
  const fragment = did.slice(DID_KEY_PREFIX.length)
  const vm = `${did}#${fragment}`
  return {
    id: did,
    verificationMethod: [
      { id: vm, type: 'Ed25519VerificationKey2020', controller: did, publicKeyMultibase: fragment },
    ],
    authentication: [vm],
    assertionMethod: [vm],
  }
}
