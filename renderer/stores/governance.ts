import { create } from 'zustand'
import type { GovProposal, GovProposalSummary, GovScope } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'

export type ProposalStatusFilter = '' | 'open' | 'closed' | 'passed' | 'failed' | 'void'
export type ProposalTypeFilter =
  '' | 'text' | 'parameter' | 'admit' | 'remove' | 'budget' | 'policy' | 'federation'

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
  filters: GovFilters
  detail: GovProposal | null
  /** The proposal on screen: events reload it, and answers for any other are dropped. */
  shown: string | null
  error: ErrorInfo | null
  loadScopes: () => Promise<void>
  loadProposals: () => Promise<void>
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
  async loadProposals() {
    try {
      const page = await client().call('gov.list', query(get().filters))
      set({ proposals: page.proposals, next: page.next, error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  async more() {
    const { next, filters, proposals } = get()
    if (next === null) return
    try {
      const page = await client().call('gov.list', { ...query(filters), cursor: next })
      set({ proposals: [...proposals, ...page.proposals], next: page.next, error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
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
      void get().loadProposals()
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
