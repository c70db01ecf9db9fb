import type { IcnNode } from '../core/node'
import type { Handlers } from './contract'
import { nodeHandlers, type NodeHandlerOptions } from './handlers/node'
import { identityHandlers } from './handlers/identity'
import { dagHandlers } from './handlers/dag'
import { opsHandlers } from './handlers/ops'
import { networkHandlers } from './handlers/network'
import { economicsHandlers } from './handlers/economics'
import { governanceHandlers } from './handlers/governance'
import { meshHandlers } from './handlers/mesh'
import { cclHandlers } from './handlers/ccl'
import { credentialsHandlers } from './handlers/credentials'

export type HandlerOptions = NodeHandlerOptions

/**
 * The contract implemented on a core node; every transport (IPC, JSON-RPC, CLI) calls these. `options` carries
 * what the front end hosting the node provides (its log ring, its settings store with or without autostart).
 */
export function createHandlers(node: IcnNode, options: HandlerOptions = {}): Handlers {
  return {
    ...nodeHandlers(node, options),
    ...identityHandlers(node),
    ...dagHandlers(node),
    ...opsHandlers(node),
    ...networkHandlers(node),
    ...economicsHandlers(node),
    ...governanceHandlers(node),
    ...meshHandlers(node),
    ...cclHandlers(node),
    ...credentialsHandlers(node),
  } satisfies Handlers
}
