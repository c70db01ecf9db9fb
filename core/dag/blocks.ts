import { IcnError } from '../errors'
import type { BytesSublevel } from '../storage'
import { CID, DAG_CBOR, RAW, bytesMatchCid, cidFor, decodeCanonical, encode, isSha256Cid } from './codec'

/** A single block travels in one network message, so it is bounded; files are chunked into blocks. */
export const MAX_BLOCK_BYTES = 1024 * 1024 + 1024
export const FILE_CHUNK_BYTES = 1024 * 1024
/** Largest file `putFile` accepts (64 chunks). */
export const MAX_FILE_BYTES = 64 * FILE_CHUNK_BYTES

export interface FileRoot {
  icn: 'file/1'
  size: number
  chunks: CID[]
}

export interface BlockStore {
  /** Stores bytes under their own CID and returns it. */
  put(bytes: Uint8Array, codec?: typeof RAW | typeof DAG_CBOR): Promise<CID>
  /** Stores bytes that claim to be `cid`; DAG_CID_MISMATCH (nothing stored) if they do not hash to it. */
  putVerified(cid: CID, bytes: Uint8Array): Promise<void>
  /** The block's bytes, re-verified against the CID on every read (DAG_BLOCK_CORRUPT on mismatch). */
  get(cid: CID): Promise<Uint8Array | undefined>
  has(cid: CID): Promise<boolean>
  /** Stores a file of any size up to MAX_FILE_BYTES: one raw block, or chunks plus a dag-cbor root. */
  putFile(bytes: Uint8Array): Promise<{ cid: CID; size: number; blocks: number }>
  /** Reassembles a file stored with putFile; DAG_BLOCK_NOT_FOUND names the first missing block. */
  catFile(cid: CID): Promise<Uint8Array>
  /** The CIDs a block links to (chunks of a file root, links inside dag-cbor). */
  links(cid: CID, bytes: Uint8Array): CID[]
}

export function createBlockStore(blocks: BytesSublevel): BlockStore {
  const store: BlockStore = {
    async put(bytes, codec = RAW) {
      checkSize(bytes)
      if (codec === DAG_CBOR) decodeCanonical(bytes)
      const cid = cidFor(bytes, codec)
      await blocks.put(cid.toString(), bytes)
      return cid
    },
    async putVerified(cid, bytes) {
      checkSize(bytes)
      if (!isSha256Cid(cid)) {
        throw new IcnError(
          'DAG_CID_MISMATCH',
          `Only CIDv1 sha2-256 raw or dag-cbor blocks are stored (got ${cid.toString()}).`,
        )
      }
      if (!bytesMatchCid(cid, bytes)) {
        throw new IcnError(
          'DAG_CID_MISMATCH',
          `The bytes do not hash to ${cid.toString()}; the block was refused.`,
        )
      }
      if (cid.code === DAG_CBOR) decodeCanonical(bytes)
      await blocks.put(cid.toString(), bytes)
    },
    async get(cid) {
      const bytes = await blocks.get(cid.toString())
      if (bytes === undefined) return undefined
      if (!bytesMatchCid(cid, bytes)) {
        throw new IcnError(
          'DAG_BLOCK_CORRUPT',
          `The stored copy of ${cid.toString()} is damaged (its hash no longer matches). Fetch it again from a peer or restore from backup.`,
        )
      }
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    },
    async has(cid) {
      return (await blocks.get(cid.toString())) !== undefined
    },
    async putFile(bytes) {
      if (bytes.length > MAX_FILE_BYTES) {
        throw new IcnError(
          'DAG_TOO_LARGE',
          `The file is ${bytes.length} bytes; the limit is ${MAX_FILE_BYTES} (64 MiB).`,
        )
      }
      if (bytes.length <= FILE_CHUNK_BYTES) {
        return { cid: await store.put(bytes, RAW), size: bytes.length, blocks: 1 }
      }
      const chunks: CID[] = []
      for (let offset = 0; offset < bytes.length; offset += FILE_CHUNK_BYTES) {
        chunks.push(await store.put(bytes.subarray(offset, offset + FILE_CHUNK_BYTES), RAW))
      }
      const root: FileRoot = { icn: 'file/1', size: bytes.length, chunks }
      return { cid: await store.put(encode(root), DAG_CBOR), size: bytes.length, blocks: chunks.length + 1 }
    },
    async catFile(cid) {
      const bytes = await store.get(cid)
      if (bytes === undefined) throw notFound(cid)
      if (cid.code === RAW) return bytes
      const root = asFileRoot(decodeCanonical(bytes))
      if (root === undefined) {
        throw new IcnError('INVALID_ARGUMENT', `${cid.toString()} is a dag-cbor block, not a file.`)
      }
      const out = new Uint8Array(root.size)
      let offset = 0
      for (const chunk of root.chunks) {
        const part = await store.get(chunk)
        if (part === undefined) throw notFound(chunk)
        if (offset + part.length > root.size)
          throw new IcnError('DAG_BLOCK_CORRUPT', `The file ${cid.toString()} is longer than its root says.`)
        out.set(part, offset)
        offset += part.length
      }
      if (offset !== root.size)
        throw new IcnError('DAG_BLOCK_CORRUPT', `The file ${cid.toString()} is shorter than its root says.`)
      return out
    },
    links(cid, bytes) {
      if (cid.code !== DAG_CBOR) return []
      const out: CID[] = []
      collectLinks(decodeCanonical(bytes), out, 0)
      return out
    },
  }
  return store
}

function checkSize(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new IcnError('INVALID_ARGUMENT', 'A block must be bytes.')
  if (bytes.length > MAX_BLOCK_BYTES) {
    throw new IcnError(
      'DAG_TOO_LARGE',
      `A block is at most ${MAX_BLOCK_BYTES} bytes (got ${bytes.length}); store files with putFile.`,
    )
  }
}

function notFound(cid: CID): IcnError {
  return new IcnError(
    'DAG_BLOCK_NOT_FOUND',
    `The block ${cid.toString()} is not on this node. Connect to a peer that has it.`,
    {
      details: { cid: cid.toString() },
    },
  )
}

export function asFileRoot(value: unknown): FileRoot | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Partial<FileRoot>
  if (v.icn !== 'file/1' || typeof v.size !== 'number' || !Array.isArray(v.chunks)) return undefined
  if (!v.chunks.every((c) => CID.asCID(c) !== null)) return undefined
  return v as FileRoot
}

function collectLinks(value: unknown, out: CID[], depth: number): void {
  if (depth > 32 || out.length > 10_000) return
  const cid = CID.asCID(value)
  if (cid !== null) {
    out.push(cid)
    return
  }
  if (Array.isArray(value)) {
    for (const item of value) collectLinks(item, out, depth + 1)
  } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    for (const item of Object.values(value)) collectLinks(item, out, depth + 1)
  }
}
