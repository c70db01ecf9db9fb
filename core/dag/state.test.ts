import { describe, expect, it } from 'vitest'
import { assertStateKey } from './state'

describe('assertStateKey', () => {
  it('accepts 1–400 printable ASCII characters without spaces', () => {
    for (const key of ['a', 'econ/acct/did:key:z6Mk!0001', '!~', 'x'.repeat(400)]) {
      expect(() => assertStateKey(key)).not.toThrow()
    }
  })

  it('refuses empty, too long, spaces, control and non-ASCII characters', () => {
    for (const key of ['', 'x'.repeat(401), 'a b', 'a\tb', 'a\nb', '\x7f', 'é', 'a\u0000', 'ok\u{1f600}']) {
      expect(() => assertStateKey(key)).toThrow(/State keys are 1–400 printable ASCII characters/)
    }
  })
})
