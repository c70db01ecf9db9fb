import type { ExecutorSettings } from './mesh/settings'

/**
 * The node's internal event bus. Names here are core-internal; app/contract.ts maps them to the public
 * event names that front ends subscribe to. Each service adds its events to NodeEvents.
 */
export interface NodeEvents {
  'node:status': { status: NodeStatusName; error?: { code: string; message: string } }
  'identity:changed': { did: string | null; locked: boolean }
  /** An event was validated and folded into state (locally created or received). */
  'dag:event-applied': {
    cid: string
    author: string
    seq: number
    type: string
    scope: string
    local: boolean
  }
  /** An event was created and signed by this node; the network publishes these. */
  'dag:event-created': { cid: string; bytes: Uint8Array; scope: string; type: string }
  'dag:event-rejected': { cid?: string; code: string; reason: string; from?: string }
  'dag:equivocation': { author: string; seq: number; cids: [string, string] }
  /** Events parked because something they depend on has not arrived; the network fetches these CIDs. */
  'dag:missing': { cids: string[] }
  'dag:state-changed': { stateRoot: string }
  /** A proposal was created, finalized (passed/failed) or refolded away. */
  'gov:proposal-updated': { proposal: string; scope: string; status: string }
  /** A vote or delegation changed the live tally (proposal null: a scope-wide delegation). */
  'gov:tally-updated': { proposal: string | null; scope: string; voter: string }
  /** A scope's members, parameters or federation link changed (genesis or an executed proposal). */
  'gov:scope-updated': { scope: string; reason: string }
  /** A passed policy proposal activated (module) or deactivated (null) a named policy in a scope. */
  'gov:policy-activated': { scope: string; policy: string; module: string | null; proposal: string }
  /** A join request was applied; the inviter's node turns it into a member-admit proposal. */
  'gov:join-requested': { scope: string; request: string; author: string; inviter: string }
  /** A credential was anchored (cred/issue applied), locally issued or received. */
  'credentials:issued': {
    id: string
    scope: string
    subject: string
    kind: string
    event: string
    local: boolean
  }
  /** A credential was revoked (cred/revoke applied). */
  'credentials:revoked': { id: string; scope: string; subject: string; event: string; local: boolean }
  'network:peer-connected': { peerId: string; addr: string; direction: 'inbound' | 'outbound' }
  'network:peer-disconnected': { peerId: string }
  /** A sync session's progress: events received so far of those known to be missing. */
  'network:sync-progress': {
    peerId: string
    phase: 'heads' | 'events' | 'evidence' | 'done' | 'failed'
    done: number
    total: number
  }
  /** A mesh job this node submitted or executes changed status (core/mesh). */
  'mesh:job-updated': {
    job: string
    status: 'bidding' | 'assigned' | 'running' | 'verifying' | 'paid' | 'rejected' | 'refunded'
    role: 'submitter' | 'executor'
  }
  /** The executor settings of this node changed (the tray's "pause contributing" listens). */
  'mesh:executor-settings': { settings: ExecutorSettings }
  /** A dispute was opened, got a verdict or was resolved (core/mesh, docs/mesh.md §Disputes). */
  'mesh:dispute-updated': {
    dispute: string
    job: string
    status: 'open' | 'confirmed' | 'reversed'
    verdicts: number
  }
  /**
   * A mana or token balance changed (a member's own event: spend, receipt, reservation). All fields null after a
   * refold, when any balance may have changed.
   */
  'economics:balance-changed': {
    did: string | null
    economy: string | null
    asset: string | null
    event: string | null
  }
  /** Value was given to `to`; it is credited when the recipient's chain acknowledges it. */
  'economics:credit': {
    id: string
    kind: string
    from: string
    to: string
    asset: string
    amount: string
    scope: string
    economy: string
  }
  'economics:reputation-changed': { did: string; economy: string; event: string }
  [name: `${string}:${string}`]: unknown
}

export type NodeStatusName = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed'

type Listener<T> = (payload: T) => void

export interface EventBus<E extends object = NodeEvents> {
  on<K extends keyof E & string>(name: K, listener: Listener<E[K]>): () => void
  once<K extends keyof E & string>(name: K, listener: Listener<E[K]>): () => void
  emit<K extends keyof E & string>(name: K, payload: E[K]): void
  /** Every event, for transports that forward the whole bus. */
  onAny(listener: (name: string, payload: unknown) => void): () => void
}

export function createEventBus<E extends object = NodeEvents>(
  onListenerError: (name: string, err: unknown) => void = () => undefined,
): EventBus<E> {
  const listeners = new Map<string, Set<Listener<unknown>>>()
  const anyListeners = new Set<(name: string, payload: unknown) => void>()
  const bus: EventBus<E> = {
    on(name, listener) {
      let set = listeners.get(name)
      if (set === undefined) listeners.set(name, (set = new Set()))
      set.add(listener as Listener<unknown>)
      return () => set.delete(listener as Listener<unknown>)
    },
    once(name, listener) {
      const off = bus.on(name, (payload) => {
        off()
        listener(payload)
      })
      return off
    },
    emit(name, payload) {
      // A throwing listener must not break the emitter (often the ingest path) or other listeners.
      for (const listener of listeners.get(name) ?? []) {
        try {
          listener(payload)
        } catch (err) {
          onListenerError(name, err)
        }
      }
      for (const listener of anyListeners) {
        try {
          listener(name, payload)
        } catch (err) {
          onListenerError(name, err)
        }
      }
    },
    onAny(listener) {
      anyListeners.add(listener)
      return () => anyListeners.delete(listener)
    },
  }
  return bus
}
