import { describe, expect, it } from 'vitest'
import {
  APP_ENTRY,
  CONTENT_SECURITY_POLICY,
  appResponseHeaders,
  decideNavigation,
  externalUrl,
  isAllowedDownload,
  isAppUrl,
  isTrustedFrame,
  mainWindowOptions,
  permissionCheckHandler,
  permissionRequestHandler,
  secureWebPreferences,
} from './security'

describe('Content-Security-Policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/)
      return [name as string, values]
    }),
  )

  it('allows scripts and styles only from the bundle, with no inline code, eval or wasm compilation', () => {
    expect(directives.get('default-src')).toEqual(["'none'"])
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('style-src')).toEqual(["'self'"])
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|unsafe-hashes|\*/)
  })

  it('forbids plugins, framing, base rewriting and form posts', () => {
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(directives.get('frame-src')).toEqual(["'none'"])
    expect(directives.get('base-uri')).toEqual(["'none'"])
    expect(directives.get('form-action')).toEqual(["'none'"])
  })

  it('is sent on every app:// response with nosniff', () => {
    const headers = appResponseHeaders('text/html')
    expect(headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(headers['x-content-type-options']).toBe('nosniff')
  })
})

describe('isAppUrl / isTrustedFrame (IPC sender validation)', () => {
  const frame = (url: string, parent: unknown = null): { url: string; parent: unknown } => ({ url, parent })

  it('trusts only the top frame of the app origin', () => {
    expect(isTrustedFrame(frame(APP_ENTRY))).toBe(true)
    expect(isTrustedFrame(frame('app://bundle/index.html#/dag/bafy'))).toBe(true)
  })

  it.each([
    ['null frame (navigated or destroyed)', null],
    ['undefined frame', undefined],
    ['an iframe of the app', frame(APP_ENTRY, { url: APP_ENTRY })],
    ['another app:// host', frame('app://evil/index.html')],
    ['a look-alike host', frame('app://bundle.evil.example/index.html')],
    ['https with the same host name', frame('https://bundle/index.html')],
    ['file://', frame('file:///opt/icn/index.html')],
    ['a port', frame('app://bundle:8080/index.html')],
    ['credentials', frame('app://user:pw@bundle/index.html')],
    ['about:blank', frame('about:blank')],
    ['devtools', frame('devtools://devtools/bundled/inspector.html')],
    ['an empty URL', frame('')],
    ['garbage', frame('::not a url::')],
  ])('rejects %s', (_name, value) => {
    expect(isTrustedFrame(value as never)).toBe(false)
  })

  it('rejects non-strings and absurdly long URLs', () => {
    expect(isAppUrl(42)).toBe(false)
    expect(isAppUrl(null)).toBe(false)
    expect(isAppUrl('app://bundle/' + 'a'.repeat(10_000))).toBe(false)
  })
})

describe('externalUrl (shell.openExternal allow-list)', () => {
  it.each([
    ['https://coop.example/minutes', 'https://coop.example/minutes'],
    ['http://localhost:7350/', 'http://localhost:7350/'],
    ['HTTPS://Coop.Example/a?b=c#d', 'https://coop.example/a?b=c#d'],
  ])('opens %s', (input, normalised) => {
    expect(externalUrl(input)).toBe(normalised)
  })

  it.each([
    'file:///etc/passwd',
    'file://server/share/x.exe',
    'smb://attacker.example/share',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'ms-msdt:/id PCWDiagnostic /skip force',
    'search-ms:query=x&crumb=location:\\\\attacker\\share',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
    'icn://proposal/bafyfoo',
    'app://bundle/index.html',
    'ftp://example.com/file',
    'mailto:a@example.com',
    'https://user:password@example.com/',
    'https://@example.com/',
    'https://',
    '//evil.example/x',
    ' https://example.com',
    'https://exa\nmple.com',
    'https://example.com/\u0000',
    'not a url',
    '',
  ])('refuses %j', (input) => {
    expect(externalUrl(input)).toBeUndefined()
  })

  it('refuses non-strings', () => {
    for (const value of [undefined, null, 1, {}, ['https://example.com'], new URL('https://example.com')]) {
      expect(externalUrl(value)).toBeUndefined()
    }
  })

  it('never allows a navigation; http(s) targets go to the browser', () => {
    expect(decideNavigation('https://example.com/')).toEqual({
      allow: false,
      openExternal: 'https://example.com/',
    })
    expect(decideNavigation('file:///etc/passwd')).toEqual({ allow: false })
    expect(decideNavigation('app://bundle/other.html')).toEqual({ allow: false })
  })
})

describe('permissions', () => {
  it.each([
    'media',
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'clipboard-read',
    'clipboard-sanitized-write',
    'display-capture',
    'hid',
    'serial',
    'usb',
    'idle-detection',
    'window-management',
    'unknown',
  ])('denies %s', (permission) => {
    let granted: boolean | undefined
    permissionRequestHandler({}, permission, (g) => (granted = g))
    expect(granted).toBe(false)
  })

  it('answers every permission check with no', () => {
    expect(permissionCheckHandler()).toBe(false)
  })
})

describe('downloads', () => {
  it('allows only blob: URLs the app created', () => {
    expect(isAllowedDownload('blob:app://bundle/3f2a9c1e-1111-2222-3333-444455556666')).toBe(true)
    expect(isAllowedDownload('blob:https://evil.example/uuid')).toBe(false)
    expect(isAllowedDownload('https://evil.example/malware.exe')).toBe(false)
    expect(isAllowedDownload('app://bundle/index.html')).toBe(false)
    expect(isAllowedDownload(undefined)).toBe(false)
  })
})

describe('window options', () => {
  it('isolate and sandbox the renderer with web security on', () => {
    const prefs = secureWebPreferences('/app/preload.cjs')
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    })
    expect(prefs).not.toHaveProperty('enableBlinkFeatures')
  })

  it('turn devtools off in packaged builds and keep the window hidden until ready', () => {
    const packaged = mainWindowOptions({ title: 'ICN', isPackaged: true, preload: '/p.cjs' })
    expect(packaged.webPreferences?.devTools).toBe(false)
    expect(packaged.show).toBe(false)
    expect(mainWindowOptions({ title: 'ICN', isPackaged: false }).webPreferences?.devTools).toBe(true)
  })
})
