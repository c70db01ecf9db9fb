/**
 * Automatic updates through electron-updater, gated by the protocol policy (update-policy.ts): the updater only
 * looks; this module decides whether to download. A release states its protocol in latest.yml
 * (`vendor.protocolVersion`, from `releaseInfo.vendor` in electron-builder.yml); a release on another protocol is
 * never downloaded, and the app says why. Downloaded updates install when the app quits (never mid-session: the
 * node would drop its peers and jobs). Written against the small interface below so it is tested without
 * Electron; main.ts passes electron-updater's real `autoUpdater`.
 */
import { updateDecision, type UpdateDecision } from './update-policy'

/** The part of electron-updater's AppUpdater this module uses. */
export interface UpdaterLike {
  autoDownload: boolean
  autoInstallOnAppQuit: boolean
  allowPrerelease: boolean
  allowDowngrade: boolean
  on(event: 'update-available', fn: (info: { version: string; vendor?: unknown }) => void): unknown
  on(event: 'update-not-available', fn: () => void): unknown
  on(event: 'update-downloaded', fn: (info: { version: string }) => void): unknown
  on(event: 'error', fn: (err: Error) => void): unknown
  checkForUpdates(): Promise<unknown>
  downloadUpdate(): Promise<unknown>
}

export type UpdateState =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'up-to-date' }
  | { state: 'downloading'; version: string }
  | { state: 'ready'; version: string }
  | { state: 'skipped'; version: string; reason: Exclude<UpdateDecision, { install: true }>['reason'] }
  | { state: 'failed'; message: string }

export interface UpdatesInit {
  updater: UpdaterLike
  current: { version: string; protocolVersion: number }
  /** Checks after this delay, then every `intervalMs`. @default 30 s and 6 h */
  firstCheckMs?: number
  intervalMs?: number
  onState?: (state: UpdateState) => void
  log?: (message: string) => void
  timers?: {
    setTimeout: typeof setTimeout
    setInterval: typeof setInterval
    clearTimeout: typeof clearTimeout
    clearInterval: typeof clearInterval
  }
}

export interface Updates {
  state(): UpdateState
  /** Checks now (the tray's "Check for updates"); resolves when the check is answered. */
  check(): Promise<UpdateState>
  stop(): void
}

export function startUpdates(init: UpdatesInit): Updates {
  const { updater, current } = init
  const timers = init.timers ?? { setTimeout, setInterval, clearTimeout, clearInterval }
  const log = init.log ?? (() => undefined)
  let state: UpdateState = { state: 'idle' }
  const set = (next: UpdateState): void => {
    state = next
    init.onState?.(next)
  }
  updater.autoDownload = false
  updater.autoInstallOnAppQuit = true
  updater.allowPrerelease = false
  updater.allowDowngrade = false

  updater.on('update-available', (info) => {
    const vendor = info.vendor as { protocolVersion?: unknown } | null | undefined
    const decision = updateDecision(current, {
      version: info.version,
      protocolVersion: vendor?.protocolVersion,
    })
    if (!decision.install) {
      log(`update ${info.version} not downloaded: ${decision.reason}`)
      set({ state: 'skipped', version: info.version, reason: decision.reason })
      return
    }
    set({ state: 'downloading', version: info.version })
    updater
      .downloadUpdate()
      .catch((err: unknown) => set({ state: 'failed', message: (err as Error).message }))
  })
  updater.on('update-not-available', () => set({ state: 'up-to-date' }))
  updater.on('update-downloaded', (info) => {
    log(`update ${info.version} downloaded; it installs when ICN quits`)
    set({ state: 'ready', version: info.version })
  })
  updater.on('error', (err) => {
    log(`update check failed: ${err.message}`)
    set({ state: 'failed', message: err.message })
  })

  const check = async (): Promise<UpdateState> => {
    if (state.state === 'downloading' || state.state === 'ready') return state
    set({ state: 'checking' })
    try {
      await updater.checkForUpdates()
    } catch (err) {
      set({ state: 'failed', message: (err as Error).message })
    }
    return state
  }
  const first = timers.setTimeout(() => void check(), init.firstCheckMs ?? 30_000)
  const every = timers.setInterval(() => void check(), init.intervalMs ?? 6 * 3600_000)
  return {
    state: () => state,
    check,
    stop() {
      timers.clearTimeout(first)
      timers.clearInterval(every)
    },
  }
}
