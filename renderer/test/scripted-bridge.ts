/**
 * A scripted stand-in for the preload bridge (`window.icn`), for renderer unit tests. The renderer may not
 * import the node (lint-enforced process boundary), so these tests script replies here; the real node behind
 * the same contract is exercised end to end in e2e/ (browser mode against real daemons).
 */
import type { IdentityStatus, NodeStatus, Reply } from '../../app/contract'
import type { PreloadBridge } from '../lib/transport-ipc'

export type Script = Record<string, (params: unknown) => unknown>

export interface ScriptedBridge extends PreloadBridge {
  calls: { method: string; params: unknown }[]
  emit(event: string, payload: unknown): void
  script: Script
}

export class ScriptedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export function scriptedBridge(script: Script): ScriptedBridge {
  const listeners = new Set<(event: string, payload: unknown) => void>()
  const bridge: ScriptedBridge = {
    calls: [],
    script,
    async invoke(method, params) {
      bridge.calls.push({ method, params })
      const handler = bridge.script[method]
      if (handler === undefined) {
        return {
          ok: false,
          error: { code: 'RPC_METHOD_NOT_FOUND', message: `no ${method}` },
        } satisfies Reply<never>
      }
      try {
        return { ok: true, value: await handler(params) } satisfies Reply<unknown>
      } catch (err) {
        const e = err as { code?: string; message: string }
        return { ok: false, error: { code: e.code ?? 'INTERNAL', message: e.message } } satisfies Reply<never>
      }
    },
    on(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emit(event, payload) {
      for (const l of listeners) l(event, payload)
    },
  }
  return bridge
}

export const DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'

export function nodeStatus(overrides: Partial<NodeStatus> = {}): NodeStatus {
  return {
    version: '0.1.0',
    protocolVersion: 1,
    status: 'running',
    did: DID,
    locked: false,
    peerId: null,
    listenAddrs: [],
    stateRoot: 'ab'.repeat(32),
    uptimeMs: 65_000,
    startedAt: 1,
    dataDir: '/home/member/.local/share/icn/node',
    events: 3,
    authors: 1,
    pendingEvents: 0,
    role: 'full',
    nextRole: 'full',
    executes: true,
    validatorOf: [],
    ...overrides,
  }
}

export function identityStatus(overrides: Partial<IdentityStatus> = {}): IdentityStatus {
  return { exists: true, locked: false, did: DID, backedUp: true, createdAt: 1, ...overrides }
}
