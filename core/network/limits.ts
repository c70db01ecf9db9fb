import { MAX_BLOCK_BYTES, MAX_EVENT_BYTES } from '../dag'

/**
 * Every resource limit of the network service, in one place (SECURITY-CHECKLIST B1–B3). js-libp2p has no
 * resource manager, so the numbers below are what bounds memory and work per peer; docs/network.md explains
 * each choice and `bufferedMemoryBound` computes the worst case they allow.
 */
export interface NetworkLimits {
  // ---- connections (libp2p connection manager, TCP) ----
  /** Open connections before libp2p prunes the least useful. @default 50 */
  maxConnections: number
  /** Inbound connections still negotiating encryption/muxing. @default 10 */
  maxIncomingPendingConnections: number
  /** New inbound connections per second from one host before it is refused. @default 5 */
  inboundConnectionThreshold: number
  /** Dials running at once. @default 32 */
  maxParallelDials: number
  /** Dials waiting to run. @default 100 */
  maxDialQueueLength: number
  /** Addresses tried per peer. @default 10 */
  maxPeerAddrsToDial: number
  /** One dial, DNS to upgraded connection (ms). @default 10_000 */
  dialTimeout: number
  /** Inbound encryption + muxer negotiation (ms): slowloris peers are dropped after this. @default 10_000 */
  inboundUpgradeTimeout: number
  /** Sockets with no traffic are closed after this (ms); yamux keep-alives keep healthy ones busy. @default 120_000 */
  socketInactivityTimeout: number
  /** Raw TCP sockets, including ones not yet upgraded. @default 96 */
  maxSockets: number

  // ---- streams (yamux) ----
  /** Streams a peer may open to us on one connection, all protocols together (the per-protocol caps below add up to 9). @default 10 */
  maxInboundStreamsPerConnection: number
  /** Streams we open on one connection. @default 10 */
  maxOutboundStreamsPerConnection: number
  /** Yamux receive window per stream (bytes): the most a peer can have in flight on one stream (yamux's minimum). @default 262_144 */
  streamWindowBytes: number
  /** A stream with no traffic for this long is reset (ms). @default 60_000 */
  streamInactivityTimeout: number

  // ---- gossip ----
  /** Largest gossipsub RPC frame accepted; bigger frames reset the peer's stream. @default MAX_EVENT_BYTES + 64 KiB */
  gossipMaxFrameBytes: number
  /** Topics a peer may subscribe to, as gossipsub's byte budget (~1 KiB per topic). @default 262_144 */
  gossipMaxTopicBytesPerPeer: number
  /** Gossip messages validated at once; beyond it new ones are ignored (sync fills the gap). @default 512 */
  gossipMaxValidating: number
  /** Outbound gossip buffer per peer before sends fail (bytes). @default 4 MiB */
  gossipMaxOutboundBufferBytes: number

  // ---- /icn/blocks/1.0.0 ----
  /** CIDs in one block request. @default 64 */
  blocksMaxWant: number
  /** Block streams a peer may have open to us per connection. @default 2 */
  blocksMaxInboundStreams: number
  /** Block streams we open per connection. @default 2 */
  blocksMaxOutboundStreams: number
  /** Whole block exchange, request to last block (ms). @default 20_000 */
  blocksTimeout: number
  /** Block fetches this node runs at once. @default 4 */
  blocksMaxConcurrentFetches: number
  /** CIDs waiting to be fetched for parked events; oldest dropped beyond it. @default 2_048 */
  blocksMaxQueued: number

  // ---- /icn/sync/1.0.0 ----
  /** Author heads in one page. @default 512 */
  syncMaxHeadsPerPage: number
  /** Events in one range reply. @default 512 */
  syncMaxEventsPerRange: number
  /** Bytes of events in one range reply (at least one event is always sent). @default 1 MiB */
  syncMaxRangeBytes: number
  /** Evidence records in one page. @default 128 */
  syncMaxEvidencePerPage: number
  /** Requests in one sync session before the server ends it. @default 20_000 */
  syncMaxRequestsPerSession: number
  /** Sync sessions served at once (all peers). @default 8 */
  syncMaxServedSessions: number
  /** Sync sessions this node runs as a client at once. @default 2 */
  syncMaxClientSessions: number
  /** Sync streams a peer may open to us per connection. @default 1 */
  syncMaxInboundStreams: number
  /** Idle time between requests of a session, and one request/response round trip (ms). @default 15_000 */
  syncRequestTimeout: number
  /** Whole session (ms). @default 600_000 */
  syncSessionTimeout: number

  // ---- DHT ----
  /** Kademlia streams a peer may open to us per connection. @default 2 */
  dhtMaxInboundStreams: number
  /** Kademlia streams we open per connection. @default 2 */
  dhtMaxOutboundStreams: number
  /** Provider lookups and record queries (ms). @default 10_000 */
  dhtQueryTimeout: number
  /** Provide announcements waiting; oldest dropped beyond it. @default 1_024 */
  dhtMaxProvideQueue: number

  // ---- peers ----
  /** Peers remembered with their DID record. @default 1_024 */
  maxKnownPeers: number
  /** Protocol violations by one peer before it is banned for `banMs`. @default 5 */
  banAfterViolations: number
  /** @default 600_000 */
  banMs: number
}

const KiB = 1024
const MiB = 1024 * KiB

export const DEFAULT_LIMITS: Readonly<NetworkLimits> = Object.freeze({
  maxConnections: 50,
  maxIncomingPendingConnections: 10,
  inboundConnectionThreshold: 5,
  maxParallelDials: 32,
  maxDialQueueLength: 100,
  maxPeerAddrsToDial: 10,
  dialTimeout: 10_000,
  inboundUpgradeTimeout: 10_000,
  socketInactivityTimeout: 120_000,
  maxSockets: 96,

  maxInboundStreamsPerConnection: 10,
  maxOutboundStreamsPerConnection: 10,
  streamWindowBytes: 256 * KiB,
  streamInactivityTimeout: 60_000,

  gossipMaxFrameBytes: MAX_EVENT_BYTES + 64 * KiB,
  gossipMaxTopicBytesPerPeer: 256 * KiB,
  gossipMaxValidating: 512,
  gossipMaxOutboundBufferBytes: 4 * MiB,

  blocksMaxWant: 64,
  blocksMaxInboundStreams: 2,
  blocksMaxOutboundStreams: 2,
  blocksTimeout: 20_000,
  blocksMaxConcurrentFetches: 4,
  blocksMaxQueued: 2_048,

  syncMaxHeadsPerPage: 512,
  syncMaxEventsPerRange: 512,
  syncMaxRangeBytes: 1 * MiB,
  syncMaxEvidencePerPage: 128,
  syncMaxRequestsPerSession: 20_000,
  syncMaxServedSessions: 8,
  syncMaxClientSessions: 2,
  syncMaxInboundStreams: 1,
  syncRequestTimeout: 15_000,
  syncSessionTimeout: 600_000,

  dhtMaxInboundStreams: 2,
  dhtMaxOutboundStreams: 2,
  dhtQueryTimeout: 10_000,
  dhtMaxProvideQueue: 1_024,

  maxKnownPeers: 1_024,
  banAfterViolations: 5,
  banMs: 600_000,
})

/** Largest block-protocol frame: a block plus its CID and dag-cbor framing. */
export const BLOCK_FRAME_BYTES = MAX_BLOCK_BYTES + 512
/** Largest request frame of the block protocol (64 CIDs of ≤ 40 bytes plus framing, with headroom). */
export const BLOCK_REQUEST_BYTES = 8 * KiB
/** Largest sync request frame (an author DID and a few integers). */
export const SYNC_REQUEST_BYTES = 4 * KiB
/** Largest signed DID → peer record. */
export const PEER_RECORD_BYTES = 1024
/** Largest sync reply frame: a range reply may exceed syncMaxRangeBytes by its last event. */
export function syncReplyBytes(limits: NetworkLimits): number {
  return Math.max(
    limits.syncMaxRangeBytes + MAX_EVENT_BYTES + 4 * KiB,
    limits.syncMaxHeadsPerPage * 200 + 4 * KiB,
    limits.syncMaxEvidencePerPage * 400 + 4 * KiB,
  )
}

/**
 * Kad-DHT reads each message with libp2p's default length-prefix cap, which it does not let us change
 * (@libp2p/kad-dht 16: pbStream without maxDataLength, so it-length-prefixed's 4 MiB applies).
 */
export const DHT_FRAME_BYTES = 4 * MiB

export interface MemoryBound {
  /** The LIMITS.md formula: maxConnections × (inbound + outbound streams) × per-stream window. */
  muxerBytes: number
  /**
   * Partial frames our own protocols and gossipsub may hold: one per inbound stream a peer may open, plus our
   * own outbound requests (bounded by our concurrency, not by peers).
   */
  frameBytes: number
  /** Partial Kademlia messages (libp2p's fixed 4 MiB cap per inbound DHT stream; not configurable). */
  dhtFrameBytes: number
  totalBytes: number
}

/**
 * Worst-case bytes peers can make this node buffer (js-libp2p doc/LIMITS.md). Yamux flow control caps what a
 * peer has in flight per stream at the receive window; decoders then hold at most one partial frame per
 * stream.
 */
export function bufferedMemoryBound(limits: NetworkLimits): MemoryBound {
  const muxerBytes =
    limits.maxConnections *
    (limits.maxInboundStreamsPerConnection + limits.maxOutboundStreamsPerConnection) *
    limits.streamWindowBytes
  const perConnectionFrames =
    limits.gossipMaxFrameBytes + // gossipsub keeps one inbound stream per peer
    limits.blocksMaxInboundStreams * BLOCK_REQUEST_BYTES +
    limits.syncMaxInboundStreams * SYNC_REQUEST_BYTES
  const ownRequests =
    limits.blocksMaxConcurrentFetches * BLOCK_FRAME_BYTES +
    limits.syncMaxClientSessions * syncReplyBytes(limits)
  const frameBytes = limits.maxConnections * perConnectionFrames + ownRequests
  const dhtFrameBytes = limits.maxConnections * limits.dhtMaxInboundStreams * DHT_FRAME_BYTES
  return { muxerBytes, frameBytes, dhtFrameBytes, totalBytes: muxerBytes + frameBytes + dhtFrameBytes }
}
