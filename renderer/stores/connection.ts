import { create } from 'zustand'

export type Mode = 'electron' | 'browser'
/** 'no-token' and 'unauthorized' only happen in browser mode (the daemon's bearer token). */
export type LinkState = 'connecting' | 'open' | 'closed' | 'no-token' | 'unauthorized'

export interface ConnectionStore {
  mode: Mode | null
  state: LinkState
  /** Where the daemon answers (browser mode); null inside the app. */
  apiOrigin: string | null
  set: (partial: Partial<Pick<ConnectionStore, 'mode' | 'state' | 'apiOrigin'>>) => void
}

export const useConnection = create<ConnectionStore>()((set) => ({
  mode: null,
  state: 'connecting',
  apiOrigin: null,
  set: (partial) => set(partial),
}))
