import { create } from 'zustand'
import type { ExecutorStatsInfo, MeshDisputeInfo, MeshJobDetail, MeshJobSummary } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'

/** My jobs (submitted and executed), the job shown in detail, and this node's contributor stats. */
export interface JobsStore {
  jobs: MeshJobSummary[]
  detail: MeshJobDetail | null
  /** Disputes of the job on screen (at most one per job), with their verdicts. */
  disputes: MeshDisputeInfo[]
  /** The job on screen: answers for any other are dropped. */
  shown: string | null
  stats: ExecutorStatsInfo | null
  error: ErrorInfo | null
  loadList: () => Promise<void>
  loadDetail: (job: string) => Promise<void>
  loadStats: () => Promise<void>
  /** A job or one of its disputes changed somewhere: refresh what is on screen (coalesced). */
  onJobUpdated: (job: string) => void
}

let timer: ReturnType<typeof setTimeout> | undefined

export const useJobs = create<JobsStore>()((set, get) => ({
  jobs: [],
  detail: null,
  disputes: [],
  shown: null,
  stats: null,
  error: null,
  async loadList() {
    try {
      const { jobs } = await client().call('mesh.list', { role: 'all', limit: 100 })
      set({ jobs, error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  async loadDetail(job) {
    set({ shown: job })
    try {
      const [detail, { disputes }] = await Promise.all([
        client().call('mesh.get', { job }),
        client().call('mesh.disputes', { job }),
      ])
      if (get().shown === job) set({ detail, disputes, error: null })
    } catch (err) {
      if (get().shown === job) set({ detail: null, disputes: [], error: errorInfo(err) })
    }
  },
  async loadStats() {
    try {
      set({ stats: await client().call('executor.stats'), error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  onJobUpdated(_job) {
    if (timer !== undefined) return
    timer = setTimeout(() => {
      timer = undefined
      const { shown, stats } = get()
      void get().loadList()
      if (shown !== null) void get().loadDetail(shown)
      if (stats !== null) void get().loadStats()
    }, 150)
  },
}))

/** Arguments as typed, one per line (blank lines dropped). */
export function parseArgs(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
}
