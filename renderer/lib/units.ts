/**
 * Token amounts cross the contract as integer strings in base units; people read and type them in display
 * units with the class's decimals ("1.5" of a 2-decimal token is 150 base units). BigInt throughout: amounts go
 * up to 2^63−1, past what a number holds exactly. Mirrors core/economics/amounts.ts, which the renderer may not
 * import.
 */
export const MAX_AMOUNT = (1n << 63n) - 1n

/** Base units → display text ("12345", 2 → "123.45"; trailing zeros of the fraction dropped). */
export function formatUnits(amount: string | bigint, decimals: number): string {
  let v: bigint
  try {
    v = BigInt(amount)
  } catch {
    return String(amount)
  }
  if (decimals <= 0) return v.toString()
  const negative = v < 0n
  const digits = (negative ? -v : v).toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, -decimals)
  const fraction = digits.slice(-decimals).replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : '.' + fraction}`
}

/**
 * Display text → base units as an integer string, or null when it is not a positive amount with at most
 * `decimals` places that fits in 2^63−1.
 */
export function parseUnits(text: string, decimals: number): string | null {
  const match = /^([0-9]+)(?:\.([0-9]*))?$|^\.([0-9]+)$/.exec(text.trim())
  if (match === null) return null
  const whole = match[1] ?? '0'
  const fraction = match[2] ?? match[3] ?? ''
  if (fraction.length > Math.max(0, decimals)) return null
  const value = BigInt(whole + fraction.padEnd(Math.max(0, decimals), '0'))
  return value > 0n && value <= MAX_AMOUNT ? value.toString() : null
}

/** Token ids for non-fungible transfers and burns: comma or whitespace separated, each 1–64 of [A-Za-z0-9._-]. */
export function parseTokenIds(text: string): string[] | null {
  const ids = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (ids.length === 0 || ids.length > 64) return null
  if (!ids.every((id) => /^[A-Za-z0-9._-]{1,64}$/.test(id))) return null
  return new Set(ids).size === ids.length ? ids : null
}

/** A token symbol as the ledger accepts it: 1–12 letters and digits, not "mana". */
export function isValidSymbol(text: string): boolean {
  return /^[A-Za-z0-9]{1,12}$/.test(text) && text.toLowerCase() !== 'mana'
}
