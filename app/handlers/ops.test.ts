import { describe, expect, it } from 'vitest'
import { collectGarbage } from './ops'

describe('collectGarbage', () => {
  it('repeats the full collection until V8 gives back the pages a burst left empty', () => {
    // A burst: many short-lived objects among a few that stay, spread over the old generation's pages.
    let all: { i: number; s: string }[] | null = []
    const kept: { i: number; s: string }[] = []
    for (let i = 0; i < 1_500_000; i++) {
      const o = { i, s: `x${i}` }
      all.push(o)
      if (i % 40 === 0) kept.push(o)
    }
    all = null
    const before = process.memoryUsage().heapTotal
    const rounds = collectGarbage()
    const after = process.memoryUsage().heapTotal
    // One collection frees the objects but keeps the committed pages (heapTotal barely moves); the next gives
    // the empty ones back.
    expect(rounds).toBeGreaterThanOrEqual(2)
    expect(rounds).toBeLessThanOrEqual(4)
    expect(after).toBeLessThan(before * 0.6)
    expect(kept.length).toBe(37_500)
  })
})
