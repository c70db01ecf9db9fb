import { describe, expect, it } from 'vitest'
import { hexDump, previewOf, toHex } from './files'

describe('file previews', () => {
  it('shows UTF-8 text as text', () => {
    expect(previewOf(new TextEncoder().encode('Acta de la asamblea — 2025\n'))).toEqual({
      kind: 'text',
      text: 'Acta de la asamblea — 2025\n',
      truncated: false,
    })
  })

  it('shows the beginning of long text, even when the cut falls inside a character', () => {
    const long = new TextEncoder().encode('ñ'.repeat(100))
    const preview = previewOf(long, 51)
    expect(preview).toEqual({ kind: 'text', text: 'ñ'.repeat(25), truncated: true })
  })

  it('recognises images by their signature', () => {
    expect(previewOf(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]))).toEqual({
      kind: 'image',
      type: 'image/png',
    })
    expect(previewOf(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ kind: 'image', type: 'image/jpeg' })
  })

  it('shows binary and invalid UTF-8 as a bounded hex dump', () => {
    const wasm = new Uint8Array(2000).fill(0)
    wasm.set([0x00, 0x61, 0x73, 0x6d])
    const preview = previewOf(wasm)
    expect(preview.kind).toBe('binary')
    if (preview.kind === 'binary') expect(preview.hex.split('\n')).toHaveLength(32)
    expect(previewOf(new Uint8Array([0xc3, 0x28])).kind).toBe('binary')
    expect(hexDump(new Uint8Array([0, 255, 16]))).toBe('000000  00 ff 10')
    expect(toHex(new Uint8Array([1, 171]))).toBe('01ab')
  })
})
