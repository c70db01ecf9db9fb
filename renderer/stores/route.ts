import { create } from 'zustand'
import { parseRoute, type Route } from '../lib/routes'

export interface RouteStore {
  route: Route
  /** Goes to a path like '/dag/<cid>' (a new history entry). */
  navigate: (path: string) => void
  /** Re-reads location.hash (hashchange). */
  sync: () => void
}

const currentHash = (): string => (typeof location === 'undefined' ? '' : location.hash)

export const useRoute = create<RouteStore>()((set) => ({
  route: parseRoute(currentHash()),
  navigate(path) {
    if (typeof location !== 'undefined') location.hash = path
    set({ route: parseRoute(`#${path}`) })
  },
  sync() {
    set({ route: parseRoute(currentHash()) })
  },
}))
