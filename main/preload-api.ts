/**
 * What the preload script puts on `window.icn` (checklist #20): exactly two functions, `invoke` and `on`.
 * `ipcRenderer` never crosses the bridge, the channel names are fixed here, and an event listener receives
 * only (event name, payload) — never Electron's IpcRendererEvent with its `sender`.
 */
import { EVENT_CHANNEL, INVOKE_CHANNEL, type EventMessage } from '../app/ipc/channels'

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

export interface PreloadApi {
  /** Calls a contract method; resolves with the Reply ({ok, value} | {ok, error}). */
  invoke(method: string, params?: unknown, id?: number | string): Promise<unknown>
  /** Subscribes to contract events; returns the unsubscribe function. */
  on(listener: (event: string, payload: unknown) => void): () => void
}

export function createPreloadApi(ipc: IpcRendererLike): PreloadApi {
  return Object.freeze({
    invoke(method: string, params?: unknown, id?: number | string): Promise<unknown> {
      return ipc.invoke(INVOKE_CHANNEL, id === undefined ? { method, params } : { method, params, id })
    },
    on(listener: (event: string, payload: unknown) => void): () => void {
      if (typeof listener !== 'function') throw new TypeError('on(listener) needs a function')
      const wrapped = (_event: unknown, message: unknown): void => {
        const m = message as Partial<EventMessage> | null
        if (typeof m !== 'object' || m === null || typeof m.event !== 'string') return
        listener(m.event, m.payload)
      }
      ipc.on(EVENT_CHANNEL, wrapped)
      return () => {
        ipc.removeListener(EVENT_CHANNEL, wrapped)
      }
    },
  })
}
