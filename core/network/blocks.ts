/**
 * /icn/blocks/1.0.0: one request per stream. The client sends `{want: [CID…]}` and closes its side; the server
 * answers with one frame per wanted CID, in order: `{cid, data}` when it has the block, `{cid}` when not, then
 * closes. Clients verify every block against its CID before using it.
 */
import type { Stream } from '@libp2p/interface'
import { IcnError } from '../errors'
import { MAX_BLOCK_BYTES, bytesMatchCid, type BlockStore, type CID } from '../dag'
import { BLOCK_FRAME_BYTES, BLOCK_REQUEST_BYTES, type NetworkLimits } from './limits'
import {
  FrameReader,
  decodeBlockReply,
  decodeBlockRequest,
  encodeBlockReply,
  encodeBlockRequest,
  protocolError,
  writeFrame,
} from './wire'

/** Answers one block request. Throws on a malformed request or a stalled peer; the caller logs and aborts. */
export async function serveBlocks(
  stream: Stream,
  blocks: BlockStore,
  limits: NetworkLimits,
  onCorrupt: (cid: CID, err: unknown) => void,
): Promise<number> {
  const signal = AbortSignal.timeout(limits.blocksTimeout)
  const reader = new FrameReader(stream, BLOCK_REQUEST_BYTES)
  const frame = await reader.next(limits.blocksTimeout)
  if (frame === undefined) {
    await stream.close({ signal })
    return 0
  }
  const request = decodeBlockRequest(frame, limits.blocksMaxWant)
  let served = 0
  for (const cid of request.want) {
    let data: Uint8Array | undefined
    try {
      data = await blocks.get(cid)
    } catch (err) {
      // A damaged local copy is our problem, not the peer's: answer "don't have" and report it.
      onCorrupt(cid, err)
      data = undefined
    }
    if (data !== undefined) served++
    await writeFrame(stream, encodeBlockReply(data === undefined ? { cid } : { cid, data }), signal)
  }
  await stream.close({ signal })
  return served
}

/**
 * Asks a peer for blocks over an open stream. Returns the blocks it had, each verified against its CID; a
 * reply out of order or with bytes that do not hash to the CID is a protocol error (the peer lied).
 */
export async function requestBlocks(
  stream: Stream,
  cids: CID[],
  limits: NetworkLimits,
): Promise<Map<string, Uint8Array>> {
  if (cids.length === 0 || cids.length > limits.blocksMaxWant)
    throw new IcnError('INVALID_ARGUMENT', `Ask for 1 to ${limits.blocksMaxWant} blocks at a time.`)
  const signal = AbortSignal.timeout(limits.blocksTimeout)
  await writeFrame(stream, encodeBlockRequest({ want: cids }), signal)
  await stream.close({ signal })
  const reader = new FrameReader(stream, BLOCK_FRAME_BYTES)
  const found = new Map<string, Uint8Array>()
  for (const cid of cids) {
    const frame = await reader.next(limits.blocksTimeout)
    if (frame === undefined) break
    const reply = decodeBlockReply(frame)
    const got = reply.cid.toString()
    if (got !== cid.toString()) throw protocolError(`Expected ${cid.toString()}, got ${got}.`)
    if (reply.data === undefined) continue
    if (reply.data.length > MAX_BLOCK_BYTES) throw protocolError(`The block ${cid.toString()} is too large.`)
    if (!bytesMatchCid(cid, reply.data))
      throw protocolError(`The bytes sent for ${cid.toString()} do not hash to it.`)
    found.set(cid.toString(), reply.data)
  }
  return found
}
