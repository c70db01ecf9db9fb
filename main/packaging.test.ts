import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'

/**
 * electron-builder.yml is checked against electron-builder's own schema (a typo there would only show on a
 * connected release machine), and for what the packaging issue requires. Building the installers needs an
 * Electron binary, which is not available here: see docs/packaging.md.
 */
describe('electron-builder.yml', () => {
  it('is valid for electron-builder and sets targets, fuses, the icn:// protocol and unpacked natives', async () => {
    // electron-builder's own loader (electron-builder is a dev dependency; app-builder-lib is its library).
    const root = join(__dirname, '..')
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
  })
})
