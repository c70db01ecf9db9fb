import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { GossipsubMessage } from '@libp2p/gossipsub'
import type { IdentifyResult, PeerInfo } from '@libp2p/interface'
import { IcnError, isIcnError, toIcnError } from '../errors'
import { CID, DAG_CBOR, GLOBAL_SCOPE, checkEventShape, decodeCanonical, isScope } from '../dag'
import type { JsonSublevel } from '../storage'
import type { Logger } from '../logger'
import { requestBlocks, serveBlocks } from './blocks'
import { PeerPenalties } from './gater'
import { DEFAULT_LIMITS, type NetworkLimits } from './limits'
import { TOPIC_SCORE, createHost, type GossipsubInternals, type Host, type Libp2pModules } from './libp2p'
import {
  PEER_RECORD_VALIDITY_MS,
  peerRecordKey,
  signPeerRecord,
  verifyPeerRecord,
  type SignedPeerRecord,
} from './record'
import { linkSignals, withLinkedSignal } from '../signals'
import { runSyncSession, serveSync, type SyncClientContext } from './sync'
import { BLOCKS_PROTOCOL, SYNC_PROTOCOL, eventsTopic, meshTopic, parseTopic } from './topics'
import type {
  FetchResult,
  GossipVerdict,
  MeshHandler,
  Network,
  NetworkComponents,
  NetworkInit,
  NetworkStatus,
  PeerSummary,
  SyncProgress,
  SyncRunInfo,
} from './index'

interface StoredScope {
  joinedAt: number
}
interface StoredRecord {
  /** base64 of the signed record */
  bytes: string
}

interface KnownPeer {
  did: string
  seq: number
}

/** Re-sign the record when it is older than this (and the member is unlocked). */
const RECORD_REFRESH_MS = 24 * 3_600_000
/** Put the record in the DHT again this often (DHT records age out after 36 h). */
const RECORD_REPUBLISH_MS = 12 * 3_600_000
/** Redial bootstrap peers this often while the node has no connection. */
const BOOTSTRAP_RETRY_MS = 30_000
/** A mesh handler that takes longer than this counts as 'ignore'. */
const MESH_HANDLER_TIMEOUT_MS = 5_000
/** Dial peers found by mDNS while the node has fewer connections than this. */
const MDNS_DIAL_BELOW = 16
/** Provide announcements per second (DHT queries are not free; events are also found through sync). */
const PROVIDES_PER_SECOND = 10
/** After `disconnect`, the peer is neither dialled nor accepted for this long (unless connected again). */
const DISCONNECT_COOL_OFF_MS = 10 * 60_000
/** A CID that could not be fetched is not retried for this long. */
const FETCH_RETRY_MS = 30_000

class DefaultNetwork implements Network {
  readonly enabled: boolean
  private readonly limits: NetworkLimits
  private readonly listen: string[]
  private readonly bootstrap: string[]
  private readonly mdns: boolean
  private readonly dht: boolean
  private readonly syncIntervalMs: number
  private readonly syncOnConnect: boolean
  private readonly provideEvents: boolean
  private readonly keyFile: string
  private readonly log: Logger
  private readonly penalties: PeerPenalties

  private host: Host | undefined
  private modules: Libp2pModules | undefined
  private pubsub: GossipsubInternals | undefined
  private sub: JsonSublevel<StoredScope | StoredRecord> | undefined
  private readonly joined = new Set<string>()
  private readonly meshHandlers = new Map<string, Set<MeshHandler>>()
  private readonly offs: (() => void)[] = []
  private readonly timers: NodeJS.Timeout[] = []
  private lifecycle = new AbortController()
  private running = false
  private starting: Promise<void> | undefined
  private startError: IcnError | undefined

  // peers and records
  private readonly known = new Map<string, KnownPeer>()
  private readonly didToPeer = new Map<string, { peerId: string; seq: number }>()
  private record: { bytes: Uint8Array; record: SignedPeerRecord } | undefined
  private recordPublished = false
  private publishing: Promise<void> | undefined
  private publishedAt = 0
  private routingTableAtPublish = 0
  private publishTimer: NodeJS.Timeout | undefined

  // gossip validation
  private validating = 0

  // sync
  private readonly sessions = new Map<string, { rerun: boolean; promise: Promise<SyncRunInfo> }>()
  private readonly syncWaiting = new Set<string>()
  private readonly claims = new Map<string, number>()
  private clientSessions = 0
  private servedSessions = 0
  private lastRun: SyncRunInfo | null = null

  // block fetching for parked events
  private readonly fetchQueue = new Set<string>()
  private readonly fetchHints = new Map<string, string>()
  private readonly recentlyTried = new Map<string, number>()
  private fetchesRunning = 0

  // DHT provide queue
  private readonly provideQueue = new Set<string>()
  private provideRunning = false

  constructor(
    private readonly components: NetworkComponents,
    init: NetworkInit,
  ) {
    this.enabled = init.enabled ?? true
    this.limits = { ...DEFAULT_LIMITS, ...init.limits }
    this.listen = init.listen ?? ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']
    this.bootstrap = init.bootstrap ?? []
    this.mdns = init.mdns ?? false
    this.dht = init.dht ?? true
    this.syncIntervalMs = init.syncIntervalMs ?? 20_000
    this.syncOnConnect = init.syncOnConnect ?? true
    this.provideEvents = init.provideEvents ?? false
    this.keyFile = init.keyFile ?? 'peer-key'
    this.log = components.logger
    this.penalties = new PeerPenalties(this.limits.banAfterViolations, this.limits.banMs)
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------

  /**
   * Loads the joined scopes and brings libp2p up in the background: loading libp2p takes longer than the rest
   * of the node together, and nothing local waits for it. `ready()` resolves once peers can reach the node;
   * a failure (a port in use…) is logged and shown in status, and the node keeps serving its API offline.
   */
  async start(): Promise<void> {
    this.sub = this.components.storage.json<StoredScope | StoredRecord>('network')
    this.joined.clear()
    this.joined.add(GLOBAL_SCOPE)
    for await (const key of this.sub.keys({ gt: 'scope!', lt: 'scope!\xff' })) this.joined.add(key.slice(6))
    if (!this.enabled) return
    this.lifecycle = new AbortController()
    this.startError = undefined
    const signal = this.lifecycle.signal
    this.starting = this.startHost(signal).catch(async (err: unknown) => {
      await this.stopHost()
      if (signal.aborted) return
      this.startError = toIcnError(err)
      this.log.error('networking failed to start; the node runs offline', { err })
    })
  }

  ready(): Promise<void> {
    if (!this.enabled)
      return Promise.reject(
        new IcnError(
          'NETWORK_DISABLED',
          'Networking is turned off on this node; start it with networking on.',
        ),
      )
    if (this.starting === undefined)
      return Promise.reject(new IcnError('NODE_NOT_RUNNING', 'The node is not running.'))
    return this.starting.then(() => {
      if (this.startError !== undefined)
        throw new IcnError('UNAVAILABLE', `Networking failed to start: ${this.startError.message}`, {
          cause: this.startError,
        })
      if (!this.running) throw new IcnError('NODE_NOT_RUNNING', 'The node is not running.')
    })
  }

  private async startHost(signal: AbortSignal): Promise<void> {
    const { host, modules } = await createHost({
      dataDir: this.components.dataDir,
      keyFile: this.keyFile,
      listen: this.listen,
      mdns: this.mdns,
      dht: this.dht,
      limits: this.limits,
      penalties: this.penalties,
    })
    this.host = host
    this.modules = modules
    this.pubsub = host.services.pubsub as unknown as GossipsubInternals
    if (signal.aborted) return
    await host.handle(BLOCKS_PROTOCOL, (stream, connection) => this.onBlocksStream(stream, connection), {
      maxInboundStreams: this.limits.blocksMaxInboundStreams,
      maxOutboundStreams: this.limits.blocksMaxOutboundStreams,
    })
    await host.handle(SYNC_PROTOCOL, (stream, connection) => this.onSyncStream(stream, connection), {
      maxInboundStreams: this.limits.syncMaxInboundStreams,
      maxOutboundStreams: 1,
    })
    this.listenHost(host)
    await host.start()
    if (signal.aborted) return
    for (const scope of this.joined) this.joinTopics(scope)
    this.listenBus()
    await this.loadRecord()
    this.running = true
    this.every(BOOTSTRAP_RETRY_MS, () => {
      if (this.host !== undefined && this.host.getConnections().length === 0) this.dialBootstrap()
    })
    if (this.syncIntervalMs > 0) this.every(this.syncIntervalMs, () => this.periodicSync())
    this.every(RECORD_REPUBLISH_MS, () => {
      this.recordPublished = false
      void this.refreshRecord()
    })
    this.dialBootstrap()
    void this.refreshRecord()
    this.log.info('network started', {
      peerId: host.peerId.toString(),
      listen: this.listenAddrs(),
      mdns: this.mdns,
      bootstrap: this.bootstrap.length,
    })
  }

  async stop(): Promise<void> {
    this.running = false
    this.lifecycle.abort(new IcnError('NODE_STOPPING', 'The node is stopping.'))
    await this.starting
    this.starting = undefined
    for (const timer of this.timers.splice(0)) clearInterval(timer)
    clearTimeout(this.publishTimer)
    for (const off of this.offs.splice(0)) off()
    // Closing the host ends every stream, so sessions waiting on a peer finish now rather than at their timeout.
    await this.stopHost()
    await Promise.allSettled([...this.sessions.values()].map((s) => s.promise))
    this.sessions.clear()
    this.syncWaiting.clear()
    this.fetchQueue.clear()
    this.provideQueue.clear()
  }

  private async stopHost(): Promise<void> {
    const host = this.host
    this.host = undefined
    this.pubsub = undefined
    if (host !== undefined) await host.stop()
  }

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms)
    timer.unref()
    this.timers.push(timer)
  }

  private requireHost(): Host {
    if (!this.enabled)
      throw new IcnError(
        'NETWORK_DISABLED',
        'Networking is turned off on this node; start it with networking on.',
      )
    if (this.host === undefined || !this.running)
      throw new IcnError('NODE_NOT_RUNNING', 'The node is not running.')
    return this.host
  }

  private requireModules(): Libp2pModules {
    this.requireHost()
    return this.modules as Libp2pModules
  }

  // ---- status and peers ------------------------------------------------------------------------------------

  peerId(): string | null {
    return this.host?.peerId.toString() ?? null
  }

  listenAddrs(): string[] {
    return this.host?.getMultiaddrs().map((a) => a.toString()) ?? []
  }

  status(): NetworkStatus {
    const host = this.running ? this.host : undefined
    const dht = host?.services.dht as
      { getMode(): 'client' | 'server'; routingTable?: { size: number } } | undefined
    return {
      enabled: this.enabled,
      starting: this.enabled && this.starting !== undefined && !this.running && this.startError === undefined,
      running: host !== undefined,
      error:
        this.startError === undefined
          ? null
          : { code: this.startError.code, message: this.startError.message },
      peerId: host?.peerId.toString() ?? null,
      listenAddrs: this.listenAddrs(),
      connections: host?.getConnections().length ?? 0,
      peers: host?.getPeers().length ?? 0,
      scopes: this.scopes(),
      topics: [...(host?.services.pubsub.getTopics() ?? [])].sort().map((topic) => ({
        topic,
        subscribers: host?.services.pubsub.getSubscribers(topic).length ?? 0,
        mesh: this.pubsub?.getMeshPeers(topic).length ?? 0,
      })),
      mdns: this.mdns,
      bootstrap: [...this.bootstrap],
      dht: { mode: dht?.getMode() ?? null, routingTableSize: this.routingTableSize() },
      record:
        this.record === undefined
          ? null
          : {
              did: this.record.record.did,
              seq: this.record.record.seq,
              expires: this.record.record.expires,
              published: this.recordPublished,
            },
      sync: { active: this.sessions.size, lastRun: this.lastRun },
      limits: {
        maxConnections: this.limits.maxConnections,
        maxInboundStreamsPerConnection: this.limits.maxInboundStreamsPerConnection,
        gossipMaxFrameBytes: this.limits.gossipMaxFrameBytes,
      },
    }
  }

  async peers(): Promise<PeerSummary[]> {
    await this.ready()
    const host = this.requireHost()
    const byPeer = new Map<string, Connection[]>()
    for (const conn of host.getConnections()) {
      const id = conn.remotePeer.toString()
      const list = byPeer.get(id)
      if (list === undefined) byPeer.set(id, [conn])
      else list.push(conn)
    }
    const out: PeerSummary[] = []
    for (const [id, conns] of byPeer) {
      const oldest = conns.reduce((a, b) => (a.timeline.open <= b.timeline.open ? a : b))
      let protocols: string[] = []
      try {
        const peer = await host.peerStore.get(oldest.remotePeer)
        protocols = peer.protocols.filter((p) => p.startsWith('/icn/') || p.startsWith('/meshsub/'))
      } catch {
        protocols = []
      }
      out.push({
        peerId: id,
        did: this.known.get(id)?.did ?? null,
        addrs: conns.map((c) => c.remoteAddr.toString()),
        direction: oldest.direction,
        connectedAt: oldest.timeline.open,
        rttMs: typeof oldest.rtt === 'number' ? Math.round(oldest.rtt) : null,
        score: Math.round((this.pubsub?.getScore(id) ?? 0) * 100) / 100,
        protocols: protocols.sort(),
      })
    }
    return out.sort((a, b) => a.connectedAt - b.connectedAt)
  }

  async connect(
    text: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ peerId: string; addr: string }> {
    await this.ready()
    const host = this.requireHost()
    const modules = this.requireModules()
    let addr
    try {
      addr = modules.multiaddr(text.trim())
    } catch (err) {
      throw new IcnError(
        'NETWORK_INVALID_MULTIADDR',
        `"${text.slice(0, 120)}" is not a multiaddr (e.g. /ip4/192.168.1.20/tcp/4001/p2p/12D3KooW…).`,
        { cause: err },
      )
    }
    const target = addr.getComponents().find((c) => c.name === 'p2p')?.value
    if (target !== undefined && target === host.peerId.toString())
      throw new IcnError('NETWORK_DIAL_FAILED', 'That address is this node itself.')
    // The member asks for this peer: lift an earlier disconnect (or ban) of it.
    if (target !== undefined) this.penalties.unban(target)
    return withLinkedSignal([options.signal], this.limits.dialTimeout, async (signal) => {
      try {
        const conn = await host.dial(addr, { signal })
        return { peerId: conn.remotePeer.toString(), addr: conn.remoteAddr.toString() }
      } catch (err) {
        if (options.signal?.aborted === true) throw toIcnError(options.signal.reason)
        throw new IcnError(
          'NETWORK_DIAL_FAILED',
          `Could not connect to ${text.slice(0, 120)}: ${(err as Error).message}. Check the address and that the node is running and reachable.`,
          { cause: err },
        )
      }
    })
  }

  async disconnect(peerId: string): Promise<void> {
    await this.ready()
    const host = this.requireHost()
    const peer = this.parsePeerId(peerId)
    if (host.getConnections(peer).length === 0)
      throw new IcnError('NETWORK_PEER_NOT_FOUND', `Not connected to ${peerId}; see icn peers.`)
    // Without this the DHT's keep-alive tags would have either side redial at once: the peer stays away
    // until DISCONNECT_COOL_OFF_MS passed or the member connects to it again.
    this.penalties.ban(peer.toString(), DISCONNECT_COOL_OFF_MS)
    await host.hangUp(peer)
  }

  private parsePeerId(text: string): PeerId {
    try {
      return this.requireModules().peerIdFromString(text)
    } catch (err) {
      if (isIcnError(err)) throw err
      throw new IcnError('INVALID_ARGUMENT', `"${text.slice(0, 100)}" is not a peer id (12D3KooW…).`, {
        cause: err,
      })
    }
  }

  private dialBootstrap(): void {
    for (const addr of this.bootstrap) {
      this.connect(addr, { signal: this.lifecycle.signal }).catch((err: unknown) =>
        this.log.warn('bootstrap peer unreachable', { addr, err: toIcnError(err).message }),
      )
    }
  }

  // ---- libp2p and bus wiring -------------------------------------------------------------------------------

  private listenHost(host: Host): void {
    const on = <K extends 'peer:connect' | 'peer:disconnect' | 'peer:identify' | 'peer:discovery'>(
      name: K,
      fn: (evt: CustomEvent) => void,
    ): void => {
      host.addEventListener(name, fn as never)
      this.offs.push(() => host.removeEventListener(name, fn as never))
    }
    on('peer:connect', (evt) => {
      const peer = evt.detail as PeerId
      const conn = host.getConnections(peer)[0]
      this.components.events.emit('network:peer-connected', {
        peerId: peer.toString(),
        addr: conn?.remoteAddr.toString() ?? '',
        direction: conn?.direction ?? 'inbound',
      })
    })
    on('peer:disconnect', (evt) => {
      const peerId = (evt.detail as PeerId).toString()
      this.syncWaiting.delete(peerId)
      this.components.events.emit('network:peer-disconnected', { peerId })
    })
    on('peer:identify', (evt) => {
      const result = evt.detail as IdentifyResult
      if (!this.running) return
      if (this.syncOnConnect && result.protocols.includes(SYNC_PROTOCOL))
        this.requestSync(result.peerId.toString())
      this.maybeRepublish()
      this.pumpProvides()
      this.pumpFetches()
    })
    on('peer:discovery', (evt) => {
      const info = evt.detail as PeerInfo
      if (!this.mdns || !this.running || host.getConnections().length >= MDNS_DIAL_BELOW) return
      if (host.getConnections(info.id).length > 0 || info.id.equals(host.peerId)) return
      host.dial(info.id, { signal: AbortSignal.timeout(this.limits.dialTimeout) }).catch((err: unknown) =>
        this.log.debug('discovered peer unreachable', {
          peer: info.id.toString(),
          err: (err as Error).message,
        }),
      )
    })
    const onMessage = (evt: CustomEvent<GossipsubMessage>): void => this.onGossip(evt.detail)
    host.services.pubsub.addEventListener('gossipsub:message', onMessage)
    this.offs.push(() => host.services.pubsub.removeEventListener('gossipsub:message', onMessage))
  }

  private listenBus(): void {
    const { events } = this.components
    this.offs.push(
      events.on('dag:event-created', (e) => {
        this.publish(eventsTopic(e.scope), e.bytes)
        if (this.provideEvents) this.provide(CID.parse(e.cid))
      }),
      events.on('dag:missing', (e) => this.queueFetch(e.cids)),
      events.on('identity:changed', (e) => {
        if (!e.locked) void this.refreshRecord()
      }),
    )
  }

  private publish(topic: string, data: Uint8Array): void {
    const host = this.host
    if (host === undefined) return
    host.services.pubsub
      .publish(topic, data)
      .catch((err: unknown) => this.log.warn('publish failed', { topic, err: (err as Error).message }))
  }

  // ---- scopes and topics -----------------------------------------------------------------------------------

  scopes(): string[] {
    return [...this.joined].sort()
  }

  private joinTopics(scope: string): void {
    const host = this.host
    if (host === undefined || this.pubsub === undefined || this.modules === undefined) return
    for (const topic of [eventsTopic(scope), meshTopic(scope)]) {
      this.pubsub.score.params.topics[topic] ??= this.modules.createTopicScoreParams(TOPIC_SCORE)
      host.services.pubsub.subscribe(topic)
    }
  }

  async subscribe(scope: string): Promise<void> {
    if (!isScope(scope))
      throw new IcnError('INVALID_ARGUMENT', `"${String(scope).slice(0, 100)}" is not a scope.`)
    if (this.sub === undefined) throw new IcnError('NODE_NOT_RUNNING', 'The node is not running.')
    if (scope !== GLOBAL_SCOPE && !this.joined.has(scope))
      await this.sub.put(`scope!${scope}`, { joinedAt: Date.now() })
    this.joined.add(scope)
    this.joinTopics(scope)
  }

  async unsubscribe(scope: string): Promise<void> {
    if (scope === GLOBAL_SCOPE)
      throw new IcnError('INVALID_ARGUMENT', 'Every node stays in the global scope; it cannot be left.')
    if (this.sub === undefined) throw new IcnError('NODE_NOT_RUNNING', 'The node is not running.')
    await this.sub.del(`scope!${scope}`)
    this.joined.delete(scope)
    const pubsub = this.host?.services.pubsub
    pubsub?.unsubscribe(eventsTopic(scope))
    pubsub?.unsubscribe(meshTopic(scope))
  }

  // ---- gossip validation -----------------------------------------------------------------------------------

  private onGossip({ msgId, propagationSource, msg }: GossipsubMessage): void {
    const from = propagationSource.toString()
    const parsed = parseTopic(msg.topic)
    const report = (verdict: GossipVerdict): void => {
      try {
        this.pubsub?.reportMessageValidationResult(msgId, from, verdict)
      } catch (err) {
        this.log.debug('validation report failed', { peer: from, err: (err as Error).message })
      }
    }
    if (parsed === undefined) {
      report('ignore')
      return
    }
    if (this.validating >= this.limits.gossipMaxValidating) {
      // Overloaded: drop the message unjudged and let sync bring whatever we dropped from this peer.
      report('ignore')
      if (parsed.kind === 'events') this.requestSync(from)
      return
    }
    this.validating++
    const work =
      parsed.kind === 'events'
        ? this.validateEvent(msg.data, from)
        : this.validateMesh(parsed.scope, msg.data, from, msg.type === 'signed' ? msg.from.toString() : from)
    work
      .then(
        (verdict) => {
          if (verdict === 'reject') this.violation(from, 'gossip', 'rejected message')
          report(verdict)
        },
        () => report('ignore'),
      )
      .finally(() => this.validating--)
  }

  /** Gossip verdict for an event: the DAG's own validation, mapped to ACCEPT / IGNORE / REJECT. */
  private async validateEvent(data: Uint8Array, from: string): Promise<GossipVerdict> {
    try {
      const result = await this.components.dag.ingest(data, { from })
      switch (result.status) {
        case 'applied':
        case 'equivocation':
          return 'accept'
        case 'duplicate':
          return 'ignore'
        case 'pending':
          for (const cid of result.missing ?? []) this.hint(cid, from)
          // Usually a chain gap: the sender's chain view is ahead of ours, and sync pulls whole ranges.
          this.requestSync(from)
          return 'ignore'
      }
    } catch (err) {
      return gossipVerdictFor(err)
    }
  }

  private async validateMesh(
    scope: string,
    data: Uint8Array,
    from: string,
    origin: string,
  ): Promise<GossipVerdict> {
    const handlers = this.meshHandlers.get(scope)
    if (handlers === undefined || handlers.size === 0) return 'ignore'
    const verdicts = await Promise.all(
      [...handlers].map(async (handler): Promise<GossipVerdict> => {
        let timer: NodeJS.Timeout | undefined
        try {
          return await Promise.race([
            Promise.resolve(handler({ scope, from, origin, data })),
            new Promise<GossipVerdict>((resolve) => {
              timer = setTimeout(() => resolve('ignore'), MESH_HANDLER_TIMEOUT_MS)
            }),
          ])
        } catch (err) {
          this.log.warn('mesh handler failed', { scope, peer: from, err })
          return 'ignore'
        } finally {
          clearTimeout(timer)
        }
      }),
    )
    if (verdicts.includes('reject')) return 'reject'
    return verdicts.includes('accept') ? 'accept' : 'ignore'
  }

  async publishMesh(scope: string, data: Uint8Array): Promise<number> {
    await this.ready()
    const host = this.requireHost()
    if (!isScope(scope))
      throw new IcnError('INVALID_ARGUMENT', `"${String(scope).slice(0, 100)}" is not a scope.`)
    if (
      !(data instanceof Uint8Array) ||
      data.length === 0 ||
      data.length > this.limits.gossipMaxFrameBytes - 1024
    )
      throw new IcnError(
        'NETWORK_LIMIT_EXCEEDED',
        `A mesh message is 1 to ${this.limits.gossipMaxFrameBytes - 1024} bytes; put large data in a block.`,
      )
    const result = await host.services.pubsub.publish(meshTopic(scope), data)
    return result.recipients.length
  }

  onMesh(scope: string, handler: MeshHandler): () => void {
    if (!isScope(scope))
      throw new IcnError('INVALID_ARGUMENT', `"${String(scope).slice(0, 100)}" is not a scope.`)
    let set = this.meshHandlers.get(scope)
    if (set === undefined) this.meshHandlers.set(scope, (set = new Set()))
    set.add(handler)
    return () => {
      set.delete(handler)
      if (set.size === 0) this.meshHandlers.delete(scope)
    }
  }

  // ---- protocol handlers -----------------------------------------------------------------------------------

  private onBlocksStream(stream: Stream, connection: Connection): void {
    const peer = connection.remotePeer.toString()
    serveBlocks(stream, this.components.dag.blocks, this.limits, (cid, err) =>
      this.log.error('stored block is damaged', { cid: cid.toString(), err }),
    ).catch((err: unknown) => this.streamFailed(stream, peer, BLOCKS_PROTOCOL, err))
  }

  private onSyncStream(stream: Stream, connection: Connection): void {
    const peer = connection.remotePeer.toString()
    if (this.servedSessions >= this.limits.syncMaxServedSessions) {
      this.log.warn('sync session refused: too many at once', {
        peer,
        limit: this.limits.syncMaxServedSessions,
      })
      stream.abort(new IcnError('NETWORK_LIMIT_EXCEEDED', 'Too many sync sessions; try again later.'))
      return
    }
    this.servedSessions++
    serveSync(stream, peer, {
      dag: this.components.dag,
      limits: this.limits,
      localRecord: () => this.record?.bytes ?? null,
      onRecord: (p, bytes) => this.learnRecord(p, bytes),
    })
      .catch((err: unknown) => this.streamFailed(stream, peer, SYNC_PROTOCOL, err))
      .finally(() => this.servedSessions--)
  }

  /** Logs a failed stream with the peer id, aborts it, and counts protocol violations toward a ban. */
  private streamFailed(stream: Stream, peer: string, protocol: string, err: unknown): void {
    const e = toIcnError(err)
    if (e.code === 'NETWORK_PROTOCOL_ERROR' || e.code === 'NETWORK_LIMIT_EXCEEDED') {
      this.violation(peer, protocol, e.message)
    } else if (this.running) {
      this.log.info('stream ended with an error', { peer, protocol, code: e.code, message: e.message })
    }
    if (stream.status === 'open') stream.abort(e)
  }

  private violation(peer: string, protocol: string, message: string): void {
    this.log.warn('peer broke the protocol', { peer, protocol, message })
    if (this.penalties.violation(peer)) {
      this.log.warn('peer banned', { peer, minutes: Math.round(this.limits.banMs / 60_000) })
      const host = this.host
      if (host !== undefined) {
        try {
          host.hangUp(this.requireModules().peerIdFromString(peer)).catch(() => undefined)
        } catch {
          // an unparsable id cannot be connected anyway
        }
      }
    }
  }

  // ---- block exchange --------------------------------------------------------------------------------------

  async fetch(cids: CID[], options: { signal?: AbortSignal; peer?: string } = {}): Promise<FetchResult> {
    await this.ready()
    const host = this.requireHost()
    return withLinkedSignal([this.lifecycle.signal, options.signal], undefined, async (signal) => {
      const wanted = new Map<string, CID>()
      for (const cid of cids) {
        if (!(await this.components.dag.blocks.has(cid))) wanted.set(cid.toString(), cid)
      }
      const fetched: string[] = []
      const tryPeer = async (peerId: PeerId): Promise<void> => {
        for (const chunk of chunks([...wanted.values()], this.limits.blocksMaxWant)) {
          if (signal.aborted) return
          const found = await this.requestFrom(peerId, chunk, signal)
          for (const [id, bytes] of found) {
            const cid = wanted.get(id)
            if (cid === undefined) continue
            if (await this.store(cid, bytes, peerId.toString())) {
              wanted.delete(id)
              fetched.push(id)
            }
          }
        }
      }
      // Connected peers first (preferred one at the front), then DHT providers.
      const order: PeerId[] = []
      if (options.peer !== undefined) order.push(this.parsePeerId(options.peer))
      for (const peer of host.getPeers()) if (!order.some((p) => p.equals(peer))) order.push(peer)
      for (const peer of order.slice(0, 4)) {
        if (wanted.size === 0) break
        await tryPeer(peer).catch((err: unknown) =>
          this.log.debug('block fetch from peer failed', {
            peer: peer.toString(),
            err: toIcnError(err).message,
          }),
        )
      }
      for (const cid of [...wanted.values()].slice(0, 8)) {
        if (signal.aborted || !wanted.has(cid.toString())) continue
        for (const provider of await this.findProviders(cid, signal)) {
          if (!wanted.has(cid.toString())) break
          await tryPeer(provider).catch((err: unknown) =>
            this.log.debug('block fetch from provider failed', {
              peer: provider.toString(),
              err: toIcnError(err).message,
            }),
          )
        }
      }
      return { fetched, missing: [...wanted.keys()] }
    })
  }

  async fetchBlocks(cids: CID[], options: { signal?: AbortSignal } = {}): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>()
    const host = this.host
    if (!this.running || host === undefined) return found
    return withLinkedSignal([this.lifecycle.signal, options.signal], undefined, async (signal) => {
      let wanted = [...cids]
      for (const peer of host.getPeers().slice(0, 4)) {
        for (const chunk of chunks(wanted, this.limits.blocksMaxWant)) {
          if (signal.aborted) return found
          try {
            for (const [id, bytes] of await this.requestFrom(peer, chunk, signal)) found.set(id, bytes)
          } catch (err) {
            this.log.debug('block fetch from peer failed', {
              peer: peer.toString(),
              err: toIcnError(err).message,
            })
            break
          }
        }
        wanted = wanted.filter((cid) => !found.has(cid.toString()))
        if (wanted.length === 0) break
      }
      return found
    })
  }

  private async findProviders(cid: CID, signal: AbortSignal): Promise<PeerId[]> {
    const host = this.requireHost()
    const out: PeerId[] = []
    if (!this.dht) return out
    const query = linkSignals([signal], this.limits.dhtQueryTimeout)
    try {
      for await (const provider of host.contentRouting.findProviders(cid, { signal: query.signal })) {
        if (provider.id.equals(host.peerId) || this.penalties.isBanned(provider.id.toString())) continue
        if (provider.multiaddrs.length > 0)
          await host.peerStore.merge(provider.id, { multiaddrs: provider.multiaddrs })
        out.push(provider.id)
        if (out.length >= 3) break
      }
    } catch (err) {
      this.log.debug('provider lookup failed', { cid: cid.toString(), err: (err as Error).message })
    } finally {
      query.release()
    }
    return out
  }

  private async requestFrom(
    peer: PeerId,
    cids: CID[],
    signal: AbortSignal,
  ): Promise<Map<string, Uint8Array>> {
    const host = this.requireHost()
    const stream = await withLinkedSignal([signal], this.limits.blocksTimeout, (dialSignal) =>
      host.dialProtocol(peer, BLOCKS_PROTOCOL, { signal: dialSignal }),
    )
    try {
      return await requestBlocks(stream, cids, this.limits)
    } catch (err) {
      this.streamFailed(stream, peer.toString(), BLOCKS_PROTOCOL, err)
      throw err
    }
  }

  /** Stores a verified block: events go through the DAG (validated, applied), other blocks to the block store. */
  private async store(cid: CID, bytes: Uint8Array, from: string): Promise<boolean> {
    const { dag } = this.components
    if (cid.code === DAG_CBOR && looksLikeEvent(bytes)) {
      try {
        await dag.ingest(bytes, { from })
        return true
      } catch (err) {
        this.log.info('fetched event refused', {
          cid: cid.toString(),
          peer: from,
          code: toIcnError(err).code,
        })
        return false
      }
    }
    await dag.blocks.putVerified(cid, bytes)
    return true
  }

  private hint(cid: string, peer: string): void {
    if (this.fetchHints.size >= this.limits.blocksMaxQueued) {
      const oldest = this.fetchHints.keys().next().value
      if (oldest !== undefined) this.fetchHints.delete(oldest)
    }
    this.fetchHints.set(cid, peer)
  }

  /** CIDs parked events wait for: fetched in the background, bounded and deduplicated. */
  private queueFetch(cids: string[]): void {
    if (!this.running) return
    const now = Date.now()
    for (const cid of cids) {
      const tried = this.recentlyTried.get(cid)
      if (tried !== undefined && now - tried < FETCH_RETRY_MS) continue
      if (this.fetchQueue.size >= this.limits.blocksMaxQueued) {
        const oldest = this.fetchQueue.values().next().value
        if (oldest !== undefined) this.fetchQueue.delete(oldest)
      }
      this.fetchQueue.add(cid)
    }
    this.pumpFetches()
  }

  private pumpFetches(): void {
    while (
      this.running &&
      this.fetchQueue.size > 0 &&
      this.fetchesRunning < this.limits.blocksMaxConcurrentFetches &&
      (this.host?.getConnections().length ?? 0) > 0
    ) {
      // One batch per preferred peer: CIDs hinted by the same gossip source go together.
      const first = this.fetchQueue.values().next().value as string
      const peer = this.fetchHints.get(first)
      const batch: CID[] = []
      for (const id of this.fetchQueue) {
        if (batch.length >= this.limits.blocksMaxWant) break
        if (this.fetchHints.get(id) !== peer) continue
        this.fetchQueue.delete(id)
        this.fetchHints.delete(id)
        this.remember(id)
        try {
          batch.push(CID.parse(id))
        } catch {
          // not a CID: nothing to fetch
        }
      }
      if (batch.length === 0) continue
      this.fetchesRunning++
      this.fetch(batch, peer === undefined ? {} : { peer })
        .then((r) => {
          if (r.missing.length > 0)
            this.log.debug('blocks not found on the network', { missing: r.missing.length })
        })
        .catch((err: unknown) => this.log.debug('background fetch failed', { err: toIcnError(err).message }))
        .finally(() => {
          this.fetchesRunning--
          this.pumpFetches()
        })
    }
  }

  private remember(cid: string): void {
    if (this.recentlyTried.size >= this.limits.blocksMaxQueued * 2) {
      const oldest = this.recentlyTried.keys().next().value
      if (oldest !== undefined) this.recentlyTried.delete(oldest)
    }
    this.recentlyTried.set(cid, Date.now())
  }

  provide(cid: CID): void {
    if (!this.enabled || !this.dht) return
    if (this.provideQueue.size >= this.limits.dhtMaxProvideQueue) {
      const oldest = this.provideQueue.values().next().value
      if (oldest !== undefined) this.provideQueue.delete(oldest)
    }
    this.provideQueue.add(cid.toString())
    this.pumpProvides()
  }

  private pumpProvides(): void {
    if (this.provideRunning || !this.running || !this.dht || this.provideQueue.size === 0) return
    if ((this.host?.getConnections().length ?? 0) === 0) return
    this.provideRunning = true
    void (async () => {
      try {
        while (this.running && this.provideQueue.size > 0 && (this.host?.getConnections().length ?? 0) > 0) {
          const id = this.provideQueue.values().next().value as string
          this.provideQueue.delete(id)
          const started = Date.now()
          try {
            await withLinkedSignal([this.lifecycle.signal], this.limits.dhtQueryTimeout, async (signal) => {
              await this.host?.contentRouting.provide(CID.parse(id), { signal })
            })
          } catch (err) {
            this.log.debug('provide failed', { cid: id, err: (err as Error).message })
          }
          const wait = 1000 / PROVIDES_PER_SECOND - (Date.now() - started)
          if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        }
      } finally {
        this.provideRunning = false
      }
    })()
  }

  // ---- sync ------------------------------------------------------------------------------------------------

  /** Starts (or schedules once more) a sync session with a peer; never throws. */
  private requestSync(peerId: string): void {
    if (!this.running) return
    const running = this.sessions.get(peerId)
    if (running !== undefined) {
      running.rerun = true
      return
    }
    if (this.clientSessions >= this.limits.syncMaxClientSessions) {
      if (this.syncWaiting.size < this.limits.maxConnections) this.syncWaiting.add(peerId)
      return
    }
    void this.startSession(peerId)
  }

  private startSession(
    peerId: string,
    onProgress?: (p: SyncProgress) => void,
    signal?: AbortSignal,
  ): Promise<SyncRunInfo> {
    const existing = this.sessions.get(peerId)
    if (existing !== undefined) return existing.promise
    const entry = { rerun: false, promise: undefined as unknown as Promise<SyncRunInfo> }
    this.clientSessions++
    entry.promise = this.runSession(peerId, onProgress, signal).finally(() => {
      this.clientSessions--
      this.sessions.delete(peerId)
      if (entry.rerun) this.requestSync(peerId)
      const next = this.syncWaiting.values().next()
      if (next.done !== true) {
        this.syncWaiting.delete(next.value)
        this.requestSync(next.value)
      }
    })
    this.sessions.set(peerId, entry)
    return entry.promise
  }

  private async runSession(
    peerId: string,
    onProgress?: (p: SyncProgress) => void,
    outer?: AbortSignal,
  ): Promise<SyncRunInfo> {
    const startedAt = Date.now()
    const emit = (p: SyncProgress): void => {
      this.components.events.emit('network:sync-progress', p)
      onProgress?.(p)
    }
    return withLinkedSignal(
      [this.lifecycle.signal, outer],
      this.limits.syncSessionTimeout,
      async (signal) => {
        let stream: Stream | undefined
        let progress = { done: 0, total: 0 }
        try {
          const host = this.requireHost()
          const peer = this.parsePeerId(peerId)
          stream = await withLinkedSignal([signal], this.limits.syncRequestTimeout, (dialSignal) =>
            host.dialProtocol(peer, SYNC_PROTOCOL, { signal: dialSignal }),
          )
          const ctx: SyncClientContext = {
            dag: this.components.dag,
            limits: this.limits,
            localRecord: () => this.record?.bytes ?? null,
            onRecord: (p, bytes) => this.learnRecord(p, bytes),
            fetchEvents: async (ids, p, s) => {
              await this.fetch(ids, { peer: p, signal: s })
            },
            claims: this.claims,
            onProgress: (p) => {
              progress = { done: p.done, total: p.total }
              emit({ peerId, ...p })
            },
          }
          const result = await runSyncSession(stream, peerId, ctx, signal)
          const info: SyncRunInfo = {
            peerId,
            startedAt,
            finishedAt: Date.now(),
            events: result.events,
            authors: result.authors,
          }
          this.lastRun = info
          emit({ peerId, phase: 'done', done: result.events, total: Math.max(progress.total, result.events) })
          if (result.events > 0)
            this.log.info('synced', {
              peer: peerId,
              events: result.events,
              authors: result.authors,
              ms: info.finishedAt - startedAt,
            })
          return info
        } catch (err) {
          const e = toIcnError(err)
          if (stream !== undefined) this.streamFailed(stream, peerId, SYNC_PROTOCOL, err)
          else if (this.running)
            this.log.info('sync could not start', { peer: peerId, code: e.code, message: e.message })
          const info: SyncRunInfo = {
            peerId,
            startedAt,
            finishedAt: Date.now(),
            events: progress.done,
            authors: 0,
            error: { code: e.code, message: e.message },
          }
          this.lastRun = info
          emit({ peerId, phase: 'failed', done: progress.done, total: progress.total })
          return info
        }
      },
    )
  }

  private syncPeers(): string[] {
    const host = this.host
    if (host === undefined) return []
    return host.getPeers().map((p) => p.toString())
  }

  /**
   * Every interval, a session with every connected peer (queued under syncMaxClientSessions). One peer per
   * interval left an event that reached a single peer (its author crashed before gossiping it, say) minutes away
   * from the rest of a small cooperative; the five-node soak of the resilience suite waited over 90 s for it.
   */
  private periodicSync(): void {
    for (const peer of this.syncPeers()) this.requestSync(peer)
  }

  async sync(
    options: { peerId?: string; signal?: AbortSignal; onProgress?: (progress: SyncProgress) => void } = {},
  ): Promise<SyncRunInfo[]> {
    await this.ready()
    const host = this.requireHost()
    let peers: string[]
    if (options.peerId !== undefined) {
      const peer = this.parsePeerId(options.peerId)
      if (host.getConnections(peer).length === 0)
        throw new IcnError(
          'NETWORK_PEER_NOT_FOUND',
          `Not connected to ${options.peerId}; connect first (icn connect).`,
        )
      peers = [peer.toString()]
    } else {
      peers = this.syncPeers()
    }
    const out: SyncRunInfo[] = []
    // One peer after another: the first usually brings everything, the rest confirm quickly.
    for (const peerId of peers) {
      if (options.signal?.aborted === true) break
      out.push(await this.startSession(peerId, options.onProgress, options.signal))
    }
    return out
  }

  // ---- DID → peer records ----------------------------------------------------------------------------------

  didOf(peerId: string): string | undefined {
    return this.known.get(peerId)?.did
  }

  async resolveDid(
    did: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ peerId: string; seq: number } | undefined> {
    await this.ready()
    const host = this.requireHost()
    const cached = this.didToPeer.get(did)
    if (cached !== undefined) return cached
    if (this.record?.record.did === did)
      return { peerId: host.peerId.toString(), seq: this.record.record.seq }
    if (!this.dht) return undefined
    return withLinkedSignal([options.signal], this.limits.dhtQueryTimeout, async (signal) => {
      try {
        const value = await host.contentRouting.get(peerRecordKey(did), { signal })
        const record = verifyPeerRecord(value, { did })
        const found = { peerId: record.peer, seq: record.seq }
        this.rememberPeer(record.peer, { did, seq: record.seq })
        return found
      } catch (err) {
        if (isIcnError(err, 'NETWORK_INVALID_RECORD'))
          this.log.warn('DHT returned an invalid peer record', { did, err: err.message })
        return undefined
      }
    })
  }

  /** A record shown by a peer over sync: kept only if it is valid and names that very peer. */
  private learnRecord(peerId: string, bytes: Uint8Array): void {
    try {
      const record = verifyPeerRecord(bytes, { peer: peerId })
      const prior = this.known.get(peerId)
      if (prior !== undefined && prior.did === record.did && prior.seq >= record.seq) return
      this.rememberPeer(peerId, { did: record.did, seq: record.seq })
    } catch (err) {
      this.violation(peerId, SYNC_PROTOCOL, toIcnError(err).message)
    }
  }

  /**
   * Both maps hold one entry per remembered peer, at most maxKnownPeers: a peer that shows a record for another
   * DID replaces its entry (identities are free; a peer must not grow memory by cycling through DIDs).
   */
  private rememberPeer(peerId: string, entry: KnownPeer): void {
    const priorForDid = this.didToPeer.get(entry.did)
    if (priorForDid !== undefined && priorForDid.seq > entry.seq) return
    this.forgetPeer(peerId)
    if (priorForDid !== undefined && priorForDid.peerId !== peerId) this.known.delete(priorForDid.peerId)
    while (this.known.size >= this.limits.maxKnownPeers) {
      const oldest = this.known.keys().next().value
      if (oldest === undefined) break
      this.forgetPeer(oldest)
    }
    this.known.set(peerId, entry)
    this.didToPeer.set(entry.did, { peerId, seq: entry.seq })
  }

  private forgetPeer(peerId: string): void {
    const old = this.known.get(peerId)
    this.known.delete(peerId)
    if (old !== undefined && this.didToPeer.get(old.did)?.peerId === peerId) this.didToPeer.delete(old.did)
  }

  private async loadRecord(): Promise<void> {
    const stored = (await this.sub?.get('record')) as StoredRecord | undefined
    if (stored === undefined || this.host === undefined) return
    try {
      const bytes = new Uint8Array(Buffer.from(stored.bytes, 'base64'))
      const record = verifyPeerRecord(bytes, { peer: this.host.peerId.toString() })
      this.record = { bytes, record }
    } catch {
      // expired or for an older peer key: a fresh one is signed once the member unlocks
    }
  }

  /** Signs a new record when the member is unlocked and ours is missing, stale or for another DID; publishes. */
  private async refreshRecord(): Promise<void> {
    const host = this.host
    if (host === undefined || !this.running) return
    const { identity } = this.components
    const status = identity.status()
    const current = this.record
    const stale =
      current === undefined ||
      current.record.did !== status.did ||
      current.record.expires - Date.now() < PEER_RECORD_VALIDITY_MS - RECORD_REFRESH_MS
    if (stale && status.did !== null && !status.locked) {
      try {
        const now = Date.now()
        const record = {
          v: 1 as const,
          did: status.did,
          peer: host.peerId.toString(),
          seq: Math.max(now, (current?.record.seq ?? 0) + 1),
          expires: now + PEER_RECORD_VALIDITY_MS,
        }
        const bytes = signPeerRecord(record, identity.signer())
        this.record = { bytes, record: verifyPeerRecord(bytes) }
        this.recordPublished = false
        await this.sub?.put('record', { bytes: Buffer.from(bytes).toString('base64') })
        // Connected peers learn the new record in the sync handshake; sync now rather than at the next round.
        for (const peer of this.syncPeers()) this.requestSync(peer)
      } catch (err) {
        this.log.warn('could not sign the peer record', { err: toIcnError(err).message })
      }
    }
    await this.publishRecord()
  }

  private routingTableSize(): number {
    const dht = this.host?.services.dht as { routingTable?: { size?: number } } | undefined
    return dht?.routingTable?.size ?? 0
  }

  /**
   * A record lands on the DHT peers closest to its key among those known when it is put. While the network
   * forms around this node, put it again whenever the routing table has doubled (at most every 60 s
   * otherwise), half a second after the last new peer, so that lookups from the far side find it.
   */
  private maybeRepublish(): void {
    if (this.record === undefined || !this.dht) return
    const size = this.routingTableSize()
    const recent = Date.now() - this.publishedAt < 60_000
    if (this.recordPublished && recent && size < 2 * this.routingTableAtPublish) return
    clearTimeout(this.publishTimer)
    this.publishTimer = setTimeout(() => void this.publishRecord(), 500)
    this.publishTimer.unref()
  }

  private publishRecord(): Promise<void> {
    this.publishing ??= (async () => {
      const host = this.host
      const record = this.record
      if (host === undefined || record === undefined || !this.dht || host.getConnections().length === 0)
        return
      try {
        await withLinkedSignal([this.lifecycle.signal], this.limits.dhtQueryTimeout, async (signal) => {
          await host.contentRouting.put(peerRecordKey(record.record.did), record.bytes, { signal })
        })
        this.recordPublished = true
        this.publishedAt = Date.now()
        this.routingTableAtPublish = this.routingTableSize()
        this.log.debug('peer record published', { did: record.record.did, seq: record.record.seq })
      } catch (err) {
        this.log.debug('peer record not published yet', { err: (err as Error).message })
      }
    })().finally(() => {
      this.publishing = undefined
    })
    return this.publishing
  }
}

/**
 * Maps an ingest failure to a gossip verdict. Invalid events are REJECTed (the sender's score drops); failures
 * an honest forwarder can cause are IGNOREd: an unknown type (the sender runs a newer version), a future
 * timestamp (clocks differ) and a flagged author (the sender may not have seen the fork yet). Anything that is
 * not a DAG verdict (a stopping node, a storage error) is IGNOREd too.
 */
export function gossipVerdictFor(err: unknown): GossipVerdict {
  if (!isIcnError(err) || !err.code.startsWith('DAG_')) return 'ignore'
  if (
    err.code === 'DAG_UNKNOWN_TYPE' ||
    err.code === 'DAG_BAD_TIMESTAMP' ||
    err.code === 'DAG_AUTHOR_FLAGGED'
  )
    return 'ignore'
  return 'reject'
}

function looksLikeEvent(bytes: Uint8Array): boolean {
  try {
    checkEventShape(decodeCanonical(bytes))
    return true
  } catch {
    return false
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function network(init: NetworkInit = {}): (components: NetworkComponents) => Network {
  return (components) => new DefaultNetwork(components, init)
}
