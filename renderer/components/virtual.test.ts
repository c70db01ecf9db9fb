import { describe, expect, it } from 'vitest'
import { windowFor } from './virtual'

describe('windowFor', () => {
  it('renders the rows in view plus a margin, and spacers keep the full height', () => {
    const w = windowFor(10_000, 44, 44 * 5000, 440, 8)
    expect(w).toEqual({ start: 4992, end: 5018, padTop: 4992 * 44, padBottom: (10_000 - 5018) * 44 })
    expect(w.padTop + (w.end - w.start) * 44 + w.padBottom).toBe(10_000 * 44)
  })

  it('clamps at both ends and for short or empty lists', () => {
    expect(windowFor(10_000, 44, 0, 440, 8)).toMatchObject({ start: 0, end: 18, padTop: 0 })
    expect(windowFor(10_000, 44, 10_000 * 44, 440, 8)).toMatchObject({
      start: 9992,
      end: 10_000,
      padBottom: 0,
    })
    expect(windowFor(3, 44, 0, 440)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 })
    expect(windowFor(0, 44, 500, 440)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 })
    expect(windowFor(100, 44, -50, 440)).toMatchObject({ start: 0, padTop: 0 })
  })
})
