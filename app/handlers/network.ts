import type { IcnNode } from '../../core/node'
import type { EventSink } from '../events'
import type { Handlers } from '../contract'

type NetworkMethods =
  'network.status' | 'network.peers' | 'network.connect' | 'network.disconnect' | 'network.sync'

export function networkHandlers(node: IcnNode): Pick<Handlers, NetworkMethods> {
  const { network } = node
  return {
    async 'network.status'() {
      return network.status()
    },
    async 'network.peers'() {
      return { peers: await network.peers() }
    },
    async 'network.connect'({ multiaddr }, ctx) {
      return network.connect(multiaddr, { signal: ctx.signal })
    },
    async 'network.disconnect'({ peerId }) {
      await network.disconnect(peerId)
      return { disconnected: true as const }
    },
    async 'network.sync'({ peerId }, ctx) {
      const runs = await network.sync({
        ...(peerId === undefined ? {} : { peerId }),
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.progress({
            operation: 'sync',
            done: p.done,
            total: p.total,
            message: `${p.phase} from ${p.peerId.slice(-8)}`,
          }),
      })
      return { runs }
    },
  }
}

/** Forwards this domain's core events to contract events; returns an unsubscribe function. */
export function networkEvents(node: IcnNode, emit: EventSink): () => void {
  const offs = [
    node.events.on('network:peer-connected', (e) => emit('network:peer-connected', e)),
    node.events.on('network:peer-disconnected', (e) => emit('network:peer-disconnected', e)),
    node.events.on('network:sync-progress', (e) => emit('network:sync-progress', e)),
  ]
  return () => {
    for (const off of offs) off()
  }
}
