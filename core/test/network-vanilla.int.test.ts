// Node 20 lacks Promise.withResolvers and a global WebSocket, which libp2p needs: set up the runtime first.
import '../network/polyfills'
import { createHash, randomBytes } from 'node:crypto'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import * as dagCbor from '@ipld/dag-cbor'
import * as lp from 'it-length-prefixed'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestNode } from './helpers'
import { capturingLogger, startNetNode, tcpAddr, waitFor, waitForMesh } from './network-helpers'

/**
 * A peer built from stock js-libp2p packages only: it knows the topic and protocol names and the wire formats
 * (dag-cbor, length-prefixed frames), nothing of ICN's code.
 */
const TOPIC = '/icn/global/events/1'
const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest())
const dagCborCid = (bytes: Uint8Array): CID => CID.createV1(0x71, Digest.create(0x12, sha256(bytes)))

describe('a vanilla js-libp2p peer', () => {
  let vanilla: Libp2p<{ identify: unknown; pubsub: GossipSub }>
  const nodes: TestNode[] = []
  const log = capturingLogger()
  const rejected: { node: number; code: string; from?: string; cid?: string }[] = []
  const [p1, p2] = [() => nodes[0]!, () => nodes[1]!]

  beforeAll(async () => {
    nodes.push(await startNetNode({ logger: log.logger }), await startNetNode())
    nodes.forEach((n, i) =>
      n.node.events.on('dag:event-rejected', (e) => rejected.push({ node: i + 1, ...e })),
    )
    await p2().node.network.connect(tcpAddr(p1()))
    vanilla = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      services: { identify: identify(), pubsub: gossipsub({ globalSignaturePolicy: 'StrictSign' }) },
    })
    await vanilla.dial(multiaddr(tcpAddr(p1())))
    vanilla.services.pubsub.subscribe(TOPIC)
    await waitForMesh(p1(), 2)
    await waitForMesh(p2(), 1)
    await waitFor('p1 to be a subscriber', () =>
      vanilla.services.pubsub.getSubscribers(TOPIC).some((p) => p.toString() === p1().node.network.peerId()),
    )
  })

  afterAll(async () => {
    await vanilla.stop()
    await Promise.all(nodes.map((n) => n.destroy()))
  })

  it('publishes a forged event (a fork of p2 with a made-up signature): rejected, not forwarded, scored down', async () => {
    const forged = dagCbor.encode({
      v: 1,
      type: 'note',
      author: p2().node.identity.did(),
      seq: 1,
      prev: null,
      ts: Date.now(),
      scope: 'global',
      body: { text: 'p2 never wrote this', refs: [] },
      sig: new Uint8Array(randomBytes(64)),
    })
    const cid = dagCborCid(forged).toString()
    await vanilla.services.pubsub.publish(TOPIC, forged)
    const vanillaId = vanilla.peerId.toString()
    await waitFor('p1 to reject it', () => rejected.length > 0)
    // Refused at the signature check, before it even has an id in the DAG.
    expect(rejected).toEqual([
      { node: 1, code: 'DAG_BAD_SIGNATURE', reason: expect.any(String), from: vanillaId },
    ])
    expect(await p1().node.dag.getSummary(cid)).toBeUndefined()
    expect(await p1().node.dag.view().flagged(p2().node.identity.did())).toBeUndefined()
    expect(await p2().node.dag.view().flagged(p2().node.identity.did())).toBeUndefined()
    // Logged with the peer id, and the sender's gossip score went negative.
    expect(log.lines).toContainEqual(
      expect.objectContaining({ msg: 'peer broke the protocol', peer: vanillaId }),
    )
    await waitFor('the score to drop', async () => {
      const peer = (await p1().node.network.peers()).find((p) => p.peerId === vanillaId)
      return peer !== undefined && peer.score < 0
    })
  })

  it('publishes oversized messages: neither applied nor forwarded', async () => {
    // Over the 64 KiB event limit but under the gossip frame limit: the DAG refuses it, the peer is scored down.
    const big = new Uint8Array(100 * 1024).fill(7)
    await vanilla.services.pubsub.publish(TOPIC, big)
    await waitFor('p1 to reject the 100 KiB message', () => rejected.some((r) => r.code === 'DAG_TOO_LARGE'))
    // Over the gossip frame limit: p1 drops the frame unread and resets the peer's gossip stream.
    const huge = new Uint8Array(300 * 1024).fill(9)
    await vanilla.services.pubsub.publish(TOPIC, huge).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 500))
    expect(rejected.map((r) => r.code)).toEqual(['DAG_BAD_SIGNATURE', 'DAG_TOO_LARGE'])
    expect(rejected.every((r) => r.node === 1)).toBe(true)
    // Nothing of the peer's reached either database, so nothing could have been forwarded as valid.
    expect((await p1().node.dag.stats()).events).toBe(0)
    expect((await p2().node.dag.stats()).events).toBe(0)
  })

  it('leaves the project nodes healthy: gossip between them still works and their API answers', async () => {
    const arrived = new Promise<string>((resolve) =>
      p1().node.events.on('dag:event-applied', (e) => {
        if (!e.local) resolve(e.cid)
      }),
    )
    const event = await p2().node.dag.append({
      type: 'note',
      scope: 'global',
      body: { text: 'still here', refs: [] },
    })
    expect(await arrived).toBe(event.id)
    expect(await p1().node.dag.stateRoot()).toBe(await p2().node.dag.stateRoot())
    expect(p1().node.network.status().running).toBe(true)
    expect((await p1().node.network.peers()).map((p) => p.peerId)).toContain(p2().node.network.peerId())
  })

  it('fetches blocks over /icn/blocks/1.0.0 and verifies each against its CID', async () => {
    const content = new TextEncoder().encode('a raw block on p1')
    const raw = await p1().node.dag.blocks.put(content)
    const [eventId] = (await p1().node.dag.listEvents({ limit: 1 })).events.map((e) => e.id)
    const absent = CID.createV1(
      0x55,
      Digest.create(0x12, sha256(new TextEncoder().encode('nobody has this'))),
    )
    const want = [CID.parse(raw.toString()), CID.parse(eventId!), absent]

    const stream = await vanilla.dialProtocol(multiaddr(tcpAddr(p1())), '/icn/blocks/1.0.0')
    stream.send(lp.encode.single(dagCbor.encode({ want })).subarray())
    await stream.close()
    const replies: { cid: CID; data?: Uint8Array }[] = []
    for await (const frame of lp.decode(stream as unknown as AsyncIterable<Uint8Array>))
      replies.push(dagCbor.decode(frame.subarray()))

    expect(replies.map((r) => r.cid.toString())).toEqual(want.map((c) => c.toString()))
    for (const [i, reply] of replies.slice(0, 2).entries()) {
      expect(sha256(reply.data!)).toEqual(want[i]!.multihash.digest)
    }
    expect(new TextDecoder().decode(replies[0]!.data)).toBe('a raw block on p1')
    expect(replies[2]!.data).toBeUndefined()
  })
})
