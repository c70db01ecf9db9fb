import { create } from 'zustand'
import type { LogLevelName, LogLine } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'

export interface LogsStore {
  lines: LogLine[]
  file: string | null
  dropped: number
  level: LogLevelName
  loading: boolean
  error: ErrorInfo | null
  setLevel: (level: LogLevelName) => void
  load: () => Promise<void>
}

export const useLogs = create<LogsStore>()((set, get) => ({
  lines: [],
  file: null,
  dropped: 0,
  level: 'info',
  loading: false,
  error: null,
  setLevel(level) {
    set({ level })
    void get().load()
  },
  async load() {
    set({ loading: true })
    try {
      const result = await client().call('node.logs', { limit: 500, level: get().level })
      set({ lines: result.lines, file: result.file, dropped: result.dropped, loading: false, error: null })
    } catch (err) {
      set({ loading: false, error: errorInfo(err) })
    }
  },
}))
