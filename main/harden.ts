/**
 * Wires the rules of security.ts to a window's webContents and to the session: navigation, redirects, new
 * windows, <webview>, permissions and downloads. Takes Electron-shaped objects so it is tested without Electron.
 */
import {
  decideNavigation,
  isAllowedDownload,
  isAppUrl,
  permissionCheckHandler,
  permissionRequestHandler,
} from './security'

export interface PreventableEvent {
  preventDefault(): void
  readonly url?: string
}

export interface HardenableWebContents {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate' | 'will-attach-webview',
    listener: (event: PreventableEvent, url?: string) => void,
  ): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
}

export interface HardenOptions {
  /** shell.openExternal, called only with URLs that passed externalUrl(). */
  openExternal(url: string): void
  log?: (message: string, fields?: Record<string, unknown>) => void
}

export function hardenWebContents(contents: HardenableWebContents, options: HardenOptions): void {
  const refuse = (kind: string, url: unknown): void => {
    const decision = decideNavigation(url)
    options.log?.(`${kind} refused`, {
      url: String(url).slice(0, 200),
      external: decision.openExternal !== undefined,
    })
    if (decision.openExternal !== undefined) options.openExternal(decision.openExternal)
  }
  // Checklist #13: the window never navigates; http(s) links open in the member's browser.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault()
    refuse('navigation', event.url ?? url)
  })
  contents.on('will-frame-navigate', (event, url) => {
    const target = event.url ?? url
    if (!isAppUrl(target)) {
      event.preventDefault()
      options.log?.('frame navigation refused', { url: String(target).slice(0, 200) })
    }
  })
  contents.on('will-redirect', (event, url) => {
    const target = event.url ?? url
    if (!isAppUrl(target)) {
      event.preventDefault()
      options.log?.('redirect refused', { url: String(target).slice(0, 200) })
    }
  })
  // Checklist #12: no <webview> is ever attached.
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    options.log?.('webview refused')
  })
  // Checklist #14: no new windows.
  contents.setWindowOpenHandler(({ url }) => {
    refuse('window.open', url)
    return { action: 'deny' }
  })
}

export interface DownloadItemLike {
  getURL(): string
}

export interface HardenableSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void
  setPermissionCheckHandler(handler: () => boolean): void
  setDevicePermissionHandler?(handler: () => boolean): void
  on(event: 'will-download', listener: (event: PreventableEvent, item: DownloadItemLike) => void): unknown
}

export function hardenSession(session: HardenableSession, options: Pick<HardenOptions, 'log'> = {}): void {
  // Checklist #5: every permission request and check is denied.
  session.setPermissionRequestHandler(permissionRequestHandler)
  session.setPermissionCheckHandler(permissionCheckHandler)
  session.setDevicePermissionHandler?.(() => false)
  session.on('will-download', (event, item) => {
    if (!isAllowedDownload(item.getURL())) {
      event.preventDefault()
      options.log?.('download refused', { url: item.getURL().slice(0, 200) })
    }
  })
}
