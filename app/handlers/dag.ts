import { IcnError } from '../../core/errors'
import { DAG_CBOR, asFileRoot, decodeCanonical, parseCid } from '../../core/dag'
import type { IcnNode } from '../../core/node'
import type { EventDetail, EventSummary, Handlers } from '../contract'
import { toDagJson } from './convert'

type DagMethods =
  'dag.put' | 'dag.get' | 'dag.cat' | 'events.list' | 'events.get' | 'events.post' | 'events.ingest'

function notFound(cid: string): IcnError {
  return new IcnError('DAG_BLOCK_NOT_FOUND', `The block ${cid} is not on this node.`, { details: { cid } })
}

export function dagHandlers(node: IcnNode): Pick<Handlers, DagMethods> {
  const { dag } = node
  return {
    async 'dag.put'({ bytes }, ctx) {
      ctx.progress({ operation: 'dag.put', done: 0, total: bytes.length })
      const { cid, size, blocks } = await dag.blocks.putFile(bytes)
      ctx.progress({ operation: 'dag.put', done: bytes.length, total: bytes.length })
      return { cid: cid.toString(), size, blocks }
    },
    async 'dag.get'({ cid }) {
      const parsed = parseCid(cid)
      const bytes = await dag.blocks.get(parsed)
      if (bytes === undefined) throw notFound(cid)
      if (parsed.code === DAG_CBOR) {
        const value = decodeCanonical(bytes)
        return {
          cid: parsed.toString(),
          codec: 'dag-cbor',
          size: bytes.length,
          bytes,
          value: toDagJson(value),
          links: dag.blocks.links(parsed, bytes).map((l) => l.toString()),
          isFile: asFileRoot(value) !== undefined,
        }
      }
      return { cid: parsed.toString(), codec: 'raw', size: bytes.length, bytes, links: [], isFile: true }
    },
    async 'dag.cat'({ cid }) {
      const parsed = parseCid(cid)
      const bytes = await dag.blocks.catFile(parsed)
      return { cid: parsed.toString(), bytes, size: bytes.length }
    },
    async 'events.list'(filter) {
      return dag.listEvents(filter)
    },
    async 'events.get'({ id }) {
      const cid = parseCid(id, 'event id').toString()
      const summary = await dag.getSummary(cid)
      const event = await dag.getEvent(cid)
      if (summary === undefined || event === undefined) throw notFound(cid)
      const detail: EventDetail = {
        ...summary,
        prev: event.event.prev?.toString() ?? null,
        body: toDagJson(event.event.body),
        signature: event.event.sig,
        bytes: event.bytes,
      }
      return detail
    },
    async 'events.post'({ scope, text, refs }): Promise<EventSummary> {
      const event = await dag.append({
        type: 'note',
        scope,
        body: { text, refs: (refs ?? []).map((r) => parseCid(r, 'reference')) },
      })
      const summary = await dag.getSummary(event.id)
      if (summary === undefined)
        throw new IcnError('INTERNAL', 'The note was stored but cannot be read back.')
      return summary
    },
    async 'events.ingest'({ bytes }) {
      return dag.ingest(bytes, { from: 'api' })
    },
  }
}
