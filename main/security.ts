/**
 * The desktop shell's security rules as pure functions (SECURITY-CHECKLIST A1), so each one is unit-tested
 * without Electron. main.ts only wires them to Electron's events.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron'

/** The renderer is served from `app://bundle/…` (a privileged standard, secure scheme), never from file://. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'bundle'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY = `${APP_ORIGIN}/index.html`

/**
 * The renderer's Content-Security-Policy, sent as a response header by the app:// handler. No inline scripts
 * or styles, no eval, no WebAssembly compilation, no network: the renderer talks to the node over IPC only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "worker-src 'none'",
  "manifest-src 'none'",
].join('; ')

/** Headers on every app:// response. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-cache',
  }
}

function parse(url: unknown): URL | undefined {
  if (typeof url !== 'string' || url.length > 8192) return undefined
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/** True for a URL of the app's own bundle (exact scheme and host, no credentials or port). */
export function isAppUrl(url: unknown): boolean {
  const parsed = parse(url)
  return (
    parsed !== undefined &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  )
}

/** The part of Electron's WebFrameMain an IPC check reads. */
export interface FrameLike {
  readonly url: string
  readonly parent?: unknown
}

/**
 * An IPC sender is trusted only when its frame exists (a null senderFrame means it navigated away or was
 * destroyed), is a top-level frame (no iframes, GHSA-mq8j-3h7h-p8g7) and shows the app's own origin.
 */
export function isTrustedFrame(frame: FrameLike | null | undefined): boolean {
  if (frame === null || frame === undefined) return false
  if (frame.parent !== null && frame.parent !== undefined) return false
  return isAppUrl(frame.url)
}

/**
 * The URL to hand to `shell.openExternal`, or undefined. Only http: and https: with a host and without
 * credentials pass (never file:, smb:, javascript:, custom schemes or anything peer-supplied that does not
 * parse); the returned string is the parser's normalised form, not the input.
 */
export function externalUrl(url: unknown): string | undefined {
  const parsed = parse(url)
  if (parsed === undefined) return undefined
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined
  if (parsed.hostname === '' || parsed.username !== '' || parsed.password !== '') return undefined
  // Control characters and whitespace are never part of a URL a member clicked.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u0020\u007f-\u009f]/.test(url as string)) return undefined
  // Any '@' in the authority (even an empty user, which the parser drops) is a spoofing attempt.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url as string)) return undefined
  return parsed.href
}

/** What to do with a navigation or window.open request: never allowed in-app; http(s) opens in the browser. */
export interface NavigationDecision {
  allow: false
  openExternal?: string
}

export function decideNavigation(url: unknown): NavigationDecision {
  const external = externalUrl(url)
  return external === undefined ? { allow: false } : { allow: false, openExternal: external }
}

/** Every permission (camera, notifications, clipboard, geolocation, …) is denied (1Password's rule). */
export function permissionRequestHandler(
  _webContents: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
): void {
  callback(false)
}

export function permissionCheckHandler(): boolean {
  return false
}

/** Downloads are only the app's own files (a backup, a DAG file), which the renderer creates as blob: URLs. */
export function isAllowedDownload(url: unknown): boolean {
  if (typeof url !== 'string' || !url.startsWith('blob:')) return false
  return isAppUrl(url.slice('blob:'.length))
}

/** webPreferences of every window that shows the renderer (checklist items 2–4, 6, 8–11, 14). */
export function secureWebPreferences(preload: string | undefined): WebPreferences {
  return {
    ...(preload === undefined ? {} : { preload }),
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    disableBlinkFeatures: 'Auxclick',
    devTools: true,
  }
}

export interface WindowOptionsInit {
  preload?: string
  icon?: string
  title: string
  /** @default false: shown on 'ready-to-show' */
  show?: boolean
  /** Packaged builds have no devtools. */
  isPackaged: boolean
}

export function mainWindowOptions(init: WindowOptionsInit): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 520,
    title: init.title,
    show: init.show ?? false,
    backgroundColor: '#10151c',
    autoHideMenuBar: true,
    ...(init.icon === undefined ? {} : { icon: init.icon }),
    webPreferences: { ...secureWebPreferences(init.preload), devTools: !init.isPackaged },
  }
}

/** The startup-error window shows a static page and needs no preload at all. */
export function errorWindowOptions(
  init: Omit<WindowOptionsInit, 'preload'>,
): BrowserWindowConstructorOptions {
  return {
    width: 760,
    height: 560,
    title: init.title,
    show: true,
    autoHideMenuBar: true,
    ...(init.icon === undefined ? {} : { icon: init.icon }),
    webPreferences: { ...secureWebPreferences(undefined), devTools: !init.isPackaged },
  }
}
