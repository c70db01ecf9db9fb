/**
 * The Electron transport: the app contract over the preload bridge (`window.icn` = { invoke, on }). The main
 * process answers every call with a Reply, so this only guards against a bridge that is missing or throws.
 */
import type { ConnectionState, Transport } from '../../app/client'
import type { Reply } from '../../app/contract'

export interface PreloadBridge {
  invoke(method: string, params?: unknown, id?: number | string): Promise<unknown>
  on(listener: (event: string, payload: unknown) => void): () => void
}

export function isPreloadBridge(value: unknown): value is PreloadBridge {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v['invoke'] === 'function' && typeof v['on'] === 'function'
}

function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } }
  if (v.ok === true) return true
  return v.ok === false && typeof v.error?.code === 'string' && typeof v.error.message === 'string'
}

export function ipcTransport(bridge: PreloadBridge): Transport {
  let nextId = 1
  return {
    async request(method, params) {
      try {
        const reply = await bridge.invoke(method, params, nextId++)
        if (isReply(reply)) return reply
        return { ok: false, error: { code: 'INTERNAL', message: 'The app answered in an unexpected shape.' } }
      } catch (err) {
        return {
          ok: false,
          error: {
            code: 'UNAVAILABLE',
            message: `The ICN node inside the app did not answer (${(err as Error).message}). Restart ICN Desktop.`,
          },
        }
      }
    },
    subscribe(listener) {
      return bridge.on(listener)
    },
    onConnection(listener: (state: ConnectionState) => void) {
      // IPC is up as long as the page exists; the node's own state arrives as 'node:status'.
      listener('open')
      return () => undefined
    },
    close() {
      // Nothing to release: the listener functions returned by subscribe() detach themselves.
    },
  }
}
