/** Saving bytes as a file (the browser's download) and reading a picked file, without any extra permission. */
export function saveBytes(bytes: Uint8Array, fileName: string, type = 'application/octet-stream'): void {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.rel = 'noopener'
  document.body.append(a)
  a.click()
  a.remove()
  // Revoke later: some browsers read the blob asynchronously after click().
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

export async function readFileBytes(file: File): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await file.arrayBuffer())
}

export type Preview =
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'image'; type: string }
  | { kind: 'binary'; hex: string }

const IMAGE_SIGNATURES: [string, number[]][] = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
  ['image/webp', [0x52, 0x49, 0x46, 0x46]],
]

/** How to show file content: UTF-8 text, a known image type, or a hex dump of the first bytes. */
export function previewOf(bytes: Uint8Array, maxText = 256 * 1024): Preview {
  for (const [type, sig] of IMAGE_SIGNATURES) {
    if (sig.every((b, i) => bytes[i] === b)) return { kind: 'image', type }
  }
  const truncated = bytes.length > maxText
  try {
    // `stream` lets a long file be cut in the middle of a character without being taken for binary.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, maxText), {
      stream: truncated,
    })
    // eslint-disable-next-line no-control-regex -- control characters mean binary content
    if (!/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text)) return { kind: 'text', text, truncated }
  } catch {
    // Not UTF-8: fall through to hex.
  }
  return { kind: 'binary', hex: hexDump(bytes.subarray(0, 512)) }
}

export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = []
  for (let i = 0; i < bytes.length; i += 16) {
    const row = [...bytes.subarray(i, i + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
    lines.push(`${i.toString(16).padStart(6, '0')}  ${row}`)
  }
  return lines.join('\n')
}

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}
