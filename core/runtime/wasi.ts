import { createHash } from 'node:crypto'
import { HOST_BYTE_FUEL, HOST_CALL_FUEL } from './abi'
import { FuelExhausted, OutputLimitExceeded, ProcExit } from './trap'
import { WASI_IMPORTS } from './wasi-spec'

/**
 * Deterministic WASI preview1 for jobs. Everything a guest can observe is a function of the job: its arguments,
 * environment, stdin, input files, start timestamp and seed. Nothing of the host (files, network, environment,
 * clocks, entropy) is reachable.
 *
 * File system: fd 0/1/2 are stdin/stdout/stderr, fd 3 is the read-only preopen `/in` holding the job inputs as
 * files `0`, `1`, … (manifest order), fd 4 is the write-only preopen `/out`; files created there are the job's
 * outputs. Both directories are flat. stdout, stderr and /out share one budget of `outputBytes` bytes.
 *
 * Every call costs HOST_CALL_FUEL plus HOST_BYTE_FUEL per byte it reads from or writes to linear memory.
 */

export interface WasiInit {
  /** argv, including argv[0]. */
  args: readonly string[]
  env: Readonly<Record<string, string>>
  stdin: Uint8Array
  inputs: readonly Uint8Array[]
  outputBytes: number
  seed: Uint8Array
  /** Job start time (ms since the epoch): the only time the guest can see. */
  startTs: number
}

/** The parts of an instance the host functions need. Bound after instantiation. */
export interface GuestBinding {
  memory: WebAssembly.Memory | undefined
  fuel: WebAssembly.Global<'i64'>
}

export const ERRNO = {
  SUCCESS: 0,
  ACCES: 2,
  BADF: 8,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  INVAL: 28,
  ISDIR: 31,
  MFILE: 33,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOSYS: 52,
  NOTDIR: 54,
  NOTSUP: 58,
  SPIPE: 70,
  NOTCAPABLE: 76,
} as const

const FILETYPE_CHARACTER_DEVICE = 2
const FILETYPE_DIRECTORY = 3
const FILETYPE_REGULAR_FILE = 4

const OFLAGS_CREAT = 1
const OFLAGS_DIRECTORY = 2
const OFLAGS_EXCL = 4
const OFLAGS_TRUNC = 8
const FDFLAGS_APPEND = 1

const R = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_FILE: 1n << 10n,
  PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n,
  PATH_FILESTAT_GET: 1n << 18n,
  FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n,
} as const

const READ_FILE_RIGHTS =
  R.FD_READ | R.FD_SEEK | R.FD_TELL | R.FD_FILESTAT_GET | R.FD_ADVISE | R.FD_FDSTAT_SET_FLAGS
const WRITE_FILE_RIGHTS =
  R.FD_WRITE |
  R.FD_SEEK |
  R.FD_TELL |
  R.FD_FILESTAT_GET |
  R.FD_FILESTAT_SET_SIZE |
  R.FD_DATASYNC |
  R.FD_SYNC |
  R.FD_FDSTAT_SET_FLAGS
const DIR_RIGHTS = R.PATH_OPEN | R.FD_READDIR | R.PATH_FILESTAT_GET | R.FD_FILESTAT_GET

/** Open files per job, preopens and stdio included. */
const MAX_FDS = 64
const MAX_PATH_BYTES = 4096
const MAX_NAME_BYTES = 255

interface OutFile {
  data: Uint8Array
  size: number
}

type Fd =
  | { kind: 'stdin'; pos: number }
  | { kind: 'stdout' | 'stderr' }
  | { kind: 'dir'; dir: 'in' | 'out'; preopen: boolean }
  | { kind: 'input'; index: number; pos: number }
  | { kind: 'output'; name: string; pos: number; append: boolean }

const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

export class DeterministicWasi {
  private readonly fds = new Map<number, Fd>()
  private readonly outFiles = new Map<string, OutFile>()
  private stdoutChunks: Uint8Array[] = []
  private stderrChunks: Uint8Array[] = []
  private outputUsed = 0
  private binding: GuestBinding | undefined
  private randomCounter = 0n
  private randomBuffer = new Uint8Array(0)
  private readonly argBytes: Uint8Array[]
  private readonly envBytes: Uint8Array[]
  private readonly startNs: bigint

  constructor(private readonly init: WasiInit) {
    this.argBytes = init.args.map((a) => utf8.encode(`${a}\0`))
    this.envBytes = Object.keys(init.env)
      .sort()
      .map((k) => utf8.encode(`${k}=${init.env[k]}\0`))
    this.startNs = BigInt(Math.trunc(init.startTs)) * 1_000_000n
    this.fds.set(0, { kind: 'stdin', pos: 0 })
    this.fds.set(1, { kind: 'stdout' })
    this.fds.set(2, { kind: 'stderr' })
    this.fds.set(3, { kind: 'dir', dir: 'in', preopen: true })
    this.fds.set(4, { kind: 'dir', dir: 'out', preopen: true })
  }

  bind(binding: GuestBinding): void {
    this.binding = binding
  }

  get stdout(): Uint8Array {
    return concat(this.stdoutChunks)
  }

  get stderr(): Uint8Array {
    return concat(this.stderrChunks)
  }

  /** Files written to /out, by name in sorted order. */
  get outputs(): Record<string, Uint8Array> {
    const out: Record<string, Uint8Array> = {}
    for (const name of [...this.outFiles.keys()].sort()) {
      const file = this.outFiles.get(name) as OutFile
      out[name] = file.data.slice(0, file.size)
    }
    return out
  }

  // ------------------------------------------------------------------------------------------- plumbing

  private charge(bytes: number): void {
    const fuel = (this.binding as GuestBinding).fuel
    const left = fuel.value - HOST_CALL_FUEL - BigInt(bytes) * HOST_BYTE_FUEL
    fuel.value = left
    if (left < 0n) throw new FuelExhausted()
  }

  private chargeBytes(bytes: number): void {
    if (bytes === 0) return
    const fuel = (this.binding as GuestBinding).fuel
    const left = fuel.value - BigInt(bytes) * HOST_BYTE_FUEL
    fuel.value = left
    if (left < 0n) throw new FuelExhausted()
  }

  /** Current view of linear memory (it may have grown since the last call), or null when there is none. */
  private mem(): { view: DataView; bytes: Uint8Array } | null {
    const memory = this.binding?.memory
    if (memory === undefined) return null
    const buffer = memory.buffer
    return { view: new DataView(buffer), bytes: new Uint8Array(buffer) }
  }

  private inBounds(m: { bytes: Uint8Array }, ptr: number, len: number): boolean {
    return ptr >= 0 && len >= 0 && ptr + len <= m.bytes.length
  }

  /** Reads an iovec array; null when it is out of bounds. */
  private iovecs(
    m: { view: DataView; bytes: Uint8Array },
    ptr: number,
    count: number,
  ): [number, number][] | null {
    if (count < 0 || count > 1024 || !this.inBounds(m, ptr, count * 8)) return null
    const out: [number, number][] = []
    for (let i = 0; i < count; i++) {
      const base = m.view.getUint32(ptr + i * 8, true)
      const len = m.view.getUint32(ptr + i * 8 + 4, true)
      if (!this.inBounds(m, base, len)) return null
      out.push([base, len])
    }
    return out
  }

  private addOutput(bytes: number): void {
    if (this.outputUsed + bytes > this.init.outputBytes) throw new OutputLimitExceeded(this.init.outputBytes)
    this.outputUsed += bytes
  }

  private lowestFreeFd(): number {
    for (let fd = 0; fd < MAX_FDS; fd++) if (!this.fds.has(fd)) return fd
    return -1
  }

  /** Resolves a path relative to a directory fd to a single file name ('' for the directory itself). */
  private resolve(m: { bytes: Uint8Array }, ptr: number, len: number): { name: string } | { errno: number } {
    if (!this.inBounds(m, ptr, len)) return { errno: ERRNO.FAULT }
    if (len > MAX_PATH_BYTES) return { errno: ERRNO.NAMETOOLONG }
    let text: string
    try {
      text = utf8Decoder.decode(m.bytes.subarray(ptr, ptr + len))
    } catch {
      return { errno: ERRNO.INVAL }
    }
    if (text.includes('\0')) return { errno: ERRNO.INVAL }
    const parts = text.split('/').filter((p) => p !== '' && p !== '.')
    if (parts.includes('..') || text.startsWith('/')) return { errno: ERRNO.NOTCAPABLE }
    if (parts.length > 1) return { errno: ERRNO.NOENT }
    const name = parts[0] ?? ''
    if (utf8.encode(name).length > MAX_NAME_BYTES) return { errno: ERRNO.NAMETOOLONG }
    return { name }
  }

  private inputIndex(name: string): number {
    if (!/^(0|[1-9][0-9]*)$/.test(name)) return -1
    const index = Number(name)
    return index < this.init.inputs.length ? index : -1
  }

  private writeFilestat(
    m: { view: DataView },
    ptr: number,
    filetype: number,
    size: number,
    ino: number,
  ): void {
    const v = m.view
    v.setBigUint64(ptr, 1n, true) // dev
    v.setBigUint64(ptr + 8, BigInt(ino), true)
    v.setUint8(ptr + 16, filetype)
    for (let i = 17; i < 24; i++) v.setUint8(ptr + i, 0)
    v.setBigUint64(ptr + 24, 1n, true) // nlink
    v.setBigUint64(ptr + 32, BigInt(size), true)
    v.setBigUint64(ptr + 40, this.startNs, true)
    v.setBigUint64(ptr + 48, this.startNs, true)
    v.setBigUint64(ptr + 56, this.startNs, true)
  }

  private fileStat(fd: Fd): { filetype: number; size: number; ino: number } {
    switch (fd.kind) {
      case 'stdin':
        return { filetype: FILETYPE_CHARACTER_DEVICE, size: 0, ino: 1 }
      case 'stdout':
        return { filetype: FILETYPE_CHARACTER_DEVICE, size: 0, ino: 2 }
      case 'stderr':
        return { filetype: FILETYPE_CHARACTER_DEVICE, size: 0, ino: 3 }
      case 'dir':
        return { filetype: FILETYPE_DIRECTORY, size: 0, ino: fd.dir === 'in' ? 4 : 5 }
      case 'input':
        return {
          filetype: FILETYPE_REGULAR_FILE,
          size: (this.init.inputs[fd.index] as Uint8Array).length,
          ino: 100 + fd.index,
        }
      case 'output':
        return { filetype: FILETYPE_REGULAR_FILE, size: this.outFiles.get(fd.name)?.size ?? 0, ino: 0 }
    }
  }

  private writeOut(fd: Extract<Fd, { kind: 'output' }>, chunks: Uint8Array[], at: number): number {
    const file = this.outFiles.get(fd.name) as OutFile
    const total = chunks.reduce((n, c) => n + c.length, 0)
    const end = at + total
    if (end > file.size) this.addOutput(end - file.size)
    if (end > file.data.length) {
      const grown = new Uint8Array(Math.max(end, Math.min(file.data.length * 2, this.init.outputBytes)))
      grown.set(file.data.subarray(0, file.size))
      file.data = grown
    }
    let p = at
    for (const c of chunks) {
      file.data.set(c, p)
      p += c.length
    }
    if (end > file.size) file.size = end
    return total
  }

  private readFrom(
    data: Uint8Array,
    pos: number,
    m: { bytes: Uint8Array },
    iovs: [number, number][],
  ): number {
    let read = 0
    for (const [base, len] of iovs) {
      const n = Math.max(0, Math.min(len, data.length - pos - read))
      if (n === 0) break
      m.bytes.set(data.subarray(pos + read, pos + read + n), base)
      read += n
    }
    return read
  }

  private nextRandom(n: number): Uint8Array {
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      if (this.randomBuffer.length === 0) {
        const counter = new Uint8Array(8)
        new DataView(counter.buffer).setBigUint64(0, this.randomCounter++, false)
        this.randomBuffer = new Uint8Array(
          createHash('sha256').update('icn/v1/random\0').update(this.init.seed).update(counter).digest(),
        )
      }
      const take = Math.min(n - filled, this.randomBuffer.length)
      out.set(this.randomBuffer.subarray(0, take), filled)
      this.randomBuffer = this.randomBuffer.subarray(take)
      filled += take
    }
    return out
  }

  // ------------------------------------------------------------------------------------------ the imports

  /** The `wasi_snapshot_preview1` import object. Unlisted preview1 functions answer ENOSYS. */
  imports(): Record<string, (...args: never[]) => unknown> {
    const noMemory = ERRNO.FAULT
    const table: Record<string, (...args: never[]) => unknown> = {
      args_sizes_get: (argcPtr: number, sizePtr: number) => this.sizes(this.argBytes, argcPtr, sizePtr),
      args_get: (argvPtr: number, bufPtr: number) => this.strings(this.argBytes, argvPtr, bufPtr),
      environ_sizes_get: (countPtr: number, sizePtr: number) => this.sizes(this.envBytes, countPtr, sizePtr),
      environ_get: (envPtr: number, bufPtr: number) => this.strings(this.envBytes, envPtr, bufPtr),

      clock_res_get: (id: number, ptr: number) => {
        this.charge(8)
        const m = this.mem()
        if (m === null || !this.inBounds(m, ptr, 8)) return noMemory
        if (id < 0 || id > 3) return ERRNO.INVAL
        m.view.setBigUint64(ptr, 1_000_000n, true)
        return ERRNO.SUCCESS
      },
      clock_time_get: (id: number, _precision: bigint, ptr: number) => {
        this.charge(8)
        const m = this.mem()
        if (m === null || !this.inBounds(m, ptr, 8)) return noMemory
        if (id < 0 || id > 3) return ERRNO.INVAL
        // Wall and monotonic clocks both read the job's start time; CPU-time clocks read zero.
        m.view.setBigUint64(ptr, id <= 1 ? this.startNs : 0n, true)
        return ERRNO.SUCCESS
      },
      random_get: (ptr: number, len: number) => {
        this.charge(len)
        const m = this.mem()
        if (m === null || !this.inBounds(m, ptr, len)) return noMemory
        m.bytes.set(this.nextRandom(len), ptr)
        return ERRNO.SUCCESS
      },
      proc_exit: (code: number) => {
        this.charge(0)
        throw new ProcExit(code >>> 0)
      },
      sched_yield: () => {
        this.charge(0)
        return ERRNO.SUCCESS
      },

      fd_write: (fd: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number) =>
        this.write(fd, iovsPtr, iovsLen, nwrittenPtr, undefined),
      fd_pwrite: (fd: number, iovsPtr: number, iovsLen: number, offset: bigint, nwrittenPtr: number) =>
        this.write(fd, iovsPtr, iovsLen, nwrittenPtr, offset),
      fd_read: (fd: number, iovsPtr: number, iovsLen: number, nreadPtr: number) =>
        this.read(fd, iovsPtr, iovsLen, nreadPtr, undefined),
      fd_pread: (fd: number, iovsPtr: number, iovsLen: number, offset: bigint, nreadPtr: number) =>
        this.read(fd, iovsPtr, iovsLen, nreadPtr, offset),

      fd_close: (fd: number) => {
        this.charge(0)
        if (!this.fds.has(fd)) return ERRNO.BADF
        this.fds.delete(fd)
        return ERRNO.SUCCESS
      },
      fd_seek: (fd: number, offset: bigint, whence: number, resultPtr: number) => {
        this.charge(8)
        const m = this.mem()
        if (m === null || !this.inBounds(m, resultPtr, 8)) return noMemory
        const entry = this.fds.get(fd)
        if (entry === undefined) return ERRNO.BADF
        if (entry.kind !== 'input' && entry.kind !== 'output')
          return entry.kind === 'dir' ? ERRNO.BADF : ERRNO.SPIPE
        const size = this.fileStat(entry).size
        const base = whence === 0 ? 0 : whence === 1 ? entry.pos : whence === 2 ? size : -1
        if (base < 0) return ERRNO.INVAL
        const next = BigInt(base) + offset
        if (next < 0n || next > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO.INVAL
        entry.pos = Number(next)
        m.view.setBigUint64(resultPtr, next, true)
        return ERRNO.SUCCESS
      },
      fd_tell: (fd: number, resultPtr: number) => {
        this.charge(8)
        const m = this.mem()
        if (m === null || !this.inBounds(m, resultPtr, 8)) return noMemory
        const entry = this.fds.get(fd)
        if (entry === undefined) return ERRNO.BADF
        if (entry.kind !== 'input' && entry.kind !== 'output')
          return entry.kind === 'dir' ? ERRNO.BADF : ERRNO.SPIPE
        m.view.setBigUint64(resultPtr, BigInt(entry.pos), true)
        return ERRNO.SUCCESS
      },
      fd_fdstat_get: (fd: number, ptr: number) => {
        this.charge(24)
        const m = this.mem()
        if (m === null || !this.inBounds(m, ptr, 24)) return noMemory
        const entry = this.fds.get(fd)
        if (entry === undefined) return ERRNO.BADF
        let base = 0n
        let inheriting = 0n
        let flags = 0
        switch (entry.kind) {
          case 'stdin':
            base = R.FD_READ
            break
          case 'stdout':
          case 'stderr':
            base = R.FD_WRITE
            break
          case 'dir':
            base = DIR_RIGHTS | (entry.dir === 'out' ? R.PATH_CREATE_FILE : 0n)
            inheriting = entry.dir === 'in' ? READ_FILE_RIGHTS : WRITE_FILE_RIGHTS
            break
          case 'input':
            base = READ_FILE_RIGHTS
            break
          case 'output':
            base = WRITE_FILE_RIGHTS
            flags = entry.append ? FDFLAGS_APPEND : 0
            break
        }
        m.view.setUint8(ptr, this.fileStat(entry).filetype)
        m.view.setUint8(ptr + 1, 0)
        m.view.setUint16(ptr + 2, flags, true)
        m.view.setUint32(ptr + 4, 0, true)
        m.view.setBigUint64(ptr + 8, base, true)
        m.view.setBigUint64(ptr + 16, inheriting, true)
        return ERRNO.SUCCESS
      },
      fd_fdstat_set_flags: (fd: number, flags: number) => {
        this.charge(0)
        const entry = this.fds.get(fd)
        if (entry === undefined) return ERRNO.BADF
        if (entry.kind === 'output') entry.append = (flags & FDFLAGS_APPEND) !== 0
        else if ((flags & FDFLAGS_APPEND) !== 0) return ERRNO.NOTSUP
        return ERRNO.SUCCESS
      },
      fd_filestat_get: (fd: number, ptr: number) => {
        this.charge(64)
        const m = this.mem()
        if (m === null || !this.inBounds(m, ptr, 64)) return noMemory
        const entry = this.fds.get(fd)
        if (entry === undefined) return ERRNO.BADF
        const stat = this.fileStat(entry)
        this.writeFilestat(m, ptr, stat.filetype, stat.size, stat.ino)
        return ERRNO.SUCCESS
      },
      fd_filestat_set_size: (fd: number, size: bigint) => {
        this.charge(0)
        const entry = this.fds.get(fd)
        if (entry === undefined) return ERRNO.BADF
        if (entry.kind !== 'output') return entry.kind === 'input' ? ERRNO.BADF : ERRNO.INVAL
        const file = this.outFiles.get(entry.name) as OutFile
        if (size < 0n || size > BigInt(this.init.outputBytes)) return ERRNO.FBIG
        const next = Number(size)
        if (next > file.size) this.writeOut(entry, [new Uint8Array(next - file.size)], file.size)
        else {
          this.outputUsed -= file.size - next
          file.data.fill(0, next, file.size)
          file.size = next
        }
        return ERRNO.SUCCESS
      },
      fd_prestat_get: (fd: number, ptr: number) => {
        this.charge(8)
        const m = this.mem()
        if (m === null || !this.inBounds(m, ptr, 8)) return noMemory
        const entry = this.fds.get(fd)
        if (entry === undefined || entry.kind !== 'dir' || !entry.preopen) return ERRNO.BADF
        m.view.setUint8(ptr, 0) // preopentype dir
        m.view.setUint32(ptr + 4, entry.dir === 'in' ? 3 : 4, true)
        return ERRNO.SUCCESS
      },
      fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
        this.charge(len)
        const m = this.mem()
        if (m === null || !this.inBounds(m, ptr, len)) return noMemory
        const entry = this.fds.get(fd)
        if (entry === undefined || entry.kind !== 'dir' || !entry.preopen) return ERRNO.BADF
        const name = utf8.encode(entry.dir === 'in' ? '/in' : '/out')
        if (len < name.length) return ERRNO.NAMETOOLONG
        m.bytes.set(name, ptr)
        return ERRNO.SUCCESS
      },
      fd_readdir: (fd: number, bufPtr: number, bufLen: number, cookie: bigint, usedPtr: number) => {
        this.charge(bufLen)
        const m = this.mem()
        if (m === null || !this.inBounds(m, bufPtr, bufLen) || !this.inBounds(m, usedPtr, 4)) return noMemory
        const entry = this.fds.get(fd)
        if (entry === undefined) return ERRNO.BADF
        if (entry.kind !== 'dir') return ERRNO.NOTDIR
        const names =
          entry.dir === 'in' ? this.init.inputs.map((_, i) => String(i)) : [...this.outFiles.keys()].sort()
        const out: number[] = []
        for (let i = Number(cookie); i < names.length && out.length < bufLen; i++) {
          const name = utf8.encode(names[i])
          const header = new DataView(new ArrayBuffer(24))
          header.setBigUint64(0, BigInt(i + 1), true)
          header.setBigUint64(8, BigInt(entry.dir === 'in' ? 100 + i : 1000 + i), true)
          header.setUint32(16, name.length, true)
          header.setUint8(20, FILETYPE_REGULAR_FILE)
          out.push(...new Uint8Array(header.buffer), ...name)
        }
        const used = Math.min(out.length, bufLen)
        m.bytes.set(out.slice(0, used), bufPtr)
        m.view.setUint32(usedPtr, used, true)
        return ERRNO.SUCCESS
      },
      fd_advise: (fd: number) => {
        this.charge(0)
        return this.fds.has(fd) ? ERRNO.SUCCESS : ERRNO.BADF
      },
      fd_datasync: (fd: number) => {
        this.charge(0)
        return this.fds.has(fd) ? ERRNO.SUCCESS : ERRNO.BADF
      },
      fd_sync: (fd: number) => {
        this.charge(0)
        return this.fds.has(fd) ? ERRNO.SUCCESS : ERRNO.BADF
      },

      path_open: (
        dirFd: number,
        _dirFlags: number,
        pathPtr: number,
        pathLen: number,
        oflags: number,
        _rightsBase: bigint,
        _rightsInheriting: bigint,
        fdflags: number,
        fdPtr: number,
      ) => {
        this.charge(pathLen + 4)
        const m = this.mem()
        if (m === null || !this.inBounds(m, fdPtr, 4)) return noMemory
        const dir = this.fds.get(dirFd)
        if (dir === undefined) return ERRNO.BADF
        if (dir.kind !== 'dir') return ERRNO.NOTDIR
        const resolved = this.resolve(m, pathPtr, pathLen)
        if ('errno' in resolved) return resolved.errno
        const fd = this.lowestFreeFd()
        if (fd < 0) return ERRNO.MFILE
        const { name } = resolved
        let opened: Fd
        if (name === '') {
          if ((oflags & (OFLAGS_CREAT | OFLAGS_TRUNC | OFLAGS_EXCL)) !== 0) return ERRNO.ISDIR
          opened = { kind: 'dir', dir: dir.dir, preopen: false }
        } else if (dir.dir === 'in') {
          const index = this.inputIndex(name)
          if (index < 0) return (oflags & OFLAGS_CREAT) !== 0 ? ERRNO.NOTCAPABLE : ERRNO.NOENT
          if ((oflags & (OFLAGS_TRUNC | OFLAGS_EXCL)) !== 0) return ERRNO.NOTCAPABLE
          if ((oflags & OFLAGS_DIRECTORY) !== 0) return ERRNO.NOTDIR
          opened = { kind: 'input', index, pos: 0 }
        } else {
          if ((oflags & OFLAGS_DIRECTORY) !== 0) return ERRNO.NOTDIR
          const existing = this.outFiles.get(name)
          if (existing === undefined) {
            if ((oflags & OFLAGS_CREAT) === 0) return ERRNO.NOENT
            this.outFiles.set(name, { data: new Uint8Array(0), size: 0 })
          } else {
            if ((oflags & OFLAGS_CREAT) !== 0 && (oflags & OFLAGS_EXCL) !== 0) return ERRNO.EXIST
            if ((oflags & OFLAGS_TRUNC) !== 0) {
              this.outputUsed -= existing.size
              existing.size = 0
              existing.data = new Uint8Array(0)
            }
          }
          opened = { kind: 'output', name, pos: 0, append: (fdflags & FDFLAGS_APPEND) !== 0 }
        }
        this.fds.set(fd, opened)
        m.view.setUint32(fdPtr, fd, true)
        return ERRNO.SUCCESS
      },
      path_filestat_get: (dirFd: number, _flags: number, pathPtr: number, pathLen: number, ptr: number) => {
        this.charge(pathLen + 64)
        const m = this.mem()
        if (m === null || !this.inBounds(m, ptr, 64)) return noMemory
        const dir = this.fds.get(dirFd)
        if (dir === undefined) return ERRNO.BADF
        if (dir.kind !== 'dir') return ERRNO.NOTDIR
        const resolved = this.resolve(m, pathPtr, pathLen)
        if ('errno' in resolved) return resolved.errno
        if (resolved.name === '') {
          this.writeFilestat(m, ptr, FILETYPE_DIRECTORY, 0, dir.dir === 'in' ? 4 : 5)
          return ERRNO.SUCCESS
        }
        if (dir.dir === 'in') {
          const index = this.inputIndex(resolved.name)
          if (index < 0) return ERRNO.NOENT
          this.writeFilestat(
            m,
            ptr,
            FILETYPE_REGULAR_FILE,
            (this.init.inputs[index] as Uint8Array).length,
            100 + index,
          )
          return ERRNO.SUCCESS
        }
        const file = this.outFiles.get(resolved.name)
        if (file === undefined) return ERRNO.NOENT
        this.writeFilestat(m, ptr, FILETYPE_REGULAR_FILE, file.size, 0)
        return ERRNO.SUCCESS
      },
    }
    // Everything else in preview1 exists (so a module that imports it links) but is not available.
    const unavailable: Record<string, number> = {
      fd_allocate: ERRNO.NOTSUP,
      fd_renumber: ERRNO.NOTSUP,
      fd_fdstat_set_rights: ERRNO.NOTCAPABLE,
      fd_filestat_set_times: ERRNO.NOTCAPABLE,
      path_create_directory: ERRNO.NOTCAPABLE,
      path_filestat_set_times: ERRNO.NOTCAPABLE,
      path_link: ERRNO.NOTCAPABLE,
      path_readlink: ERRNO.NOTCAPABLE,
      path_remove_directory: ERRNO.NOTCAPABLE,
      path_rename: ERRNO.NOTCAPABLE,
      path_symlink: ERRNO.NOTCAPABLE,
      path_unlink_file: ERRNO.NOTCAPABLE,
      sock_accept: ERRNO.NOTCAPABLE,
      sock_recv: ERRNO.NOTCAPABLE,
      sock_send: ERRNO.NOTCAPABLE,
      sock_shutdown: ERRNO.NOTCAPABLE,
    }
    for (const name of Object.keys(WASI_IMPORTS)) {
      if (table[name] !== undefined) continue
      const errno = unavailable[name] ?? ERRNO.NOSYS
      table[name] = () => {
        this.charge(0)
        return errno
      }
    }
    return table
  }

  private sizes(items: Uint8Array[], countPtr: number, sizePtr: number): number {
    this.charge(8)
    const m = this.mem()
    if (m === null || !this.inBounds(m, countPtr, 4) || !this.inBounds(m, sizePtr, 4)) return ERRNO.FAULT
    m.view.setUint32(countPtr, items.length, true)
    m.view.setUint32(
      sizePtr,
      items.reduce((n, s) => n + s.length, 0),
      true,
    )
    return ERRNO.SUCCESS
  }

  private strings(items: Uint8Array[], pointersPtr: number, bufPtr: number): number {
    const total = items.reduce((n, s) => n + s.length, 0)
    this.charge(total + items.length * 4)
    const m = this.mem()
    if (m === null || !this.inBounds(m, pointersPtr, items.length * 4) || !this.inBounds(m, bufPtr, total)) {
      return ERRNO.FAULT
    }
    let p = bufPtr
    items.forEach((s, i) => {
      m.view.setUint32(pointersPtr + i * 4, p, true)
      m.bytes.set(s, p)
      p += s.length
    })
    return ERRNO.SUCCESS
  }

  private write(
    fd: number,
    iovsPtr: number,
    iovsLen: number,
    nwrittenPtr: number,
    offset: bigint | undefined,
  ): number {
    this.charge(0)
    const m = this.mem()
    if (m === null) return ERRNO.FAULT
    const iovs = this.iovecs(m, iovsPtr, iovsLen)
    if (iovs === null || !this.inBounds(m, nwrittenPtr, 4)) return ERRNO.FAULT
    const entry = this.fds.get(fd)
    if (entry === undefined) return ERRNO.BADF
    const total = iovs.reduce((n, [, len]) => n + len, 0)
    this.chargeBytes(total)
    if (entry.kind === 'stdout' || entry.kind === 'stderr') {
      if (offset !== undefined) return ERRNO.SPIPE
      const sink = entry.kind === 'stdout' ? this.stdoutChunks : this.stderrChunks
      const room = this.init.outputBytes - this.outputUsed
      const chunk = new Uint8Array(Math.min(total, room))
      let p = 0
      for (const [base, len] of iovs) {
        const n = Math.min(len, chunk.length - p)
        chunk.set(m.bytes.subarray(base, base + n), p)
        p += n
      }
      // Keep what fits, so the result shows the output up to the limit, then stop the job.
      if (chunk.length > 0) sink.push(chunk)
      this.addOutput(total)
      m.view.setUint32(nwrittenPtr, total, true)
      return ERRNO.SUCCESS
    }
    if (entry.kind !== 'output') return ERRNO.BADF
    const file = this.outFiles.get(entry.name) as OutFile
    let at: number
    if (offset !== undefined) {
      if (offset < 0n || offset > BigInt(this.init.outputBytes)) return ERRNO.FBIG
      at = Number(offset)
    } else {
      at = entry.append ? file.size : entry.pos
    }
    // Check the budget before copying anything: iovecs may name the same large region many times.
    if (at + total > this.init.outputBytes) throw new OutputLimitExceeded(this.init.outputBytes)
    const chunks = iovs.map(([base, len]) => m.bytes.slice(base, base + len))
    const written = this.writeOut(entry, chunks, at)
    if (offset === undefined) entry.pos = at + written
    m.view.setUint32(nwrittenPtr, written, true)
    return ERRNO.SUCCESS
  }

  private read(
    fd: number,
    iovsPtr: number,
    iovsLen: number,
    nreadPtr: number,
    offset: bigint | undefined,
  ): number {
    this.charge(0)
    const m = this.mem()
    if (m === null) return ERRNO.FAULT
    const iovs = this.iovecs(m, iovsPtr, iovsLen)
    if (iovs === null || !this.inBounds(m, nreadPtr, 4)) return ERRNO.FAULT
    const entry = this.fds.get(fd)
    if (entry === undefined) return ERRNO.BADF
    let data: Uint8Array
    let pos: number
    if (entry.kind === 'stdin') {
      if (offset !== undefined) return ERRNO.SPIPE
      data = this.init.stdin
      pos = entry.pos
    } else if (entry.kind === 'input') {
      data = this.init.inputs[entry.index] as Uint8Array
      pos =
        offset === undefined ? entry.pos : Number(offset > BigInt(data.length) ? BigInt(data.length) : offset)
    } else {
      return entry.kind === 'dir' ? ERRNO.ISDIR : ERRNO.BADF
    }
    const wanted = Math.min(
      iovs.reduce((n, [, len]) => n + len, 0),
      Math.max(0, data.length - pos),
    )
    this.chargeBytes(wanted)
    const n = this.readFrom(data, pos, m, iovs)
    if (offset === undefined) entry.pos = pos + n
    m.view.setUint32(nreadPtr, n, true)
    return ERRNO.SUCCESS
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let p = 0
  for (const c of chunks) {
    out.set(c, p)
    p += c.length
  }
  return out
}
