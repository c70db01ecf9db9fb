import { create } from 'zustand'
import type { ErrorInfo as ContractError, NodeStatus, NodeStatusName } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { coalesce } from '../lib/coalesce'

export interface NodeStore {
  status: NodeStatus | null
  /** The latest lifecycle state: from node.status, then from 'node:status' events. */
  lifecycle: NodeStatusName | null
  lifecycleError: ContractError | null
  error: ErrorInfo | null
  refresh: () => Promise<void>
  /** Coalesces bursts of events into one refresh. */
  scheduleRefresh: () => void
  onStatusEvent: (payload: { status: NodeStatusName; error?: ContractError }) => void
  reset: () => void
}

export const useNode = create<NodeStore>()((set, get) => ({
  status: null,
  lifecycle: null,
  lifecycleError: null,
  error: null,
  async refresh() {
    try {
      const status = await client().call('node.status')
      set({ status, lifecycle: status.status, error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  scheduleRefresh: coalesce(() => void get().refresh(), 250),
  onStatusEvent(payload) {
    set({ lifecycle: payload.status, lifecycleError: payload.error ?? null })
  },
  reset() {
    set({ status: null, lifecycle: null, lifecycleError: null, error: null })
  },
}))
