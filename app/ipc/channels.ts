/**
 * The two Electron IPC channels of the app contract (DESIGN §10). The renderer reaches them only through the
 * preload bridge's `invoke` and `on`; nothing else crosses.
 */
export const INVOKE_CHANNEL = 'icn:invoke'
export const EVENT_CHANNEL = 'icn:event'

/** What the renderer sends on INVOKE_CHANNEL (one argument). */
export interface InvokeRequest {
  method: string
  params?: unknown
  /** Correlates 'node:progress' events with this call. */
  id?: number | string
}

/** What main sends on EVENT_CHANNEL. */
export interface EventMessage {
  event: string
  payload: unknown
}
