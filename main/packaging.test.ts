import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'
import { PROTOCOL_VERSION } from '../core/version'

/**
 * electron-builder.yml is checked against electron-builder's own schema (a typo there would only show on a
 * connected release machine), and for what the packaging issue requires. Where an Electron binary exists
 * (ELECTRON_PATH, or node_modules/electron/dist), a `--linux dir` build is made from it and inspected; here there
 * is none, and the test says so in one line. See docs/packaging.md.
 */
const root = join(__dirname, '..')

function electronDist(): string | undefined {
  const fromEnv = process.env['ELECTRON_PATH']
  if (fromEnv !== undefined && existsSync(fromEnv)) return dirname(fromEnv)
  const pathFile = join(root, 'node_modules/electron/path.txt')
  if (!existsSync(pathFile)) return undefined
  const binary = join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? dirname(binary) : undefined
}
const dist = process.platform === 'linux' ? electronDist() : undefined
if (dist === undefined)
  process.stdout.write(
    'packaging: --linux dir build skipped — no Electron binary on this machine (set ELECTRON_PATH)\n',
  )

describe('electron-builder.yml', () => {
  it('is valid for electron-builder and sets targets, fuses, the icn:// protocol and unpacked natives', async () => {
    // electron-builder's own loader (electron-builder is a dev dependency; app-builder-lib is its library).
    const config = (await getConfig(root, join(root, 'electron-builder.yml'), null)) as Record<string, any>
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
    expect(config['linux'].target).toEqual(['AppImage', 'deb'])
    expect(config['win'].target).toEqual(['nsis'])
    expect(config['mac'].target[0]).toMatchObject({ target: 'dmg', arch: ['x64', 'arm64'] })
    expect(config['protocols'][0].schemes).toEqual(['icn'])
    expect(config['asarUnpack']).toEqual(
      expect.arrayContaining(['node_modules/classic-level/**', 'dist/node/runtime-worker.js']),
    )
    expect(config['electronFuses']).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    })
    // The updater's gate: releases carry the protocol they speak.
    expect(config['releaseInfo'].vendor.protocolVersion).toBe(PROTOCOL_VERSION)
  })

  it.skipIf(dist === undefined)(
    'builds a Linux directory package with the app in an asar and the natives unpacked',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'icn-package-'))
      try {
        const version = (
          JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as {
            version: string
          }
        ).version
        const built = spawnSync(
          process.execPath,
          [
            join(root, 'node_modules/electron-builder/cli.js'),
            '--linux',
            'dir',
            '--config',
            'electron-builder.yml',
            `-c.electronDist=${dist!}`,
            `-c.electronVersion=${version}`,
            `-c.directories.output=${out}`,
            '--publish',
            'never',
          ],
          { cwd: root, encoding: 'utf8', timeout: 300_000 },
        )
        expect(built.status, built.stderr).toBe(0)
        const unpacked = join(
          out,
          readdirSync(out).find((d) => d.endsWith('-unpacked'))!,
        )
        expect(existsSync(join(unpacked, 'resources/app.asar'))).toBe(true)
        expect(existsSync(join(unpacked, 'resources/app.asar.unpacked/node_modules/classic-level'))).toBe(
          true,
        )
        expect(existsSync(join(unpacked, 'resources/app.asar.unpacked/dist/node/runtime-worker.js'))).toBe(
          true,
        )
      } finally {
        rmSync(out, { recursive: true, force: true })
      }
    },
    320_000,
  )
})
