/** Light, dark or follow the system, as CSS variables switched by `data-theme` on <html> (no inline styles). */
export type ThemePreference = 'system' | 'light' | 'dark'
export type Theme = 'light' | 'dark'

export function resolveTheme(preference: ThemePreference, prefersDark: boolean): Theme {
  return preference === 'system' ? (prefersDark ? 'dark' : 'light') : preference
}

const DARK_QUERY = '(prefers-color-scheme: dark)'

/** Applies the preference now and whenever the system switches; returns the function that stops following. */
export function applyTheme(preference: ThemePreference, doc: Document = document): () => void {
  const media =
    typeof doc.defaultView?.matchMedia === 'function' ? doc.defaultView.matchMedia(DARK_QUERY) : undefined
  const apply = (): void => {
    doc.documentElement.dataset['theme'] = resolveTheme(preference, media?.matches === true)
  }
  apply()
  if (preference !== 'system' || media === undefined) return () => undefined
  media.addEventListener('change', apply)
  return () => media.removeEventListener('change', apply)
}
