/**
 * /icn/sync/1.0.0: replicates whole author chains (docs/decisions.md: one chain per author across scopes) and
 * equivocation evidence. One stream per session; the client sends requests one at a time and the server
 * answers each with one frame:
 *
 *   {op:'hello', record}            → {record}                      signed DID → peer records, both ways
 *   {op:'heads', after, limit}      → {heads: [[author, seq, id]], next}   author heads, paged by author
 *   {op:'range', author, from, to}  → {events: [bytes]}             an author's chain, bounded by count and bytes
 *   {op:'evidence', after}          → {evidence: [[author, seq, id, id]], next}
 *
 * A refused request is answered `{error, message}` and the server ends the session.
 */
import type { Stream } from '@libp2p/interface'
import { IcnError, isIcnError, toIcnError } from '../errors'
import { CID, type ChainHead, type Dag, type FlagRecord } from '../dag'
import { SYNC_REQUEST_BYTES, syncReplyBytes, type NetworkLimits } from './limits'
import {
  FrameReader,
  decodeEvidenceReply,
  decodeHeadsReply,
  decodeHelloReply,
  decodeRangeReply,
  decodeSyncRequest,
  encodeSyncReply,
  encodeSyncRequest,
  protocolError,
  writeFrame,
  type EvidenceReply,
  type HeadsReply,
  type RangeReply,
  type SyncRequest,
  type WireEvidence,
} from './wire'
import { MAX_EVENT_BYTES } from '../dag'

// ---- server --------------------------------------------------------------------------------------------------

export interface SyncServerContext {
  dag: Dag
  limits: NetworkLimits
  /** Our signed record (null while the member has none). */
  localRecord(): Uint8Array | null
  /** A record the remote peer showed us. */
  onRecord(peerId: string, record: Uint8Array): void
}

/** Paging over a snapshot taken at the first page, so a session sees one consistent list. */
function page<T>(
  sorted: T[],
  key: (t: T) => string,
  after: string | null,
  limit: number,
): { items: T[]; next: string | null } {
  let start = 0
  if (after !== null) {
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (key(sorted[mid] as T) <= after) lo = mid + 1
      else hi = mid
    }
    start = lo
  }
  const items = sorted.slice(start, start + limit)
  const next = start + limit < sorted.length && items.length > 0 ? key(items[items.length - 1] as T) : null
  return { items, next }
}

const byAuthor = <T extends { author: string }>(a: T, b: T): number =>
  a.author < b.author ? -1 : a.author > b.author ? 1 : 0

/** Serves one sync session until the client closes it, breaks a limit or stalls. */
export async function serveSync(stream: Stream, remotePeer: string, ctx: SyncServerContext): Promise<number> {
  const { dag, limits } = ctx
  const reader = new FrameReader(stream, SYNC_REQUEST_BYTES)
  const deadline = Date.now() + limits.syncSessionTimeout
  let heads: ChainHead[] | undefined
  let evidence: FlagRecord[] | undefined
  let requests = 0
  for (;;) {
    const frame = await reader.next(Math.max(1, Math.min(limits.syncRequestTimeout, deadline - Date.now())))
    if (frame === undefined) break
    let request: SyncRequest
    try {
      if (++requests > limits.syncMaxRequestsPerSession)
        throw new IcnError(
          'NETWORK_LIMIT_EXCEEDED',
          `A session may make ${limits.syncMaxRequestsPerSession} requests.`,
        )
      request = decodeSyncRequest(frame)
    } catch (err) {
      const e = toIcnError(err)
      await writeFrame(stream, encodeSyncReply({ error: e.code, message: e.message })).catch(() => undefined)
      throw err
    }
    const signal = AbortSignal.timeout(limits.syncRequestTimeout)
    switch (request.op) {
      case 'hello': {
        if (request.record !== null) ctx.onRecord(remotePeer, request.record)
        await writeFrame(stream, encodeSyncReply({ record: ctx.localRecord() }), signal)
        break
      }
      case 'heads': {
        heads ??= (await dag.servableHeads()).sort(byAuthor)
        const limit = Math.min(request.limit, limits.syncMaxHeadsPerPage)
        const { items, next } = page(heads, (h) => h.author, request.after, limit)
        const reply: HeadsReply = { heads: items.map((h) => [h.author, h.seq, CID.parse(h.id)]), next }
        await writeFrame(stream, encodeSyncReply(reply), signal)
        break
      }
      case 'range': {
        const count = Math.min(request.to - request.from + 1, limits.syncMaxEventsPerRange)
        const events = await dag.chainRange(request.author, request.from, request.from + count - 1, count)
        let bytes = 0
        let keep = 0
        // Always at least one event, so a large event cannot stall a session.
        while (
          keep < events.length &&
          (keep === 0 || bytes + (events[keep] as Uint8Array).length <= limits.syncMaxRangeBytes)
        ) {
          bytes += (events[keep] as Uint8Array).length
          keep++
        }
        const reply: RangeReply = { events: events.slice(0, keep) }
        await writeFrame(stream, encodeSyncReply(reply), signal)
        break
      }
      case 'evidence': {
        evidence ??= dag.evidence().sort(byAuthor)
        const { items, next } = page(evidence, (r) => r.author, request.after, limits.syncMaxEvidencePerPage)
        const reply: EvidenceReply = {
          evidence: items.map((r): WireEvidence => [
            r.author,
            r.seq,
            CID.parse(r.evidence[0]),
            CID.parse(r.evidence[1]),
          ]),
          next,
        }
        await writeFrame(stream, encodeSyncReply(reply), signal)
        break
      }
    }
  }
  await stream.close({ signal: AbortSignal.timeout(limits.syncRequestTimeout) })
  return requests
}

// ---- client --------------------------------------------------------------------------------------------------

export interface SyncClientContext {
  dag: Dag
  limits: NetworkLimits
  localRecord(): Uint8Array | null
  onRecord(peerId: string, record: Uint8Array): void
  /** Fetches events by id from this peer (block protocol) and ingests them. */
  fetchEvents(ids: CID[], peerId: string, signal: AbortSignal): Promise<void>
  /** Authors other sessions are already pulling, with the seq they pull up to. */
  claims: Map<string, number>
  onProgress(progress: { phase: 'heads' | 'events' | 'evidence'; done: number; total: number }): void
}

export interface SyncResult {
  events: number
  authors: number
}

/** Event rejections that mean the peer served us garbage (not "this node is older" or "clocks differ"). */
const PEER_FAULTS = new Set([
  'DAG_DECODE_FAILED',
  'DAG_TOO_LARGE',
  'DAG_INVALID_EVENT',
  'DAG_BAD_SIGNATURE',
  'DAG_BAD_CHAIN',
])

interface Need {
  author: string
  from: number
  to: number
}

/** Runs one sync session as the client over `stream`. */
export async function runSyncSession(
  stream: Stream,
  remotePeer: string,
  ctx: SyncClientContext,
  signal: AbortSignal,
): Promise<SyncResult> {
  const { dag, limits } = ctx
  const reader = new FrameReader(stream, syncReplyBytes(limits))
  const ask = async (request: SyncRequest): Promise<Uint8Array> => {
    if (signal.aborted) throw new IcnError('ABORTED', 'The sync was cancelled.')
    await writeFrame(stream, encodeSyncRequest(request), signal)
    const frame = await reader.next(limits.syncRequestTimeout)
    if (frame === undefined) throw protocolError('The peer ended the sync session early.')
    return frame
  }

  const hello = decodeHelloReply(await ask({ op: 'hello', record: ctx.localRecord() }))
  if (hello.record !== null) ctx.onRecord(remotePeer, hello.record)

  // Heads: what the peer has that we lack. Flagged authors' chains stop at the fork, so they are skipped.
  const flagged = new Set(dag.evidence().map((r) => r.author))
  const needs: Need[] = []
  const forks: CID[] = []
  let total = 0
  let after: string | null = null
  for (;;) {
    const reply = decodeHeadsReply(
      await ask({ op: 'heads', after, limit: limits.syncMaxHeadsPerPage }),
      limits.syncMaxHeadsPerPage,
    )
    for (const [author, seq, id] of reply.heads) {
      if (flagged.has(author)) continue
      const local = await dag.head(author)
      const have = local?.seq ?? 0
      if (have < seq) {
        needs.push({ author, from: have + 1, to: seq })
        total += seq - have
      } else if (local !== undefined && have === seq && local.id !== id.toString()) {
        forks.push(id)
      }
    }
    ctx.onProgress({ phase: 'heads', done: 0, total })
    if (reply.next === null || reply.heads.length === 0) break
    if (after !== null && reply.next <= after) throw protocolError('The heads cursor went backwards.')
    after = reply.next
  }

  // Ranges, pipelined: the next page is in flight while this one is ingested (the DAG writer group-commits
  // the batch, so a page's events go in together).
  let done = 0
  const mine: Need[] = []
  const queue = needs.filter((n) => {
    const claimed = ctx.claims.get(n.author)
    if (claimed !== undefined && claimed >= n.to) {
      total -= n.to - n.from + 1
      return false
    }
    ctx.claims.set(n.author, n.to)
    mine.push(n)
    return true
  })
  // The next page is requested while this one is ingested, so its request can fail (aborted, peer gone) before
  // anything awaits it, or be left behind when the session fails. It is marked handled when made: an unhandled
  // rejection ends a Node process. Whoever awaits it still gets the error.
  const prefetch = (need: Need): Promise<RangeReply> => {
    const request = askRange(need)
    request.catch(() => undefined)
    return request
  }
  try {
    let current = queue.shift()
    let inflight = current === undefined ? undefined : prefetch(current)
    while (current !== undefined && inflight !== undefined) {
      const need: Need = current
      const reply = await inflight
      const got = reply.events.length
      if (got > 0 && need.from + got <= need.to) current = { ...need, from: need.from + got }
      else current = queue.shift()
      inflight = current === undefined ? undefined : prefetch(current)
      if (got === 0) continue
      const outcome = await ingestPage(reply.events)
      done += outcome.accepted
      ctx.onProgress({ phase: 'events', done, total })
      if (outcome.stopAuthor && current?.author === need.author) {
        // This chain cannot go further here (e.g. flagged meanwhile); drop its remaining pages.
        if (inflight !== undefined) await inflight
        current = queue.shift()
        inflight = current === undefined ? undefined : prefetch(current)
      }
    }
  } finally {
    for (const n of mine) if (ctx.claims.get(n.author) === n.to) ctx.claims.delete(n.author)
  }

  // Evidence: forks this node did not see live. Both events are fetched and ingested; ingesting the second
  // records the equivocation exactly as if it had arrived by gossip.
  const wanted: CID[] = [...forks]
  let evidenceAfter: string | null = null
  for (;;) {
    const reply = decodeEvidenceReply(
      await ask({ op: 'evidence', after: evidenceAfter }),
      limits.syncMaxEvidencePerPage,
    )
    for (const [author, seq, a, b] of reply.evidence) {
      const local = await dag.view().flagged(author)
      if (local !== undefined && local.seq <= seq) continue
      wanted.push(a, b)
    }
    if (reply.next === null || reply.evidence.length === 0) break
    if (evidenceAfter !== null && reply.next <= evidenceAfter)
      throw protocolError('The evidence cursor went backwards.')
    evidenceAfter = reply.next
  }
  if (wanted.length > 0) {
    ctx.onProgress({ phase: 'evidence', done, total })
    for (let i = 0; i < wanted.length; i += limits.blocksMaxWant) {
      await ctx.fetchEvents(wanted.slice(i, i + limits.blocksMaxWant), remotePeer, signal)
    }
  }
  await stream.close({ signal: AbortSignal.timeout(limits.syncRequestTimeout) }).catch(() => undefined)
  return { events: done, authors: needs.length }

  async function askRange(need: Need): Promise<RangeReply> {
    return decodeRangeReply(
      await ask({ op: 'range', author: need.author, from: need.from, to: need.to }),
      limits.syncMaxEventsPerRange,
      MAX_EVENT_BYTES,
    )
  }

  async function ingestPage(events: Uint8Array[]): Promise<{ accepted: number; stopAuthor: boolean }> {
    // Calls are made in order in one tick: the DAG queues them in chain order and commits them as a group.
    const results = await Promise.allSettled(
      events.map((bytes) => dag.ingest(bytes, { from: remotePeer, signal })),
    )
    let accepted = 0
    let stopAuthor = false
    for (const r of results) {
      if (r.status === 'fulfilled') {
        if (r.value.status !== 'duplicate') accepted++
        continue
      }
      const code = isIcnError(r.reason) ? r.reason.code : 'INTERNAL'
      if (PEER_FAULTS.has(code)) throw protocolError(`The peer sent an invalid event (${code}).`, r.reason)
      if (code === 'ABORTED' || code === 'NODE_NOT_RUNNING' || code === 'STORAGE_CLOSED') throw r.reason
      stopAuthor = true
    }
    return { accepted, stopAuthor }
  }
}
