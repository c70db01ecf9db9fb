/**
 * Builds the libp2p host. Every libp2p module is loaded with dynamic `import()` after the Node 20 polyfills:
 * esbuild hoists static imports of external packages above the bundle's own code, so a static import here
 * would run libp2p before the polyfills in the bundled CLI.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Identify } from '@libp2p/identify'
import type { Ping } from '@libp2p/ping'
import type { KadDHT } from '@libp2p/kad-dht'
import type { GossipSub } from '@libp2p/gossipsub'
import type { TopicScoreParams } from '@libp2p/gossipsub/score'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { IcnError } from '../errors'
import { writeFileAtomic } from '../identity'
import { installPolyfills } from './polyfills'
import { isUndialable, type PeerPenalties } from './gater'
import type { NetworkLimits } from './limits'
import { selectPeerRecord, validatePeerRecordEntry } from './record'
import { DHT_PROTOCOL, PEER_RECORD_NAMESPACE, TOPIC_PATTERN } from './topics'

export interface HostServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  dht?: KadDHT
  pubsub: GossipSub
}

export type Host = Libp2p<HostServices>

/** Gossipsub members that the package's public interface does not list but its class has (v17). */
export interface GossipsubInternals {
  reportMessageValidationResult(
    msgId: string,
    propagationSource: string,
    acceptance: 'accept' | 'reject' | 'ignore',
  ): void
  getScore(peerId: string): number
  getMeshPeers(topic: string): string[]
  score: { params: { topics: Record<string, TopicScoreParams> } }
  allowedTopics: { has(topic: string): boolean } | null
}

export interface Libp2pModules {
  multiaddr: (text: string) => Multiaddr
  peerIdFromString: (text: string) => PeerId
  createTopicScoreParams: (p: Partial<TopicScoreParams>) => TopicScoreParams
}

export interface HostOptions {
  dataDir: string
  keyFile: string
  listen: string[]
  mdns: boolean
  dht: boolean
  limits: NetworkLimits
  penalties: PeerPenalties
}

let modulesPromise: Promise<Awaited<ReturnType<typeof importAll>>> | undefined

async function importAll() {
  installPolyfills()
  const [
    libp2p,
    tcp,
    websockets,
    noise,
    yamux,
    identify,
    ping,
    kad,
    gossipsub,
    gossipScore,
    mdns,
    keys,
    peerId,
    ma,
  ] = await Promise.all([
    import('libp2p'),
    import('@libp2p/tcp'),
    import('@libp2p/websockets'),
    import('@chainsafe/libp2p-noise'),
    import('@chainsafe/libp2p-yamux'),
    import('@libp2p/identify'),
    import('@libp2p/ping'),
    import('@libp2p/kad-dht'),
    import('@libp2p/gossipsub'),
    import('@libp2p/gossipsub/score'),
    import('@libp2p/mdns'),
    import('@libp2p/crypto/keys'),
    import('@libp2p/peer-id'),
    import('@multiformats/multiaddr'),
  ])
  return {
    libp2p,
    tcp,
    websockets,
    noise,
    yamux,
    identify,
    ping,
    kad,
    gossipsub,
    gossipScore,
    mdns,
    keys,
    peerId,
    ma,
  }
}

export function loadLibp2p(): Promise<Awaited<ReturnType<typeof importAll>>> {
  modulesPromise ??= importAll()
  return modulesPromise
}

/**
 * The node's libp2p key: created on first start and kept in the data dir unencrypted (mode 0600), so the
 * node joins the network before the member unlocks their identity. It is not the member's key: the member
 * binds the two with a signed record (record.ts).
 */
export async function loadOrCreatePeerKey(dataDir: string, keyFile: string): Promise<PrivateKey> {
  const { keys } = await loadLibp2p()
  const path = join(dataDir, keyFile)
  try {
    const bytes = await readFile(path)
    try {
      return keys.privateKeyFromProtobuf(new Uint8Array(bytes))
    } catch (err) {
      throw new IcnError(
        'NODE_START_FAILED',
        `The peer key ${path} is damaged. Move it away to start with a new peer id.`,
        { cause: err },
      )
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const key = await keys.generateKeyPair('Ed25519')
  await writeFileAtomic(path, keys.privateKeyToProtobuf(key), 0o600)
  return key
}

const DECODE_RPC_LIMITS = {
  maxSubscriptions: 256,
  maxMessages: 256,
  maxIhaveMessageIDs: 1000,
  maxIwantMessageIDs: 1000,
  maxIdontwantMessageIDs: 512,
  maxControlMessages: 64,
  maxPeerInfos: 16,
}

/** Score thresholds after Lighthouse/Lodestar's ordering (0 > gossip > publish > graylist), scaled to our weights. */
export const SCORE_THRESHOLDS = {
  gossipThreshold: -500,
  publishThreshold: -1000,
  graylistThreshold: -2500,
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 5,
}

/**
 * Per-topic score parameters. ICN topics carry few messages, so mesh-delivery-rate penalties (P3, P3b) are off:
 * a quiet cooperative must not make honest peers look bad. Invalid messages (P4, squared) weigh heavily: five
 * rejected messages take a peer to the graylist.
 */
export const TOPIC_SCORE: Partial<TopicScoreParams> = {
  topicWeight: 1,
  timeInMeshWeight: 0.01,
  timeInMeshQuantum: 1000,
  timeInMeshCap: 3600,
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.5,
  firstMessageDeliveriesCap: 100,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -100,
  invalidMessageDeliveriesDecay: 0.99,
}

export async function createHost(options: HostOptions): Promise<{ host: Host; modules: Libp2pModules }> {
  const m = await loadLibp2p()
  const { limits, penalties } = options
  const privateKey = await loadOrCreatePeerKey(options.dataDir, options.keyFile)
  const peerDiscovery = []
  if (options.mdns)
    peerDiscovery.push(m.mdns.mdns({ serviceTag: '_icn-desktop._udp.local', interval: 10_000 }))
  const dhtService = (): ReturnType<typeof m.kad.kadDHT> =>
    m.kad.kadDHT({
      protocol: DHT_PROTOCOL,
      // Small cooperative networks have no public DHT servers to lean on: every full node serves.
      clientMode: false,
      // The default mapper drops private and loopback addresses, which are exactly how LAN cooperatives (and
      // local nodes) reach each other; unroutable ones are refused by the gater instead.
      peerInfoMapper: m.kad.passthroughMapper,
      validators: { [PEER_RECORD_NAMESPACE]: (key, value) => validatePeerRecordEntry(key, value) },
      selectors: { [PEER_RECORD_NAMESPACE]: (key, records) => selectPeerRecord(key, records) },
      maxInboundStreams: limits.dhtMaxInboundStreams,
      maxOutboundStreams: limits.dhtMaxOutboundStreams,
      allowQueryWithZeroPeers: true,
    })
  const host = await m.libp2p.createLibp2p<HostServices>({
    privateKey,
    start: false,
    addresses: { listen: options.listen },
    transports: [
      m.tcp.tcp({
        inboundSocketInactivityTimeout: limits.socketInactivityTimeout,
        outboundSocketInactivityTimeout: limits.socketInactivityTimeout,
        maxConnections: limits.maxSockets,
      }),
      m.websockets.webSockets(),
    ],
    connectionEncrypters: [m.noise.noise()],
    streamMuxers: [
      m.yamux.yamux({
        maxInboundStreams: limits.maxInboundStreamsPerConnection,
        maxOutboundStreams: limits.maxOutboundStreamsPerConnection,
        streamOptions: {
          initialStreamWindowSize: limits.streamWindowBytes,
          maxStreamWindowSize: limits.streamWindowBytes,
          inactivityTimeout: limits.streamInactivityTimeout,
        },
      }),
    ],
    connectionManager: {
      maxConnections: limits.maxConnections,
      maxIncomingPendingConnections: limits.maxIncomingPendingConnections,
      inboundConnectionThreshold: limits.inboundConnectionThreshold,
      maxParallelDials: limits.maxParallelDials,
      maxDialQueueLength: limits.maxDialQueueLength,
      maxPeerAddrsToDial: limits.maxPeerAddrsToDial,
      dialTimeout: limits.dialTimeout,
      inboundUpgradeTimeout: limits.inboundUpgradeTimeout,
    },
    // The default gater refuses private and loopback addresses, which would break LAN cooperatives (mDNS) and
    // local nodes; ours refuses only unroutable addresses and peers banned for protocol abuse (gater.ts).
    connectionGater: {
      denyDialMultiaddr: (addr) => isUndialable(addr),
      denyDialPeer: (peer) => penalties.isBanned(peer.toString()),
      denyInboundEncryptedConnection: (peer) => penalties.isBanned(peer.toString()),
      denyOutboundEncryptedConnection: (peer) => penalties.isBanned(peer.toString()),
    },
    peerDiscovery,
    services: {
      identify: m.identify.identify(),
      ping: m.ping.ping({ maxInboundStreams: 1, maxOutboundStreams: 1 }),
      ...(options.dht ? { dht: dhtService() } : {}),
      pubsub: m.gossipsub.gossipsub({
        globalSignaturePolicy: 'StrictSign',
        asyncValidation: true,
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        doPX: false,
        fallbackToFloodsub: false,
        // Content-addressed ids: the same event published by two nodes is one message (seen-cache hit).
        msgIdFn: (msg) => sha256Id(msg.topic, msg.data),
        maxInboundDataLength: limits.gossipMaxFrameBytes,
        maxOutboundBufferSize: limits.gossipMaxOutboundBufferBytes,
        maxTopicBytesPerPeer: limits.gossipMaxTopicBytesPerPeer,
        decodeRpcLimits: DECODE_RPC_LIMITS,
        scoreThresholds: SCORE_THRESHOLDS,
        maxInboundStreams: 2,
        maxOutboundStreams: 2,
      }),
    },
  })
  const internals = host.services.pubsub as unknown as Partial<GossipsubInternals>
  if (
    typeof internals.reportMessageValidationResult !== 'function' ||
    typeof internals.getScore !== 'function' ||
    typeof internals.getMeshPeers !== 'function' ||
    typeof internals.score?.params?.topics !== 'object' ||
    !('allowedTopics' in internals)
  ) {
    throw new IcnError(
      'NODE_START_FAILED',
      'This @libp2p/gossipsub version lacks what ICN relies on; reinstall.',
    )
  }
  // Gossipsub copies `allowedTopics` into a Set; ICN topics are a pattern (any cooperative DID), so the set is
  // replaced with a predicate of the same shape before the host starts.
  internals.allowedTopics = { has: (topic: string) => TOPIC_PATTERN.test(topic) }
  return {
    host,
    modules: {
      multiaddr: (text) => m.ma.multiaddr(text),
      peerIdFromString: (text) => m.peerId.peerIdFromString(text),
      createTopicScoreParams: (p) => m.gossipScore.createTopicScoreParams(p),
    },
  }
}

function sha256Id(topic: string, data: Uint8Array | undefined): Uint8Array {
  return new Uint8Array(
    createHash('sha256')
      .update(topic)
      .update('\0')
      .update(data ?? new Uint8Array(0))
      .digest(),
  )
}
