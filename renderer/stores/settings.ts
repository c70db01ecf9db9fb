import { create } from 'zustand'
import type { NodeSettings } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import type { ThemePreference } from '../lib/theme'

export type Language = 'en' | 'es'
export const THEME_KEY = 'icn.theme'
export const LANGUAGE_KEY = 'icn.language'

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage
  } catch {
    return undefined
  }
}

export function initialTheme(): ThemePreference {
  const stored = storage()?.getItem(THEME_KEY)
  return stored === 'light' || stored === 'dark' ? stored : 'system'
}

export function initialLanguage(navigatorLanguage = globalThis.navigator?.language): Language {
  const stored = storage()?.getItem(LANGUAGE_KEY)
  if (stored === 'en' || stored === 'es') return stored
  return typeof navigatorLanguage === 'string' && /^es\b/i.test(navigatorLanguage) ? 'es' : 'en'
}

export interface SettingsStore {
  theme: ThemePreference
  language: Language
  /** The node's settings (pause contributing, autostart); null until loaded. */
  node: NodeSettings | null
  error: ErrorInfo | null
  setTheme: (theme: ThemePreference) => void
  setLanguage: (language: Language) => void
  loadNode: () => Promise<void>
  updateNode: (patch: { pauseContributing?: boolean; autostart?: boolean }) => Promise<void>
  onNodeSettings: (settings: NodeSettings) => void
}

export const useSettings = create<SettingsStore>()((set) => ({
  theme: initialTheme(),
  language: initialLanguage(),
  node: null,
  error: null,
  setTheme(theme) {
    storage()?.setItem(THEME_KEY, theme)
    set({ theme })
  },
  setLanguage(language) {
    storage()?.setItem(LANGUAGE_KEY, language)
    set({ language })
  },
  async loadNode() {
    try {
      set({ node: await client().call('node.getSettings'), error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  async updateNode(patch) {
    try {
      set({ node: await client().call('node.setSettings', patch), error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  onNodeSettings(settings) {
    set({ node: settings })
  },
}))
