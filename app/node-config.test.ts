import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isIcnError } from '../core/errors'
import { tempDir, type TempDir } from '../core/test/helpers'
import { CONFIG_FILE, loadConfigFile, resolveConfig } from './node-config'
import { icn, startDaemonProcess } from './test/cli-process'

let dir: TempDir
beforeEach(async () => {
  dir = await tempDir('icn-config-')
})
afterEach(async () => {
  await dir.cleanup()
})

const file = (json: unknown) => ({ path: '/etc/icn/config.json', json })
const errorOf = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn()
  } catch (err) {
    if (isIcnError(err)) return { code: err.code, message: err.message }
    throw err
  }
  throw new Error('expected an error')
}

describe('node settings precedence', () => {
  it('takes each key from the flag, else the environment, else the file, else the default', () => {
    const r = resolveConfig({
      flags: { rpcPort: '7001' },
      env: { ICN_RPC_PORT: '7002', ICN_P2P_PORT: '7102', ICN_MDNS: 'off' },
      file: file({ rpcPort: 7003, p2pPort: 7103, rpcHost: '0.0.0.0', logLevel: 'debug', mdns: true }),
    })
    expect(r.config).toMatchObject({
      rpcPort: 7001,
      p2pPort: 7102,
      rpcHost: '0.0.0.0',
      logLevel: 'debug',
      mdns: false,
      p2pHost: '0.0.0.0',
      ui: true,
      bootstrap: [],
      passphraseFile: null,
    })
    expect(r.sources).toMatchObject({
      rpcPort: 'flag',
      p2pPort: 'env',
      rpcHost: 'file',
      logLevel: 'file',
      mdns: 'env',
      ui: 'default',
    })
  })

  it('splits a comma-separated bootstrap list from the environment and resolves file paths next to the file', () => {
    const r = resolveConfig({
      flags: {},
      env: { ICN_BOOTSTRAP: '/ip4/10.0.0.1/tcp/4001/p2p/12D3KooA, /dns4/coop.example/tcp/4001/p2p/12D3KooB' },
      file: file({ passphraseFile: 'secret/pass' }),
    })
    expect(r.config.bootstrap).toEqual([
      '/ip4/10.0.0.1/tcp/4001/p2p/12D3KooA',
      '/dns4/coop.example/tcp/4001/p2p/12D3KooB',
    ])
    expect(r.config.passphraseFile).toBe('/etc/icn/secret/pass')
  })

  it('takes the role from --role, else $ICN_ROLE, else the file, else full; refuses an unknown role', () => {
    expect(resolveConfig({ flags: {}, env: {}, file: null }).config.role).toBe('full')
    expect(resolveConfig({ flags: {}, env: {}, file: file({ role: 'validator' }) }).config.role).toBe(
      'validator',
    )
    const r = resolveConfig({ flags: {}, env: { ICN_ROLE: 'light' }, file: file({ role: 'validator' }) })
    expect([r.config.role, r.sources.role]).toEqual(['light', 'env'])
    expect(
      resolveConfig({ flags: { role: 'full' }, env: { ICN_ROLE: 'light' }, file: null }).config.role,
    ).toBe('full')
    expect(errorOf(() => resolveConfig({ flags: { role: 'thin' }, env: {}, file: null }))).toEqual({
      code: 'CONFIG_INVALID',
      message: '--role: role must be one of full, light, validator (got "thin").',
    })
  })

  it('takes the read cache budget in MiB (default 32) and refuses what is not 1–4096', () => {
    expect(resolveConfig({ flags: {}, env: {}, file: null }).config.cacheMb).toBe(8)
    const r = resolveConfig({ flags: {}, env: { ICN_CACHE_MB: '16' }, file: file({ cacheMb: 256 }) })
    expect([r.config.cacheMb, r.sources.cacheMb]).toEqual([16, 'env'])
    expect(resolveConfig({ flags: {}, env: {}, file: file({ cacheMb: 256 }) }).config.cacheMb).toBe(256)
    for (const bad of ['0', '4097', '1.5', 'lots'])
      expect(errorOf(() => resolveConfig({ flags: { cacheMb: bad }, env: {}, file: null }))).toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('--cache-mb: cacheMb must be a whole number of MiB, 1–4096'),
      })
  })

  it('refuses bad values with CONFIG_INVALID naming the key and where it came from', () => {
    expect(errorOf(() => resolveConfig({ flags: {}, env: { ICN_RPC_PORT: '80a' }, file: null }))).toEqual({
      code: 'CONFIG_INVALID',
      message: '$ICN_RPC_PORT: rpcPort must be a whole number 0–65535 (0 = any free port) (got "80a").',
    })
    expect(
      errorOf(() => resolveConfig({ flags: {}, env: {}, file: file({ rpcPort: '7000' }) })).message,
    ).toContain('/etc/icn/config.json: rpcPort must be a whole number')
    expect(
      errorOf(() => resolveConfig({ flags: {}, env: {}, file: file({ mdns: 'yes please' }) })).message,
    ).toContain('mdns must be true or false')
    expect(
      errorOf(() => resolveConfig({ flags: {}, env: { ICN_LOG_LEVEL: 'loud' }, file: null })).message,
    ).toContain('logLevel must be one of debug, info, warn, error, silent')
    expect(
      errorOf(() => resolveConfig({ flags: {}, env: {}, file: file({ bootstrap: 'peer' }) })).message,
    ).toContain('bootstrap must be a list of multiaddrs')
    // A typo in the file is not silently ignored.
    const typo = errorOf(() => resolveConfig({ flags: {}, env: {}, file: file({ rpcport: 7000 }) }))
    expect(typo.code).toBe('CONFIG_INVALID')
    expect(typo.message).toContain('unknown setting "rpcport"; known settings: rpcPort')
    expect(errorOf(() => resolveConfig({ flags: {}, env: {}, file: file([1]) })).code).toBe('CONFIG_INVALID')
    // An empty environment variable does not count as set.
    expect(resolveConfig({ flags: {}, env: { ICN_RPC_PORT: '' }, file: null }).sources.rpcPort).toBe(
      'default',
    )
  })

  it('reads <data>/config.json when present; a named file must exist and be JSON', async () => {
    expect(await loadConfigFile(dir.path, undefined, {})).toBeNull()
    await writeFile(join(dir.path, CONFIG_FILE), '{"rpcPort": 7000}')
    expect(await loadConfigFile(dir.path, undefined, {})).toEqual({
      path: join(dir.path, CONFIG_FILE),
      json: { rpcPort: 7000 },
    })
    await expect(loadConfigFile(dir.path, join(dir.path, 'nope.json'), {})).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
    })
    await expect(
      loadConfigFile(dir.path, undefined, { ICN_CONFIG: join(dir.path, 'nope.json') }),
    ).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' })
    await writeFile(join(dir.path, 'bad.json'), '{"rpcPort": 7000,}')
    await expect(loadConfigFile(dir.path, join(dir.path, 'bad.json'), {})).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    })
  })
})

describe('icn node start / icn node config with a config file', () => {
  it('starts a light node with --role light: icn status says so and its executor cannot be switched on', async () => {
    const daemon = await startDaemonProcess(dir.path, ['--role', 'light'])
    try {
      const status = await icn(['--data', dir.path, 'status'])
      expect(status.stdout).toMatch(
        /^role\s+light — keeps only this member's chain .* never bids on or executes jobs$/m,
      )
      const json = JSON.parse((await icn(['--data', dir.path, '--json', 'status'])).stdout) as Record<
        string,
        unknown
      >
      expect(json).toMatchObject({ role: 'light', executes: false, nextRole: null, validatorOf: [] })
      const enable = await icn(['--data', dir.path, 'executor', 'set', '--enable'])
      expect(enable.code).not.toBe(0)
      expect(enable.stderr).toContain('ROLE_LIGHT_NO_EXECUTION')
    } finally {
      await daemon.stop()
    }
    const shown = await icn(['--data', dir.path, 'node', 'config'], { ICN_ROLE: 'validator' })
    expect(shown.stdout).toMatch(/^role\s+"validator"\s+env\s+ICN_ROLE$/m)
  })

  it('shows each setting and its source, starts with them, and refuses to start on a bad file', async () => {
    await writeFile(
      join(dir.path, CONFIG_FILE),
      JSON.stringify({ logLevel: 'warn', rpcHost: '127.0.0.1', ui: false }),
    )
    const shown = await icn(['--data', dir.path, '--json', 'node', 'config'], { ICN_LOG_LEVEL: 'error' })
    expect(shown.code).toBe(0)
    const resolved = JSON.parse(shown.stdout) as {
      config: Record<string, unknown>
      sources: Record<string, string>
    }
    expect(resolved.config['logLevel']).toBe('error')
    expect(resolved.sources['logLevel']).toBe('env')
    expect(resolved.sources['ui']).toBe('file')

    const human = await icn(['--data', dir.path, 'node', 'config'])
    expect(human.stdout).toMatch(/^logLevel\s+"warn"\s+file\s+ICN_LOG_LEVEL$/m)
    expect(human.stdout).toContain('Precedence: flag > environment variable > config file > default.')

    // The file turns the browser UI off: the node starts without serving it, and says nothing about it.
    const daemon = await startDaemonProcess(dir.path)
    const api = JSON.parse(await readFile(join(dir.path, 'api.json'), 'utf8')) as { url: string }
    expect((await fetch(`${api.url}/`)).status).toBe(404)
    await daemon.stop()

    await writeFile(join(dir.path, CONFIG_FILE), JSON.stringify({ rpcPort: 'seven thousand' }))
    const refused = await icn(['--data', dir.path, 'node', 'start', '--no-mdns'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`error[CONFIG_INVALID]: ${join(dir.path, CONFIG_FILE)}: rpcPort must be`)
    expect(existsSync(join(dir.path, 'api.json'))).toBe(false)
    // A flag wins over the bad file value, so the operator can start the node and fix the file later.
    const rescued = await startDaemonProcess(dir.path, ['--rpc-port', '0'])
    await rescued.stop()
  })
})
