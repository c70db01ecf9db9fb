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
      if (Array.isArray(value)) return `[${value.map((item) => canonicalize(item)).join(',')}]`
      const keys = Object.keys(value).sort()
      const parts: string[] = []
      for (const key of keys) {
        const member = (value as Record<string, unknown>)[key]
        if (member === undefined) throw new TypeError(`JCS: member "${key}" is undefined`)
        parts.push(`${JSON.stringify(key)}:${canonicalize(member)}`)
      }
      return `{${parts.join(',')}}`
    }
    default:
      throw new TypeError(`JCS: a ${typeof value} is not a JSON value`)
  }
}
