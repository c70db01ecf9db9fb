/**
 * base58btc decoding for proof values. The generic decoder of multiformats costs ~20 µs for a 64-byte signature,
 * as much as a third of a whole credential check; this one works on 16-bit limbs five digits at a time
 * (58^5 < 2^30, so limb × 58^5 + carry stays below 2^53) and gives the same bytes.
 */
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const DIGIT = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i

/** Decodes base58btc text (no multibase prefix); throws on a character outside the alphabet. */
export function decodeBase58btc(text: string): Uint8Array {
  let zeros = 0
  while (zeros < text.length && text.charCodeAt(zeros) === 0x31) zeros++
  // log2(58) ≈ 5.858 bits per digit.
  const limbs = new Array<number>(Math.ceil(((text.length - zeros) * 5.858) / 16) + 1).fill(0)
  let used = 0
  for (let i = zeros; i < text.length;) {
    let chunk = 0
    let factor = 1
    for (let k = 0; k < 5 && i < text.length; k++, i++) {
      const code = text.charCodeAt(i)
      const digit = code < 128 ? (DIGIT[code] as number) : -1
      if (digit < 0) throw new SyntaxError(`Non-base58btc character at ${i}`)
      chunk = chunk * 58 + digit
      factor *= 58
    }
    let carry = chunk
    for (let j = 0; j < used; j++) {
      const x = (limbs[j] as number) * factor + carry
      limbs[j] = x % 65536
      carry = Math.floor(x / 65536)
    }
    while (carry > 0) {
      limbs[used++] = carry % 65536
      carry = Math.floor(carry / 65536)
    }
  }
  const body: number[] = []
  for (let j = used - 1; j >= 0; j--) body.push((limbs[j] as number) >> 8, (limbs[j] as number) & 0xff)
  let skip = 0
  while (skip < body.length && body[skip] === 0) skip++
  const out = new Uint8Array(zeros + body.length - skip)
  out.set(body.slice(skip), zeros)
  return out
}
