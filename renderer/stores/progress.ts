import { create } from 'zustand'
import type { Progress } from '../../app/contract'

export interface ProgressItem extends Progress {
  key: string
  updatedAt: number
}

export interface ProgressStore {
  items: ProgressItem[]
  update: (progress: Progress, now?: number) => void
  /** Drops finished items after a moment and silent ones after a while. */
  prune: (now?: number) => void
}

const FINISHED_VISIBLE_MS = 1500
const STALE_MS = 60_000

export const useProgress = create<ProgressStore>()((set, get) => ({
  items: [],
  update(progress, now = Date.now()) {
    const key = `${progress.operation}:${progress.requestId ?? ''}`
    const item: ProgressItem = { ...progress, key, updatedAt: now }
    const others = get().items.filter((i) => i.key !== key)
    set({ items: [...others, item].slice(-5) })
  },
  prune(now = Date.now()) {
    const items = get().items.filter((i) => {
      const finished = i.total !== undefined && i.done >= i.total
      return finished ? now - i.updatedAt < FINISHED_VISIBLE_MS : now - i.updatedAt < STALE_MS
    })
    if (items.length !== get().items.length) set({ items })
  },
}))
