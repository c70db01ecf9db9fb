import { create } from 'zustand'
import type { GovProposal, GovProposalSummary, GovScope } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'

export type ProposalStatusFilter = '' | 'open' | 'closed' | 'passed' | 'failed' | 'void'
export type ProposalTypeFilter =
  '' | 'text' | 'parameter' | 'admit' | 'remove' | 'budget' | 'policy' | 'federation' | 'capability'

export interface GovFilters {
  scope: string
  status: ProposalStatusFilter
  type: ProposalTypeFilter
}

/** My cooperatives, the proposal list (filtered, paged by the node) and the proposal shown in detail. */
export interface GovernanceStore {
  scopes: GovScope[]
  proposals: GovProposalSummary[]
  next: string | null
  /** A page is being fetched for the list (scrolling near its end asks for the next one). */
  loadingMore: boolean
  filters: GovFilters
  detail: GovProposal | null
  /** The proposal on screen: events reload it, and answers for any other are dropped. */
  shown: string | null
  error: ErrorInfo | null
  loadScopes: () => Promise<void>
  /** The first page for the filters; `keep` refreshes it in place in a longer, scrolled list. */
  loadProposals: (options?: { keep?: boolean }) => Promise<void>
  more: () => Promise<void>
  setFilters: (f: Partial<GovFilters>) => Promise<void>
  loadDetail: (id: string) => Promise<void>
  /** Something changed in governance: refresh what is shown (coalesced). */
  onChanged: () => void
}

let timer: ReturnType<typeof setTimeout> | undefined

const query = (f: GovFilters) => ({
  limit: 100,
  ...(f.scope === '' ? {} : { scope: f.scope }),
  ...(f.status === '' ? {} : { status: f.status }),
  ...(f.type === '' ? {} : { type: f.type }),
})

export const useGovernance = create<GovernanceStore>()((set, get) => ({
  scopes: [],
  proposals: [],
  next: null,
  loadingMore: false,
  filters: { scope: '', status: '', type: '' },
  detail: null,
  shown: null,
  error: null,
  async loadScopes() {
    try {
      set({ scopes: await client().call('gov.scopes'), error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  async loadProposals(options = {}) {
    const filters = get().filters
    try {
      const page = await client().call('gov.list', query(filters))
      if (get().filters !== filters) return // a newer filter's answer wins
      const loaded = get().proposals
      if (options.keep === true && loaded.length > page.proposals.length) {
        // A long list that was scrolled: refresh the newest page in place and keep the rest (and the scroll).
        const fresh = new Map(page.proposals.map((p) => [p.id, p]))
        const kept = loaded.map((p) => fresh.get(p.id) ?? p)
        const known = new Set(loaded.map((p) => p.id))
        set({ proposals: [...page.proposals.filter((p) => !known.has(p.id)), ...kept], error: null })
        return
      }
      set({ proposals: page.proposals, next: page.next, error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  async more() {
    const { next, filters, loadingMore } = get()
    if (next === null || loadingMore) return
    set({ loadingMore: true })
    try {
      const page = await client().call('gov.list', { ...query(filters), limit: 500, cursor: next })
      // A filter change while the page was on its way: that page belongs to the old list.
      if (get().filters !== filters) return
      set({ proposals: [...get().proposals, ...page.proposals], next: page.next, error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    } finally {
      set({ loadingMore: false })
    }
  },
  async setFilters(f) {
    set({ filters: { ...get().filters, ...f } })
    await get().loadProposals()
  },
  async loadDetail(id) {
    set({ shown: id })
    try {
      const detail = await client().call('gov.get', { proposal: id })
      if (get().shown === id) set({ detail, error: null })
    } catch (err) {
      if (get().shown === id) set({ detail: null, error: errorInfo(err) })
    }
  },
  onChanged() {
    if (timer !== undefined) return
    timer = setTimeout(() => {
      timer = undefined
      const { shown } = get()
      void get().loadScopes()
      void get().loadProposals({ keep: true })
      if (shown !== null) void get().loadDetail(shown)
    }, 150)
  },
}))

/** A voting period typed in seconds, as milliseconds; null unless a whole number from 1 s to 90 days. */
export function parsePeriodSeconds(text: string): number | null {
  const t = text.trim()
  if (!/^\d{1,7}$/.test(t)) return null
  const s = Number(t)
  return s >= 1 && s <= 90 * 86400 ? s * 1000 : null
}

/** The invite code in an `icn://invite/<code>` link (or the bare code); null when it is not one. */
export function inviteCode(text: string): string | null {
  const m = /^(?:icn:\/\/invite\/)?([A-Za-z0-9_-]{8,2048})$/.exec(text.trim())
  return m === null ? null : (m[1] as string)
}
