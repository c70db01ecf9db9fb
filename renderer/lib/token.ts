/**
 * Browser mode: the daemon prints a URL whose fragment carries the access token (`#token=…`). The fragment
 * never reaches the server or its logs; we keep the token in sessionStorage (this tab only) and remove it from
 * the visible URL at once, so it does not end up in screenshots, bookmarks or the history.
 */
export const TOKEN_KEY = 'icn.token'
const TOKEN = /^[A-Za-z0-9_-]{32,200}$/

export interface TokenEnv {
  location: { hash: string; pathname: string; search: string }
  history: { replaceState(data: unknown, unused: string, url?: string): void }
  storage: {
    getItem(key: string): string | null
    setItem(key: string, value: string): void
    removeItem(key: string): void
  }
}

/** Reads `#token=…[&route=/x]` from the fragment (then removes it) or the token kept for this tab. */
export function takeToken(env: TokenEnv): string | null {
  const hash = env.location.hash
  if (hash.startsWith('#token=')) {
    const params = new URLSearchParams(hash.slice(1))
    const token = params.get('token') ?? ''
    const route = params.get('route')
    const next = route !== null && /^\/[A-Za-z0-9/_-]*$/.test(route) ? route : '/'
    env.history.replaceState(null, '', `${env.location.pathname}${env.location.search}#${next}`)
    if (TOKEN.test(token)) {
      env.storage.setItem(TOKEN_KEY, token)
      return token
    }
    return null
  }
  const stored = env.storage.getItem(TOKEN_KEY)
  return stored !== null && TOKEN.test(stored) ? stored : null
}

/** A token pasted by the member: the whole Browser UI link or the bare token. */
export function tokenFromInput(input: string): string | null {
  const text = input.trim()
  const fromLink = /#token=([A-Za-z0-9_-]+)/.exec(text)?.[1]
  const candidate = fromLink ?? text
  return TOKEN.test(candidate) ? candidate : null
}

export function forgetToken(storage: TokenEnv['storage']): void {
  storage.removeItem(TOKEN_KEY)
}
