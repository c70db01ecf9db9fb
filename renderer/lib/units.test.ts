import { describe, expect, it } from 'vitest'
import { formatUnits, isValidSymbol, MAX_AMOUNT, parseTokenIds, parseUnits } from './units'

describe('token amounts', () => {
  it.each([
    ['12345', 2, '123.45'],
    ['12300', 2, '123'],
    ['12310', 2, '123.1'],
    ['5', 3, '0.005'],
    ['0', 6, '0'],
    ['42', 0, '42'],
    [MAX_AMOUNT.toString(), 18, '9.223372036854775807'],
  ])('formats %s with %i decimals as %s', (amount, decimals, text) => {
    expect(formatUnits(amount, decimals)).toBe(text)
    if (amount !== '0') expect(parseUnits(text, decimals)).toBe(amount)
  })

  it('parses display units into base units', () => {
    expect(parseUnits('1.5', 2)).toBe('150')
    expect(parseUnits(' 1.50 ', 2)).toBe('150')
    expect(parseUnits('.25', 2)).toBe('25')
    expect(parseUnits('7.', 2)).toBe('700')
    expect(parseUnits('007', 0)).toBe('7')
  })

  it.each([
    ['', 2],
    ['0', 2],
    ['0.00', 2],
    ['-1', 2],
    ['1.234', 2],
    ['1.5', 0],
    ['1e3', 0],
    ['1,5', 2],
    ['abc', 2],
    [(MAX_AMOUNT + 1n).toString(), 0],
  ])('rejects %j with %i decimals', (text, decimals) => {
    expect(parseUnits(text, decimals)).toBeNull()
  })

  it('keeps base-unit strings it cannot read as they are', () => {
    expect(formatUnits('not a number', 2)).toBe('not a number')
  })
})

describe('token ids and symbols', () => {
  it('splits ids on commas and spaces and refuses bad or repeated ones', () => {
    expect(parseTokenIds('seat-1, seat-2 seat.3')).toEqual(['seat-1', 'seat-2', 'seat.3'])
    expect(parseTokenIds('')).toBeNull()
    expect(parseTokenIds('a/b')).toBeNull()
    expect(parseTokenIds('a a')).toBeNull()
    expect(parseTokenIds('x'.repeat(65))).toBeNull()
  })

  it('accepts 1–12 letters and digits, but not mana', () => {
    expect(isValidSymbol('BREAD')).toBe(true)
    expect(isValidSymbol('mana')).toBe(false)
    expect(isValidSymbol('MANA')).toBe(false)
    expect(isValidSymbol('TOO-LONG')).toBe(false)
    expect(isValidSymbol('ABCDEFGHIJKLM')).toBe(false)
  })
})
