import { isAbsolute } from 'node:path'
import { IcnError } from '../../core/errors'
import type { IcnNode } from '../../core/node'
import { writeBackup } from '../../core/storage/backup'
import type { Handlers } from '../contract'

export function opsHandlers(node: IcnNode): Pick<Handlers, 'node.backup'> {
  return {
    async 'node.backup'({ path }, ctx) {
      // The file is written by the node process on its own machine; the API is loopback-only and authenticated.
      if (!isAbsolute(path))
        throw new IcnError('INVALID_ARGUMENT', 'Give the backup file as an absolute path.')
      const status = node.identity.status()
      return writeBackup(node.storage, node.dataDir, path, {
        did: status.did,
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.progress({ operation: 'backup', done: p.entries, message: `${p.entries} entries` }),
      })
    },
  }
}
