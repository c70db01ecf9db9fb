/**
 * The desktop app's log file in the user data dir, rotated by size: main.log, main.1.log, … main.<keep>.log.
 * Writes are synchronous appends, so the startup-error window can show the very line that explains a failure
 * and a crash loses nothing already logged. Log volume at info level is a few lines per minute.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import type { LogSink } from './logger'

export interface RotatingLogInit {
  dir: string
  /** @default 'main' → main.log */
  name?: string
  /** Rotate once the file passes this size. @default 5 MiB */
  maxBytes?: number
  /** Rotated files kept. @default 3 */
  keep?: number
}

export interface RotatingLog extends LogSink {
  readonly path: string
  /** The last `maxBytes` of the current file (whole lines), for the startup-error window. */
  tail(maxBytes?: number): string
  close(): void
}

export function rotatedPath(dir: string, name: string, index: number): string {
  return join(dir, index === 0 ? `${name}.log` : `${name}.${index}.log`)
}

export function createRotatingLog(init: RotatingLogInit): RotatingLog {
  const name = init.name ?? 'main'
  const maxBytes = init.maxBytes ?? 5 * 1024 * 1024
  const keep = init.keep ?? 3
  mkdirSync(init.dir, { recursive: true, mode: 0o700 })
  const path = rotatedPath(init.dir, name, 0)
  let fd: number | undefined = openSync(path, 'a', 0o600)
  let size = fstatSync(fd).size

  const rotate = (): void => {
    if (fd !== undefined) closeSync(fd)
    rmSync(rotatedPath(init.dir, name, keep), { force: true })
    for (let i = keep - 1; i >= 0; i--) {
      const from = rotatedPath(init.dir, name, i)
      if (existsSync(from)) renameSync(from, rotatedPath(init.dir, name, i + 1))
    }
    fd = openSync(path, 'a', 0o600)
    size = 0
  }

  return {
    path,
    write(line) {
      if (fd === undefined) return
      const bytes = Buffer.from(line.endsWith('\n') ? line : line + '\n')
      try {
        if (size > 0 && size + bytes.length > maxBytes) rotate()
        writeSync(fd, bytes)
        size += bytes.length
      } catch {
        // A full disk must not take the app down; the ring in memory still has the line.
      }
    },
    tail(limit = 16 * 1024) {
      let handle: number | undefined
      try {
        handle = openSync(path, 'r')
        const total = fstatSync(handle).size
        const length = Math.min(total, limit)
        const buffer = Buffer.alloc(length)
        readSync(handle, buffer, 0, length, total - length)
        const text = buffer.toString('utf8')
        return length < total ? text.slice(text.indexOf('\n') + 1) : text
      } catch {
        return ''
      } finally {
        if (handle !== undefined) closeSync(handle)
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}
