import { create } from 'zustand'
import type { IdentityStatus } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'

export interface IdentityStore {
  status: IdentityStatus | null
  error: ErrorInfo | null
  refresh: () => Promise<void>
  /** Sets the status from a reply that carries it (identity.confirmBackup). */
  setStatus: (status: IdentityStatus) => void
  lock: () => Promise<void>
}

export const useIdentity = create<IdentityStore>()((set, get) => ({
  status: null,
  error: null,
  async refresh() {
    try {
      set({ status: await client().call('identity.get'), error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  setStatus(status) {
    set({ status })
  },
  async lock() {
    await client().call('identity.lock')
    await get().refresh()
  },
}))
