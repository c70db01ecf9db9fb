import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { startTestNode, type TestNode } from '../test/helpers'
import { FILE_CHUNK_BYTES, MAX_BLOCK_BYTES } from './blocks'
import { RAW, cidFor } from './codec'

let t: TestNode
beforeEach(async () => {
  t = await startTestNode({ withIdentity: false })
})
afterEach(async () => {
  await t.destroy()
})

describe('block store', () => {
  it('stores raw blocks under standard CIDv1 raw sha2-256 ids', async () => {
    const bytes = new TextEncoder().encode('hello world')
    const cid = await t.node.dag.blocks.put(bytes)
    // The same CID `ipfs add --cid-version 1 --raw-leaves` gives for "hello world".
    expect(cid.toString()).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    expect(await t.node.dag.blocks.get(cid)).toEqual(bytes)
  })

  it('refuses bytes that do not hash to the claimed CID and stores nothing', async () => {
    const cid = cidFor(new Uint8Array([1]), RAW)
    await expect(t.node.dag.blocks.putVerified(cid, new Uint8Array([2]))).rejects.toMatchObject({
      code: 'DAG_CID_MISMATCH',
    })
    expect(await t.node.dag.blocks.has(cid)).toBe(false)
  })

  it('detects a block damaged on disk when reading it', async () => {
    const cid = await t.node.dag.blocks.put(new Uint8Array([1, 2, 3]))
    await t.node.storage.bytes('blocks').put(cid.toString(), new Uint8Array([9, 9, 9]))
    await expect(t.node.dag.blocks.get(cid)).rejects.toMatchObject({ code: 'DAG_BLOCK_CORRUPT' })
  })

  it('refuses oversized blocks', async () => {
    await expect(t.node.dag.blocks.put(new Uint8Array(MAX_BLOCK_BYTES + 1))).rejects.toMatchObject({
      code: 'DAG_TOO_LARGE',
    })
  })

  it('chunks large files and reassembles them exactly', async () => {
    const file = new Uint8Array(randomBytes(FILE_CHUNK_BYTES * 2 + 12345))
    const { cid, size, blocks } = await t.node.dag.blocks.putFile(file)
    expect(size).toBe(file.length)
    expect(blocks).toBe(4)
    expect(cid.toString()).toMatch(/^bafyrei/)
    // Buffer.compare: deep equality of 2 MiB arrays is slow in the test runner.
    expect(Buffer.compare(await t.node.dag.blocks.catFile(cid), file)).toBe(0)
    const missing = CID.parse('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    await expect(t.node.dag.blocks.catFile(missing)).rejects.toMatchObject({ code: 'DAG_BLOCK_NOT_FOUND' })
  })
})
