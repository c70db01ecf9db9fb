import type { IcnNode } from '../core/node'
import type { Handlers } from './contract'
import { nodeHandlers } from './handlers/node'
import { identityHandlers } from './handlers/identity'
import { dagHandlers } from './handlers/dag'

/** The contract implemented on a core node; every transport (IPC, JSON-RPC, CLI) calls these. */
export function createHandlers(node: IcnNode): Handlers {
  return {
    ...nodeHandlers(node),
    ...identityHandlers(node),
    ...dagHandlers(node),
  } satisfies Handlers
}
