/**
 * Framing and message codecs of /icn/blocks/1.0.0 and /icn/sync/1.0.0. Every message is one canonical dag-cbor
 * value in an unsigned-varint length-prefixed frame (it-length-prefixed), so any libp2p implementation can
 * speak them with stock packages. Decoders check shapes and bounds and throw NETWORK_PROTOCOL_ERROR; nothing
 * from a peer is trusted past this file without having been checked here.
 */
import * as lp from 'it-length-prefixed'
import type { Stream } from '@libp2p/interface'
import { IcnError } from '../errors'
import * as dagCbor from '@ipld/dag-cbor'
import { CID, DAG_CBOR, encode, isSha256Cid } from '../dag'
import { isDidKey } from '../identity'

// ---- framing ---------------------------------------------------------------------------------------------------

/** The parts of a libp2p stream the framing needs. */
export type FramedStream = Pick<Stream, 'send' | 'onDrain' | typeof Symbol.asyncIterator>

export function protocolError(message: string, cause?: unknown): IcnError {
  return new IcnError('NETWORK_PROTOCOL_ERROR', message, cause === undefined ? {} : { cause })
}

/** Reads length-prefixed frames of at most `maxBytes`; a bigger length prefix fails before any allocation. */
export class FrameReader {
  private readonly frames: AsyncIterator<{ subarray(): Uint8Array }>

  constructor(source: FramedStream, maxBytes: number) {
    // libp2p and it-length-prefixed ship their own copies of uint8arraylist; the decoder takes either kind of chunk.
    const chunks = source as unknown as AsyncIterable<Uint8Array>
    this.frames = lp.decode(chunks, { maxDataLength: maxBytes })[Symbol.asyncIterator]()
  }

  /** The next frame, or undefined when the peer closed its side cleanly. TIMEOUT after `timeoutMs`. */
  async next(timeoutMs: number): Promise<Uint8Array | undefined> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new IcnError('TIMEOUT', `The peer sent nothing for ${timeoutMs} ms.`)),
        timeoutMs,
      )
    })
    try {
      const result = await Promise.race([this.frames.next(), timeout])
      return result.done === true ? undefined : result.value.subarray()
    } catch (err) {
      if (err instanceof IcnError) throw err
      throw protocolError(`Unreadable frame: ${(err as Error).message}`, err)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Writes one frame, waiting for the muxer to drain when its buffer is full (backpressure). */
export async function writeFrame(
  stream: FramedStream,
  bytes: Uint8Array,
  signal?: AbortSignal,
): Promise<void> {
  if (!stream.send(lp.encode.single(bytes).subarray()))
    await stream.onDrain(signal === undefined ? {} : { signal })
}

/**
 * Protocol messages are not content-addressed, so they need strict dag-cbor but not the canonical-form check
 * (a re-encode of the whole frame); what they carry (events, records, blocks) is checked canonically later.
 */
function decodeMap(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = dagCbor.decode(bytes)
  } catch (err) {
    throw protocolError(`The ${what} is not dag-cbor.`, err)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    throw protocolError(`The ${what} is not a map.`)
  return value as Record<string, unknown>
}

function exactKeys(map: Record<string, unknown>, keys: string[], what: string): void {
  const present = Object.keys(map)
  if (present.length !== keys.length || !keys.every((k) => k in map))
    throw protocolError(`The ${what} must have exactly the fields ${keys.join(', ')}.`)
}

function asBlockCid(value: unknown, what: string): CID {
  const cid = CID.asCID(value)
  if (cid === null || !isSha256Cid(cid))
    throw protocolError(`${what} is not a CIDv1 sha2-256 raw/dag-cbor CID.`)
  return cid
}

function asSeq(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw protocolError(`${what} must be an integer ≥ 1.`)
  return value
}

function asAuthor(value: unknown, what: string): string {
  if (!isDidKey(value)) throw protocolError(`${what} is not a did:key.`)
  return value
}

function asCursor(value: unknown, what: string): string | null {
  if (value === null) return null
  return asAuthor(value, what)
}

// ---- /icn/blocks/1.0.0 -------------------------------------------------------------------------------------------

/** Client → server, once per stream: the CIDs wanted, answered in the same order. */
export interface BlockRequest {
  want: CID[]
}

/** Server → client, one frame per wanted CID: the block's bytes, or no `data` when the server lacks it. */
export interface BlockReply {
  cid: CID
  data?: Uint8Array
}

export function encodeBlockRequest(request: BlockRequest): Uint8Array {
  return encode({ want: request.want })
}

export function decodeBlockRequest(bytes: Uint8Array, maxWant: number): BlockRequest {
  const map = decodeMap(bytes, 'block request')
  exactKeys(map, ['want'], 'block request')
  const want = map['want']
  if (!Array.isArray(want) || want.length === 0 || want.length > maxWant)
    throw protocolError(`A block request wants 1 to ${maxWant} CIDs.`)
  return { want: want.map((c, i) => asBlockCid(c, `want[${i}]`)) }
}

export function encodeBlockReply(reply: BlockReply): Uint8Array {
  return encode(reply.data === undefined ? { cid: reply.cid } : { cid: reply.cid, data: reply.data })
}

export function decodeBlockReply(bytes: Uint8Array): BlockReply {
  const map = decodeMap(bytes, 'block reply')
  const cid = asBlockCid(map['cid'], 'The reply CID')
  if ('data' in map) {
    exactKeys(map, ['cid', 'data'], 'block reply')
    if (!(map['data'] instanceof Uint8Array)) throw protocolError('Block data must be bytes.')
    return { cid, data: map['data'] }
  }
  exactKeys(map, ['cid'], 'block reply')
  return { cid }
}

// ---- /icn/sync/1.0.0 ---------------------------------------------------------------------------------------------

export type SyncRequest =
  | { op: 'hello'; record: Uint8Array | null }
  | { op: 'heads'; after: string | null; limit: number }
  | { op: 'range'; author: string; from: number; to: number }
  | { op: 'evidence'; after: string | null }

/** [author, seq, event id] */
export type WireHead = [string, number, CID]
/** [author, first fork seq, event id, event id] */
export type WireEvidence = [string, number, CID, CID]

export interface HelloReply {
  record: Uint8Array | null
}
export interface HeadsReply {
  heads: WireHead[]
  /** Cursor for the next page (the last author of this one), or null at the end. */
  next: string | null
}
export interface RangeReply {
  events: Uint8Array[]
}
export interface EvidenceReply {
  evidence: WireEvidence[]
  next: string | null
}
export interface ErrorReply {
  error: string
  message: string
}

export function encodeSyncRequest(request: SyncRequest): Uint8Array {
  return encode(request)
}

export function decodeSyncRequest(bytes: Uint8Array): SyncRequest {
  const map = decodeMap(bytes, 'sync request')
  switch (map['op']) {
    case 'hello': {
      exactKeys(map, ['op', 'record'], 'hello')
      const record = map['record']
      if (record !== null && !(record instanceof Uint8Array))
        throw protocolError('hello.record must be bytes or null.')
      return { op: 'hello', record }
    }
    case 'heads': {
      exactKeys(map, ['op', 'after', 'limit'], 'heads request')
      return {
        op: 'heads',
        after: asCursor(map['after'], 'heads.after'),
        limit: asSeq(map['limit'], 'heads.limit'),
      }
    }
    case 'range': {
      exactKeys(map, ['op', 'author', 'from', 'to'], 'range request')
      const from = asSeq(map['from'], 'range.from')
      const to = asSeq(map['to'], 'range.to')
      if (to < from) throw protocolError('range.to is below range.from.')
      return { op: 'range', author: asAuthor(map['author'], 'range.author'), from, to }
    }
    case 'evidence': {
      exactKeys(map, ['op', 'after'], 'evidence request')
      return { op: 'evidence', after: asCursor(map['after'], 'evidence.after') }
    }
    default:
      throw protocolError(`Unknown sync operation "${String(map['op']).slice(0, 40)}".`)
  }
}

export function encodeSyncReply(
  reply: HelloReply | HeadsReply | RangeReply | EvidenceReply | ErrorReply,
): Uint8Array {
  return encode(reply)
}

function throwIfErrorReply(map: Record<string, unknown>): void {
  if ('error' in map) {
    const code = typeof map['error'] === 'string' ? map['error'].slice(0, 64) : 'unknown'
    const message = typeof map['message'] === 'string' ? map['message'].slice(0, 300) : ''
    throw protocolError(`The peer refused the request (${code}): ${message}`)
  }
}

export function decodeHelloReply(bytes: Uint8Array): HelloReply {
  const map = decodeMap(bytes, 'hello reply')
  throwIfErrorReply(map)
  exactKeys(map, ['record'], 'hello reply')
  const record = map['record']
  if (record !== null && !(record instanceof Uint8Array))
    throw protocolError('hello.record must be bytes or null.')
  return { record }
}

export function decodeHeadsReply(bytes: Uint8Array, maxHeads: number): HeadsReply {
  const map = decodeMap(bytes, 'heads reply')
  throwIfErrorReply(map)
  exactKeys(map, ['heads', 'next'], 'heads reply')
  const heads = map['heads']
  if (!Array.isArray(heads) || heads.length > maxHeads)
    throw protocolError(`A heads page holds at most ${maxHeads}.`)
  return {
    heads: heads.map((h: unknown, i): WireHead => {
      if (!Array.isArray(h) || h.length !== 3) throw protocolError(`heads[${i}] must be [author, seq, id].`)
      const id = asBlockCid(h[2], `heads[${i}] id`)
      if (id.code !== DAG_CBOR) throw protocolError(`heads[${i}] id is not an event CID.`)
      return [asAuthor(h[0], `heads[${i}] author`), asSeq(h[1], `heads[${i}] seq`), id]
    }),
    next: asCursor(map['next'], 'heads.next'),
  }
}

export function decodeRangeReply(bytes: Uint8Array, maxEvents: number, maxEventBytes: number): RangeReply {
  const map = decodeMap(bytes, 'range reply')
  throwIfErrorReply(map)
  exactKeys(map, ['events'], 'range reply')
  const events = map['events']
  if (!Array.isArray(events) || events.length > maxEvents)
    throw protocolError(`A range reply holds at most ${maxEvents} events.`)
  for (const e of events) {
    if (!(e instanceof Uint8Array) || e.length > maxEventBytes)
      throw protocolError('Range events must be event bytes.')
  }
  return { events: events as Uint8Array[] }
}

export function decodeEvidenceReply(bytes: Uint8Array, maxRecords: number): EvidenceReply {
  const map = decodeMap(bytes, 'evidence reply')
  throwIfErrorReply(map)
  exactKeys(map, ['evidence', 'next'], 'evidence reply')
  const evidence = map['evidence']
  if (!Array.isArray(evidence) || evidence.length > maxRecords)
    throw protocolError(`An evidence page holds at most ${maxRecords} records.`)
  return {
    evidence: evidence.map((e: unknown, i): WireEvidence => {
      if (!Array.isArray(e) || e.length !== 4)
        throw protocolError(`evidence[${i}] must be [author, seq, id, id].`)
      return [
        asAuthor(e[0], `evidence[${i}] author`),
        asSeq(e[1], `evidence[${i}] seq`),
        asBlockCid(e[2], `evidence[${i}] first id`),
        asBlockCid(e[3], `evidence[${i}] second id`),
      ]
    }),
    next: asCursor(map['next'], 'evidence.next'),
  }
}
