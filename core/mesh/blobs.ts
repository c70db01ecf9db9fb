import { IcnError } from '../errors'
import {
  CID,
  DAG_CBOR,
  FILE_CHUNK_BYTES,
  RAW,
  asFileRoot,
  cidFor,
  decodeCanonical,
  encode,
  type BlockStore,
} from '../dag'
import type { MeshNetwork } from './index'

/**
 * Files of a job (module, inputs, stdout, /out files) are stored with the block store's file layout (one raw
 * block, or raw chunks under a dag-cbor root). A job's outputs are one dag-cbor block mapping names to files.
 */
export const OUTPUTS_TAG = 'mesh/outputs/1'

export interface OutputsRoot {
  icn: typeof OUTPUTS_TAG
  files: Record<string, CID>
}

/** The CID `putFile` gives these bytes, computed without storing them (to compare a re-run with a receipt). */
export function fileCid(bytes: Uint8Array): CID {
  if (bytes.length <= FILE_CHUNK_BYTES) return cidFor(bytes, RAW)
  const chunks: CID[] = []
  for (let offset = 0; offset < bytes.length; offset += FILE_CHUNK_BYTES)
    chunks.push(cidFor(bytes.subarray(offset, offset + FILE_CHUNK_BYTES), RAW))
  return cidFor(encode({ icn: 'file/1', size: bytes.length, chunks }), DAG_CBOR)
}

export function outputsRootBytes(files: Record<string, CID>): Uint8Array {
  return encode({ icn: OUTPUTS_TAG, files })
}

export function outputsCid(outputs: Record<string, Uint8Array>): CID {
  const files: Record<string, CID> = {}
  for (const [name, bytes] of Object.entries(outputs)) files[name] = fileCid(bytes)
  return cidFor(outputsRootBytes(files), DAG_CBOR)
}

export async function storeOutputs(blocks: BlockStore, outputs: Record<string, Uint8Array>): Promise<CID> {
  const files: Record<string, CID> = {}
  for (const [name, bytes] of Object.entries(outputs)) files[name] = (await blocks.putFile(bytes)).cid
  return blocks.put(outputsRootBytes(files), DAG_CBOR)
}

export function parseOutputsRoot(bytes: Uint8Array): OutputsRoot {
  const value = decodeCanonical(bytes) as Partial<OutputsRoot> | null
  if (
    typeof value !== 'object' ||
    value === null ||
    value.icn !== OUTPUTS_TAG ||
    typeof value.files !== 'object' ||
    value.files === null ||
    !Object.values(value.files).every((c) => CID.asCID(c) !== null)
  )
    throw new IcnError('MESH_INVALID_RECEIPT', 'The output block is not a job output listing.')
  return value as OutputsRoot
}

/**
 * Makes sure a file (its root and every chunk) is in the block store, fetching what is missing from peers.
 * Throws DAG_BLOCK_NOT_FOUND naming the first block no peer had.
 */
export async function ensureFile(
  blocks: BlockStore,
  network: MeshNetwork | undefined,
  cid: CID,
  signal?: AbortSignal,
): Promise<void> {
  await ensureBlocks(blocks, network, [cid], signal)
  if (cid.code !== DAG_CBOR) return
  const root = asFileRoot(decodeCanonical((await blocks.get(cid)) as Uint8Array))
  if (root !== undefined) await ensureBlocks(blocks, network, root.chunks, signal)
}

export async function ensureBlocks(
  blocks: BlockStore,
  network: MeshNetwork | undefined,
  cids: CID[],
  signal?: AbortSignal,
): Promise<void> {
  const missing: CID[] = []
  for (const cid of cids) if (!(await blocks.has(cid))) missing.push(cid)
  if (missing.length === 0) return
  if (network !== undefined) {
    const result = await network.fetch(missing, signal === undefined ? {} : { signal })
    if (result.missing.length === 0) return
    throw notFound(result.missing[0] as string)
  }
  throw notFound((missing[0] as CID).toString())
}

function notFound(cid: string): IcnError {
  return new IcnError(
    'DAG_BLOCK_NOT_FOUND',
    `The block ${cid} is not on this node and no connected peer has it.`,
    { details: { cid } },
  )
}

/** Reads a job's output listing and every file in it (fetching from peers as needed). */
export async function readOutputs(
  blocks: BlockStore,
  network: MeshNetwork | undefined,
  root: CID,
  signal?: AbortSignal,
): Promise<Record<string, Uint8Array>> {
  await ensureBlocks(blocks, network, [root], signal)
  const listing = parseOutputsRoot((await blocks.get(root)) as Uint8Array)
  const out: Record<string, Uint8Array> = {}
  for (const [name, cid] of Object.entries(listing.files)) {
    await ensureFile(blocks, network, cid, signal)
    out[name] = await blocks.catFile(cid)
  }
  return out
}
