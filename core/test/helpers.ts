import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type IcnNode, type IcnNodeInit } from '../node'
import { silentLogger } from '../logger'

/** Cheap scrypt for tests; the parameters are stored in the keystore, so nothing else changes. */
export const TEST_KDF = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 }
export const TEST_PASSPHRASE = 'test passphrase 1'

export interface TempDir {
  path: string
  cleanup(): Promise<void>
}

export async function tempDir(prefix = 'icn-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) }
}

export interface TestNode {
  node: IcnNode
  dir: TempDir
  /** Stops the node and deletes its data dir. */
  destroy(): Promise<void>
}

/** A started node with a fresh data dir and an unlocked identity (unless `withIdentity: false`). */
export async function startTestNode(
  options: {
    withIdentity?: boolean
    init?: Partial<IcnNodeInit>
    dir?: TempDir
    /** Runs after the node is built and before it starts (register test-only event types here). */
    beforeStart?: (node: IcnNode) => void
  } = {},
): Promise<TestNode> {
  const dir = options.dir ?? (await tempDir())
  const node = createNode({
    dataDir: dir.path,
    logger: silentLogger,
    identity: { kdf: TEST_KDF },
    ...options.init,
  })
  options.beforeStart?.(node)
  await node.start()
  if (options.withIdentity !== false && !node.identity.status().exists) {
    await node.identity.create({ passphrase: TEST_PASSPHRASE })
  } else if (node.identity.status().exists) {
    await node.identity.unlock(TEST_PASSPHRASE)
  }
  return {
    node,
    dir,
    async destroy() {
      await node.stop()
      await dir.cleanup()
    },
  }
}
