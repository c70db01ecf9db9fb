import { EventEmitter } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startUpdates, type UpdateState, type UpdaterLike } from './updater'

// electron-updater needs a packaged Electron app to run; this stands in for its AppUpdater with the same events,
// driven by what a feed would answer.
class FeedUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = true
  autoInstallOnAppQuit = false
  allowPrerelease = true
  allowDowngrade = true
  downloads = 0
  checks = 0
  constructor(private readonly feed: { version: string; vendor?: unknown } | null) {
    super()
  }
  checkForUpdates(): Promise<unknown> {
    this.checks++
    queueMicrotask(() => {
      if (this.feed === null) this.emit('update-not-available')
      else this.emit('update-available', this.feed)
    })
    return Promise.resolve()
  }
  downloadUpdate(): Promise<unknown> {
    this.downloads++
    queueMicrotask(() => this.emit('update-downloaded', { version: this.feed!.version }))
    return Promise.resolve()
  }
}

const current = { version: '0.3.0', protocolVersion: 1 }
const settle = (): Promise<void> => new Promise((r) => setImmediate(r))

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('automatic updates', () => {
  it('download a newer release on the same protocol, to install on quit', async () => {
    const updater = new FeedUpdater({ version: '0.3.1', vendor: { protocolVersion: 1 } })
    const states: UpdateState[] = []
    const updates = startUpdates({ updater, current, onState: (s) => states.push(s) })
    expect(updater).toMatchObject({ autoDownload: false, autoInstallOnAppQuit: true, allowPrerelease: false })
    expect(updater.checks).toBe(0)
    vi.advanceTimersByTime(30_000)
    await settle()
    expect(updater.downloads).toBe(1)
    expect(updates.state()).toEqual({ state: 'ready', version: '0.3.1' })
    expect(states.map((s) => s.state)).toEqual(['checking', 'downloading', 'ready'])
    // Once downloaded, later checks do not download again.
    vi.advanceTimersByTime(6 * 3600_000)
    await settle()
    expect(updater.downloads).toBe(1)
    updates.stop()
  })

  it('never download a release on another protocol or without one, and say why', async () => {
    for (const [vendor, reason] of [
      [{ protocolVersion: 2 }, 'protocol-incompatible'],
      [undefined, 'protocol-unknown'],
      [{ protocolVersion: '1' }, 'protocol-unknown'],
    ] as const) {
      const updater = new FeedUpdater({ version: '0.4.0', ...(vendor === undefined ? {} : { vendor }) })
      const logs: string[] = []
      const updates = startUpdates({ updater, current, log: (m) => logs.push(m) })
      expect(await updates.check()).toEqual({ state: 'skipped', version: '0.4.0', reason })
      expect(updater.downloads).toBe(0)
      expect(logs).toEqual([`update 0.4.0 not downloaded: ${reason}`])
      updates.stop()
    }
  })

  it('report up to date, and a failed check with its message', async () => {
    const none = startUpdates({ updater: new FeedUpdater(null), current })
    expect(await none.check()).toEqual({ state: 'up-to-date' })
    none.stop()
    const broken = new FeedUpdater(null)
    broken.checkForUpdates = () => Promise.reject(new Error('net::ERR_INTERNET_DISCONNECTED'))
    const failing = startUpdates({ updater: broken, current })
    expect(await failing.check()).toEqual({ state: 'failed', message: 'net::ERR_INTERNET_DISCONNECTED' })
    failing.stop()
  })
})
