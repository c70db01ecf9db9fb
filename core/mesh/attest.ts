import { IcnError } from '../errors'
import { CID, DAG_CBOR, isSha256Cid, type EventTypeHandler, type StateView } from '../dag'
import { readScopeInfo } from '../scope'

/**
 * Validator attestations (DESIGN §12, docs/mesh.md §13): a validator named in a scope's charter signs that its node
 * applied the scope's settlements and governance results under the rules — a settlement's receipt, executor and
 * price checked, a result's tally recounted. One `validator/attest` event lists up to 64 of them, so a busy scope
 * costs each validator about one event per second, not one per job. It adds no power: every node checks the same
 * rules itself; the attestation is the validator's signature on what it checked, for members and outside
 * verifiers who do not hold the whole DAG. Re-execution is what disputes are for.
 */
export const ATTEST_EVENT_TYPE = 'validator/attest'

/** Event types a validator attests. */
export const ATTESTED_TYPES: readonly string[] = ['mesh/settle', 'gov/result']

export const MAX_ATTESTED = 64

export const attestKeys = {
  /** Written only by the validator's chain: one record per (subject, validator). */
  attestation: (subject: string, validator: string): string => `attest/${subject}/${validator}`,
  attestations: (subject: string): string => `attest/${subject}/`,
}

export interface AttestBody {
  subjects: CID[]
}

export interface AttestationRecord {
  /** The validator/attest event. */
  event: string
  validator: string
  ts: number
}

export async function readAttestations(view: StateView, subject: string): Promise<AttestationRecord[]> {
  const rows = await view.list<{ event: string; ts: number }>(attestKeys.attestations(subject), {
    limit: 1000,
  })
  return rows.map((r) => ({
    event: r.value.event,
    validator: r.key.slice(attestKeys.attestations(subject).length),
    ts: Number(r.value.ts),
  }))
}

function malformed(why: string): IcnError {
  return new IcnError('DAG_INVALID_EVENT', `Malformed ${ATTEST_EVENT_TYPE} event: ${why}.`)
}

export const attestHandler: EventTypeHandler<AttestBody> = {
  parseBody(body) {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || CID.asCID(body) !== null)
      throw malformed('the body is {subjects}')
    const keys = Object.keys(body)
    const list = (body as Record<string, unknown>)['subjects']
    if (keys.length !== 1 || !Array.isArray(list) || list.length === 0 || list.length > MAX_ATTESTED)
      throw malformed(`the body is {subjects: 1–${MAX_ATTESTED} event CIDs}`)
    const subjects = list.map((v) => {
      const cid = CID.asCID(v)
      if (cid === null || cid.code !== DAG_CBOR || !isSha256Cid(cid))
        throw malformed('subjects are event CIDs')
      return cid
    })
    if (new Set(subjects.map(String)).size !== subjects.length)
      throw malformed('subjects are listed once each')
    return { subjects }
  },
  deps(body) {
    return body.subjects
  },
  async validate(ctx, view) {
    const { event, body } = ctx
    const info = await readScopeInfo(view, event.scope)
    if (info === undefined || !info.validators.includes(event.author))
      throw new IcnError(
        'MESH_NOT_VALIDATOR',
        `Only the validators named in the charter of ${event.scope} attest its settlements and results.`,
      )
    for (const cid of body.subjects) {
      const id = cid.toString()
      const subject = await view.getEvent(id)
      if (
        subject === undefined ||
        !ATTESTED_TYPES.includes(subject.event.type) ||
        subject.event.scope !== event.scope ||
        !(await view.isEffective(id))
      )
        throw new IcnError(
          'MESH_INVALID_ATTESTATION',
          `${id} is not an applied settlement or governance result of ${event.scope}.`,
        )
      // Written only by this validator's chain, so "twice" is judged in its chain order on every node.
      if ((await view.get(attestKeys.attestation(id, event.author))) !== undefined)
        throw new IcnError('MESH_INVALID_ATTESTATION', `You have already attested ${id}.`)
    }
  },
  async apply(ctx, tx) {
    for (const cid of ctx.body.subjects)
      tx.put(attestKeys.attestation(cid.toString(), ctx.event.author), { event: ctx.id, ts: ctx.event.ts })
  },
}
