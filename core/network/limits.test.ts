import { describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { ERROR_CODES, IcnError } from '../errors'
import { MAX_EVENT_BYTES } from '../dag'
import { DEFAULT_LIMITS, bufferedMemoryBound } from './limits'
import { PeerPenalties, isUndialable } from './gater'
import { eventsTopic, meshTopic, parseTopic } from './topics'
import { gossipVerdictFor } from './network'

const MiB = 1024 * 1024

describe('resource limits', () => {
  it('bound what peers can make a desktop node buffer (LIMITS.md formula ≤ 256 MiB)', () => {
    const bound = bufferedMemoryBound(DEFAULT_LIMITS)
    expect(bound.muxerBytes).toBeLessThanOrEqual(256 * MiB)
    // Partial frames of our protocols and gossip are small next to the muxer windows.
    expect(bound.frameBytes).toBeLessThanOrEqual(32 * MiB)
    expect(bound.totalBytes).toBe(bound.muxerBytes + bound.frameBytes + bound.dhtFrameBytes)
  })

  it('leave room in the per-connection stream caps for every protocol a peer may use at once', () => {
    const inbound =
      DEFAULT_LIMITS.blocksMaxInboundStreams +
      DEFAULT_LIMITS.syncMaxInboundStreams +
      DEFAULT_LIMITS.dhtMaxInboundStreams +
      2 /* gossipsub */ +
      1 /* identify */ +
      1 /* ping */
    expect(inbound).toBeLessThanOrEqual(DEFAULT_LIMITS.maxInboundStreamsPerConnection)
    const outbound =
      DEFAULT_LIMITS.blocksMaxOutboundStreams +
      1 /* sync */ +
      DEFAULT_LIMITS.dhtMaxOutboundStreams +
      2 +
      1 +
      1
    expect(outbound).toBeLessThanOrEqual(DEFAULT_LIMITS.maxOutboundStreamsPerConnection)
  })

  it('let any valid event through gossip and refuse frames far larger than one', () => {
    expect(DEFAULT_LIMITS.gossipMaxFrameBytes).toBeGreaterThan(MAX_EVENT_BYTES)
    expect(DEFAULT_LIMITS.gossipMaxFrameBytes).toBeLessThanOrEqual(4 * MAX_EVENT_BYTES)
  })
})

describe('peer penalties', () => {
  it('ban a peer after repeated violations, for a while', () => {
    let now = 0
    const p = new PeerPenalties(3, 1000, 100, () => now)
    expect(p.violation('a')).toBe(false)
    expect(p.violation('a')).toBe(false)
    expect(p.isBanned('a')).toBe(false)
    expect(p.violation('a')).toBe(true)
    expect(p.isBanned('a')).toBe(true)
    now = 1001
    expect(p.isBanned('a')).toBe(false)
  })

  it('keep a disconnected peer away for the cool-off unless the member connects to it again', () => {
    let now = 0
    const p = new PeerPenalties(3, 1000, 100, () => now)
    p.ban('b', 60_000)
    now = 30_000
    expect(p.isBanned('b')).toBe(true)
    p.unban('b')
    expect(p.isBanned('b')).toBe(false)
  })

  it('stay bounded however many identities misbehave', () => {
    const p = new PeerPenalties(1, 60_000, 50)
    for (let i = 0; i < 10_000; i++) p.violation(`peer-${i}`)
    expect(p.bannedCount).toBeLessThanOrEqual(50)
    expect(p.isBanned('peer-9999')).toBe(true)
  })
})

describe('connection gater', () => {
  it('dials loopback and LAN addresses (local cooperatives) but never unspecified or multicast ones', () => {
    for (const ok of [
      '/ip4/127.0.0.1/tcp/4001',
      '/ip4/192.168.1.20/tcp/4001',
      '/ip4/10.0.0.2/tcp/1/ws',
      '/ip6/::1/tcp/4001',
    ])
      expect(isUndialable(multiaddr(ok)), ok).toBe(false)
    for (const bad of [
      '/ip4/0.0.0.0/tcp/4001',
      '/ip4/224.0.0.251/tcp/5353',
      '/ip4/255.255.255.255/tcp/1',
      '/ip6/::/tcp/1',
      '/ip6/ff02::1/tcp/1',
    ])
      expect(isUndialable(multiaddr(bad)), bad).toBe(true)
  })
})

describe('topics', () => {
  it('name the events and mesh topics of global and cooperative scopes, and nothing else', () => {
    const coop = 'did:icn:bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqmqqme5yje'
    expect(parseTopic(eventsTopic('global'))).toEqual({ scope: 'global', kind: 'events' })
    expect(parseTopic(meshTopic(coop))).toEqual({ scope: coop, kind: 'mesh' })
    for (const bad of [
      '/icn/global/events/2',
      '/icn/anything/events/1',
      '/icn/global/chat/1',
      'global',
      '/icn/did:icn:B/mesh/1',
    ])
      expect(parseTopic(bad), bad).toBeUndefined()
  })
})

describe('gossip verdicts', () => {
  it('reject every invalid event, ignore what an honest forwarder can cause, never throw', () => {
    const ignored = new Set(['DAG_UNKNOWN_TYPE', 'DAG_BAD_TIMESTAMP', 'DAG_AUTHOR_FLAGGED'])
    for (const code of ERROR_CODES.dag) {
      expect(gossipVerdictFor(new IcnError(code, 'x')), code).toBe(ignored.has(code) ? 'ignore' : 'reject')
    }
    expect(gossipVerdictFor(new IcnError('STORAGE_CLOSED', 'x'))).toBe('ignore')
    expect(gossipVerdictFor(new IcnError('NODE_NOT_RUNNING', 'x'))).toBe('ignore')
    expect(gossipVerdictFor(new Error('boom'))).toBe('ignore')
    expect(gossipVerdictFor(undefined)).toBe('ignore')
  })
})
