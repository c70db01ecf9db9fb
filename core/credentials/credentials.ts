/**
 * Credentials a scope issues after the proposal that grants them passes. Issuance is tied to governance through
 * the DAG: a `cred/issue` event, signed by a member of the scope, carries the credential and names the proposal
 * and its result; every node checks that the proposal passed, was carried out and grants exactly what the
 * credential says, that the credential's proof is the event author's, and only then stores it. `cred/revoke`
 * events form the scope's revocation list. See docs/credentials.md.
 */
import type { EventContext, StateView } from '../dag'
import { CID, GLOBAL_SCOPE, asCid, parseCid } from '../dag'
import { IcnError, isIcnError, throwIfAborted } from '../errors'
import { isDid, isScopeDid } from '../identity/did'
import { readMember, readScopeInfo } from '../scope'
import { govKeys, isMemberAt, readProposal, readResult } from '../governance/state'
import type { ProposalRecord, ResultRecord } from '../governance/types'
import type {
  CredentialDetail,
  Credentials,
  CredentialsComponents,
  CredentialsInit,
  CredentialSummary,
  IssueInput,
  RevocationView,
  RevokeInput,
  VerifyInput,
} from './index'
import { canonicalize } from './jcs'
import { CRED_EVENT, credIndex, credKeys } from './keys'
import {
  CREDENTIAL_TYPES,
  VC_CONTEXT_V2,
  addProof,
  checkCredentialOfflineAsync,
  checkPresentationOffline,
  createPresentation,
  credentialId,
  holderCheck,
  parseCredential,
  parseDate,
  summarize,
  verifyProof,
  type CredentialCheck,
  type CredentialKind,
  type UnsignedCredential,
  type VerifiableCredential,
  type VerifiablePresentation,
  type VerificationResult,
} from './vc'

export interface IssueBody {
  /** The credential in canonical JSON (JCS), exactly the text its proof covers. */
  credential: string
  proposal: CID
  /** The proposal's gov/result event (a dependency, so the decision is in the issue's causal past). */
  result: CID
}

export interface RevokeBody {
  /** The credential id. */
  credential: string
  /** Its cred/issue event. */
  issue: CID
  /** A passed removal proposal of the subject and its result, or both null (the signer withdraws it). */
  proposal: CID | null
  result: CID | null
  reason: string
}

interface CredentialRecord {
  id: string
  kind: CredentialKind
  role: string | null
  /** Capability credentials only (absent in membership and role records). */
  capability?: string
  scope: string
  subject: string
  signer: string
  proposal: string
  result: string
  event: string
  ts: number
  validFrom: string
  validUntil: string | null
  json: string
}

interface RevocationRecord {
  credential: string
  event: string
  author: string
  proposal: string | null
  reason: string
  ts: number
}

const MAX_REASON = 1000
const MAX_ID = 400

function fail(code: ConstructorParameters<typeof IcnError>[0], message: string): never {
  throw new IcnError(code, message)
}

function bodyRecord(value: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    fail('DAG_INVALID_EVENT', `${what}: the body is not a map.`)
  const r = value as Record<string, unknown>
  const got = Object.keys(r)
  if (got.length !== keys.length || !keys.every((k) => k in r))
    fail('DAG_INVALID_EVENT', `${what}: fields must be exactly ${keys.join(', ')}.`)
  return r
}

function eventCid(value: unknown, what: string): CID {
  const cid = asCid(value)
  if (cid === null) fail('DAG_INVALID_EVENT', `${what} must be a CID.`)
  return cid
}

export function parseIssueBody(value: unknown): IssueBody {
  const r = bodyRecord(value, ['credential', 'proposal', 'result'], 'cred/issue')
  if (typeof r.credential !== 'string' || r.credential.length === 0 || r.credential.length > 16 * 1024)
    fail('DAG_INVALID_EVENT', 'cred/issue: the credential must be JSON text of at most 16 KiB.')
  return {
    credential: r.credential,
    proposal: eventCid(r.proposal, 'cred/issue: proposal'),
    result: eventCid(r.result, 'cred/issue: result'),
  }
}

export function parseRevokeBody(value: unknown): RevokeBody {
  const r = bodyRecord(value, ['credential', 'issue', 'proposal', 'result', 'reason'], 'cred/revoke')
  if (typeof r.credential !== 'string' || r.credential.length === 0 || r.credential.length > MAX_ID)
    fail('DAG_INVALID_EVENT', 'cred/revoke: credential must be a credential id.')
  if (typeof r.reason !== 'string' || r.reason.length > MAX_REASON)
    fail('DAG_INVALID_EVENT', `cred/revoke: reason must be text of at most ${MAX_REASON} characters.`)
  const proposal = r.proposal === null ? null : eventCid(r.proposal, 'cred/revoke: proposal')
  const result = r.result === null ? null : eventCid(r.result, 'cred/revoke: result')
  if ((proposal === null) !== (result === null))
    fail('DAG_INVALID_EVENT', 'cred/revoke: proposal and result are given together or not at all.')
  return {
    credential: r.credential,
    issue: eventCid(r.issue, 'cred/revoke: issue'),
    proposal,
    result,
    reason: r.reason,
  }
}

/** One credential a decision grants: its kind and, for roles and capabilities, which one. */
export interface Grant {
  kind: CredentialKind
  role?: string
  capability?: string
}

/**
 * The credentials a passed proposal grants: membership and one per role for an admission; the one capability of a
 * capability proposal; nothing for other kinds.
 */
export function grantsOf(proposal: ProposalRecord): Grant[] {
  const action = proposal.action
  if (action.kind === 'admit')
    return [{ kind: 'membership' }, ...action.roles.map((role) => ({ kind: 'role' as const, role }))]
  if (action.kind === 'capability') return [{ kind: 'capability', capability: action.capability }]
  return []
}

/** The role or capability a grant names (its credential id's last part), if any. */
function grantName(grant: {
  role?: string | undefined
  capability?: string | undefined
}): string | undefined {
  return grant.role ?? grant.capability
}

function kindOf(credential: VerifiableCredential): CredentialKind | undefined {
  const kinds = (Object.keys(CREDENTIAL_TYPES) as CredentialKind[]).filter((k) =>
    credential.type.includes(CREDENTIAL_TYPES[k]),
  )
  return kinds.length === 1 ? kinds[0] : undefined
}

function revocationListId(scope: string): string {
  return `urn:icn:revocation-list:${scope}`
}

/** The decision behind a credential: the proposal passed and was carried out, in this scope. */
async function requireDecision(
  view: StateView,
  scope: string,
  proposalId: string,
  resultId: string | undefined,
): Promise<{ proposal: ProposalRecord; result: ResultRecord }> {
  const proposal = await readProposal(view, proposalId)
  if (proposal === undefined || proposal.scope !== scope)
    fail('CRED_NOT_AUTHORISED', `Proposal ${proposalId} is not a proposal of scope ${scope}.`)
  const result = await readResult(view, proposalId)
  if (result === undefined || (resultId !== undefined && result.id !== resultId))
    fail(
      'CRED_NOT_AUTHORISED',
      `Proposal ${proposalId} has no result yet; credentials follow a passed decision.`,
    )
  if (!result.passed) fail('CRED_NOT_AUTHORISED', `Proposal ${proposalId} did not pass.`)
  if (result.execution.status !== 'done')
    fail(
      'CRED_NOT_AUTHORISED',
      `Proposal ${proposalId} passed but was not carried out: ${result.execution.message}`,
    )
  return { proposal, result }
}

/** Fold rules of cred/issue: the credential is exactly one that the named passed proposal grants. */
async function validateIssue(ctx: EventContext<IssueBody>, view: StateView): Promise<VerifiableCredential> {
  const { event, body } = ctx
  const scope = event.scope
  if (scope === GLOBAL_SCOPE) fail('CRED_INVALID', 'Credentials are issued in a federation or cooperative.')
  let value: unknown
  try {
    value = JSON.parse(body.credential)
  } catch {
    fail('CRED_INVALID', 'The credential is not JSON.')
  }
  const credential = parseCredential(value)
  let canonical: string
  try {
    canonical = canonicalize(credential)
  } catch (err) {
    fail('CRED_INVALID', `The credential is not plain JSON: ${(err as Error).message}`)
  }
  if (canonical !== body.credential)
    fail('CRED_INVALID', 'The credential must be anchored in its canonical (JCS) form.')
  const proof = verifyProof(credential)
  if ('code' in proof) fail(proof.code, proof.message)
  if (proof.signer !== event.author)
    fail('CRED_NOT_AUTHORISED', 'The credential was signed by another key than the event author.')
  if (credential.issuer.id !== scope)
    fail('CRED_WRONG_ISSUER', `The credential names ${credential.issuer.id} as issuer, not scope ${scope}.`)
  const proposalId = body.proposal.toString()
  const { proposal, result } = await requireDecision(view, scope, proposalId, body.result.toString())
  const action = proposal.action
  if (action.kind !== 'admit' && action.kind !== 'capability')
    fail('CRED_INVALID', `Proposal ${proposalId} (${proposal.kind}) grants no credential.`)
  const kind = kindOf(credential)
  if (kind === undefined)
    fail(
      'CRED_INVALID',
      `The credential's type must name exactly one of ${Object.values(CREDENTIAL_TYPES).join(', ')}.`,
    )
  const subject = credential.credentialSubject
  if (subject.id !== action.member)
    fail(
      'CRED_INVALID',
      `Proposal ${proposalId} ${action.kind === 'admit' ? 'admitted' : 'grants a capability to'} ${action.member}, not ${subject.id}.`,
    )
  if (subject.memberOf !== scope) fail('CRED_INVALID', `The subject's memberOf must be ${scope}.`)
  if (kind !== 'role' && subject.role !== undefined)
    fail('CRED_INVALID', `A ${kind} credential names no role.`)
  if (kind !== 'capability' && subject.capability !== undefined)
    fail('CRED_INVALID', `A ${kind} credential names no capability.`)
  const grant = grantsOf(proposal).find(
    (g) => g.kind === kind && g.role === subject.role && g.capability === subject.capability,
  )
  if (grant === undefined)
    fail(
      'CRED_INVALID',
      kind === 'membership'
        ? `Proposal ${proposalId} (${proposal.kind}) grants no membership credential.`
        : `Proposal ${proposalId} does not grant the ${kind} ${String(kind === 'role' ? subject.role : subject.capability)}.`,
    )
  // The subject says what the decision grants and nothing else.
  const claims = {
    id: action.member,
    memberOf: scope,
    ...(grant.role === undefined ? {} : { role: grant.role }),
    ...(grant.capability === undefined ? {} : { capability: grant.capability }),
  }
  if (canonicalize(subject) !== canonicalize(claims))
    fail('CRED_INVALID', 'The credential subject makes claims the decision does not grant.')
  const expectedId = credentialId(proposalId, kind, grantName(grant))
  if (credential.id !== expectedId) fail('CRED_INVALID', `The credential id must be ${expectedId}.`)
  const evidence = credential.evidence
  const expected = { type: ['IcnGovernanceDecision'], proposal: proposalId, result: result.id }
  if (evidence.length !== 1 || canonicalize(evidence[0]) !== canonicalize(expected))
    fail('CRED_INVALID', 'The credential must name the proposal and its result as its only evidence.')
  const status = { id: revocationListId(scope), type: 'IcnDagRevocationList', scope }
  if (canonicalize(credential.credentialStatus) !== canonicalize(status))
    fail('CRED_INVALID', "The credential's status must point to the scope's revocation list.")
  const from = parseDate(credential.validFrom) as number
  if (from < result.ts)
    fail('CRED_INVALID', 'A credential cannot be valid before the decision that grants it.')
  if (credential.validUntil !== undefined && (parseDate(credential.validUntil) as number) <= from)
    fail('CRED_INVALID', 'validUntil must be after validFrom.')
  if (!(await isMemberAt(view, scope, event.author, result.n)))
    fail('CRED_NOT_AUTHORISED', 'Only a member of the scope may issue its credentials.')
  return credential
}

/** Whether any cred/revoke is recorded for the credential. */
async function isRevoked(view: StateView, id: string): Promise<boolean> {
  return (await view.list(credKeys.revocationPrefix(id), { limit: 1 })).length > 0
}

/** The credential records an index prefix lists (its rows end with the credential's hash). */
async function recordsUnder(view: StateView, prefix: string, limit: number): Promise<CredentialRecord[]> {
  const out: CredentialRecord[] = []
  for (const row of await view.listIndex(prefix, { limit })) {
    const record = await view.get<CredentialRecord>(credKeys.byHash(row.key.slice(prefix.length)))
    if (record !== undefined) out.push(record)
  }
  return out
}

async function validateRevoke(ctx: EventContext<RevokeBody>, view: StateView): Promise<CredentialRecord> {
  const { event, body } = ctx
  const record = await view.get<CredentialRecord>(credKeys.credential(body.credential))
  if (record === undefined || record.event !== body.issue.toString())
    fail('CRED_NOT_FOUND', `No credential ${body.credential} was issued by event ${body.issue.toString()}.`)
  if (record.scope !== event.scope) fail('CRED_INVALID', `The credential belongs to scope ${record.scope}.`)
  if (ctx.local && (await isRevoked(view, record.id)))
    fail('CRED_REVOKED', `${record.id} is already revoked.`)
  if (body.proposal === null || body.result === null) {
    if (event.author !== record.signer)
      fail(
        'CRED_NOT_AUTHORISED',
        'Only the member who signed a credential may withdraw it alone; otherwise pass a proposal removing its subject.',
      )
  } else {
    const proposalId = body.proposal.toString()
    const { proposal, result } = await requireDecision(view, event.scope, proposalId, body.result.toString())
    if (proposal.action.kind !== 'remove' || proposal.action.member !== record.subject)
      fail('CRED_NOT_AUTHORISED', `Proposal ${proposalId} does not remove ${record.subject}.`)
    // A removal ends the grants made before it, not those of a later re-admission.
    const granted = await readResult(view, record.proposal)
    if (granted === undefined || granted.n >= result.n)
      fail('CRED_NOT_AUTHORISED', `Proposal ${proposalId} was decided before ${record.id} was granted.`)
    if (!(await isMemberAt(view, event.scope, event.author, result.n)))
      fail('CRED_NOT_AUTHORISED', 'Only a member of the scope may record a revocation.')
  }
  return record
}

function summaryOf(record: CredentialRecord, revocations: RevocationRecord[]): CredentialSummary {
  const first = revocations.reduce<RevocationRecord | undefined>(
    (a, b) => (a === undefined || b.ts < a.ts ? b : a),
    undefined,
  )
  return {
    id: record.id,
    kind: record.kind,
    role: record.role,
    capability: record.capability ?? null,
    scope: record.scope,
    subject: record.subject,
    signer: record.signer,
    proposal: record.proposal,
    event: record.event,
    issuedAt: record.ts,
    validFrom: record.validFrom,
    validUntil: record.validUntil,
    revoked: first !== undefined,
    revokedAt: first?.ts ?? null,
  }
}

const passed = (check: CredentialCheck['check'], message: string, credential?: string): CredentialCheck =>
  credential === undefined
    ? { check, status: 'passed', message }
    : { check, status: 'passed', message, credential }
const skipped = (check: CredentialCheck['check'], message: string, credential?: string): CredentialCheck =>
  credential === undefined
    ? { check, status: 'skipped', message }
    : { check, status: 'skipped', message, credential }
const failedCheck = (
  check: CredentialCheck['check'],
  code: NonNullable<CredentialCheck['code']>,
  message: string,
  credential?: string,
): CredentialCheck =>
  credential === undefined
    ? { check, status: 'failed', code, message }
    : { check, status: 'failed', code, message, credential }

class DefaultCredentials implements Credentials {
  private readonly now: () => number
  private readonly autoIssue: boolean
  private readonly offs: (() => void)[] = []
  private running = false
  private catchUpQueued = false
  /** Automatic issuance and revocation run one at a time, in the order decisions arrive. */
  private work: Promise<void> = Promise.resolve()

  constructor(
    private readonly components: CredentialsComponents,
    init: CredentialsInit,
  ) {
    this.now = init.now ?? Date.now
    this.autoIssue = init.autoIssue ?? true
    const { dag, events } = components
    dag.register<IssueBody>(CRED_EVENT.issue, {
      parseBody: (body) => parseIssueBody(body),
      deps: (body) => [body.proposal, body.result],
      // One credential per id, whichever member's node issues it first by (ts, id): concurrent automatic
      // issuance by two nodes cannot give two different credentials with the same id.
      conflict: (body) => {
        try {
          const id = (JSON.parse(body.credential) as { id?: unknown }).id
          return typeof id === 'string' ? { key: credKeys.conflict(id), rank: 0 } : undefined
        } catch {
          return undefined
        }
      },
      validate: async (ctx, view) => {
        await validateIssue(ctx, view)
      },
      async apply(ctx, tx) {
        const { event, body, id } = ctx
        const credential = parseCredential(JSON.parse(body.credential))
        const kind = kindOf(credential) as CredentialKind
        const subject = credential.credentialSubject
        const record: CredentialRecord = {
          id: credential.id,
          kind,
          role: subject.role ?? null,
          // Only capability credentials carry the field: membership and role records stay as they were.
          ...(subject.capability === undefined ? {} : { capability: subject.capability }),
          scope: event.scope,
          subject: subject.id,
          signer: event.author,
          proposal: body.proposal.toString(),
          result: body.result.toString(),
          event: id,
          ts: event.ts,
          validFrom: credential.validFrom,
          validUntil: credential.validUntil ?? null,
          json: body.credential,
        }
        tx.put(credKeys.credential(credential.id), record)
        tx.putIndex(credIndex.subject(subject.id, credential.id), 1)
        tx.putIndex(credIndex.scope(event.scope, credential.id), 1)
        tx.putIndex(credIndex.member(event.scope, subject.id, credential.id), 1)
        tx.afterCommit(() =>
          events.emit('credentials:issued', {
            id: credential.id,
            scope: event.scope,
            subject: subject.id,
            kind,
            event: id,
            local: ctx.local,
          }),
        )
      },
    })
    dag.register<RevokeBody>(CRED_EVENT.revoke, {
      parseBody: (body) => parseRevokeBody(body),
      deps: (body) => [
        body.issue,
        ...(body.proposal === null ? [] : [body.proposal]),
        ...(body.result === null ? [] : [body.result]),
      ],
      validate: async (ctx, view) => {
        await validateRevoke(ctx, view)
      },
      async apply(ctx, tx) {
        const { event, body, id } = ctx
        const record = (await tx.get<CredentialRecord>(
          credKeys.credential(body.credential),
        )) as CredentialRecord
        tx.put(credKeys.revocation(body.credential, id), {
          credential: body.credential,
          event: id,
          author: event.author,
          proposal: body.proposal === null ? null : body.proposal.toString(),
          reason: body.reason,
          ts: event.ts,
        } satisfies RevocationRecord)
        tx.afterCommit(() =>
          events.emit('credentials:revoked', {
            id: body.credential,
            scope: event.scope,
            subject: record.subject,
            event: id,
            local: ctx.local,
          }),
        )
      },
    })
  }

  async start(): Promise<void> {
    this.running = true
    if (this.autoIssue)
      this.offs.push(
        this.components.events.on('gov:proposal-updated', (e) => {
          if (e.status === 'passed') this.enqueue(e.proposal)
        }),
        // Decisions this node finalized while it was stopped or locked, or that a refold made canonical.
        this.components.events.on('node:status', (e) => {
          if (e.status === 'running') this.catchUp()
        }),
        this.components.events.on('identity:changed', (e) => {
          if (!e.locked) this.catchUp()
        }),
        this.components.events.on('dag:state-changed', () => this.catchUp()),
      )
  }

  /** Queues every passed decision this node's member finalized; issue and revoke skip what is already done. */
  private catchUp(): void {
    const status = this.components.identity.status()
    if (!this.running || status.did === null || status.locked) return
    const me = status.did
    // Start-up fires both `running` and the unlock: one scan waiting in the queue covers every trigger before it.
    if (this.catchUpQueued) return
    this.catchUpQueued = true
    this.work = this.work
      .then(async () => {
        this.catchUpQueued = false
        const view = this.components.dag.view()
        let after: string | undefined
        for (;;) {
          const rows = await view.list<ResultRecord>(govKeys.result(''), {
            limit: 1000,
            ...(after === undefined ? {} : { after }),
          })
          for (const row of rows)
            if (row.value.finalizer === me && row.value.passed && row.value.execution.status === 'done')
              this.enqueue(row.key.slice(govKeys.result('').length))
          if (rows.length < 1000 || !this.running) return
          after = rows[rows.length - 1]?.key
        }
      })
      .catch((err: unknown) => this.components.logger.warn('credential catch-up failed', { err }))
  }

  async stop(): Promise<void> {
    this.running = false
    for (const off of this.offs.splice(0)) off()
    await this.work
  }

  // ---- automatic issuance --------------------------------------------------------------------------------------

  private enqueue(proposal: string): void {
    this.work = this.work
      .then(() => (this.running ? this.onPassed(proposal) : undefined))
      .catch((err: unknown) =>
        this.components.logger.warn('automatic credential issuance failed', { proposal, err }),
      )
  }

  /**
   * The node whose member finalized a passed admission or capability grant issues its credentials; a removal
   * revokes them (every credential of the member in the scope granted before it: membership, roles, capabilities).
   */
  private async onPassed(proposalId: string): Promise<void> {
    const status = this.components.identity.status()
    if (status.did === null || status.locked) return
    const view = this.components.dag.view()
    const result = await readResult(view, proposalId)
    const proposal = await readProposal(view, proposalId)
    if (result === undefined || proposal === undefined) return
    if (result.finalizer !== status.did || !result.passed || result.execution.status !== 'done') return
    if (proposal.action.kind === 'admit' || proposal.action.kind === 'capability') {
      if ((await readMember(view, proposal.scope, proposal.action.member)) === undefined) return
      await this.issue({ proposal: proposalId }).catch((err: unknown) => {
        if (!isIcnError(err, 'CRED_NOT_AUTHORISED')) throw err
      })
    } else if (proposal.action.kind === 'remove') {
      const prefix = credIndex.memberPrefix(proposal.scope, proposal.action.member)
      for (const record of await recordsUnder(view, prefix, 1000)) {
        const granted = await readResult(view, record.proposal)
        if (granted === undefined || granted.n >= result.n) continue
        if (await isRevoked(view, record.id)) continue
        await this.revoke({
          id: record.id,
          proposal: proposalId,
          reason: 'Removed from the scope by proposal.',
        }).catch((err: unknown) => {
          if (!isIcnError(err, 'CRED_REVOKED')) throw err
        })
      }
    }
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  private async revocations(view: StateView, id: string): Promise<RevocationRecord[]> {
    return (await view.list<RevocationRecord>(credKeys.revocationPrefix(id), { limit: 100 })).map(
      (r) => r.value,
    )
  }

  async list(filter: { did?: string; scope?: string } = {}): Promise<CredentialSummary[]> {
    const view = this.components.dag.view()
    let prefix: string
    if (filter.scope !== undefined) {
      if (!isScopeDid(filter.scope))
        fail('INVALID_ARGUMENT', `${filter.scope.slice(0, 80)} is not a scope DID.`)
      prefix = credIndex.scopePrefix(filter.scope)
    } else {
      const did = filter.did ?? this.components.identity.did()
      if (!isDid(did)) fail('IDENTITY_INVALID_DID', `${did.slice(0, 80)} is not a DID.`)
      prefix = credIndex.subjectPrefix(did)
    }
    const out: CredentialSummary[] = []
    for (const record of await recordsUnder(view, prefix, 10_000))
      out.push(summaryOf(record, await this.revocations(view, record.id)))
    return out.sort((a, b) => a.issuedAt - b.issuedAt || (a.id < b.id ? -1 : 1))
  }

  async get(id: string): Promise<CredentialDetail> {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID)
      fail('INVALID_ARGUMENT', 'A credential id is a non-empty string (urn:icn:credential:…).')
    const view = this.components.dag.view()
    const record = await view.get<CredentialRecord>(credKeys.credential(id))
    if (record === undefined)
      fail(
        'CRED_NOT_FOUND',
        `No credential ${id.slice(0, 120)} is anchored in this node's DAG; sync and retry.`,
      )
    const revocations = await this.revocations(view, id)
    return {
      ...summaryOf(record, revocations),
      credential: JSON.parse(record.json) as VerifiableCredential,
      revocations: revocations.map((r) => ({ ...r })),
    }
  }

  // ---- writes --------------------------------------------------------------------------------------------------

  async issue(input: IssueInput, options: { signal?: AbortSignal } = {}): Promise<CredentialDetail[]> {
    const { dag, identity } = this.components
    const proposalId = parseCid(input.proposal, 'proposal').toString()
    if (
      input.validUntil !== undefined &&
      (!Number.isSafeInteger(input.validUntil) || input.validUntil <= this.now())
    )
      fail('INVALID_ARGUMENT', 'validUntil must be a time in the future (Unix ms).')
    const signer = identity.signer()
    const view = dag.view()
    const proposal = await readProposal(view, proposalId)
    if (proposal === undefined)
      fail('GOV_UNKNOWN_PROPOSAL', `Proposal ${proposalId} is not known here; sync the scope first.`)
    const { result } = await requireDecision(view, proposal.scope, proposalId, undefined)
    const wanted = grantsOf(proposal).filter(
      (g) =>
        (input.kind === undefined || g.kind === input.kind) &&
        (input.role === undefined || g.role === input.role) &&
        (input.capability === undefined || g.capability === input.capability),
    )
    if (wanted.length === 0)
      fail(
        'CRED_INVALID',
        proposal.action.kind === 'admit' || proposal.action.kind === 'capability'
          ? `Proposal ${proposalId} grants no ${input.kind ?? ''} credential${input.role === undefined ? '' : ` for role ${input.role}`}${input.capability === undefined ? '' : ` for capability ${input.capability}`}.`
          : `Proposal ${proposalId} (${proposal.kind}) grants no credential; admissions and capability grants do.`,
      )
    if (!(await isMemberAt(view, proposal.scope, identity.did(), result.n)))
      fail('CRED_NOT_AUTHORISED', 'Only a member of the scope may issue its credentials.')
    const name = (await readScopeInfo(view, proposal.scope))?.name
    const member = (proposal.action as { member: string }).member
    const out: CredentialDetail[] = []
    for (const grant of wanted) {
      throwIfAborted(options.signal)
      const id = credentialId(proposalId, grant.kind, grantName(grant))
      if ((await view.get(credKeys.credential(id))) === undefined) {
        // Local rule (the fold cannot see "now"): no new credentials for a member a later decision removed, even
        // if another decision admitted them again (that one grants its own credentials).
        const since = await view.list<number>(govKeys.membershipPrefix(proposal.scope, member), {
          after: govKeys.membership(proposal.scope, member, result.n),
          limit: 10_000,
        })
        if (since.some((row) => Number(row.value) === 0))
          fail('CRED_NOT_AUTHORISED', `${member} was removed from ${proposal.scope} after this decision.`)
        const created = Math.max(this.now(), result.ts)
        const unsigned: UnsignedCredential = {
          '@context': [VC_CONTEXT_V2],
          id,
          type: ['VerifiableCredential', CREDENTIAL_TYPES[grant.kind]],
          issuer: name === undefined ? { id: proposal.scope } : { id: proposal.scope, name },
          validFrom: new Date(created).toISOString(),
          ...(input.validUntil === undefined ? {} : { validUntil: new Date(input.validUntil).toISOString() }),
          credentialSubject: {
            id: member,
            memberOf: proposal.scope,
            ...(grant.role === undefined ? {} : { role: grant.role }),
            ...(grant.capability === undefined ? {} : { capability: grant.capability }),
          },
          evidence: [{ type: ['IcnGovernanceDecision'], proposal: proposalId, result: result.id }],
          credentialStatus: {
            id: revocationListId(proposal.scope),
            type: 'IcnDagRevocationList',
            scope: proposal.scope,
          },
        }
        const credential = addProof(unsigned, signer, { purpose: 'assertionMethod', created })
        try {
          await dag.append<IssueBody>(
            {
              type: CRED_EVENT.issue,
              scope: proposal.scope,
              body: {
                credential: canonicalize(credential),
                proposal: CID.parse(proposalId),
                result: CID.parse(result.id),
              },
            },
            options,
          )
        } catch (err) {
          // Another member's node issued it first: theirs is the scope's credential.
          if (!isIcnError(err, 'DAG_SUPERSEDED')) throw err
        }
      }
      out.push(await this.get(id))
    }
    return out
  }

  async revoke(input: RevokeInput, options: { signal?: AbortSignal } = {}): Promise<RevocationView> {
    const { dag } = this.components
    const reason = input.reason ?? ''
    if (reason.length > MAX_REASON) fail('INVALID_ARGUMENT', `A reason has at most ${MAX_REASON} characters.`)
    const detail = await this.get(input.id)
    if (detail.revoked) fail('CRED_REVOKED', `${detail.id} is already revoked.`)
    let proposal: CID | null = null
    let result: CID | null = null
    if (input.proposal !== undefined) {
      const proposalId = parseCid(input.proposal, 'proposal').toString()
      const decision = await requireDecision(dag.view(), detail.scope, proposalId, undefined)
      proposal = CID.parse(proposalId)
      result = CID.parse(decision.result.id)
    }
    const event = await dag.append<RevokeBody>(
      {
        type: CRED_EVENT.revoke,
        scope: detail.scope,
        body: { credential: detail.id, issue: CID.parse(detail.event), proposal, result, reason },
      },
      options,
    )
    return {
      credential: detail.id,
      event: event.id,
      author: event.event.author,
      proposal: proposal === null ? null : proposal.toString(),
      reason,
      ts: event.event.ts,
    }
  }

  // ---- presentations and verification --------------------------------------------------------------------------

  async present(input: {
    id: string
    audience?: string
    challenge?: string
  }): Promise<VerifiablePresentation> {
    const { identity } = this.components
    const detail = await this.get(input.id)
    const me = identity.did()
    if (detail.subject !== me)
      fail('CRED_WRONG_HOLDER', `${detail.id} is about ${detail.subject}; only its subject can present it.`)
    if (detail.revoked) fail('CRED_REVOKED', `${detail.id} was revoked; it cannot be presented.`)
    return createPresentation([detail.credential], identity.signer(), {
      created: this.now(),
      ...(input.challenge === undefined ? {} : { challenge: input.challenge }),
      ...(input.audience === undefined ? {} : { audience: input.audience }),
    })
  }

  async verify(input: VerifyInput): Promise<VerificationResult> {
    const hasCredential = input.credential !== undefined
    if (hasCredential === (input.presentation !== undefined))
      fail('INVALID_ARGUMENT', 'Give either a credential or a presentation to verify.')
    const now = input.now ?? this.now()
    const parse = (value: unknown): unknown => {
      if (typeof value !== 'string') return value
      try {
        return JSON.parse(value)
      } catch {
        return value
      }
    }
    if (hasCredential) {
      const outcome = await checkCredentialOfflineAsync(parse(input.credential), {
        now,
        ...(input.issuer === undefined ? {} : { issuer: input.issuer }),
      })
      const checks = outcome.checks
      if (
        outcome.credential !== undefined &&
        outcome.signer !== undefined &&
        !checks.some((c) => c.status === 'failed')
      )
        await this.dagChecks(checks, outcome.credential, outcome.signer)
      return summarize('credential', checks, outcome.credential === undefined ? [] : [outcome.credential.id])
    }
    const { checks, presentation } = await checkPresentationOffline(parse(input.presentation), {
      ...(input.challenge === undefined ? {} : { challenge: input.challenge }),
      ...(input.audience === undefined ? {} : { audience: input.audience }),
    })
    const ids: string[] = []
    if (presentation !== undefined) {
      presentation.verifiableCredential.forEach((value, i) => {
        const id = (value as { id?: unknown }).id
        ids.push(typeof id === 'string' ? id : `#${i}`)
      })
      for (const [i, value] of presentation.verifiableCredential.entries()) {
        const label = ids[i] as string
        const outcome = await checkCredentialOfflineAsync(
          value,
          { now, ...(input.issuer === undefined ? {} : { issuer: input.issuer }) },
          label,
        )
        const own = outcome.checks
        if (outcome.credential !== undefined && !own.some((c) => c.status === 'failed'))
          own.push(holderCheck(presentation.holder, outcome.credential))
        if (
          outcome.credential !== undefined &&
          outcome.signer !== undefined &&
          !own.some((c) => c.status === 'failed')
        )
          await this.dagChecks(own, outcome.credential, outcome.signer, label)
        checks.push(...own)
      }
    }
    return summarize('presentation', checks, ids)
  }

  /**
   * What this node's DAG adds to the offline checks: that the scope anchored this very credential (so its issuance
   * was validated against the passed proposal) and whether it was revoked.
   */
  private async dagChecks(
    checks: CredentialCheck[],
    credential: VerifiableCredential,
    signer: string,
    label?: string,
  ): Promise<void> {
    const view = this.components.dag.view()
    const issuer = credential.issuer.id
    if (!isScopeDid(issuer)) return
    const scopeKnown = (await readScopeInfo(view, issuer)) !== undefined
    const issuerIndex = checks.findIndex((c) => c.check === 'issuer')
    const setIssuer = (check: CredentialCheck): void => {
      if (issuerIndex >= 0) checks[issuerIndex] = check
      else checks.push(check)
    }
    const record = await view.get<CredentialRecord>(credKeys.credential(credential.id))
    if (record === undefined || record.scope !== issuer) {
      if (!scopeKnown) {
        checks.push(skipped('anchor', `This node does not hold scope ${issuer}'s DAG.`, label))
        checks.push(
          skipped('revocation', `This node does not hold scope ${issuer}'s revocation list.`, label),
        )
        return
      }
      const everMember = (await view.list(govKeys.membershipPrefix(issuer, signer), { limit: 1 })).length > 0
      if (!everMember) {
        setIssuer(
          failedCheck(
            'issuer',
            'CRED_WRONG_ISSUER',
            `${signer} has never been a member of ${issuer}, so cannot issue for it.`,
            label,
          ),
        )
        return
      }
      checks.push(
        failedCheck(
          'anchor',
          'CRED_NOT_FOUND',
          `Scope ${issuer} never anchored ${credential.id} in this node's DAG (not issued, or not yet synced).`,
          label,
        ),
      )
      return
    }
    if (record.signer !== signer) {
      setIssuer(
        failedCheck(
          'issuer',
          'CRED_WRONG_ISSUER',
          `Scope ${issuer} issued ${credential.id} through ${record.signer}, not ${signer}.`,
          label,
        ),
      )
      return
    }
    setIssuer(
      passed(
        'issuer',
        `Issued for scope ${issuer} by member ${signer} after proposal ${record.proposal} passed.`,
        label,
      ),
    )
    if (record.json !== canonicalize(credential)) {
      checks.push(
        failedCheck(
          'anchor',
          'CRED_INVALID',
          `This is not the ${credential.id} the scope anchored (event ${record.event}).`,
          label,
        ),
      )
      return
    }
    checks.push(passed('anchor', `Anchored in the scope's DAG by event ${record.event}.`, label))
    const revocations = await this.revocations(view, record.id)
    const first = summaryOf(record, revocations)
    if (first.revoked) {
      const r = revocations.find((x) => x.ts === first.revokedAt) as RevocationRecord
      checks.push(
        failedCheck(
          'revocation',
          'CRED_REVOKED',
          `Revoked at ${new Date(r.ts).toISOString()} by event ${r.event}${r.reason === '' ? '' : `: ${r.reason}`}.`,
          label,
        ),
      )
    } else
      checks.push(passed('revocation', "Not in the scope's revocation list as this node holds it.", label))
  }
}

export function credentials(init: CredentialsInit = {}): (components: CredentialsComponents) => Credentials {
  return (components) => new DefaultCredentials(components, init)
}
