import type { IcnNode } from '../../core/node'
import type { Handlers } from '../contract'
import type { LogRing } from '../log-ring'
import { createSettingsStore, type SettingsStore } from '../settings'
import { roleInConfigFile, writeRoleToConfigFile } from '../node-config'

export interface NodeHandlerOptions {
  /** Recent log lines for node.logs; without one the node reports no lines. */
  logs?: LogRing
  /** @default a store in the node's data dir without autostart (the headless daemon) */
  settings?: SettingsStore
}

export function nodeHandlers(
  node: IcnNode,
  options: NodeHandlerOptions = {},
): Pick<Handlers, 'node.status' | 'node.logs' | 'node.getSettings' | 'node.setSettings' | 'node.setRole'> {
  const settings =
    options.settings ??
    createSettingsStore({ dataDir: node.dataDir, events: node.events, logger: node.logger.child('settings') })
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
        role: node.role,
        nextRole: await roleInConfigFile(node.dataDir),
        executes: node.role !== 'light',
        validatorOf:
          identity.did === null
            ? []
            : (await node.governance.scopes())
                .filter((s) => s.validators.includes(identity.did as string))
                .map((s) => s.scope),
      }
    },
    async 'node.setRole'({ role }) {
      const file = await writeRoleToConfigFile(node.dataDir, role)
      return { role: node.role, nextRole: role, file }
    },
    async 'node.logs'({ limit, level }) {
      const ring = options.logs
      if (ring === undefined) return { lines: [], file: null, dropped: 0 }
      return {
        lines: ring.recent({ limit: limit ?? 200, ...(level === undefined ? {} : { level }) }),
        file: ring.file,
        dropped: ring.dropped,
      }
    },
    async 'node.getSettings'() {
      return settings.get()
    },
    async 'node.setSettings'(patch) {
      return settings.set(patch)
    },
  }
}
