import { describe, expect, it } from 'vitest'
import { en } from './en'
import { es } from './es'

function flatten(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (typeof v === 'string') out.set(path, v)
    else for (const [k, s] of flatten(v, path)) out.set(k, s)
  }
  return out
}

const EN = flatten(en)
const ES = flatten(es)

describe('translations', () => {
  it('have the same keys in English and Spanish, none empty', () => {
    expect([...ES.keys()].sort()).toEqual([...EN.keys()].sort())
    for (const [key, text] of [...EN, ...ES]) expect(text.trim(), key).not.toBe('')
  })

  it('keep the same interpolation variables in both languages', () => {
    for (const [key, text] of EN) {
      const vars = (s: string): string[] =>
        [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] as string).sort()
      expect(vars(ES.get(key) as string), key).toEqual(vars(text))
    }
  })

  it('cover every key the screens use', () => {
    // The sources as text, through Vite (no Node file APIs in the renderer, not even in tests).
    const sources = import.meta.glob(['../**/*.{ts,tsx}', '!../**/*.test.*'], {
      query: '?raw',
      import: 'default',
      eager: true,
    })
    expect(Object.keys(sources).length).toBeGreaterThan(10)
    const missing: string[] = []
    for (const [file, text] of Object.entries(sources)) {
      for (const m of (text as string).matchAll(/\bt\('([a-zA-Z_.]+)'/g)) {
        const key = m[1] as string
        const known =
          EN.has(key) || EN.has(`${key}_one`) || [...EN.keys()].some((k) => k.startsWith(`${key}.`))
        if (!known) missing.push(`${file}: ${key}`)
      }
    }
    expect(missing).toEqual([])
  })
})
