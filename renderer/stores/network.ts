import { create } from 'zustand'
import type { NetworkPeer, NetworkStatusInfo } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { coalesce } from '../lib/coalesce'

/** One replication run with a peer as `network:sync-progress` reports it. */
export interface SyncProgress {
  peerId: string
  phase: 'heads' | 'events' | 'evidence' | 'done' | 'failed'
  done: number
  total: number
  at: number
}

/** The Network screen and the dashboard's peer card: this node's libp2p status, its peers and sync runs. */
export interface NetworkStore {
  status: NetworkStatusInfo | null
  peers: NetworkPeer[]
  /** The latest progress per peer, newest first; finished runs stay a while so the member sees them end. */
  progress: SyncProgress[]
  error: ErrorInfo | null
  refresh: () => Promise<void>
  /** Coalesces bursts of peer events into one refresh. */
  scheduleRefresh: () => void
  onSyncProgress: (p: Omit<SyncProgress, 'at'>) => void
  connect: (multiaddr: string) => Promise<{ peerId: string; addr: string }>
  disconnect: (peerId: string) => Promise<void>
  /** Replicates from every connected peer now; resolves when the runs end. */
  syncNow: () => Promise<{ events: number; peers: number; failed: number }>
}

/** How long a finished run stays listed under "Replicating now". */
const KEEP_FINISHED_MS = 10_000

export const useNetwork = create<NetworkStore>()((set, get) => ({
  status: null,
  peers: [],
  progress: [],
  error: null,
  async refresh() {
    try {
      const status = await client().call('network.status')
      set({ status, error: null })
      // Peers exist only while networking runs; asking otherwise would only repeat NETWORK_DISABLED.
      const peers = status.running ? (await client().call('network.peers')).peers : []
      peers.sort((a, b) => a.connectedAt - b.connectedAt || a.peerId.localeCompare(b.peerId))
      set({ peers })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  scheduleRefresh: coalesce(() => void get().refresh(), 250),
  onSyncProgress(p) {
    const now = Date.now()
    const rest = get().progress.filter(
      (x) =>
        x.peerId !== p.peerId &&
        (x.phase !== 'done' && x.phase !== 'failed' ? true : now - x.at < KEEP_FINISHED_MS),
    )
    set({ progress: [{ ...p, at: now }, ...rest].slice(0, 20) })
    if (p.phase === 'done' || p.phase === 'failed') get().scheduleRefresh()
  },
  async connect(multiaddr) {
    const result = await client().call('network.connect', { multiaddr })
    await get().refresh()
    return result
  },
  async disconnect(peerId) {
    await client().call('network.disconnect', { peerId })
    await get().refresh()
  },
  async syncNow() {
    const { runs } = await client().call('network.sync', {})
    await get().refresh()
    return {
      events: runs.reduce((n, r) => n + r.events, 0),
      peers: runs.length,
      failed: runs.filter((r) => r.error !== undefined).length,
    }
  },
}))
