/**
 * "Start with the computer". macOS and Windows have login items (app.setLoginItemSettings); Linux desktops
 * follow the XDG autostart spec: a .desktop file in ~/.config/autostart. The app then starts hidden in the tray.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../core/identity'
import type { AutostartControl } from '../app/settings'

/** The argument an autostarted app receives: start in the tray without a window. */
export const HIDDEN_ARG = '--hidden'
export const AUTOSTART_FILE = 'icn-desktop.desktop'

/** Quotes one argument for a .desktop Exec line (XDG desktop entry spec, "The Exec key"). */
export function quoteExecArg(arg: string): string {
  if (/[\n\r\0]/.test(arg)) throw new TypeError('An Exec argument cannot contain line breaks or NUL.')
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(arg)) return arg
  // Inside double quotes `"`, `` ` ``, `$` and `\` are escaped with a backslash; the value-level escape then
  // doubles every backslash.
  const quoted = '"' + arg.replace(/(["`$\\])/g, '\\$1') + '"'
  return quoted.replace(/\\/g, '\\\\')
}

export function desktopEntry(init: { name: string; exec: string; args: readonly string[] }): string {
  const exec = [init.exec, ...init.args].map(quoteExecArg).join(' ')
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${init.name.replace(/[\n\r]/g, ' ')}`,
    `Exec=${exec}`,
    'X-GNOME-Autostart-enabled=true',
    'NoDisplay=false',
    'Terminal=false',
    '',
  ].join('\n')
}

export function linuxAutostartDir(env: NodeJS.ProcessEnv, home: string): string {
  const config = env['XDG_CONFIG_HOME']
  return join(config !== undefined && config.startsWith('/') ? config : join(home, '.config'), 'autostart')
}

export function linuxAutostart(init: {
  dir: string
  name: string
  exec: string
  args: readonly string[]
}): AutostartControl {
  const path = join(init.dir, AUTOSTART_FILE)
  return {
    async get() {
      try {
        const text = await readFile(path, 'utf8')
        return !/^X-GNOME-Autostart-enabled=false$/m.test(text) && !/^Hidden=true$/m.test(text)
      } catch {
        return false
      }
    },
    async set(enabled) {
      if (!enabled) {
        await rm(path, { force: true })
        return
      }
      await mkdir(init.dir, { recursive: true })
      await writeFileAtomic(path, desktopEntry(init), 0o644)
    },
  }
}

/** The part of Electron's `app` that login items use. */
export interface LoginItemsLike {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean }
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void
}

export function loginItemAutostart(app: LoginItemsLike): AutostartControl {
  const args = [HIDDEN_ARG]
  return {
    async get() {
      return app.getLoginItemSettings({ args }).openAtLogin
    },
    async set(enabled) {
      app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args })
    },
  }
}
