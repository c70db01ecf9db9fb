import { describe, expect, it } from 'vitest'
import { formatBytes, formatDuration, formatNumber, shorten } from './format'

describe('formatting', () => {
  it('follows the language', () => {
    expect(formatBytes(512, 'en')).toBe('512 B')
    expect(formatBytes(1536, 'en')).toBe('1.5 KiB')
    expect(formatBytes(1536, 'es')).toBe('1,5 KiB')
    expect(formatNumber(1234567, 'en')).toBe('1,234,567')
    expect(formatDuration(3_723_000, 'en')).toBe('1 hr 2 min')
    expect(formatDuration(500, 'en')).toBe('0 sec')
  })

  it('shortens long identifiers', () => {
    expect(shorten('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')).toBe('did:key:z6Mkha…ta2doK')
    expect(shorten('short')).toBe('short')
  })
})
