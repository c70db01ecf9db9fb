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
