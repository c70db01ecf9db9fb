import type { IcnNode } from '../../core/node'
import type { Handlers } from '../contract'

export function nodeHandlers(node: IcnNode): Pick<Handlers, 'node.status'> {
  return {
    async 'node.status'() {
      const info = node.info()
      const identity = node.identity.status()
      const stats = await node.dag.stats()
      return {
        version: info.version,
        protocolVersion: info.protocolVersion,
        status: info.status,
        did: identity.did,
        locked: identity.locked,
        peerId: node.network.peerId(),
        listenAddrs: node.network.listenAddrs(),
        stateRoot: await node.dag.stateRoot(),
        uptimeMs: info.startedAt === null ? 0 : Date.now() - info.startedAt,
        startedAt: info.startedAt,
        dataDir: info.dataDir,
        events: stats.events,
        authors: stats.authors,
        pendingEvents: stats.pending,
      }
    },
  }
}
