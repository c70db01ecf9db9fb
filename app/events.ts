import type { IcnNode } from '../core/node'
import type { EventName, EventPayload, NodeSettings } from './contract'
import { networkEvents } from './handlers/network'
import { economicsEvents } from './handlers/economics'
import { governanceEvents } from './handlers/governance'
import { meshEvents } from './handlers/mesh'
import { cclEvents } from './handlers/ccl'
import { credentialsEvents } from './handlers/credentials'

export type EventSink = <E extends EventName>(name: E, payload: EventPayload<E>) => void

/**
 * Forwards core bus events to contract events. Core names are internal; this is the one mapping from them to
 * the public names in app/contract.ts. Returns an unsubscribe function.
 */
export function bridgeEvents(node: IcnNode, emit: EventSink): () => void {
  const offs = [
    node.events.on('node:status', (e) =>
      emit(
        'node:status',
        e.error === undefined ? { status: e.status } : { status: e.status, error: e.error },
      ),
    ),
    node.events.on('identity:changed', (e) => emit('identity:changed', e)),
    node.events.on('dag:event-applied', (e) =>
      emit('dag:event-applied', {
        id: e.cid,
        type: e.type,
        author: e.author,
        seq: e.seq,
        scope: e.scope,
        local: e.local,
      }),
    ),
    node.events.on('dag:equivocation', (e) =>
      emit('dag:equivocation', { author: e.author, seq: e.seq, ids: e.cids }),
    ),
    node.events.on('node:settings-changed', (e) => emit('node:settings-changed', e as NodeSettings)),
    networkEvents(node, emit),
    economicsEvents(node, emit),
    governanceEvents(node, emit),
    meshEvents(node, emit),
    cclEvents(node, emit),
    credentialsEvents(node, emit),
  ]
  return () => {
    for (const off of offs) off()
  }
}
