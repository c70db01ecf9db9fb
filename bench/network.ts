// libp2p needs these on Node 20 before it loads (the baseline below imports it directly).
import '../core/network/polyfills'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import type { VerifiedEvent } from '../core/dag'
import { tempDir, type TestNode } from '../core/test/helpers'
import { note, testAuthor } from '../core/test/events'
import { startNetNode, tcpAddr, waitFor, waitForMesh } from '../core/test/network-helpers'
import { createClient, httpTransport } from '../app/client'
import { readApiFile } from '../app/daemon'
import { startDaemonProcess } from '../app/test/cli-process'
import { atLeast, atMost, percentile, round, type BenchSuite, type Figure } from './harness'

const LINE = 5
const SAMPLES = 200
const CATCH_UP_EVENTS = 10_000
const TOPIC = '/icn/global/events/1'

/** ICN nodes in a line: ms from publishing (dag:event-created) at one end to applied at the other. */
async function icnPropagation(): Promise<{ samples: number[]; bytes: number }> {
  const nodes: TestNode[] = []
  try {
    for (let i = 0; i < LINE; i++) nodes.push(await startNetNode({ network: { dht: false } }))
    for (let i = 0; i < LINE - 1; i++) await nodes[i + 1]!.node.network.connect(tcpAddr(nodes[i]!))
    for (const [i, n] of nodes.entries()) await waitForMesh(n, i === 0 || i === LINE - 1 ? 1 : 2)
    const first = nodes[0]!.node
    const last = nodes[LINE - 1]!.node
    const published = new Map<string, number>()
    const arrived = new Map<string, number>()
    first.events.on('dag:event-created', (e) => published.set(e.cid, performance.now()))
    last.events.on('dag:event-applied', (e) => arrived.set(e.cid, performance.now()))
    const samples: number[] = []
    let bytes = 0
    for (let i = 0; i < SAMPLES + 10; i++) {
      const event = await first.dag.append({
        type: 'note',
        scope: 'global',
        body: note(`propagation sample ${i}`),
      })
      bytes = event.bytes.length
      await waitFor('the far end', () => arrived.has(event.id), 10_000, 1)
      // The first few warm up JIT, connections and the gossip mesh.
      if (i >= 10) samples.push((arrived.get(event.id) as number) - (published.get(event.id) as number))
    }
    return { samples, bytes }
  } finally {
    await Promise.all(nodes.map((n) => n.destroy()))
  }
}

/** The baseline: stock gossipsub, same line, same payload size, no validation at all. */
async function bareGossipsub(payloadBytes: number): Promise<number[]> {
  const nodes: Libp2p<{ identify: unknown; pubsub: GossipSub }>[] = []
  try {
    for (let i = 0; i < LINE; i++) {
      nodes.push(
        await createLibp2p({
          addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
          transports: [tcp()],
          connectionEncrypters: [noise()],
          streamMuxers: [yamux()],
          connectionGater: { denyDialMultiaddr: () => false },
          services: { identify: identify(), pubsub: gossipsub({ globalSignaturePolicy: 'StrictSign' }) },
        }),
      )
    }
    for (let i = 0; i < LINE - 1; i++) await nodes[i + 1]!.dial(nodes[i]!.getMultiaddrs()[0]!)
    for (const n of nodes) n.services.pubsub.subscribe(TOPIC)
    await waitFor('the baseline mesh', () =>
      nodes.every(
        (n, i) => n.services.pubsub.getSubscribers(TOPIC).length === (i === 0 || i === LINE - 1 ? 1 : 2),
      ),
    )
    await new Promise((r) => setTimeout(r, 1500)) // heartbeats graft the mesh
    const arrived = new Map<number, number>()
    nodes[LINE - 1]!.services.pubsub.addEventListener('message', (evt) => {
      arrived.set(
        new DataView(evt.detail.data.buffer, evt.detail.data.byteOffset).getUint32(0),
        performance.now(),
      )
    })
    const samples: number[] = []
    for (let i = 0; i < SAMPLES + 10; i++) {
      const data = new Uint8Array(payloadBytes)
      new DataView(data.buffer).setUint32(0, i)
      const sent = performance.now()
      await nodes[0]!.services.pubsub.publish(TOPIC, data)
      await waitFor('the far end', () => arrived.has(i), 10_000, 1)
      if (i >= 10) samples.push((arrived.get(i) as number) - sent)
    }
    return samples
  } finally {
    await Promise.all(nodes.map(async (n) => n.stop()))
  }
}

/**
 * A node that missed 10,000 events connects to one that has them: events per second from the connect until it
 * holds them all with the same state root. The serving node is a real daemon process (as it would be on
 * another machine), so its work does not share a thread with the catching-up node.
 */
async function catchUpRate(): Promise<{ rate: number; seconds: number; ingestRate: number }> {
  const authors = Array.from({ length: 20 }, () => testAuthor(undefined, Date.now() - 3_600_000))
  const events: VerifiedEvent[] = []
  for (let i = 0; i < CATCH_UP_EVENTS; i++)
    events.push(authors[i % authors.length]!.next('note', note(`missed ${i}`)))
  const fullDir = await tempDir('icn-bench-full-')
  const seed = await startNetNode({ dir: fullDir, network: { enabled: false } })
  await Promise.all(events.map((e) => seed.node.dag.ingest(e.bytes)))
  const expectedRoot = await seed.node.dag.stateRoot()
  await seed.node.stop()
  const daemon = await startDaemonProcess(fullDir.path, ['--p2p-host', '127.0.0.1', '--no-mdns'])
  const fresh = await startNetNode({ network: { dht: false } })
  const { api, token } = await readApiFile(fullDir.path)
  const client = createClient(httpTransport({ url: api.url, token, reconnect: false }))
  try {
    let addr: string | undefined
    await waitFor('the daemon to listen', async () => {
      addr = (await client.call('node.status')).listenAddrs.find((a) => !a.includes('/ws'))
      return addr !== undefined
    })
    const started = performance.now()
    await fresh.node.network.connect(addr as string)
    await waitFor(
      'the fresh node to catch up',
      async () => (await fresh.node.dag.stats()).events === CATCH_UP_EVENTS,
      120_000,
      5,
    )
    const seconds = (performance.now() - started) / 1000
    if ((await fresh.node.dag.stateRoot()) !== expectedRoot)
      throw new Error('the state roots differ after catching up')
    // What the DAG alone does with the same events here, now: the ceiling any sync can reach in this process.
    const bare = await startNetNode({ network: { enabled: false } })
    const ingestStarted = performance.now()
    await Promise.all(events.map((e) => bare.node.dag.ingest(e.bytes)))
    const ingestRate = CATCH_UP_EVENTS / ((performance.now() - ingestStarted) / 1000)
    await bare.destroy()
    return { rate: CATCH_UP_EVENTS / seconds, seconds, ingestRate }
  } finally {
    client.close()
    await fresh.destroy()
    await daemon.stop()
    await fullDir.cleanup()
  }
}

export const networkBench: BenchSuite = {
  name: 'Network: gossip propagation, sync catch-up',
  async run(): Promise<Figure[]> {
    const icn = await icnPropagation()
    const bare = await bareGossipsub(icn.bytes)
    const catchUp = await catchUpRate()
    const p50 = percentile(icn.samples, 50)
    const p95 = percentile(icn.samples, 95)
    return [
      {
        name: `event propagation across ${LINE} nodes in a line, p50 (validated and applied at every hop)`,
        value: round(p50, 1),
        unit: 'ms',
        target: '< 25',
        pass: atMost(p50, 25),
        baseline: {
          name: 'bare gossipsub, same line, no validation, p50',
          value: round(percentile(bare, 50), 1),
          unit: 'ms',
        },
      },
      {
        name: `event propagation across ${LINE} nodes in a line, p95`,
        value: round(p95, 1),
        unit: 'ms',
        target: 'informational',
        baseline: { name: 'bare gossipsub p95', value: round(percentile(bare, 95), 1), unit: 'ms' },
      },
      {
        name: `sync catch-up of a node that missed ${CATCH_UP_EVENTS} events (20 authors; the peer is a daemon process), connect to same state root`,
        value: round(catchUp.rate, 0),
        unit: 'events/s',
        target: '≥ 2000',
        pass: atLeast(catchUp.rate, 2000),
        baseline: {
          name: 'dag.ingest of the same events without any network, same process',
          value: round(catchUp.ingestRate, 0),
          unit: 'events/s',
        },
      },
    ]
  },
}
