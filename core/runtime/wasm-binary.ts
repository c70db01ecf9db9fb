/**
 * Minimal WebAssembly binary reader and writer used by the instrumenter. The reader never trusts its input:
 * every read is bounds-checked and every LEB128 is checked for length and range, so malformed bytes end in a
 * `WasmFormatError` and never in an exception of another kind.
 */

export class WasmFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`)
    this.name = 'WasmFormatError'
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class Reader {
  pos: number

  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    readonly end = bytes.length,
  ) {
    this.pos = pos
  }

  get eof(): boolean {
    return this.pos >= this.end
  }

  fail(message: string, offset = this.pos): never {
    throw new WasmFormatError(message, offset)
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of input')
    return this.bytes[this.pos++] as number
  }

  peek(): number {
    if (this.pos >= this.end) this.fail('unexpected end of input')
    return this.bytes[this.pos] as number
  }

  /** Unsigned LEB128 that must fit in 32 bits. */
  u32(): number {
    const start = this.pos
    let result = 0
    let shift = 0
    for (;;) {
      const byte = this.u8()
      if (shift === 28) {
        if ((byte & 0x70) !== 0 || (byte & 0x80) !== 0)
          this.fail('integer representation too long or too large', start)
        result += (byte & 0x0f) * 2 ** 28
        return result
      }
      result |= (byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return result >>> 0
      shift += 7
    }
  }

  /** Signed LEB128 that must fit in 32 bits. */
  s32(): number {
    const start = this.pos
    let result = 0
    let shift = 0
    for (;;) {
      const byte = this.u8()
      if (shift === 28) {
        if ((byte & 0x80) !== 0) this.fail('integer representation too long', start)
        const high = byte & 0x7f
        // The unused bits of the last byte must all equal the sign bit.
        if (high !== (high & 0x08 ? 0x78 | (high & 0x07) : high & 0x07)) this.fail('integer too large', start)
        return result | (high << 28)
      }
      result |= (byte & 0x7f) << shift
      shift += 7
      if ((byte & 0x80) === 0) {
        if (shift < 32 && (byte & 0x40) !== 0) result |= -1 << shift
        return result
      }
    }
  }

  /** Signed LEB128 of up to `bits` bits; only its length is checked, the value is skipped. */
  skipSigned(bits: 33 | 64): void {
    const maxBytes = Math.ceil(bits / 7)
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.u8()
      if ((byte & 0x80) === 0) return
    }
    this.fail('integer representation too long')
  }

  /** Signed LEB128 of up to 33 bits, returned as a number (block types). */
  s33(): number {
    const start = this.pos
    let result = 0
    let factor = 1
    for (let i = 0; i < 5; i++) {
      const byte = this.u8()
      result += (byte & 0x7f) * factor
      factor *= 128
      if ((byte & 0x80) === 0) {
        if ((byte & 0x40) !== 0) result -= factor
        return result
      }
    }
    this.fail('integer representation too long', start)
  }

  take(length: number): Uint8Array {
    if (length < 0 || this.pos + length > this.end) this.fail('length out of bounds')
    const out = this.bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }

  skip(length: number): void {
    if (length < 0 || this.pos + length > this.end) this.fail('length out of bounds')
    this.pos += length
  }

  name(): string {
    const length = this.u32()
    const start = this.pos
    const raw = this.take(length)
    try {
      return utf8.decode(raw)
    } catch {
      this.fail('name is not valid UTF-8', start)
    }
  }
}

/** Growable byte buffer. */
export class Writer {
  private buf: Uint8Array
  length = 0

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, capacity))
  }

  private ensure(extra: number): void {
    const need = this.length + extra
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }

  byte(value: number): this {
    this.ensure(1)
    this.buf[this.length++] = value
    return this
  }

  bytes(values: Uint8Array | readonly number[]): this {
    this.ensure(values.length)
    this.buf.set(values, this.length)
    this.length += values.length
    return this
  }

  u32(value: number): this {
    let v = value >>> 0
    this.ensure(5)
    do {
      let byte = v & 0x7f
      v >>>= 7
      if (v !== 0) byte |= 0x80
      this.buf[this.length++] = byte
    } while (v !== 0)
    return this
  }

  s32(value: number): this {
    let v = value | 0
    this.ensure(5)
    for (;;) {
      const byte = v & 0x7f
      v >>= 7
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
        this.buf[this.length++] = byte
        return this
      }
      this.buf[this.length++] = byte | 0x80
    }
  }

  s64(value: bigint): this {
    let v = BigInt.asIntN(64, value)
    this.ensure(10)
    for (;;) {
      const byte = Number(v & 0x7fn)
      v >>= 7n
      if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
        this.buf[this.length++] = byte
        return this
      }
      this.buf[this.length++] = byte | 0x80
    }
  }

  name(text: string): this {
    const encoded = new TextEncoder().encode(text)
    this.u32(encoded.length)
    return this.bytes(encoded)
  }

  /** Appends `content` as a section: id, size, bytes. */
  section(id: number, content: Writer): this {
    this.byte(id)
    this.u32(content.length)
    this.ensure(content.length)
    this.buf.set(content.view(), this.length)
    this.length += content.length
    return this
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length)
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length)
  }

  reset(): void {
    this.length = 0
  }
}
