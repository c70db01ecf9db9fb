import { CID, DAG_CBOR } from '../dag'
import type { IcnNode } from '../node'
import type { GossipVerdict, MeshNetwork } from './index'

/**
 * An in-process transport for mesh tests that need no sockets: nodes exchange the real bytes (signed events,
 * signed mesh messages, blocks) through direct calls. Events created on a node are ingested by every other
 * online node in creation order; going back online runs a sync (missing chain ranges, both ways). Multi-node
 * tests over real libp2p live in core/test/mesh*.int.test.ts.
 */
type Handler = Parameters<MeshNetwork['onMesh']>[1]

interface Member {
  name: string
  node: IcnNode | undefined
  online: boolean
  handlers: Map<string, Set<Handler>>
  /** Ingests into this member run one after the other, in arrival order. */
  inbox: Promise<unknown>
  off: (() => void) | undefined
}

export interface LoopbackEndpoint extends MeshNetwork {
  readonly name: string
  /** Binds the endpoint to its node (after createNode, before or after start). */
  attach(node: IcnNode): void
  /** Takes the node off the hub (nothing in or out) or back on (then syncs chains with every online member). */
  setOnline(online: boolean): Promise<void>
}

export interface LoopbackHub {
  endpoint(name: string): LoopbackEndpoint
  /** Resolves when every queued delivery has been ingested. */
  settle(): Promise<void>
}

export function createLoopbackHub(): LoopbackHub {
  const members: Member[] = []
  const others = (m: Member): Member[] => members.filter((o) => o !== m && o.online && o.node !== undefined)

  const deliver = (to: Member, work: () => Promise<unknown>): void => {
    to.inbox = to.inbox.then(work).catch(() => undefined)
  }

  const syncPair = async (a: IcnNode, b: IcnNode): Promise<void> => {
    for (const head of await b.dag.heads()) {
      const mine = (await a.dag.head(head.author))?.seq ?? 0
      if (mine >= head.seq) continue
      for (const bytes of await b.dag.chainRange(head.author, mine + 1, head.seq, 10_000))
        await a.dag.ingest(bytes, { from: 'loopback' }).catch(() => undefined)
    }
  }

  return {
    endpoint(name) {
      const member: Member = {
        name,
        node: undefined,
        online: true,
        handlers: new Map(),
        inbox: Promise.resolve(),
        off: undefined,
      }
      members.push(member)
      const endpoint: LoopbackEndpoint = {
        name,
        attach(node) {
          member.node = node
          member.off = node.events.on('dag:event-created', (e) => {
            if (!member.online) return
            for (const to of others(member))
              deliver(to, () => (to.node as IcnNode).dag.ingest(e.bytes, { from: name }))
          })
        },
        async setOnline(online) {
          member.online = online
          if (!online || member.node === undefined) return
          for (const other of others(member)) {
            await syncPair(member.node, other.node as IcnNode)
            await syncPair(other.node as IcnNode, member.node)
          }
        },
        async publishMesh(scope, data) {
          if (!member.online) return 0
          const targets = others(member).filter((o) => (o.handlers.get(scope)?.size ?? 0) > 0)
          for (const to of targets) {
            setImmediate(() => {
              for (const handler of to.handlers.get(scope) ?? [])
                void Promise.resolve(handler({ scope, from: name, origin: name, data })).catch(
                  (): GossipVerdict => 'ignore',
                )
            })
          }
          return targets.length
        },
        onMesh(scope, handler) {
          let set = member.handlers.get(scope)
          if (set === undefined) member.handlers.set(scope, (set = new Set()))
          set.add(handler)
          return () => set.delete(handler)
        },
        async fetch(cids) {
          const fetched: string[] = []
          const missing: string[] = []
          const node = member.node
          for (const cid of cids) {
            let found = false
            if (node !== undefined && member.online) {
              for (const other of others(member)) {
                const bytes = await (other.node as IcnNode).dag.blocks.get(cid).catch(() => undefined)
                if (bytes === undefined) continue
                const isEvent =
                  cid.code === DAG_CBOR &&
                  (await (other.node as IcnNode).dag.getEvent(cid.toString())) !== undefined
                if (isEvent) await node.dag.ingest(bytes, { from: other.name })
                else await node.dag.blocks.putVerified(CID.asCID(cid) as CID, bytes)
                found = true
                break
              }
            }
            ;(found ? fetched : missing).push(cid.toString())
          }
          return { fetched, missing }
        },
        scopes() {
          return ['global']
        },
        async subscribe() {},
      }
      return endpoint
    },
    async settle() {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setImmediate(r))
        await Promise.all(members.map((m) => m.inbox))
      }
    },
  }
}
