import type { IcnNode } from '../core/node'
import type { Handlers } from './contract'
import { nodeHandlers } from './handlers/node'
import { identityHandlers } from './handlers/identity'
import { dagHandlers } from './handlers/dag'
import { opsHandlers } from './handlers/ops'
import { networkHandlers } from './handlers/network'
import { economicsHandlers } from './handlers/economics'
import { governanceHandlers } from './handlers/governance'
import { meshHandlers } from './handlers/mesh'
import { cclHandlers } from './handlers/ccl'
import { credentialsHandlers } from './handlers/credentials'

/** The contract implemented on a core node; every transport (IPC, JSON-RPC, CLI) calls these. */
export function createHandlers(node: IcnNode): Handlers {
  return {
    ...nodeHandlers(node),
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
