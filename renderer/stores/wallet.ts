import { create } from 'zustand'
import type { WalletBalance, WalletHistoryEntry, WalletHistoryKind } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { coalesce } from '../lib/coalesce'

export const HISTORY_PAGE = 25

/** The member's mana in the global economy: balance, history (filtered, paged) and sending. */
export interface WalletStore {
  balance: WalletBalance | null
  /**
   * Mana given to the member that its node has not acknowledged yet (in the balance's economy): it becomes
   * available when the node's next receive lands, at once on a quiet node and within a second under a stream.
   */
  incoming: { amount: string; count: number }
  entries: WalletHistoryEntry[]
  /** Cursor of the next, older page; null at the end. */
  next: string | null
  kind: WalletHistoryKind | ''
  error: ErrorInfo | null
  loading: boolean
  refresh: () => Promise<void>
  setKind: (kind: WalletHistoryKind | '') => Promise<void>
  more: () => Promise<void>
  /** Coalesces bursts of wallet events into one refresh. */
  scheduleRefresh: () => void
  /** A `wallet:credit` event: refreshes when the value is for this member. */
  onCredit: (credit: { to: string }) => void
}

export const useWallet = create<WalletStore>()((set, get) => ({
  balance: null,
  incoming: { amount: '0', count: 0 },
  entries: [],
  next: null,
  kind: '',
  error: null,
  loading: false,
  async refresh() {
    set({ loading: true })
    try {
      const { kind } = get()
      const [balance, history, pending] = await Promise.all([
        client().call('wallet.balance', {}),
        client().call('wallet.history', { limit: HISTORY_PAGE, ...(kind === '' ? {} : { kind }) }),
        client().call('wallet.pending', { limit: 1000 }),
      ])
      const mine = pending.credits.filter((c) => c.asset === 'mana' && c.economy === balance.economy)
      const incoming = {
        amount: mine.reduce((sum, c) => sum + BigInt(c.amount), 0n).toString(),
        count: mine.length,
      }
      set({ balance, incoming, entries: history.entries, next: history.next, error: null, loading: false })
    } catch (err) {
      set({ error: errorInfo(err), loading: false })
    }
  },
  async setKind(kind) {
    set({ kind, entries: [], next: null })
    await get().refresh()
  },
  async more() {
    const { next, kind, entries } = get()
    if (next === null) return
    try {
      const page = await client().call('wallet.history', {
        limit: HISTORY_PAGE,
        cursor: next,
        ...(kind === '' ? {} : { kind }),
      })
      set({ entries: [...entries, ...page.entries], next: page.next, error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  scheduleRefresh: coalesce(() => void get().refresh(), 150),
  onCredit(credit) {
    const { balance, scheduleRefresh } = get()
    if (balance !== null && credit.to === balance.did) scheduleRefresh()
  },
}))

/** Every page of the history as one CSV (RFC 4180, from the node), for the export button. */
export async function exportHistoryCsv(kind: WalletHistoryKind | ''): Promise<string> {
  let csv = ''
  let cursor: string | undefined
  for (let pages = 0; pages < 1000; pages++) {
    const page = await client().call('wallet.history', {
      limit: 10_000,
      format: 'csv',
      ...(kind === '' ? {} : { kind }),
      ...(cursor === undefined ? {} : { cursor }),
    })
    csv += page.csv ?? ''
    if (page.next === null) break
    cursor = page.next
  }
  return csv
}

/** Integer base units as a string, or null when the text is not a whole positive amount. */
export function parseManaAmount(text: string): string | null {
  const t = text.trim()
  if (!/^\d{1,19}$/.test(t)) return null
  const n = BigInt(t)
  return n > 0n ? n.toString() : null
}
