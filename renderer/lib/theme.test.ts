// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { applyTheme, resolveTheme } from './theme'

describe('theme', () => {
  it('follows the system unless the member chose', () => {
    expect(resolveTheme('system', true)).toBe('dark')
    expect(resolveTheme('system', false)).toBe('light')
    expect(resolveTheme('light', true)).toBe('light')
    expect(resolveTheme('dark', false)).toBe('dark')
  })

  it('sets data-theme on <html> (no inline style)', () => {
    const stop = applyTheme('dark')
    expect(document.documentElement.dataset['theme']).toBe('dark')
    expect(document.documentElement.getAttribute('style')).toBeNull()
    stop()
    applyTheme('light')
    expect(document.documentElement.dataset['theme']).toBe('light')
  })
})
