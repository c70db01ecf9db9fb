import { describe, expect, it } from 'vitest'
import { Attached } from './attached'

describe('Attached', () => {
  it('keeps a value per object, invisible to keys, spreads and JSON', () => {
    const counters = new Attached<object, number>('counter')
    const a = { id: 1 }
    const b = { id: 2 }
    expect(counters.get(a)).toBeUndefined()
    expect(counters.has(a)).toBe(false)
    counters.set(a, 1).set(b, 5)
    counters.set(a, (counters.get(a) ?? 0) + 1)
    expect([counters.get(a), counters.get(b), counters.has(a)]).toEqual([2, 5, true])
    expect(Object.keys(a)).toEqual(['id'])
    expect(JSON.stringify(a)).toBe('{"id":1}')
    expect(counters.get({ ...a })).toBeUndefined()
    // Two attachments with the same name do not see each other's values.
    const other = new Attached<object, number>('counter')
    expect(other.get(a)).toBeUndefined()
  })
})
