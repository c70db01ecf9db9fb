import { IcnError } from '../errors'

/** Largest amount an event may carry (mana or tokens, base units): the largest signed 64-bit integer. */
export const MAX_AMOUNT = 2n ** 63n - 1n
/** Milliseconds per hour: regeneration rates are per hour, timestamps in ms. */
export const HOUR_MS = 3_600_000n

const DIGITS = /^[0-9]{1,19}$/

function invalidAmount(what: string, got: unknown, why: string): IcnError {
  const shown = typeof got === 'bigint' ? got.toString() : JSON.stringify(got)
  return new IcnError(
    'ECONOMICS_INVALID_AMOUNT',
    `The ${what} ${String(shown).slice(0, 40)} is not valid: ${why}.`,
    { details: { what, value: String(shown).slice(0, 40) } },
  )
}

/**
 * An amount from anywhere (event body, API, CLI): a whole number of base units from 1 to 2^63 − 1, given as a
 * bigint, a safe-integer number or a decimal string of digits. Anything else is ECONOMICS_INVALID_AMOUNT.
 */
export function parseAmount(value: unknown, what = 'amount', options: { allowZero?: boolean } = {}): bigint {
  let v: bigint
  if (typeof value === 'bigint') v = value
  else if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value))
      throw invalidAmount(what, value, 'amounts are whole numbers of base units')
    if (!Number.isSafeInteger(value))
      throw invalidAmount(what, value, 'give large amounts as a string of digits')
    v = BigInt(value)
  } else if (typeof value === 'string') {
    const text = value.trim()
    if (text.startsWith('-')) throw invalidAmount(what, value, 'amounts cannot be negative')
    if (!DIGITS.test(text)) {
      throw invalidAmount(
        what,
        value,
        /^[0-9]{20,}$/.test(text)
          ? `the largest amount is ${MAX_AMOUNT}`
          : 'amounts are whole numbers of base units (digits only)',
      )
    }
    v = BigInt(text)
  } else {
    throw invalidAmount(what, value, 'expected a whole number')
  }
  if (v < 0n) throw invalidAmount(what, value, 'amounts cannot be negative')
  if (v === 0n && options.allowZero !== true) throw invalidAmount(what, value, 'it must be at least 1')
  if (v > MAX_AMOUNT) throw invalidAmount(what, value, `the largest amount is ${MAX_AMOUNT}`)
  return v
}

/** Reads an integer stored in state (dag-cbor gives numbers up to 2^53 and bigints above). */
export function big(value: unknown): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  return 0n
}

/** Integer ceiling division for non-negative bigints. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b
}

/** Base units → a decimal string with `decimals` places ("12345", 2 → "123.45"). */
export function formatUnits(amount: bigint | string, decimals: number): string {
  const v = BigInt(amount)
  if (decimals <= 0) return v.toString()
  const negative = v < 0n
  const digits = (negative ? -v : v).toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, -decimals)
  const fraction = digits.slice(-decimals).replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : '.' + fraction}`
}

/** A decimal string with up to `decimals` places → base units; ECONOMICS_INVALID_AMOUNT otherwise. */
export function parseUnits(text: string, decimals: number, what = 'amount'): bigint {
  const t = text.trim()
  const match = /^([0-9]+)(?:\.([0-9]+))?$/.exec(t)
  if (match === null) {
    throw invalidAmount(what, text, t.startsWith('-') ? 'amounts cannot be negative' : 'expected a number')
  }
  const fraction = match[2] ?? ''
  if (fraction.length > decimals)
    throw invalidAmount(what, text, `this asset has ${decimals} decimal place${decimals === 1 ? '' : 's'}`)
  const whole = (match[1] ?? '0').replace(/^0+(?=\d)/, '')
  return parseAmount(whole + fraction.padEnd(decimals, '0').replace(/^0+(?=\d)/, ''), what)
}
