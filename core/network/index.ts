import type { Startable } from '../lifecycle'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { Storage } from '../storage'
import type { Identity } from '../identity'
import type { CID, Dag } from '../dag'
import type { NetworkLimits } from './limits'

export interface NetworkInit {
  /**
   * Run a libp2p host. A disabled network keeps the API (status says so; methods that need peers throw
   * NETWORK_DISABLED).
   * @default true
   */
  enabled?: boolean
  /**
   * Multiaddrs to listen on. The core default is loopback only; `icn node start` listens on all interfaces.
   * @default ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']
   */
  listen?: string[]
  /** Peers dialled at start and whenever the node has no connection (multiaddrs with /p2p/<id>). @default [] */
  bootstrap?: string[]
  /**
   * Discover and dial peers on the LAN with mDNS. Off in the core so that embedded nodes and tests stay
   * private; `icn node start` turns it on unless `--no-mdns`.
   * @default false
   */
  mdns?: boolean
  /**
   * Run the Kademlia DHT (/icn/kad/1.0.0) for DID record lookups and provider records. DHT queries dial the
   * peers they find; turn it off for nodes that must talk only to peers they were given (fixed topologies,
   * private deployments).
   * @default true
   */
  dht?: boolean
  /** Sync with every connected peer this often (ms); 0 turns periodic sync off. @default 20_000 */
  syncIntervalMs?: number
  /** Sync with every peer that connects and speaks /icn/sync/1.0.0. @default true */
  syncOnConnect?: boolean
  /**
   * Announce every event this node creates in the DHT (provider records). Off by default: sync replicates whole
   * chains from any connected peer, while a provider record per event costs every DHT node memory for each event
   * of the network (libp2p keeps provider records in its in-memory datastore; the five-node soak of the
   * resilience suite showed ~8 KiB retained per event). @default false
   */
  provideEvents?: boolean
  /** Overrides of the resource limits (limits.ts). */
  limits?: Partial<NetworkLimits>
  /** File in the data dir holding the libp2p private key (protobuf, mode 0600). @default 'peer-key' */
  keyFile?: string
}

export interface NetworkComponents {
  dataDir: string
  storage: Storage
  identity: Identity
  dag: Dag
  events: EventBus
  logger: Logger
}

export type GossipVerdict = 'accept' | 'reject' | 'ignore'

/** A message received on a scope's mesh topic. */
export interface MeshMessage {
  scope: string
  /** The peer that forwarded it to us. */
  from: string
  /** The peer that signed (published) it. */
  origin: string
  data: Uint8Array
}

/**
 * Validates and consumes mesh messages of one scope. The combined verdict of all handlers decides forwarding:
 * any 'reject' rejects (the sender's score drops), else any 'accept' accepts, else the message is ignored.
 * Handlers must be quick and must not throw (a throw counts as 'ignore').
 */
export type MeshHandler = (message: MeshMessage) => GossipVerdict | Promise<GossipVerdict>

export interface PeerSummary {
  peerId: string
  /** The member DID, when the peer showed a valid signed record. */
  did: string | null
  /** Remote addresses of the open connections. */
  addrs: string[]
  direction: 'inbound' | 'outbound'
  /** Unix ms when the oldest open connection was established. */
  connectedAt: number
  /** Round-trip time measured by the connection monitor, when known. */
  rttMs: number | null
  /** The peer's gossipsub score (negative: it misbehaved). */
  score: number
  /** The ICN protocols the peer speaks. */
  protocols: string[]
}

export interface SyncRunInfo {
  peerId: string
  startedAt: number
  finishedAt: number
  /** Events received and applied (or stored as void / evidence). */
  events: number
  /** Authors whose chains were behind. */
  authors: number
  error?: { code: string; message: string }
}

export interface NetworkStatus {
  enabled: boolean
  /** libp2p is coming up. */
  starting: boolean
  running: boolean
  /** Why networking is not running, when it failed to start. */
  error: { code: string; message: string } | null
  peerId: string | null
  listenAddrs: string[]
  connections: number
  peers: number
  scopes: string[]
  /** Joined topics with the peers known to subscribe to each and the peers in our gossip mesh for it. */
  topics: { topic: string; subscribers: number; mesh: number }[]
  mdns: boolean
  bootstrap: string[]
  dht: { mode: 'client' | 'server' | null; routingTableSize: number }
  record: { did: string; seq: number; expires: number; published: boolean } | null
  sync: { active: number; lastRun: SyncRunInfo | null }
  limits: { maxConnections: number; maxInboundStreamsPerConnection: number; gossipMaxFrameBytes: number }
}

export interface SyncProgress {
  peerId: string
  phase: 'heads' | 'events' | 'evidence' | 'done' | 'failed'
  /** Events received so far in this session. */
  done: number
  /** Events known to be missing (grows as head pages arrive). */
  total: number
}

export interface FetchResult {
  /** CIDs stored (or ingested, for events) after verification against their hash. */
  fetched: string[]
  missing: string[]
}

export interface Network extends Startable {
  readonly enabled: boolean
  /**
   * Resolves once libp2p is up (start() returns before: the node serves its API while networking comes up).
   * Rejects with NETWORK_DISABLED, or UNAVAILABLE when networking failed to start.
   */
  ready(): Promise<void>
  status(): NetworkStatus
  /** This node's libp2p peer id (null while stopped or disabled). */
  peerId(): string | null
  listenAddrs(): string[]
  peers(): Promise<PeerSummary[]>
  /** Dials a multiaddr (with /p2p/<peer id>, or without to accept whoever answers). */
  connect(multiaddr: string, options?: { signal?: AbortSignal }): Promise<{ peerId: string; addr: string }>
  disconnect(peerId: string): Promise<void>

  /** Joins a scope's events and mesh topics; persisted, so the node rejoins after a restart. */
  subscribe(scope: string): Promise<void>
  /** Leaves a scope's topics (not `global`). */
  unsubscribe(scope: string): Promise<void>
  scopes(): string[]

  /** Publishes bytes on the scope's mesh topic; returns how many peers it was sent to. */
  publishMesh(scope: string, data: Uint8Array): Promise<number>
  /** Receives (and validates) the scope's mesh messages; returns an unsubscribe function. */
  onMesh(scope: string, handler: MeshHandler): () => void

  /**
   * Fetches blocks from connected peers, then from DHT providers, verifying each against its CID. Events are
   * ingested into the DAG; other blocks are stored in the block store.
   */
  fetch(cids: CID[], options?: { signal?: AbortSignal; peer?: string }): Promise<FetchResult>
  /**
   * Asks connected peers for blocks and returns the bytes they had, verified against their CIDs, without storing
   * or ingesting them (a light node's on-demand reads). Empty when the network is down.
   */
  fetchBlocks(cids: CID[], options?: { signal?: AbortSignal }): Promise<Map<string, Uint8Array>>
  /** Announces in the DHT that this node has the block (queued, bounded). */
  provide(cid: CID): void

  /** Replicates author chains and equivocation evidence from one peer, or from every connected peer. */
  sync(options?: {
    peerId?: string
    signal?: AbortSignal
    onProgress?: (progress: SyncProgress) => void
  }): Promise<SyncRunInfo[]>

  /** The peer of a member, from a valid record in the DHT (or one already seen). */
  resolveDid(
    did: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ peerId: string; seq: number } | undefined>
  /** The member DID of a peer, if a valid record is known. */
  didOf(peerId: string): string | undefined
}

export { network } from './network'
export { DEFAULT_LIMITS, bufferedMemoryBound, type NetworkLimits } from './limits'
export { BLOCKS_PROTOCOL, SYNC_PROTOCOL, DHT_PROTOCOL, eventsTopic, meshTopic, TOPIC_PATTERN } from './topics'
