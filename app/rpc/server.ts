import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { timingSafeEqual, createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Logger } from '../../core/logger'
import type { CallContext, EventName, EventPayload, Progress } from '../contract'
import { BEARER_PROTOCOL_PREFIX, EVENTS_PROTOCOL } from '../client'
import type { Dispatcher } from '../dispatch'
import { parse, stringify } from '../wire'

export interface RpcServerInit {
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 0 */
  port?: number
  /** Bearer token every /rpc, /events and /metrics request must carry. */
  token: string
  /** Largest accepted request body. @default 16 MiB */
  maxBodyBytes?: number
  /** Requests handled at once; more get HTTP 429. @default 64 */
  maxConcurrent?: number
  /** Largest JSON-RPC batch. @default 50 */
  maxBatch?: number
  /** Directory of the built renderer served for browser mode; omitted = no UI. */
  staticDir?: string
  /** Prometheus text for GET /metrics. */
  metrics?: () => Promise<string>
  /** Cheap liveness for GET /health. */
  health: () => { status: string; version: string }
}

export interface RpcServer {
  readonly url: string
  readonly port: number
  /** Sends an event to every connected /events client. */
  broadcast<E extends EventName>(name: E, payload: EventPayload<E>): void
  /** Stops accepting, closes event streams, waits for in-flight calls (bounded), then closes. */
  close(): Promise<void>
}

const JSON_RPC_CODES: Record<string, number> = {
  RPC_PARSE_ERROR: -32700,
  RPC_INVALID_REQUEST: -32600,
  RPC_METHOD_NOT_FOUND: -32601,
  INVALID_ARGUMENT: -32602,
  INTERNAL: -32603,
  RPC_UNAUTHORIZED: -32001,
  RPC_PAYLOAD_TOO_LARGE: -32002,
  RPC_RATE_LIMITED: -32003,
  NODE_STOPPING: -32004,
  RPC_FORBIDDEN_ORIGIN: -32005,
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

/** Slow event consumers are dropped rather than buffered without bound. */
const MAX_WS_BUFFER = 8 * 1024 * 1024
/** An oversized body is drained up to this many times the limit before the connection is cut. */
const DRAIN_LIMIT_FACTOR = 4

interface JsonRpcRequest {
  jsonrpc: '2.0'
  method: string
  params?: unknown
  id?: string | number | null
}

function errorObject(
  code: string,
  message: string,
  id: JsonRpcRequest['id'] = null,
  details?: Record<string, unknown>,
): unknown {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: JSON_RPC_CODES[code] ?? -32000,
      message,
      data: details === undefined ? { code } : { code, details },
    },
  }
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}

function tokenMatches(expected: Buffer, presented: string | undefined): boolean {
  if (presented === undefined) return false
  // Hash both sides so the comparison is constant-time regardless of length.
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(presented).digest()
  return timingSafeEqual(a, b)
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1]
}

function isRequestShape(value: unknown): value is JsonRpcRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const r = value as Record<string, unknown>
  const idOk =
    r['id'] === undefined || r['id'] === null || typeof r['id'] === 'string' || typeof r['id'] === 'number'
  return r['jsonrpc'] === '2.0' && typeof r['method'] === 'string' && idOk
}

export async function startRpcServer(
  dispatcher: Dispatcher,
  init: RpcServerInit,
  logger: Logger,
): Promise<RpcServer> {
  const host = init.host ?? '127.0.0.1'
  const token = Buffer.from(init.token)
  const maxBody = init.maxBodyBytes ?? 16 * 1024 * 1024
  const maxConcurrent = init.maxConcurrent ?? 64
  const maxBatch = init.maxBatch ?? 50
  const staticRoot = init.staticDir === undefined ? undefined : resolve(init.staticDir)
  let inFlight = 0
  let closing = false
  let port = 0
  const sockets = new Set<Socket>()
  const idle: (() => void)[] = []

  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1'
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
  const origin = (): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  /** DNS-rebinding defence: a loopback server answers only to loopback host names. */
  const hostAllowed = (req: IncomingMessage): boolean =>
    !loopback || allowedHosts().has(String(req.headers.host ?? ''))

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = typeof body === 'string' ? body : stringify(body)
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    })
    res.end(text)
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxBody,
    handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  })
  const clients = new Set<WebSocket>()

  const progressContext = (requestId: JsonRpcRequest['id'], signal: AbortSignal): CallContext => ({
    signal,
    transport: 'rpc',
    ...(requestId === null || requestId === undefined ? {} : { requestId }),
    progress(update: Omit<Progress, 'requestId'>) {
      broadcast(
        'node:progress',
        requestId === null || requestId === undefined ? update : { ...update, requestId },
      )
    },
  })

  async function handleOne(request: unknown, signal: AbortSignal): Promise<unknown> {
    if (!isRequestShape(request))
      return errorObject(
        'RPC_INVALID_REQUEST',
        'Not a JSON-RPC 2.0 request: {jsonrpc: "2.0", method, params?, id?}.',
      )
    const started = performance.now()
    const reply = await dispatcher.call(request.method, request.params, progressContext(request.id, signal))
    logger.debug('rpc', { method: request.method, ok: reply.ok, ms: Math.round(performance.now() - started) })
    if (request.id === undefined) return undefined // notification: no response
    if (reply.ok)
      return { jsonrpc: '2.0', id: request.id, result: reply.value === undefined ? null : reply.value }
    return errorObject(reply.error.code, reply.error.message, request.id, reply.error.details)
  }

  async function handleRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!tokenMatches(token, bearer(req))) {
      send(
        res,
        401,
        errorObject(
          'RPC_UNAUTHORIZED',
          'Missing or wrong bearer token. The token is in the rpc-token file of the node’s data directory.',
        ),
        {
          'www-authenticate': 'Bearer',
        },
      )
      return
    }
    const type = String(req.headers['content-type'] ?? '')
    if (!type.startsWith('application/json')) {
      send(res, 415, errorObject('RPC_INVALID_REQUEST', 'Send JSON-RPC with Content-Type: application/json.'))
      return
    }
    // Too large, declared or not: read (and drop) the rest of the body before answering, so an ordinary client
    // that is still uploading sees the 413 instead of a broken pipe. A client that keeps sending far beyond the
    // limit is cut off.
    const declared = Number(req.headers['content-length'] ?? 0)
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = declared > maxBody
    let cutOff = false
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > maxBody) tooLarge = true
      if (size > DRAIN_LIMIT_FACTOR * maxBody) {
        cutOff = true
        break
      }
      if (!tooLarge) chunks.push(chunk as Buffer)
    }
    if (tooLarge) {
      send(
        res,
        413,
        errorObject('RPC_PAYLOAD_TOO_LARGE', `Request bodies are limited to ${maxBody} bytes.`),
        { connection: 'close' },
      )
      if (cutOff) req.destroy()
      return
    }
    let body: unknown
    try {
      body = parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      send(res, 200, errorObject('RPC_PARSE_ERROR', 'The request body is not valid JSON.'))
      return
    }
    const controller = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'))
    })
    if (Array.isArray(body)) {
      if (body.length === 0 || body.length > maxBatch) {
        send(res, 200, errorObject('RPC_INVALID_REQUEST', `A batch holds 1 to ${maxBatch} requests.`))
        return
      }
      const replies = (await Promise.all(body.map((r) => handleOne(r, controller.signal)))).filter(
        (r) => r !== undefined,
      )
      if (replies.length === 0) {
        res.writeHead(204).end()
        return
      }
      send(res, 200, replies)
      return
    }
    const reply = await handleOne(body, controller.signal)
    if (reply === undefined) {
      res.writeHead(204).end()
      return
    }
    send(res, 200, reply)
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (staticRoot === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      send(res, 404, { error: 'not found' })
      return
    }
    let pathname: string
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    } catch {
      send(res, 400, { error: 'bad path' })
      return
    }
    const candidate = resolve(staticRoot, '.' + normalize('/' + pathname))
    if (candidate !== staticRoot && !candidate.startsWith(staticRoot + sep)) {
      send(res, 404, { error: 'not found' })
      return
    }
    let file = candidate
    try {
      const s = await stat(file)
      if (s.isDirectory()) file = join(file, 'index.html')
    } catch {
      // Client-side routes fall back to the app shell; missing assets (with an extension) are 404s.
      file = extname(pathname) === '' ? join(staticRoot, 'index.html') : ''
    }
    if (file === '') {
      send(res, 404, { error: 'not found' })
      return
    }
    let content: Buffer
    try {
      content = await readFile(file)
    } catch {
      send(res, 404, { error: 'not found' })
      return
    }
    const isHtml = extname(file) === '.html'
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': isHtml ? 'no-cache' : 'public, max-age=31536000, immutable',
      ...(isHtml
        ? {
            'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws://${String(req.headers.host)}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
          }
        : {}),
    })
    res.end(req.method === 'HEAD' ? undefined : content)
  }

  const server = createServer((req, res) => {
    if (!hostAllowed(req)) {
      send(res, 403, errorObject('RPC_FORBIDDEN_ORIGIN', 'Unexpected Host header.'))
      return
    }
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/health' && req.method === 'GET') {
      send(res, closing ? 503 : 200, init.health())
      return
    }
    if (closing) {
      send(
        res,
        503,
        errorObject('NODE_STOPPING', 'The node is shutting down; try again once it has restarted.'),
        { connection: 'close' },
      )
      return
    }
    if (path === '/rpc') {
      if (req.method !== 'POST') {
        send(res, 405, errorObject('RPC_INVALID_REQUEST', 'Use POST /rpc.'), { allow: 'POST' })
        return
      }
      if (inFlight >= maxConcurrent) {
        send(res, 429, errorObject('RPC_RATE_LIMITED', 'Too many requests at once; retry shortly.'), {
          'retry-after': '1',
        })
        req.resume()
        return
      }
      inFlight++
      handleRpc(req, res)
        .catch((err: unknown) => {
          logger.error('rpc request failed', { err })
          if (!res.headersSent)
            send(res, 500, errorObject('INTERNAL', 'The node failed to handle the request.'))
        })
        .finally(() => {
          inFlight--
          if (inFlight === 0) for (const fn of idle.splice(0)) fn()
        })
      return
    }
    if (path === '/metrics' && req.method === 'GET') {
      if (!tokenMatches(token, bearer(req))) {
        send(res, 401, errorObject('RPC_UNAUTHORIZED', 'Missing or wrong bearer token.'), {
          'www-authenticate': 'Bearer',
        })
        return
      }
      if (init.metrics === undefined) {
        send(res, 404, { error: 'metrics are not enabled' })
        return
      }
      init
        .metrics()
        .then((text) => send(res, 200, text, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }))
        .catch((err: unknown) => {
          logger.error('metrics failed', { err })
          send(res, 500, { error: 'metrics failed' })
        })
      return
    }
    serveStatic(req, res).catch((err: unknown) => {
      logger.error('static file failed', { err })
      if (!res.headersSent) send(res, 500, { error: 'internal' })
    })
  })
  server.headersTimeout = 20_000
  server.requestTimeout = 120_000
  server.keepAliveTimeout = 5_000
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, text: string): void => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      socket.destroy()
    }
    if (closing) return reject(503, 'Service Unavailable')
    if (!hostAllowed(req)) return reject(403, 'Forbidden')
    if ((req.url ?? '').split('?')[0] !== '/events') return reject(404, 'Not Found')
    // Browsers always send Origin: only the daemon's own UI may open the stream; the CLI sends none.
    const requestOrigin = req.headers.origin
    if (
      requestOrigin !== undefined &&
      requestOrigin !== origin() &&
      requestOrigin !== `http://localhost:${port}`
    ) {
      return reject(403, 'Forbidden')
    }
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
    const presented =
      bearer(req) ??
      protocols.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX))?.slice(BEARER_PROTOCOL_PREFIX.length)
    if (!tokenMatches(token, presented)) return reject(401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws)
      // Calls in flight on this socket, aborted together when it closes (one listener, not one per call).
      const pending = new Set<AbortController>()
      let socketInFlight = 0
      ws.on('close', () => {
        clients.delete(ws)
        for (const c of pending) c.abort()
      })
      ws.on('error', () => clients.delete(ws))
      // The socket also carries JSON-RPC calls, so a browser needs one connection for everything.
      ws.on('message', (data, isBinary) => {
        if (isBinary) return
        let message: unknown
        try {
          message = parse(rawText(data))
        } catch {
          ws.send(stringify(errorObject('RPC_PARSE_ERROR', 'Not valid JSON.')))
          return
        }
        // A socket gets the same bound as HTTP: a client that pipelines thousands of calls without waiting is
        // told to slow down instead of queueing unbounded work in the node.
        if (socketInFlight >= maxConcurrent) {
          const id = (message as { id?: unknown } | null)?.id
          ws.send(
            stringify(
              errorObject(
                'RPC_RATE_LIMITED',
                'Too many requests at once on this socket; retry shortly.',
                typeof id === 'string' || typeof id === 'number' ? id : null,
              ),
            ),
          )
          return
        }
        socketInFlight++
        inFlight++
        const controller = new AbortController()
        pending.add(controller)
        handleOne(message, controller.signal)
          .then((reply) => {
            if (reply !== undefined && ws.readyState === ws.OPEN) ws.send(stringify(reply))
          })
          .catch((err: unknown) => logger.error('ws rpc failed', { err }))
          .finally(() => {
            pending.delete(controller)
            socketInFlight--
            inFlight--
            if (inFlight === 0) for (const fn of idle.splice(0)) fn()
          })
      })
    })
  })

  function broadcast<E extends EventName>(name: E, payload: EventPayload<E>): void {
    if (clients.size === 0) return
    const text = stringify({ event: name, payload })
    for (const ws of clients) {
      if (ws.bufferedAmount > MAX_WS_BUFFER) {
        ws.close(1013, 'too slow')
        clients.delete(ws)
        continue
      }
      if (ws.readyState === ws.OPEN) ws.send(text)
    }
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen)
    server.listen(init.port ?? 0, host, () => {
      server.off('error', rejectListen)
      resolveListen()
    })
  })
  port = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  return {
    url,
    port,
    broadcast,
    async close() {
      if (closing) return
      closing = true
      for (const ws of clients) ws.close(1001, 'node stopping')
      wss.close()
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((r) => idle.push(r)), new Promise((r) => setTimeout(r, 5_000))])
      }
      await new Promise<void>((r) => {
        server.close(() => r())
        for (const socket of sockets) socket.destroy()
      })
    },
  }
}
