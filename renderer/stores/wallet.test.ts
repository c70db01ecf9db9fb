import { describe, expect, it } from 'vitest'
import { parseManaAmount } from './wallet'

describe('parseManaAmount', () => {
  it('accepts whole positive amounts and normalises them', () => {
    expect(parseManaAmount('7')).toBe('7')
    expect(parseManaAmount(' 0012 ')).toBe('12')
    expect(parseManaAmount('9223372036854775807')).toBe('9223372036854775807')
  })
  it('refuses what the ledger would refuse, before anything is sent', () => {
    for (const bad of ['', '0', '-5', '1.5', '1e3', 'abc', '12345678901234567890'])
      expect(parseManaAmount(bad), bad).toBeNull()
  })
})
