import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'

/**
 * dag-cbor encoding for the values this node writes on every event (state values, history rows, event payloads,
 * and the canonical re-check of incoming events), byte for byte what `@ipld/dag-cbor` produces. cborg sorts a
 * map's keys by converting both keys to bytes on every comparison and builds a token list first; for small records
 * written thousands of times a second that garbage was a fifth of the ingest's allocations. Here a map's key order
 * is computed once per shape (the same record type has the same keys) and values are written straight into one
 * buffer.
 *
 * Anything outside the common subset (floats, -0, integers beyond 64 bits or unsafe numbers, keys with non-ASCII or
 * NUL characters, class instances other than Uint8Array and CID, undefined) is handed to `@ipld/dag-cbor` for the whole value,
 * so its encoding and its errors stay the reference. core/dag/fast-cbor.test.ts checks both agree on random values.
 */

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported()

let buf = new Uint8Array(64 * 1024)
let view = new DataView(buf.buffer)
let pos = 0

function ensure(n: number): void {
  if (pos + n <= buf.length) return
  let size = buf.length * 2
  while (size < pos + n) size *= 2
  const next = new Uint8Array(size)
  next.set(buf.subarray(0, pos))
  buf = next
  view = new DataView(buf.buffer)
}

/** A major type with its argument in the shortest form (RFC 8949 preferred serialization, as cborg writes it). */
function head(major: number, n: number): void {
  ensure(9)
  const m = major << 5
  if (n < 24) {
    buf[pos++] = m | n
  } else if (n < 0x100) {
    buf[pos++] = m | 24
    buf[pos++] = n
  } else if (n < 0x10000) {
    buf[pos++] = m | 25
    view.setUint16(pos, n)
    pos += 2
  } else if (n < 0x100000000) {
    buf[pos++] = m | 26
    view.setUint32(pos, n)
    pos += 4
  } else {
    buf[pos++] = m | 27
    view.setUint32(pos, Math.floor(n / 0x100000000))
    view.setUint32(pos + 4, n >>> 0)
    pos += 8
  }
}

function bigHead(major: number, n: bigint): void {
  if (n < 0x100000000n) return head(major, Number(n))
  ensure(9)
  buf[pos++] = (major << 5) | 27
  view.setBigUint64(pos, n)
  pos += 8
}

const MAX_U64 = 0xffffffffffffffffn

function string(s: string): void {
  const n = s.length
  if (n < 128) {
    // Short strings: ASCII written directly; anything else measured and written by Buffer.
    ensure(n + 2)
    const start = pos
    head(3, n)
    let ascii = true
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c > 0x7f) {
        ascii = false
        break
      }
      buf[pos + i] = c
    }
    if (ascii) {
      pos += n
      return
    }
    pos = start
  }
  const bytes = Buffer.byteLength(s, 'utf8')
  head(3, bytes)
  ensure(bytes)
  Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).write(s, pos, 'utf8')
  pos += bytes
}

function bytes(b: Uint8Array): void {
  head(2, b.length)
  ensure(b.length)
  buf.set(b, pos)
  pos += b.length
}

/** Key order per shape: length first, then bytewise (keys are ASCII here, so UTF-16 order is byte order). */
const orders = new Map<string, string[]>()
const ORDER_CACHE_LIMIT = 2048

function ordered(keys: string[]): string[] {
  // Keys of a cached shape hold no NUL (checked below), so count + NUL-joined keys name exactly one key list.
  const shape = `${keys.length}:${keys.join('\u0000')}`
  let order = orders.get(shape)
  if (order === undefined) {
    for (const k of keys) {
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i)
        if (c > 0x7f || c === 0) throw UNSUPPORTED
      }
    }
    order = [...keys].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
    if (orders.size >= ORDER_CACHE_LIMIT) orders.clear()
    orders.set(shape, order)
  }
  return order
}

function value(v: unknown): void {
  switch (typeof v) {
    case 'string':
      return string(v)
    case 'number':
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw UNSUPPORTED
      return v >= 0 ? head(0, v) : head(1, -1 - v)
    case 'bigint':
      if (v >= 0n) {
        if (v > MAX_U64) throw UNSUPPORTED
        return bigHead(0, v)
      }
      if (-1n - v > MAX_U64) throw UNSUPPORTED
      return bigHead(1, -1n - v)
    case 'boolean':
      ensure(1)
      buf[pos++] = v ? 0xf5 : 0xf4
      return
    case 'object': {
      if (v === null) {
        ensure(1)
        buf[pos++] = 0xf6
        return
      }
      if (Array.isArray(v)) {
        head(4, v.length)
        for (const item of v) value(item)
        return
      }
      const proto = Object.getPrototypeOf(v) as unknown
      if (proto === Uint8Array.prototype) return bytes(v as Uint8Array)
      if (proto === Object.prototype || proto === null) {
        const record = v as Record<string, unknown>
        const keys = ordered(Object.keys(record))
        head(5, keys.length)
        for (const k of keys) {
          string(k)
          value(record[k])
        }
        return
      }
      const cid = CID.asCID(v)
      if (cid !== null) {
        ensure(2)
        buf[pos++] = 0xd8 // tag, one-byte argument
        buf[pos++] = 42
        head(2, cid.bytes.length + 1)
        ensure(cid.bytes.length + 1)
        buf[pos++] = 0 // the multibase identity prefix dag-cbor puts before a CID's bytes
        buf.set(cid.bytes, pos)
        pos += cid.bytes.length
        return
      }
      throw UNSUPPORTED
    }
    default:
      throw UNSUPPORTED
  }
}

export function encodeDagCbor(v: unknown): Uint8Array {
  pos = 0
  try {
    value(v)
  } catch (err) {
    if (err instanceof Unsupported) return dagCbor.encode(v)
    throw err
  }
  const out = buf.slice(0, pos)
  // A one-off huge value does not keep a huge scratch buffer alive.
  if (buf.length > 1024 * 1024) {
    buf = new Uint8Array(64 * 1024)
    view = new DataView(buf.buffer)
  }
  return out
}

/**
 * Decoding of the dag-cbor this node wrote itself (state and index values, stored events), to the same values
 * `@ipld/dag-cbor` returns: cborg builds a token object per item and decodes every string through its UTF-8
 * routine, about a sixth of the ingest's allocations for reads of small records. Anything this decoder does not
 * expect (indefinite lengths, undefined, NaN/Infinity, half or single floats, tags other than 42, duplicate keys,
 * trailing bytes, invalid UTF-8) is handed to `@ipld/dag-cbor` for the whole input, which gives its value or its
 * error. It does not re-check canonical form (key order, shortest integers): the bytes are this node's own writes,
 * and events from peers are checked by `decodeCanonical`. fast-cbor.test.ts compares it with `@ipld/dag-cbor`.
 */
const EMPTY: Uint8Array = new Uint8Array(0)
let input = EMPTY
let at = 0
const utf8 = new TextDecoder('utf-8', { fatal: true })
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function arg(minor: number): number | bigint {
  if (minor < 24) return minor
  switch (minor) {
    case 24:
      // Shortest form only (cborg's strict mode refuses the rest): the reference decides anything else.
      if (at + 1 > input.length || input[at]! < 24) throw UNSUPPORTED
      return input[at++]!
    case 25: {
      if (at + 2 > input.length) throw UNSUPPORTED
      const n = (input[at]! << 8) | input[at + 1]!
      if (n < 0x100) throw UNSUPPORTED
      at += 2
      return n
    }
    case 26: {
      if (at + 4 > input.length) throw UNSUPPORTED
      const n = input[at]! * 0x1000000 + ((input[at + 1]! << 16) | (input[at + 2]! << 8) | input[at + 3]!)
      if (n < 0x10000) throw UNSUPPORTED
      at += 4
      return n
    }
    case 27: {
      if (at + 8 > input.length) throw UNSUPPORTED
      const hi = input[at]! * 0x1000000 + ((input[at + 1]! << 16) | (input[at + 2]! << 8) | input[at + 3]!)
      const lo =
        input[at + 4]! * 0x1000000 + ((input[at + 5]! << 16) | (input[at + 6]! << 8) | input[at + 7]!)
      if (hi === 0) throw UNSUPPORTED
      at += 8
      if (hi < 0x200000) return hi * 0x100000000 + lo // below 2^53: exact as a number
      const big = (BigInt(hi) << 32n) | BigInt(lo)
      return big > MAX_SAFE ? big : Number(big)
    }
    default:
      throw UNSUPPORTED
  }
}

/** A length or count: a number small enough to index the input. */
function size(minor: number): number {
  const n = arg(minor)
  if (typeof n !== 'number' || n > input.length - at) throw UNSUPPORTED
  return n
}

/**
 * Node's native Latin-1 slice (on any Uint8Array, ~45 ns for a DID against ~280 ns for a character loop that builds
 * the string piece by piece); ASCII is Latin-1, so it decodes ASCII text exactly. Not part of Node's documented API:
 * without it, TextDecoder does the work.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string })
  .latin1Slice

/** ASCII bytes → string in one native call (TextDecoder without the Latin-1 slice). */
export function asciiString(bytes: Uint8Array, start: number, end: number): string {
  return latin1Slice !== undefined
    ? latin1Slice.call(bytes, start, end)
    : utf8.decode(bytes.subarray(start, end))
}

function text(n: number): string {
  const end = at + n
  let ascii = true
  for (let i = at; ascii && i < end; i++) if (input[i]! >= 0x80) ascii = false
  const s = ascii ? asciiString(input, at, end) : utf8.decode(input.subarray(at, end))
  at = end
  return s
}

function item(): unknown {
  if (at >= input.length) throw UNSUPPORTED
  const first = input[at++]!
  const major = first >> 5
  const minor = first & 31
  switch (major) {
    case 0:
      return arg(minor)
    case 1: {
      const n = arg(minor)
      if (typeof n === 'number') {
        const v = -1 - n
        return v >= Number.MIN_SAFE_INTEGER ? v : -1n - BigInt(n)
      }
      return -1n - n
    }
    case 2: {
      const n = size(minor)
      const out = new Uint8Array(n)
      out.set(input.subarray(at, at + n))
      at += n
      return out
    }
    case 3:
      return text(size(minor))
    case 4: {
      const n = size(minor)
      const out = new Array<unknown>(n)
      for (let i = 0; i < n; i++) out[i] = item()
      return out
    }
    case 5: {
      const n = size(minor)
      const out: Record<string, unknown> = {}
      for (let i = 0; i < n; i++) {
        if (at >= input.length || input[at]! >> 5 !== 3) throw UNSUPPORTED
        const key = text(size(input[at++]! & 31))
        if (key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) throw UNSUPPORTED
        out[key] = item()
      }
      return out
    }
    case 6: {
      if (arg(minor) !== 42 || at >= input.length || input[at]! >> 5 !== 2) throw UNSUPPORTED
      const n = size(input[at++]! & 31)
      if (n < 2 || input[at] !== 0) throw UNSUPPORTED
      const own = new Uint8Array(n - 1)
      own.set(input.subarray(at + 1, at + n))
      at += n
      const cid = CID.decode(own)
      return cid
    }
    default:
      switch (minor) {
        case 20:
          return false
        case 21:
          return true
        case 22:
          return null
        case 27: {
          if (at + 8 > input.length) throw UNSUPPORTED
          const f = new DataView(input.buffer, input.byteOffset + at, 8).getFloat64(0)
          at += 8
          if (!Number.isFinite(f)) throw UNSUPPORTED
          return f
        }
        default:
          throw UNSUPPORTED
      }
  }
}

export function decodeDagCborTrusted(bytes: Uint8Array): unknown {
  input = bytes
  at = 0
  try {
    const v = item()
    if (at !== bytes.length) throw UNSUPPORTED
    return v
  } catch {
    // Whatever this decoder did not expect (or found malformed), the reference decides: its value or its error.
    return dagCbor.decode(bytes)
  } finally {
    input = EMPTY
  }
}
