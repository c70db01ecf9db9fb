import type { IcnNode } from '../../core/node'
import type { EventSink } from '../events'
import type { Handlers } from '../contract'

// This domain's methods are listed in app/contract.ts; its section there is empty until the service lands.
type EconomicsMethods = never

export function economicsHandlers(_node: IcnNode): Pick<Handlers, EconomicsMethods> {
  return {}
}

/** Forwards this domain's core events to contract events; returns an unsubscribe function. */
export function economicsEvents(_node: IcnNode, _emit: EventSink): () => void {
  return () => undefined
}
