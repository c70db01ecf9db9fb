import { create } from 'zustand'
import type { EventSummary } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'

export const PAGE_SIZE = 20

/** The DAG explorer's recent-events list, paged backwards by the node's `order` cursor. */
export interface EventsStore {
  events: EventSummary[]
  /** Cursor of the page shown (undefined = the newest page). */
  before: number | undefined
  /** Cursors of newer pages, to go back. */
  newer: (number | undefined)[]
  next: number | null
  loading: boolean
  error: ErrorInfo | null
  /** Events applied since the newest page was loaded while another page is shown. */
  unseen: number
  load: (before?: number) => Promise<void>
  older: () => Promise<void>
  newerPage: () => Promise<void>
  onApplied: () => void
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined

export const useEvents = create<EventsStore>()((set, get) => ({
  events: [],
  before: undefined,
  newer: [],
  next: null,
  loading: false,
  error: null,
  unseen: 0,
  async load(before) {
    set({ loading: true })
    try {
      const page = await client().call(
        'events.list',
        before === undefined ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, before },
      )
      set({
        events: page.events,
        next: page.next,
        before,
        loading: false,
        error: null,
        ...(before === undefined ? { unseen: 0 } : {}),
      })
    } catch (err) {
      set({ loading: false, error: errorInfo(err) })
    }
  },
  async older() {
    const { next, before, newer } = get()
    if (next === null) return
    set({ newer: [...newer, before] })
    await get().load(next)
  },
  async newerPage() {
    const newer = [...get().newer]
    if (newer.length === 0) return
    const previous = newer.pop()
    set({ newer })
    await get().load(previous)
  },
  onApplied() {
    // The newest page follows live (debounced); older pages only count what they miss.
    if (get().before !== undefined) {
      set({ unseen: get().unseen + 1 })
      return
    }
    if (refreshTimer !== undefined) return
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined
      if (get().before === undefined) void get().load(undefined)
    }, 300)
  },
}))
