import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Counts protocol violations per peer and bans repeat offenders for a while. Both maps are bounded: a flood of
 * fresh peer ids (identities are free) cannot grow memory, it only ages out older entries.
 */
export class PeerPenalties {
  private readonly violations = new Map<string, number>()
  private readonly bans = new Map<string, number>()

  constructor(
    private readonly threshold: number,
    private readonly banMs: number,
    private readonly maxEntries = 4096,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one violation; returns true when this one got the peer banned. */
  violation(peerId: string): boolean {
    const count = (this.violations.get(peerId) ?? 0) + 1
    this.violations.delete(peerId)
    if (count >= this.threshold) {
      this.ban(peerId)
      return true
    }
    bounded(this.violations, this.maxEntries).set(peerId, count)
    return false
  }

  /** Keeps a peer away for `ms` (default: the ban time): no dials to it, no connections from it. */
  ban(peerId: string, ms = this.banMs): void {
    this.bans.delete(peerId)
    bounded(this.bans, this.maxEntries).set(peerId, this.now() + ms)
  }

  unban(peerId: string): void {
    this.bans.delete(peerId)
    this.violations.delete(peerId)
  }

  isBanned(peerId: string): boolean {
    const until = this.bans.get(peerId)
    if (until === undefined) return false
    if (until > this.now()) return true
    this.bans.delete(peerId)
    return false
  }

  get bannedCount(): number {
    return this.bans.size
  }
}

function bounded<K, V>(map: Map<K, V>, max: number): Map<K, V> {
  while (map.size >= max) {
    const oldest = map.keys().next()
    if (oldest.done === true) break
    map.delete(oldest.value)
  }
  return map
}

/**
 * Addresses never worth dialling: unspecified, multicast and broadcast. Loopback and private ranges stay
 * dialable on purpose: cooperatives run nodes on one LAN (mDNS) and tests run on 127.0.0.1. The price is that
 * a peer can make us dial LAN addresses it advertises; maxPeerAddrsToDial and the dial timeout bound that.
 */
export function isUndialable(addr: Multiaddr): boolean {
  for (const c of addr.getComponents()) {
    if (c.name === 'ip4' && c.value !== undefined) {
      if (c.value === '0.0.0.0' || c.value === '255.255.255.255') return true
      const first = Number(c.value.split('.')[0])
      if (first >= 224 && first <= 239) return true
    }
    if (c.name === 'ip6' && c.value !== undefined) {
      const v = c.value.toLowerCase()
      if (v === '::' || v.startsWith('ff')) return true
    }
  }
  return false
}
