import { IcnError } from '../errors'
import { CID, DAG_CBOR, decodeCanonical, encode } from '../dag'
import { isDidKey, nodeEd25519, publicKeyFromDid, type Did, type Signer } from '../identity'

/**
 * Messages on a scope's mesh topic (`/icn/<scope>/mesh/1`). They are not DAG events: they are ephemeral market
 * traffic. Bids and status beacons are signed by the executor's member key over a domain-separated payload,
 * so a peer relaying them cannot forge or alter them; an announcement carries the signed job event itself.
 */
export const MESH_MESSAGE_DOMAIN = new TextEncoder().encode('icn/v1/mesh\0')
/** Largest mesh message accepted (an announcement carries a job event of at most 64 KiB). */
export const MAX_MESH_MESSAGE_BYTES = 66 * 1024
/** Signed messages dated further than this from the receiver's clock are refused. */
export const MESSAGE_CLOCK_SKEW_MS = 5 * 60_000

export interface Announce {
  v: 1
  t: 'announce'
  /** The signed `mesh/job` event bytes. */
  event: Uint8Array
}

/** What an executor tells the market about itself (a small, periodic, signed beacon). */
export interface StatusBeacon {
  v: 1
  t: 'status'
  executor: Did
  /** Whether it bids on new jobs right now. */
  accepting: boolean
  /** Why not, when it is not accepting: 'disabled' | 'paused' | 'schedule' | 'busy' | 'locked'. */
  reason: string | null
  /** Until when the reason holds (pause end, next schedule start), or null. */
  until: number | null
  minPrice: bigint
  /** Jobs it runs now and the most it runs at once. */
  running: number
  slots: number
  /** Whether it runs `engine: 'wasmer'` jobs. */
  wasmer: boolean
  ts: number
  sig: Uint8Array
}

export interface Bid {
  v: 1
  t: 'bid'
  job: CID
  executor: Did
  price: bigint
  /** Free slots when the bid was made. */
  free: number
  /** The executor's minimum price when it bid (part of its settings snapshot). */
  minPrice: bigint
  ts: number
  sig: Uint8Array
}

export type MeshMessage = Announce | StatusBeacon | Bid

const REASONS = new Set(['disabled', 'paused', 'schedule', 'busy', 'locked'])

function bad(message: string): IcnError {
  return new IcnError('MESH_INVALID_BID', `Malformed mesh message: ${message}.`)
}

function toInt(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
}

function signingPayload(unsigned: Record<string, unknown>): Uint8Array {
  const body = encode(unsigned)
  const out = new Uint8Array(MESH_MESSAGE_DOMAIN.length + body.length)
  out.set(MESH_MESSAGE_DOMAIN, 0)
  out.set(body, MESH_MESSAGE_DOMAIN.length)
  return out
}

function signed(unsigned: Record<string, unknown>, signer: Signer): Uint8Array {
  const sig = signer.sign(signingPayload(unsigned))
  return encode({ ...unsigned, sig })
}

export function encodeAnnounce(event: Uint8Array): Uint8Array {
  return encode({ v: 1, t: 'announce', event })
}

export function signBid(
  input: { job: CID; executor: Did; price: bigint; free: number; minPrice: bigint; ts: number },
  signer: Signer,
): Uint8Array {
  return signed(
    {
      v: 1,
      t: 'bid',
      job: input.job,
      executor: input.executor,
      price: toInt(input.price),
      free: input.free,
      minPrice: toInt(input.minPrice),
      ts: input.ts,
    },
    signer,
  )
}

export function signStatus(input: Omit<StatusBeacon, 'v' | 't' | 'sig'>, signer: Signer): Uint8Array {
  return signed(
    {
      v: 1,
      t: 'status',
      executor: input.executor,
      accepting: input.accepting,
      reason: input.reason,
      until: input.until,
      minPrice: toInt(input.minPrice),
      running: input.running,
      slots: input.slots,
      wasmer: input.wasmer,
      ts: input.ts,
    },
    signer,
  )
}

function keysAre(value: Record<string, unknown>, keys: string[]): boolean {
  const present = Object.keys(value)
  return present.length === keys.length && keys.every((k) => k in value)
}

function int(value: unknown, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw bad(`${what} must be an integer from ${min} to ${max}`)
  return value
}

function amount(value: unknown, what: string): bigint {
  const v =
    typeof value === 'bigint'
      ? value
      : typeof value === 'number' && Number.isSafeInteger(value)
        ? BigInt(value)
        : undefined
  if (v === undefined || v < 0n || v > 10n ** 15n) throw bad(`${what} must be an amount`)
  return v
}

/**
 * Messages whose signature was already verified, by their exact bytes: a bid is checked when it arrives, again
 * inside the assignment that embeds it (on every node, and by receipt validation), so the cache saves most of
 * those verifications. Bounded; the oldest entries go first.
 */
const VERIFIED_LIMIT = 4096
const verified = new Set<string>()

function verify(value: Record<string, unknown>, executor: Did, bytes: Uint8Array): void {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  if (verified.has(key)) return
  const { sig, ...unsigned } = value
  if (!(sig instanceof Uint8Array) || sig.length !== 64) throw bad('sig must be 64 bytes')
  if (!nodeEd25519.verify(publicKeyFromDid(executor), signingPayload(unsigned), sig)) {
    throw new IcnError('MESH_INVALID_BID', `The signature does not match ${executor}.`)
  }
  verified.add(key)
  if (verified.size > VERIFIED_LIMIT) verified.delete(verified.values().next().value as string)
}

/**
 * Bytes from a peer → a checked message (size, canonical dag-cbor, exact fields, bounds, signature). Throws
 * MESH_INVALID_BID for anything else; the gossip verdict for that is REJECT. Timestamps are checked by the caller
 * (they depend on the receiver's clock).
 */
export function decodeMeshMessage(bytes: Uint8Array): MeshMessage {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > MAX_MESH_MESSAGE_BYTES)
    throw bad(`size must be 1 to ${MAX_MESH_MESSAGE_BYTES} bytes`)
  let value: unknown
  try {
    value = decodeCanonical(bytes)
  } catch (err) {
    throw new IcnError('MESH_INVALID_BID', 'Malformed mesh message: not canonical dag-cbor.', { cause: err })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    throw bad('not a map')
  const m = value as Record<string, unknown>
  if (m['v'] !== 1) throw bad('unsupported version')
  switch (m['t']) {
    case 'announce': {
      if (!keysAre(m, ['v', 't', 'event']) || !(m['event'] instanceof Uint8Array))
        throw bad('an announcement is {v, t, event}')
      return m as unknown as Announce
    }
    case 'bid': {
      if (!keysAre(m, ['v', 't', 'job', 'executor', 'price', 'free', 'minPrice', 'ts', 'sig']))
        throw bad('a bid is {v, t, job, executor, price, free, minPrice, ts, sig}')
      const job = CID.asCID(m['job'])
      if (job === null || job.code !== DAG_CBOR) throw bad('job must be an event CID')
      if (!isDidKey(m['executor'])) throw bad('executor must be a did:key')
      const bid: Bid = {
        v: 1,
        t: 'bid',
        job,
        executor: m['executor'],
        price: amount(m['price'], 'price'),
        free: int(m['free'], 'free', 0, 4096),
        minPrice: amount(m['minPrice'], 'minPrice'),
        ts: int(m['ts'], 'ts'),
        sig: m['sig'] as Uint8Array,
      }
      verify(m, bid.executor, bytes)
      return bid
    }
    case 'status': {
      if (
        !keysAre(m, [
          'v',
          't',
          'executor',
          'accepting',
          'reason',
          'until',
          'minPrice',
          'running',
          'slots',
          'wasmer',
          'ts',
          'sig',
        ])
      )
        throw bad('a status beacon has the fields v, t, executor, accepting, reason, until, minPrice, …')
      if (!isDidKey(m['executor'])) throw bad('executor must be a did:key')
      if (typeof m['accepting'] !== 'boolean' || typeof m['wasmer'] !== 'boolean')
        throw bad('accepting and wasmer are booleans')
      const reason = m['reason']
      if (reason !== null && (typeof reason !== 'string' || !REASONS.has(reason)))
        throw bad(`reason is null or one of ${[...REASONS].join(', ')}`)
      const beacon: StatusBeacon = {
        v: 1,
        t: 'status',
        executor: m['executor'],
        accepting: m['accepting'],
        reason,
        until: m['until'] === null ? null : int(m['until'], 'until'),
        minPrice: amount(m['minPrice'], 'minPrice'),
        running: int(m['running'], 'running', 0, 4096),
        slots: int(m['slots'], 'slots', 0, 4096),
        wasmer: m['wasmer'],
        ts: int(m['ts'], 'ts'),
        sig: m['sig'] as Uint8Array,
      }
      verify(m, beacon.executor, bytes)
      return beacon
    }
    default:
      throw bad('unknown message type')
  }
}

/** A bid embedded in an assignment: the same checks, and it must be a bid. */
export function decodeBid(bytes: Uint8Array): Bid {
  const message = decodeMeshMessage(bytes)
  if (message.t !== 'bid') throw new IcnError('MESH_INVALID_BID', 'The embedded message is not a bid.')
  return message
}
