/**
 * The typed client every front end uses (renderer, CLI, tests). Transport-agnostic: JSON-RPC/WebSocket to a
 * daemon, or Electron IPC through the preload bridge. Imports nothing from Node or the DOM beyond fetch/WebSocket.
 */
import type { EventName, EventPayload, MethodName, Params, Reply, Result } from './contract'
import { parse, stringify } from './wire'

export class IcnClientError extends Error {
  readonly code: string
  readonly details: Record<string, unknown> | undefined
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'IcnClientError'
    this.code = code
    this.details = details
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed'

export interface Transport {
  request(method: string, params: unknown): Promise<Reply<unknown>>
  subscribe(listener: (event: string, payload: unknown) => void): () => void
  onConnection?(listener: (state: ConnectionState) => void): () => void
  close(): void
}

// Methods whose params are all optional may be called without an argument.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type OptionalParams<M extends MethodName> = {} extends Params<M> ? [params?: Params<M>] : [params: Params<M>]

export interface IcnClient {
  call<M extends MethodName>(method: M, ...params: OptionalParams<M>): Promise<Result<M>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  onConnection(listener: (state: ConnectionState) => void): () => void
  close(): void
}

export function createClient(transport: Transport): IcnClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let unsubscribe: (() => void) | undefined
  const ensureSubscribed = (): void => {
    unsubscribe ??= transport.subscribe((event, payload) => {
      for (const l of listeners.get(event) ?? []) l(payload)
    })
  }
  return {
    async call(method, ...args) {
      const reply = await transport.request(method, args[0] ?? {})
      if (!reply.ok) throw new IcnClientError(reply.error.code, reply.error.message, reply.error.details)
      return reply.value as Result<typeof method>
    },
    on(event, listener) {
      ensureSubscribed()
      let set = listeners.get(event)
      if (set === undefined) listeners.set(event, (set = new Set()))
      set.add(listener as (payload: unknown) => void)
      return () => set.delete(listener as (payload: unknown) => void)
    },
    onConnection(listener) {
      return transport.onConnection?.(listener) ?? (() => undefined)
    },
    close() {
      unsubscribe?.()
      transport.close()
    },
  }
}

/** Minimal WebSocket shape shared by the browser's WebSocket and the `ws` package. */
export interface WebSocketLike {
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

export interface HttpTransportInit {
  /** Daemon base URL, e.g. http://127.0.0.1:7350 */
  url: string
  token: string
  /** @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** Reconnect the event stream after it drops. @default true */
  reconnect?: boolean
}

/** Bearer token as a WebSocket subprotocol: browsers cannot set an Authorization header on WebSockets. */
export const EVENTS_PROTOCOL = 'icn-events'
export const BEARER_PROTOCOL_PREFIX = 'icn.bearer.'

export function httpTransport(init: HttpTransportInit): Transport {
  const base = init.url.replace(/\/$/, '')
  const doFetch = init.fetch ?? globalThis.fetch.bind(globalThis)
  const WS = init.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  let nextId = 1
  const eventListeners = new Set<(event: string, payload: unknown) => void>()
  const connectionListeners = new Set<(state: ConnectionState) => void>()
  let socket: WebSocketLike | undefined
  let closed = false
  let retry = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  const setState = (state: ConnectionState): void => {
    for (const l of connectionListeners) l(state)
  }

  const connect = (): void => {
    if (WS === undefined || closed || socket !== undefined) return
    const wsUrl = base.replace(/^http/, 'ws') + '/events'
    setState('connecting')
    const ws = new WS(wsUrl, [EVENTS_PROTOCOL, BEARER_PROTOCOL_PREFIX + init.token])
    socket = ws
    ws.onopen = () => {
      retry = 0
      setState('open')
    }
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return
      let message: unknown
      try {
        message = parse(ev.data)
      } catch {
        return
      }
      const m = message as { event?: unknown; payload?: unknown }
      if (typeof m.event === 'string') for (const l of eventListeners) l(m.event, m.payload)
    }
    ws.onerror = () => undefined
    ws.onclose = () => {
      socket = undefined
      setState('closed')
      if (closed || init.reconnect === false || eventListeners.size === 0) return
      // Exponential backoff up to 10 s: a restarting daemon is back within a few seconds.
      const delay = Math.min(10_000, 250 * 2 ** retry++)
      retryTimer = setTimeout(connect, delay)
    }
  }

  return {
    async request(method, params) {
      const id = nextId++
      let response: Response
      try {
        response = await doFetch(base + '/rpc', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${init.token}` },
          body: stringify({ jsonrpc: '2.0', id, method, params }),
        })
      } catch (err) {
        return {
          ok: false,
          error: {
            code: 'UNAVAILABLE',
            message: `Cannot reach the ICN node at ${base} (${(err as Error).message}). Is it running?`,
          },
        }
      }
      const text = await response.text()
      let body: {
        result?: unknown
        error?: { code: number; message: string; data?: { code?: string; details?: Record<string, unknown> } }
      }
      try {
        body = parse(text) as typeof body
      } catch {
        return {
          ok: false,
          error: {
            code: 'INTERNAL',
            message: `The node answered HTTP ${response.status} with something that is not JSON.`,
          },
        }
      }
      if (body.error !== undefined) {
        const details = body.error.data?.details
        return {
          ok: false,
          error: {
            code: body.error.data?.code ?? 'INTERNAL',
            message: body.error.message,
            ...(details === undefined ? {} : { details }),
          },
        }
      }
      return { ok: true, value: body.result }
    },
    subscribe(listener) {
      eventListeners.add(listener)
      connect()
      return () => {
        eventListeners.delete(listener)
        if (eventListeners.size === 0) {
          socket?.close(1000)
        }
      }
    },
    onConnection(listener) {
      connectionListeners.add(listener)
      return () => connectionListeners.delete(listener)
    },
    close() {
      closed = true
      if (retryTimer !== undefined) clearTimeout(retryTimer)
      socket?.close(1000)
      socket = undefined
    },
  }
}
