/**
 * The Electron main process: thin glue between Electron and the pure, tested modules beside it. It hosts the
 * core node (userData/node), serves the renderer over app://, carries the app contract over IPC through the
 * same dispatcher and handlers as the daemon, and keeps a tray. Bundled to dist/node/main.js (ESM).
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, Menu, Tray, ipcMain, nativeImage, protocol, session, shell } from 'electron'
import { IcnError, toIcnError } from '../core/errors'
import { createLogger, type LogLevel } from '../core/logger'
import { createNode } from '../core/node'
import { createDispatcher } from '../app/dispatch'
import { bridgeEvents } from '../app/events'
import { createHandlers } from '../app/handlers'
import { createIpcRouter, type IpcRouter } from '../app/ipc/router'
import { createLogRing } from '../app/log-ring'
import { createSettingsStore, type SettingsStore } from '../app/settings'
import { roleInConfigFile } from '../app/node-config'
import { HIDDEN_ARG, linuxAutostart, linuxAutostartDir, loginItemAutostart } from './autostart'
import { DEEP_LINK_SCHEME, deepLinkRoute, findDeepLink, parseDeepLink } from './deep-link'
import { hardenSession, hardenWebContents } from './harden'
import { createRotatingLog } from '../core/log-file'
import { createAppProtocolHandler } from './protocol'
import { createQuitHandshake, type QuitHandshake } from './quit'
import {
  APP_ENTRY,
  APP_ORIGIN,
  APP_SCHEME,
  errorWindowOptions,
  isAppUrl,
  isTrustedFrame,
  mainWindowOptions,
} from './security'
import {
  STARTUP_ERROR_CSS,
  STARTUP_ERROR_CSS_PATH,
  STARTUP_ERROR_PATH,
  startupErrorPage,
} from './startup-error'
import { pickLocale, translate } from './strings'
import { trayMenu, trayTooltip, type TrayState } from './tray'
import { startUpdates, type Updates } from './updater'
import { PROTOCOL_VERSION } from '../core/version'

const here = dirname(fileURLToPath(import.meta.url))
const RENDERER_DIR = join(here, '../renderer')
const PRELOAD = join(here, 'preload.cjs')
const ICONS = join(here, '../icons')

// Must run before 'ready': app:// is a standard, secure origin (fetch, storage, CSP work as for https).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
])
app.enableSandbox()

const userDataOverride = process.env['ICN_USER_DATA_DIR']
if (userDataOverride !== undefined && userDataOverride !== '')
  app.setPath('userData', resolve(userDataOverride))

const startHidden = process.argv.includes(HIDDEN_ARG)
let pendingRoute: string | undefined = (() => {
  const link = findDeepLink(process.argv)
  return link === undefined ? undefined : deepLinkRoute(link)
})()

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the node and its database; it receives our argv (and any deep link) instead.
  app.quit()
} else {
  boot().catch((err: unknown) => {
    process.stderr.write(`ICN failed to start: ${(err as Error).stack ?? String(err)}\n`)
    app.exit(1)
  })
}

async function boot(): Promise<void> {
  const userData = app.getPath('userData')
  const logFile = createRotatingLog({ dir: join(userData, 'logs') })
  const ring = createLogRing({ file: logFile.path })
  const level = (process.env['ICN_LOG_LEVEL'] as LogLevel | undefined) ?? 'info'
  const logger = createLogger({
    level,
    sink: {
      write(line) {
        ring.write(line)
        logFile.write(line)
        if (!app.isPackaged) process.stderr.write(line)
      },
    },
  })
  const log = logger.child('shell')
  const say = (message: string, fields?: Record<string, unknown>): void => log.info(message, fields)
  process.on('uncaughtException', (err) => log.error('uncaught exception', { err }))
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { err }))

  let mainWindow: BrowserWindow | undefined
  let tray: Tray | undefined
  // Set once the node runs; deep links that arrive earlier wait in pendingRoute.
  const running: { router?: IpcRouter; quit?: QuitHandshake } = {}
  const pages = new Map<string, { body: string; type: string }>()

  const openRoute = (route: string | undefined): void => {
    if (mainWindow === undefined || mainWindow.isDestroyed()) {
      pendingRoute = route
      if (running.router !== undefined) createMainWindow()
      return
    }
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.show()
    mainWindow.focus()
    if (route === undefined) return
    // A page still loading would miss the event; it gets the route once loaded (did-finish-load below).
    if (mainWindow.webContents.isLoading()) pendingRoute = route
    else running.router?.broadcast('shell:navigate', { route })
  }

  app.on('second-instance', (_event, argv) => {
    const link = findDeepLink(argv)
    say('second instance', { deepLink: link?.kind })
    openRoute(link === undefined ? undefined : deepLinkRoute(link))
  })
  app.on('open-url', (event, url) => {
    event.preventDefault()
    const link = parseDeepLink(url)
    if (link === undefined) {
      log.warn('ignored a malformed icn:// link')
      return
    }
    openRoute(deepLinkRoute(link))
  })
  if (app.isPackaged) app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)

  await app.whenReady()
  const locale = pickLocale(app.getLocale())
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null)

  protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: RENDERER_DIR, virtualPages: () => pages }))
  hardenSession(session.defaultSession, { log: say })
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      openExternal: (url) => void shell.openExternal(url),
      log: say,
    })
  })
  app.on('window-all-closed', () => app.quit())
  // macOS: clicking the dock icon brings the window back from the tray.
  app.on('activate', () => openRoute(undefined))

  const icon = join(ICONS, 'icon-256.png')
  const iconPath = existsSync(icon) ? icon : undefined

  const showStartupError = (err: unknown): void => {
    const error = err instanceof IcnError ? err : toIcnError(err)
    log.error('startup failed', { err })
    pages.set(STARTUP_ERROR_PATH, {
      body: startupErrorPage({
        code: error.code,
        message: error.code === 'INTERNAL' ? String((err as Error).message ?? err) : error.message,
        logFile: logFile.path,
        logTail: logFile.tail(),
        locale,
      }),
      type: 'text/html; charset=utf-8',
    })
    pages.set(STARTUP_ERROR_CSS_PATH, { body: STARTUP_ERROR_CSS, type: 'text/css; charset=utf-8' })
    const options = errorWindowOptions({
      title: translate(locale, 'startupTitle'),
      isPackaged: app.isPackaged,
      ...(iconPath === undefined ? {} : { icon: iconPath }),
    })
    // The security flags are repeated literally so Electronegativity (a static check) sees them at the call.
    const win = new BrowserWindow({
      ...options,
      webPreferences: {
        ...options.webPreferences,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        disableBlinkFeatures: 'Auxclick',
      },
    })
    win.on('closed', () => app.exit(1))
    void win.loadURL(APP_ORIGIN + STARTUP_ERROR_PATH)
  }

  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    showStartupError(
      new IcnError(
        'NODE_START_FAILED',
        `The user interface is missing (${RENDERER_DIR}). Run: npm run build`,
      ),
    )
    return
  }

  // The role comes from <data>/config.json, which the Settings screen writes (node.setRole) and `icn node start`
  // reads too; it takes effect at the next start.
  const nodeDir = join(userData, 'node')
  const node = createNode({ dataDir: nodeDir, logger, role: (await roleInConfigFile(nodeDir)) ?? 'full' })
  try {
    await node.start()
  } catch (err) {
    showStartupError(err)
    return
  }

  const autostart =
    process.platform === 'linux'
      ? linuxAutostart({
          dir: linuxAutostartDir(process.env, homedir()),
          name: translate(locale, 'appName'),
          exec: process.env['APPIMAGE'] ?? process.execPath,
          args: [...(app.isPackaged ? [] : [resolve(process.argv[1] ?? '')]), HIDDEN_ARG],
        })
      : loginItemAutostart(app)
  const settings: SettingsStore = createSettingsStore({
    dataDir: node.dataDir,
    events: node.events,
    autostart,
    logger: logger.child('settings'),
  })
  const dispatcher = createDispatcher(createHandlers(node, { logs: ring, settings }), logger.child('ipc'))
  const ipc = createIpcRouter({
    ipcMain,
    dispatcher,
    isTrustedSender: isTrustedFrame,
    isTrustedUrl: isAppUrl,
    targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
    logger: logger.child('ipc'),
  })
  running.router = ipc
  const unbridge = bridgeEvents(node, ipc.broadcast)

  // Updates: packaged builds only; electron-updater looks, the protocol policy decides (main/updater.ts).
  let updates: Updates | undefined
  if (app.isPackaged && process.env['ICN_NO_UPDATES'] !== '1') {
    const { default: electronUpdater } = await import('electron-updater')
    updates = startUpdates({
      updater: electronUpdater.autoUpdater,
      current: { version: app.getVersion(), protocolVersion: PROTOCOL_VERSION },
      log: (message) => say(message),
    })
  }

  const handshake = createQuitHandshake({
    async stop() {
      updates?.stop()
      tray?.destroy()
      ipc.close()
      unbridge()
      await node.stop()
    },
    exit(code) {
      say('exit', { code })
      logFile.close()
      app.exit(code)
    },
    log: say,
  })
  running.quit = handshake
  app.on('before-quit', (event) => handshake.onBeforeQuit(event))
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit())

  // ---- tray ----------------------------------------------------------------------------------------------
  const trayState: TrayState = {
    status: node.status,
    peers: null,
    mana: null,
    pauseContributing: (await settings.get()).pauseContributing,
    locale,
  }
  const renderTray = (): void => {
    if (tray === undefined || tray.isDestroyed()) return
    const template = trayMenu(trayState, {
      open: () => openRoute(undefined),
      togglePause: (paused) => {
        settings
          .set({ pauseContributing: paused })
          .catch((err: unknown) => log.error('pause failed', { err }))
      },
      quit: () => app.quit(),
    })
    tray.setContextMenu(Menu.buildFromTemplate(template))
    tray.setToolTip(trayTooltip(trayState))
  }
  try {
    const trayIcon = join(ICONS, 'tray-32.png')
    tray = new Tray(existsSync(trayIcon) ? nativeImage.createFromPath(trayIcon) : nativeImage.createEmpty())
    tray.on('click', () => openRoute(undefined))
    renderTray()
  } catch (err) {
    // Some Linux desktops have no tray: closing the window then quits.
    log.warn('no tray available; closing the window will quit', { err })
    tray = undefined
  }
  node.events.on('node:status', ({ status }) => {
    trayState.status = status
    renderTray()
  })
  node.events.on('node:settings-changed', (value) => {
    trayState.pauseContributing = (value as { pauseContributing: boolean }).pauseContributing
    renderTray()
  })

  // ---- window --------------------------------------------------------------------------------------------
  function createMainWindow(): void {
    const options = mainWindowOptions({
      preload: PRELOAD,
      title: translate(locale, 'appName'),
      isPackaged: app.isPackaged,
      ...(iconPath === undefined ? {} : { icon: iconPath }),
    })
    const win = new BrowserWindow({
      ...options,
      webPreferences: {
        ...options.webPreferences,
        preload: PRELOAD,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        disableBlinkFeatures: 'Auxclick',
      },
    })
    mainWindow = win
    win.on('close', (event) => {
      // Close-to-tray: the node keeps serving the cooperative; Quit (tray, menu, signal) really quits.
      if (running.quit?.quitting !== true && tray !== undefined) {
        event.preventDefault()
        win.hide()
      }
    })
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = undefined
    })
    win.once('ready-to-show', () => {
      if (!startHidden || pendingRoute !== undefined) win.show()
    })
    win.webContents.on('did-finish-load', () => {
      const late = pendingRoute
      pendingRoute = undefined
      if (late !== undefined) running.router?.broadcast('shell:navigate', { route: late })
    })
    const route = pendingRoute
    pendingRoute = undefined
    void win.loadURL(route === undefined ? APP_ENTRY : `${APP_ENTRY}#${route}`)
  }
  createMainWindow()
  say('ready', { userData, hidden: startHidden })
}
