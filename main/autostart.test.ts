import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../core/test/helpers'
import {
  AUTOSTART_FILE,
  desktopEntry,
  linuxAutostart,
  linuxAutostartDir,
  loginItemAutostart,
  quoteExecArg,
  type LoginItemsLike,
} from './autostart'

let dir: TempDir
beforeEach(async () => {
  dir = await tempDir('icn-autostart-')
})
afterEach(() => dir.cleanup())

describe('autostart', () => {
  it('writes and removes an XDG autostart entry that starts the app hidden', async () => {
    const control = linuxAutostart({
      dir: join(dir.path, 'autostart'),
      name: 'ICN Desktop',
      exec: '/opt/ICN Desktop/icn-desktop',
      args: ['--hidden'],
    })
    expect(await control.get()).toBe(false)
    await control.set(true)
    expect(await control.get()).toBe(true)
    const text = await readFile(join(dir.path, 'autostart', AUTOSTART_FILE), 'utf8')
    expect(text).toContain('Exec="/opt/ICN Desktop/icn-desktop" --hidden')
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\n/)
    expect((await stat(join(dir.path, 'autostart', AUTOSTART_FILE))).mode & 0o777).toBe(0o644)
    await control.set(false)
    expect(await control.get()).toBe(false)
  })

  it('quotes Exec arguments per the desktop entry spec and refuses line breaks', () => {
    expect(quoteExecArg('/usr/bin/icn')).toBe('/usr/bin/icn')
    expect(quoteExecArg('a b')).toBe('"a b"')
    expect(quoteExecArg('$HOME`x`"q"\\')).toBe('"\\\\$HOME\\\\`x\\\\`\\\\"q\\\\"\\\\\\\\"')
    expect(() => quoteExecArg('a\nExec=evil')).toThrow(TypeError)
    expect(desktopEntry({ name: 'ICN\nExec=evil', exec: '/x', args: [] })).toContain('Name=ICN Exec=evil\n')
  })

  it('uses XDG_CONFIG_HOME when it is absolute', () => {
    expect(linuxAutostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/a')).toBe('/cfg/autostart')
    expect(linuxAutostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/a')).toBe('/home/a/.config/autostart')
    expect(linuxAutostartDir({}, '/home/a')).toBe('/home/a/.config/autostart')
  })

  it('maps to login items on macOS and Windows', async () => {
    let settings = { openAtLogin: false }
    const calls: unknown[] = []
    const app: LoginItemsLike = {
      getLoginItemSettings: () => settings,
      setLoginItemSettings: (s) => {
        calls.push(s)
        settings = { openAtLogin: s.openAtLogin }
      },
    }
    const control = loginItemAutostart(app)
    await control.set(true)
    expect(await control.get()).toBe(true)
    expect(calls).toEqual([{ openAtLogin: true, openAsHidden: true, args: ['--hidden'] }])
  })
})
