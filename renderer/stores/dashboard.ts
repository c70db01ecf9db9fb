import { create } from 'zustand'
import type { GovProposalSummary, MeshJobSummary, WalletBalance } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { coalesce } from '../lib/coalesce'

/** Open proposals checked for "needs my vote" at most (each check is one gov.eligibility call). */
const CHECKED = 20
/** Rows a dashboard card lists. */
const SHOWN = 5

/** The dashboard's cooperative cards: mana, proposals waiting for my vote, my jobs (peers come from useNetwork). */
export interface DashboardStore {
  balance: WalletBalance | null
  balanceError: ErrorInfo | null
  /** Open proposals I can vote on and have not voted on yet (of the newest CHECKED open ones), soonest first. */
  toVote: GovProposalSummary[]
  /** True when more open proposals exist than were checked. */
  moreOpen: boolean
  proposalsError: ErrorInfo | null
  jobs: MeshJobSummary[]
  jobsError: ErrorInfo | null
  loaded: boolean
  /** Whether the dashboard is on screen: events only refresh it then. */
  active: boolean
  setActive: (active: boolean) => void
  refresh: () => Promise<void>
  scheduleRefresh: () => void
}

async function loadToVote(): Promise<{ toVote: GovProposalSummary[]; moreOpen: boolean }> {
  const page = await client().call('gov.list', { status: 'open', limit: CHECKED })
  const checks = await Promise.all(
    page.proposals.map(async (p) => {
      const e = await client().call('gov.eligibility', { proposal: p.id })
      return e.canVote && e.vote === null ? p : null
    }),
  )
  const toVote = checks.filter((p): p is GovProposalSummary => p !== null)
  toVote.sort((a, b) => a.deadline - b.deadline)
  return { toVote, moreOpen: page.next !== null }
}

export const useDashboard = create<DashboardStore>()((set, get) => {
  const refreshSoon = coalesce(() => {
    if (get().active) void get().refresh()
  }, 400)
  return {
    balance: null,
    balanceError: null,
    toVote: [],
    moreOpen: false,
    proposalsError: null,
    jobs: [],
    jobsError: null,
    loaded: false,
    active: false,
    setActive(active) {
      set({ active })
    },
    async refresh() {
      // Each card fails on its own: a node outside any cooperative still shows its mana and jobs.
      const [balance, proposals, jobs] = await Promise.allSettled([
        client().call('wallet.balance', {}),
        loadToVote(),
        client().call('mesh.list', { role: 'submitter', limit: SHOWN }),
      ])
      set({
        balance: balance.status === 'fulfilled' ? balance.value : null,
        balanceError: balance.status === 'rejected' ? errorInfo(balance.reason) : null,
        ...(proposals.status === 'fulfilled'
          ? { toVote: proposals.value.toVote, moreOpen: proposals.value.moreOpen, proposalsError: null }
          : { toVote: [], moreOpen: false, proposalsError: errorInfo(proposals.reason) }),
        jobs: jobs.status === 'fulfilled' ? jobs.value.jobs.slice(0, SHOWN) : [],
        jobsError: jobs.status === 'rejected' ? errorInfo(jobs.reason) : null,
        loaded: true,
      })
    },
    scheduleRefresh() {
      if (get().active) refreshSoon()
    },
  }
})

export const DASHBOARD_ROWS = SHOWN
