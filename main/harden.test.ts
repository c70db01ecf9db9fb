import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import {
  hardenSession,
  hardenWebContents,
  type HardenableSession,
  type HardenableWebContents,
} from './harden'

/** An object shaped like Electron's WebContents: real EventEmitter dispatch, as Electron emits these events. */
class FakeContents extends EventEmitter implements HardenableWebContents {
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler
  }
}

function event(url?: string): { prevented: boolean; url?: string; preventDefault(): void } {
  return {
    prevented: false,
    ...(url === undefined ? {} : { url }),
    preventDefault() {
      this.prevented = true
    },
  }
}

describe('hardenWebContents', () => {
  const setup = (): { contents: FakeContents; opened: string[] } => {
    const contents = new FakeContents()
    const opened: string[] = []
    hardenWebContents(contents, { openExternal: (u) => opened.push(u) })
    return { contents, opened }
  }

  it('prevents every navigation and hands only http(s) to the browser', () => {
    const { contents, opened } = setup()
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'app://bundle/other.html',
      'javascript:1',
    ]) {
      const e = event(url)
      contents.emit('will-navigate', e, url)
      expect(e.prevented).toBe(true)
    }
    expect(opened).toEqual(['https://evil.example/'])
  })

  it('denies window.open, opening only http(s) externally', () => {
    const { contents, opened } = setup()
    expect(contents.openHandler?.({ url: 'https://coop.example/' })).toEqual({ action: 'deny' })
    expect(contents.openHandler?.({ url: 'smb://attacker/share' })).toEqual({ action: 'deny' })
    expect(contents.openHandler?.({ url: 'app://bundle/index.html' })).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://coop.example/'])
  })

  it('refuses webviews, foreign redirects and frame navigations', () => {
    const { contents } = setup()
    const webview = event()
    contents.emit('will-attach-webview', webview)
    expect(webview.prevented).toBe(true)
    const redirect = event('https://evil.example/')
    contents.emit('will-redirect', redirect)
    expect(redirect.prevented).toBe(true)
    const frame = event('https://evil.example/')
    contents.emit('will-frame-navigate', frame)
    expect(frame.prevented).toBe(true)
    const own = event('app://bundle/index.html')
    contents.emit('will-frame-navigate', own)
    expect(own.prevented).toBe(false)
  })
})

describe('hardenSession', () => {
  class FakeSession extends EventEmitter implements HardenableSession {
    request: Parameters<HardenableSession['setPermissionRequestHandler']>[0] | undefined
    check: (() => boolean) | undefined
    device: (() => boolean) | undefined
    setPermissionRequestHandler(h: Parameters<HardenableSession['setPermissionRequestHandler']>[0]): void {
      this.request = h
    }
    setPermissionCheckHandler(h: () => boolean): void {
      this.check = h
    }
    setDevicePermissionHandler(h: () => boolean): void {
      this.device = h
    }
  }

  it('denies permissions and devices and allows only the app’s own blob downloads', () => {
    const session = new FakeSession()
    hardenSession(session)
    const answers: boolean[] = []
    for (const p of ['media', 'notifications', 'clipboard-read', 'geolocation'])
      session.request?.({}, p, (g) => answers.push(g))
    expect(answers).toEqual([false, false, false, false])
    expect(session.check?.()).toBe(false)
    expect(session.device?.()).toBe(false)
    const own = event()
    session.emit('will-download', own, { getURL: () => 'blob:app://bundle/1234' })
    expect(own.prevented).toBe(false)
    const foreign = event()
    session.emit('will-download', foreign, { getURL: () => 'https://evil.example/x.exe' })
    expect(foreign.prevented).toBe(true)
  })
})
