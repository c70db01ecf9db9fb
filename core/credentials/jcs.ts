/**
 * JSON Canonicalization Scheme (RFC 8785) for the JSON values credentials hold: object members sorted by their
 * UTF-16 code units, no whitespace, strings and numbers serialized as ECMAScript's JSON.stringify does (which is
 * what the RFC specifies for both). Values JSON cannot carry (undefined, functions, non-finite numbers, bigints)
 * are refused rather than dropped, so that what is signed is exactly what a verifier sees.
 */
export function canonicalize(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('JCS: numbers must be finite')
      return JSON.stringify(value)
    case 'object': {
      // Plain loops and string concatenation: this runs for every credential verified (see bench/credentials.ts).
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalize(value[i])
        return out + ']'
      }
      const keys = Object.keys(value).sort()
      let out = '{'
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string
        const member = (value as Record<string, unknown>)[key]
        if (member === undefined) throw new TypeError(`JCS: member "${key}" is undefined`)
        out += (i === 0 ? '' : ',') + JSON.stringify(key) + ':' + canonicalize(member)
      }
      return out + '}'
    }
    default:
      throw new TypeError(`JCS: a ${typeof value} is not a JSON value`)
  }
}
