import type { NetworkPeer, NetworkStatusInfo, SyncRun } from '../contract'
import type { CliContext } from './index'

export function networkCommands({ program, connect, print, progress }: CliContext): void {
  program
    .command('peers')
    .description('connected peers, with the member DID of each when it is known')
    .action(async () => {
      const client = await connect()
      const { peers } = await client.call('network.peers')
      print(peers, () =>
        peers.length === 0 ? 'no peers (icn connect MULTIADDR)' : peers.map(formatPeer).join('\n'),
      )
    })

  program
    .command('connect')
    .description('connect to a peer by multiaddr, e.g. /ip4/192.168.1.20/tcp/4001/p2p/12D3KooW…')
    .argument('<multiaddr>')
    .action(async (multiaddr: string) => {
      const client = await connect()
      const result = await client.call('network.connect', { multiaddr })
      print(result, () => `connected to ${result.peerId} at ${result.addr}`)
    })

  program
    .command('disconnect')
    .description('close the connections to a peer')
    .argument('<peer-id>')
    .action(async (peerId: string) => {
      const client = await connect()
      const result = await client.call('network.disconnect', { peerId })
      print(result, () => `disconnected from ${peerId}`)
    })

  program
    .command('sync')
    .description('replicate events and equivocation evidence from connected peers now')
    .option('--peer <peer-id>', 'only from this peer')
    .action(async (options: { peer?: string }) => {
      const client = await connect()
      const off = client.on('node:progress', progress())
      const result = await client.call(
        'network.sync',
        options.peer === undefined ? {} : { peerId: options.peer },
      )
      off()
      print(result, () =>
        result.runs.length === 0 ? 'no peers to sync with' : result.runs.map(formatRun).join('\n'),
      )
    })

  const networkCmd = program.command('network').description('the peer-to-peer network')
  networkCmd
    .command('status')
    .description('peer id, addresses, connections, gossip topics, DHT and sync state')
    .action(async () => {
      const client = await connect()
      const s = await client.call('network.status')
      print(s, () => formatStatus(s))
    })
}

function formatPeer(p: NetworkPeer): string {
  const rtt = p.rttMs === null ? '' : `  ${p.rttMs} ms`
  return `${p.peerId}  ${p.did ?? '(no DID record)'}  ${p.direction}  ${p.addrs[0] ?? ''}${rtt}  score ${p.score}`
}

function formatRun(r: SyncRun): string {
  const took = `${r.finishedAt - r.startedAt} ms`
  return r.error === undefined
    ? `${r.peerId}: ${r.events} events from ${r.authors} authors in ${took}`
    : `${r.peerId}: failed after ${r.events} events (${r.error.code}: ${r.error.message})`
}

function formatStatus(s: NetworkStatusInfo): string {
  if (!s.enabled) return 'networking is off on this node'
  return [
    `peer id      ${s.peerId ?? '-'}`,
    `listening    ${s.listenAddrs.length > 0 ? s.listenAddrs.join('\n             ') : '-'}`,
    `peers        ${s.peers} (${s.connections} connections, at most ${s.limits.maxConnections})`,
    `scopes       ${s.scopes.join(', ')}`,
    `gossip       ${s.topics.map((t) => `${t.topic} mesh ${t.mesh}/${t.subscribers}`).join('\n             ')}`,
    `dht          ${s.dht.mode ?? 'off'}, ${s.dht.routingTableSize} peers in the routing table`,
    `record       ${s.record === null ? 'none (unlock your identity to publish one)' : `${s.record.did} seq ${s.record.seq}${s.record.published ? ', published' : ', not yet published'}`}`,
    `discovery    mDNS ${s.mdns ? 'on' : 'off'}, ${s.bootstrap.length} bootstrap peers`,
    `last sync    ${s.sync.lastRun === null ? '-' : formatRun(s.sync.lastRun)}${s.sync.active > 0 ? ` (${s.sync.active} running)` : ''}`,
  ].join('\n')
}
