import { create } from 'zustand'
import type { TokenBalance, TokenClass } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { coalesce } from '../lib/coalesce'

/** The member's tokens: what they hold and the classes they can see (global scope and their cooperatives). */
export interface TokensStore {
  /** Null until the wallet first loads them; the bridge refreshes only what was opened. */
  balances: TokenBalance[] | null
  classes: TokenClass[]
  error: ErrorInfo | null
  refresh: () => Promise<void>
  /** Coalesces bursts of balance events into one refresh. */
  scheduleRefresh: () => void
}

export const useTokens = create<TokensStore>()((set, get) => ({
  balances: null,
  classes: [],
  error: null,
  async refresh() {
    try {
      const [held, listed] = await Promise.all([
        client().call('tokens.balances', {}),
        client().call('tokens.classes', { limit: 1000 }),
      ])
      set({ balances: held.balances, classes: listed.classes, error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  scheduleRefresh: coalesce(() => void get().refresh(), 150),
}))
