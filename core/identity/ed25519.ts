import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto'
import * as noble from '@noble/ed25519'
import { VerifyPool, defaultVerifyWorkers, type VerifyJob } from './verify-pool'
import { sha512 } from '@noble/hashes/sha2.js'

// @noble/ed25519 v3 needs a sha512 for its synchronous API.
noble.hashes.sha512 = sha512

/** PKCS#8 DER prefix of an ed25519 private key: the 32-byte seed follows. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
/** SPKI DER prefix of an ed25519 public key: the 32-byte key follows. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/**
 * Ed25519 over raw 32-byte seeds and public keys. Two implementations must agree byte for byte:
 * `nodeEd25519` (Node crypto, the hot path) and `nobleEd25519` (portable, the cross-check and bench baseline).
 */
export interface Ed25519 {
  readonly name: string
  publicKey(seed: Uint8Array): Uint8Array
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  /**
   * The same answer as `verify`, off the calling thread where the implementation can (Node crypto runs it on
   * libuv's thread pool), so that many events arriving at once are checked on every core.
   */
  verifyAsync(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
}

export function privateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError('An ed25519 seed has 32 bytes')
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new TypeError('An ed25519 public key has 32 bytes')
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
}

/**
 * Verification keys are parsed once per public key: building a KeyObject costs more than the verification
 * itself. Bounded so that a flood of distinct keys from peers cannot grow memory.
 */
const VERIFY_KEY_CACHE_LIMIT = 4096
const verifyKeys = new Map<string, KeyObject>()

function cachedPublicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('base64')
  let key = verifyKeys.get(id)
  if (key === undefined) {
    key = publicKeyObject(publicKey)
    if (verifyKeys.size >= VERIFY_KEY_CACHE_LIMIT) {
      const oldest = verifyKeys.keys().next().value
      if (oldest !== undefined) verifyKeys.delete(oldest)
    }
    verifyKeys.set(id, key)
  }
  return key
}

/**
 * Signature checks waiting for a thread when no worker pool is used (ICN_VERIFY_THREADS=0) or a worker failed.
 * libuv's pool (4 threads) also serves the database: thousands of queued checks (a sync burst) would make every
 * read and batch write wait behind them. At most two run at once.
 */
const VERIFY_THREADS = 2
const verifyQueue: VerifyJob[] = []
let verifyHead = 0
let verifying = 0

function startVerifications(): void {
  while (verifying < VERIFY_THREADS && verifyHead < verifyQueue.length) {
    const job = verifyQueue[verifyHead++]!
    if (verifyHead > 1024 && verifyHead * 2 > verifyQueue.length) {
      verifyQueue.splice(0, verifyHead)
      verifyHead = 0
    }
    verifying++
    const done = (ok: boolean): void => {
      verifying--
      job.resolve(ok)
      startVerifications()
    }
    try {
      nodeVerify(null, job.message, cachedPublicKeyObject(job.publicKey), job.signature, (err, ok) =>
        done(err === null && ok),
      )
    } catch {
      done(false)
    }
  }
}

export const nodeEd25519: Ed25519 = {
  name: 'node:crypto',
  publicKey(seed) {
    const der = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' })
    return new Uint8Array(der.subarray(SPKI_PREFIX.length))
  },
  sign(seed, message) {
    return new Uint8Array(nodeSign(null, message, privateKeyObject(seed)))
  },
  verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false
    try {
      return nodeVerify(null, message, cachedPublicKeyObject(publicKey), signature)
    } catch {
      return false
    }
  },
  verifyAsync(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return Promise.resolve(false)
    return new Promise((resolve) => {
      const job = { publicKey, message, signature, resolve }
      const pool = verifyPool()
      if (pool !== null) pool.submit(job)
      else libuvVerify(job)
    })
  },
}

function libuvVerify(job: VerifyJob): void {
  verifyQueue.push(job)
  startVerifications()
}

/** Batched checks on worker threads (verify-pool.ts), created at the first check; null when configured off. */
let pool: VerifyPool | null | undefined
function verifyPool(): VerifyPool | null {
  if (pool === undefined) {
    const size = defaultVerifyWorkers()
    pool = size > 0 ? new VerifyPool(size, libuvVerify) : null
  }
  return pool
}

export const nobleEd25519: Ed25519 = {
  name: '@noble/ed25519',
  publicKey(seed) {
    return noble.getPublicKey(seed)
  },
  sign(seed, message) {
    return noble.sign(message, seed)
  },
  verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false
    try {
      return noble.verify(signature, message, publicKey)
    } catch {
      return false
    }
  },
  verifyAsync(publicKey, message, signature) {
    return Promise.resolve(this.verify(publicKey, message, signature))
  },
}

/** A signer keeps its private KeyObject so that repeated signing does not re-parse the key. */
export interface Signer {
  readonly publicKey: Uint8Array
  sign(message: Uint8Array): Uint8Array
}

export function createSigner(seed: Uint8Array): Signer {
  const key = privateKeyObject(seed)
  const publicKey = nodeEd25519.publicKey(seed)
  return {
    publicKey,
    sign: (message) => new Uint8Array(nodeSign(null, message, key)),
  }
}
