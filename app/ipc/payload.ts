/**
 * A bounded estimate of how many bytes a structured-clone payload carries: byte arrays count their length,
 * strings their UTF-16 code units, everything else a few bytes. The walk stops as soon as `limit` is passed or
 * the value nests deeper than `maxDepth`, so hostile payloads cost O(limit) at most.
 */
export type PayloadCheck = { ok: true; bytes: number } | { ok: false; reason: 'too-large' | 'too-deep' }

export function measurePayload(value: unknown, limit: number, maxDepth = 64): PayloadCheck {
  let total = 0
  const seen = new Set<object>()
  // Iterative so a deep payload cannot exhaust the stack.
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop() as { value: unknown; depth: number }
    if (depth > maxDepth) return { ok: false, reason: 'too-deep' }
    if (typeof v === 'string') total += v.length
    else if (ArrayBuffer.isView(v)) total += v.byteLength
    else if (v instanceof ArrayBuffer) total += v.byteLength
    else if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) continue
      seen.add(v)
      total += 8
      if (v instanceof Map) {
        for (const [k, item] of v)
          stack.push({ value: k, depth: depth + 1 }, { value: item, depth: depth + 1 })
      } else if (v instanceof Set) {
        for (const item of v) stack.push({ value: item, depth: depth + 1 })
      } else if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          total += 1
          stack.push({ value: v[i] as unknown, depth: depth + 1 })
          if (total > limit) return { ok: false, reason: 'too-large' }
        }
      } else {
        for (const key of Object.keys(v)) {
          total += key.length
          stack.push({ value: (v as Record<string, unknown>)[key], depth: depth + 1 })
          if (total > limit) return { ok: false, reason: 'too-large' }
        }
      }
    } else total += 8
    if (total > limit) return { ok: false, reason: 'too-large' }
  }
  return { ok: true, bytes: total }
}
