import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { IcnError } from '../core/errors'
import type { EventBus } from '../core/events'
import { writeFileAtomic } from '../core/identity'
import type { Logger } from '../core/logger'
import type { NodeSettings } from './contract'

export const SETTINGS_FILE = 'settings.json'

/** Start-with-the-computer, as the desktop shell implements it per platform. */
export interface AutostartControl {
  get(): Promise<boolean>
  set(enabled: boolean): Promise<void>
}

export interface SettingsStoreInit {
  /** The node's data dir; the settings live in `settings.json` there, next to the database. */
  dataDir: string
  /** Changes are announced as 'node:settings-changed' (the UI and, later, the executor listen). */
  events?: EventBus
  /** Absent on the headless daemon: `autostart` is then null and cannot be set. */
  autostart?: AutostartControl
  logger?: Logger
}

export interface SettingsStore {
  get(): Promise<NodeSettings>
  set(patch: {
    pauseContributing?: boolean | undefined
    autostart?: boolean | undefined
  }): Promise<NodeSettings>
}

const FileSchema = z.object({ v: z.literal(1), pauseContributing: z.boolean() })
type SettingsFile = z.infer<typeof FileSchema>
const DEFAULTS: SettingsFile = { v: 1, pauseContributing: false }

/**
 * Node settings kept in the data dir (so the node, not a front end, owns them). A missing or unreadable file
 * means the defaults; writes are atomic and serialised.
 */
export function createSettingsStore(init: SettingsStoreInit): SettingsStore {
  const path = join(init.dataDir, SETTINGS_FILE)
  let queue: Promise<unknown> = Promise.resolve()

  const readFileSettings = async (): Promise<SettingsFile> => {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        init.logger?.warn('settings unreadable; using defaults', { path, err })
      }
      return DEFAULTS
    }
    try {
      return FileSchema.parse(JSON.parse(text))
    } catch (err) {
      init.logger?.warn('settings file malformed; using defaults', { path, err })
      return DEFAULTS
    }
  }

  const current = async (): Promise<NodeSettings> => {
    const file = await readFileSettings()
    return {
      pauseContributing: file.pauseContributing,
      autostart: init.autostart === undefined ? null : await init.autostart.get(),
    }
  }

  return {
    get: current,
    set(patch) {
      const run = async (): Promise<NodeSettings> => {
        if (patch.autostart !== undefined && init.autostart === undefined) {
          throw new IcnError(
            'INVALID_ARGUMENT',
            'Starting with the computer is a setting of the desktop app; a headless node is started by its service manager.',
          )
        }
        const before = await current()
        if (patch.pauseContributing !== undefined && patch.pauseContributing !== before.pauseContributing) {
          const next: SettingsFile = { v: 1, pauseContributing: patch.pauseContributing }
          await writeFileAtomic(path, JSON.stringify(next, null, 2) + '\n', 0o600)
        }
        if (patch.autostart !== undefined && patch.autostart !== before.autostart) {
          await init.autostart?.set(patch.autostart)
        }
        const after = await current()
        if (after.pauseContributing !== before.pauseContributing || after.autostart !== before.autostart) {
          init.events?.emit('node:settings-changed', after)
        }
        return after
      }
      const result = queue.then(run, run)
      queue = result.catch(() => undefined)
      return result
    },
  }
}
