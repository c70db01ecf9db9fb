import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEventBus } from '../core/events'
import { silentLogger } from '../core/logger'
import { startTestNode, tempDir, type TempDir, type TestNode } from '../core/test/helpers'
import { createDispatcher } from './dispatch'
import { createHandlers } from './handlers'
import { createLogRing } from './log-ring'
import { SETTINGS_FILE, createSettingsStore, type AutostartControl } from './settings'

let dir: TempDir
beforeEach(async () => {
  dir = await tempDir('icn-settings-')
})
afterEach(() => dir.cleanup())

describe('node settings', () => {
  it('persists pause-contributing in the data dir and announces changes', async () => {
    const events = createEventBus()
    const seen: unknown[] = []
    events.on('node:settings-changed', (e) => seen.push(e))
    const store = createSettingsStore({ dataDir: dir.path, events })
    expect(await store.get()).toEqual({ pauseContributing: false, autostart: null })
    expect(await store.set({ pauseContributing: true })).toEqual({ pauseContributing: true, autostart: null })
    await store.set({ pauseContributing: true })
    expect(seen).toEqual([{ pauseContributing: true, autostart: null }])
    expect(JSON.parse(await readFile(join(dir.path, SETTINGS_FILE), 'utf8'))).toEqual({
      v: 1,
      pauseContributing: true,
    })
    // A new store (the app restarted) reads the same value.
    expect(await createSettingsStore({ dataDir: dir.path }).get()).toMatchObject({ pauseContributing: true })
  })

  it('refuses autostart on a headless node and uses the shell’s control in the app', async () => {
    await expect(createSettingsStore({ dataDir: dir.path }).set({ autostart: true })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    let enabled = false
    const autostart: AutostartControl = {
      get: async () => enabled,
      set: async (on) => {
        enabled = on
      },
    }
    const store = createSettingsStore({ dataDir: dir.path, autostart })
    expect(await store.set({ autostart: true })).toEqual({ pauseContributing: false, autostart: true })
    expect(enabled).toBe(true)
  })

  it('falls back to defaults when the file is damaged', async () => {
    await writeFile(join(dir.path, SETTINGS_FILE), '{"v":1,"pauseContributing":"yes"}')
    expect(await createSettingsStore({ dataDir: dir.path, logger: silentLogger }).get()).toEqual({
      pauseContributing: false,
      autostart: null,
    })
  })
})

describe('node.logs, node.getSettings, node.setSettings handlers', () => {
  let t: TestNode
  beforeEach(async () => {
    t = await startTestNode({ withIdentity: false })
  })
  afterEach(() => t.destroy())

  it('serve the ring and the settings through the dispatcher', async () => {
    const logs = createLogRing({ file: '/tmp/icn.log' })
    logs.write(JSON.stringify({ t: '2025-01-01T00:00:00Z', level: 'warn', msg: 'peer misbehaved' }))
    const dispatcher = createDispatcher(createHandlers(t.node, { logs }), silentLogger)
    const ctx = {
      signal: new AbortController().signal,
      transport: 'internal' as const,
      progress: () => undefined,
    }
    expect(await dispatcher.call('node.logs', { level: 'warn' }, ctx)).toMatchObject({
      ok: true,
      value: { file: '/tmp/icn.log', dropped: 0, lines: [{ level: 'warn', msg: 'peer misbehaved' }] },
    })
    expect(await dispatcher.call('node.setSettings', { pauseContributing: true }, ctx)).toEqual({
      ok: true,
      value: { pauseContributing: true, autostart: null },
    })
    expect(await dispatcher.call('node.getSettings', {}, ctx)).toMatchObject({
      value: { pauseContributing: true },
    })
    expect(await dispatcher.call('node.setSettings', { pauseContributing: 'yes' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
  })
})
