/**
 * The app contract over Electron IPC: one `ipcMain.handle` on INVOKE_CHANNEL that checks the sender, the
 * request's shape and size, then calls the SAME dispatcher as the JSON-RPC daemon (which validates params with
 * the contract's zod schemas). Every outcome is a typed Reply; nothing throws past the router.
 *
 * It takes an ipcMain-like object and injected checks, so it runs (and is tested) without Electron.
 */
import type { Logger } from '../../core/logger'
import type {
  CallContext,
  ErrorInfo,
  EventName,
  EventPayload,
  MethodName,
  Progress,
  Reply,
} from '../contract'
import type { Dispatcher } from '../dispatch'
import { EVENT_CHANNEL, INVOKE_CHANNEL, type EventMessage } from './channels'
import { measurePayload } from './payload'

/** The part of Electron's WebFrameMain the router looks at. */
export interface SenderFrameLike {
  readonly url: string
  readonly parent?: unknown
}

/** The part of Electron's WebContents the router uses. */
export interface WebContentsLike {
  readonly id: number
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
  getURL(): string
}

/** The part of Electron's IpcMainInvokeEvent the router reads. */
export interface InvokeEventLike {
  readonly senderFrame: SenderFrameLike | null | undefined
  readonly sender: WebContentsLike
}

export type InvokeListener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>

/** The part of Electron's ipcMain the router uses. */
export interface IpcMainLike {
  handle(channel: string, listener: InvokeListener): void
  removeHandler(channel: string): void
}

/** Largest accepted request on INVOKE_CHANNEL. @default 1 MiB */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024

/**
 * Methods that carry files get the contract's own limit plus room for the envelope; the zod schema then
 * enforces the exact bound.
 */
export const LARGE_PAYLOAD_LIMITS: Partial<Record<MethodName, number>> = {
  'dag.put': 64 * 1024 * 1024 + 64 * 1024,
}

export interface IpcRouterInit {
  ipcMain: IpcMainLike
  dispatcher: Dispatcher
  /** True only for the app's own top-level frame (main/security.ts isTrustedFrame). */
  isTrustedSender(frame: SenderFrameLike | null | undefined): boolean
  /** True for a page URL that may receive events (main/security.ts isAppUrl). */
  isTrustedUrl(url: string): boolean
  /** Windows that receive contract events. */
  targets(): Iterable<WebContentsLike>
  logger: Logger
  /** @default DEFAULT_MAX_PAYLOAD */
  maxPayloadBytes?: number
}

export interface IpcRouter {
  /** Runs one message as ipcMain would deliver it; exported for tests and never rejects. */
  receive(channel: string, event: InvokeEventLike, args: unknown[]): Promise<Reply<unknown>>
  /** Sends a contract event to every trusted window. */
  broadcast: <E extends EventName>(name: E, payload: EventPayload<E>) => void
  /** Removes the handler and aborts calls in flight (the app is quitting). */
  close(): void
}

function fail(code: string, message: string): Reply<never> {
  return { ok: false, error: { code, message } }
}

const REQUEST_KEYS = new Set(['method', 'params', 'id'])

function describeRequest(
  value: unknown,
): { method: string; params: unknown; id?: number | string } | ErrorInfo {
  const bad: ErrorInfo = {
    code: 'RPC_INVALID_REQUEST',
    message: 'An IPC request is one object {method, params?, id?}.',
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return bad
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) if (!REQUEST_KEYS.has(key)) return bad
  const method = record['method']
  if (typeof method !== 'string' || method.length === 0 || method.length > 100) return bad
  const id = record['id']
  if (id !== undefined && !(typeof id === 'string' && id.length <= 100) && !Number.isSafeInteger(id))
    return bad
  return id === undefined
    ? { method, params: record['params'] }
    : { method, params: record['params'], id: id as number | string }
}

export function createIpcRouter(init: IpcRouterInit): IpcRouter {
  const maxPayload = init.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD
  const inFlight = new Set<AbortController>()
  let closed = false

  const send = (target: WebContentsLike, message: EventMessage): void => {
    try {
      if (!target.isDestroyed() && init.isTrustedUrl(target.getURL())) target.send(EVENT_CHANNEL, message)
    } catch (err) {
      init.logger.warn('could not deliver an event to a window', { err })
    }
  }

  async function receive(channel: string, event: InvokeEventLike, args: unknown[]): Promise<Reply<unknown>> {
    try {
      if (channel !== INVOKE_CHANNEL) {
        return fail('RPC_INVALID_REQUEST', `Unknown IPC channel "${String(channel).slice(0, 40)}".`)
      }
      // A null frame means the frame navigated or was destroyed after sending: its origin is unknown.
      let trusted = false
      try {
        trusted = init.isTrustedSender(event?.senderFrame)
      } catch {
        trusted = false
      }
      if (!trusted) {
        init.logger.warn('IPC from an untrusted sender refused', {
          url: String(event?.senderFrame?.url ?? '(no frame)').slice(0, 200),
        })
        return fail('RPC_FORBIDDEN_ORIGIN', 'Only the ICN app window may call the node.')
      }
      if (closed) return fail('NODE_STOPPING', 'The app is quitting; the node no longer takes calls.')
      if (args.length !== 1) {
        return fail('RPC_INVALID_REQUEST', 'An IPC request is one object {method, params?, id?}.')
      }
      const request = describeRequest(args[0])
      if ('code' in request) return { ok: false, error: request }
      const limit = LARGE_PAYLOAD_LIMITS[request.method as MethodName] ?? maxPayload
      const size = measurePayload(request.params, limit)
      if (!size.ok) {
        return size.reason === 'too-large'
          ? fail(
              'RPC_PAYLOAD_TOO_LARGE',
              `Requests to ${request.method.slice(0, 100)} are limited to ${limit} bytes.`,
            )
          : fail('INVALID_ARGUMENT', 'The parameters nest too deeply.')
      }
      const controller = new AbortController()
      inFlight.add(controller)
      const sender = event.sender
      const ctx: CallContext = {
        signal: controller.signal,
        transport: 'ipc',
        ...(request.id === undefined ? {} : { requestId: request.id }),
        progress(update: Omit<Progress, 'requestId'>) {
          const payload: Progress = request.id === undefined ? update : { ...update, requestId: request.id }
          send(sender, { event: 'node:progress', payload })
        },
      }
      try {
        return await init.dispatcher.call(request.method, request.params, ctx)
      } finally {
        inFlight.delete(controller)
      }
    } catch (err) {
      init.logger.error('IPC call failed inside the router', { err })
      return fail('INTERNAL', 'Something went wrong inside the node; the node log has the details.')
    }
  }

  init.ipcMain.handle(INVOKE_CHANNEL, (event, ...args) => receive(INVOKE_CHANNEL, event, args))

  return {
    receive,
    broadcast(name, payload) {
      for (const target of init.targets()) send(target, { event: name, payload })
    },
    close() {
      if (closed) return
      closed = true
      init.ipcMain.removeHandler(INVOKE_CHANNEL)
      for (const controller of inFlight) controller.abort(new Error('app quitting'))
    },
  }
}
