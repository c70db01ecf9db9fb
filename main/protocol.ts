/**
 * The app:// protocol handler (SECURITY-CHECKLIST A1 #18): serves the built renderer from one directory with
 * the CSP as a response header. Anything that resolves outside the directory, another host, or a bad path is
 * a 404. Written against the Fetch API's Request/Response so it runs under Node without Electron.
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import { APP_HOST, APP_SCHEME, appResponseHeaders } from './security'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * The file a request maps to inside `root`, or undefined when it must be refused: other schemes or hosts,
 * undecodable escapes, NUL bytes, backslashes, and anything whose resolved path leaves `root`
 * (`..`, `%2e%2e`, `..%2f`, absolute paths).
 */
export function resolveAppPath(root: string, requestUrl: string): string | undefined {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return undefined
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.hostname !== APP_HOST || url.port !== '') return undefined
  if (url.username !== '' || url.password !== '') return undefined
  let pathname: string
  try {
    pathname = decodeURIComponent(url.pathname)
  } catch {
    return undefined
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined
  const base = resolve(root)
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '')
  const candidate = resolve(base, relative)
  if (candidate !== base && !candidate.startsWith(base + sep)) return undefined
  return candidate
}

export interface AppProtocolInit {
  /** The built renderer (dist/renderer). */
  root: string
  /** Pages served from memory (the startup-error page), keyed by pathname, e.g. '/startup-error.html'. */
  virtualPages?: () => ReadonlyMap<string, { body: string; type: string }>
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: appResponseHeaders('text/plain; charset=utf-8') })
}

export function createAppProtocolHandler(init: AppProtocolInit): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', {
        status: 405,
        headers: { ...appResponseHeaders('text/plain; charset=utf-8'), allow: 'GET, HEAD' },
      })
    }
    const file = resolveAppPath(init.root, request.url)
    if (file === undefined) return notFound()
    const pathname = new URL(request.url).pathname
    const page = init.virtualPages?.().get(pathname)
    if (page !== undefined)
      return new Response(page.body, { status: 200, headers: appResponseHeaders(page.type) })
    let path = file
    try {
      const info = await stat(path)
      if (info.isDirectory()) path = join(path, 'index.html')
    } catch {
      // Client-side routes without an extension fall back to the app shell; missing assets stay 404.
      if (extname(pathname) !== '') return notFound()
      path = join(resolve(init.root), 'index.html')
    }
    let body: Buffer
    try {
      body = await readFile(path)
    } catch {
      return notFound()
    }
    const type = MIME[extname(path).toLowerCase()] ?? 'application/octet-stream'
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: appResponseHeaders(type),
    })
  }
}
