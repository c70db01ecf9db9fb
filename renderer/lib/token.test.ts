// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { TOKEN_KEY, takeToken, tokenFromInput } from './token'

const TOKEN = 'vr9NvLYFnmFhiPpRc0T7Jfr_6Cm-D7HenVJjoogyy4Y'

describe('browser-mode token', () => {
  beforeEach(() => {
    sessionStorage.clear()
    history.replaceState(null, '', '/')
  })

  it('takes the token from the fragment, keeps it for this tab and removes it from the URL', () => {
    history.replaceState(null, '', `/#token=${TOKEN}`)
    expect(takeToken({ location, history, storage: sessionStorage })).toBe(TOKEN)
    expect(location.hash).toBe('#/')
    expect(location.href).not.toContain(TOKEN)
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe(TOKEN)
    // A reload finds it in the session.
    expect(takeToken({ location, history, storage: sessionStorage })).toBe(TOKEN)
  })

  it('keeps a safe route given next to the token and drops anything else', () => {
    history.replaceState(null, '', `/#token=${TOKEN}&route=/dag/bafyabc`)
    takeToken({ location, history, storage: sessionStorage })
    expect(location.hash).toBe('#/dag/bafyabc')
    history.replaceState(null, '', `/#token=${TOKEN}&route=javascript:alert(1)`)
    takeToken({ location, history, storage: sessionStorage })
    expect(location.hash).toBe('#/')
  })

  it('refuses malformed tokens, and still scrubs them from the URL', () => {
    history.replaceState(null, '', '/#token=<script>')
    expect(takeToken({ location, history, storage: sessionStorage })).toBeNull()
    expect(location.hash).toBe('#/')
    sessionStorage.setItem(TOKEN_KEY, 'short')
    expect(takeToken({ location, history, storage: sessionStorage })).toBeNull()
  })

  it('reads a pasted link or bare token', () => {
    expect(tokenFromInput(` http://127.0.0.1:7350/#token=${TOKEN} `)).toBe(TOKEN)
    expect(tokenFromInput(TOKEN)).toBe(TOKEN)
    expect(tokenFromInput('http://127.0.0.1:7350/')).toBeNull()
  })
})
