import type { IcnNode } from '../../core/node'
import type { EventSink } from '../events'
import type { Handlers } from '../contract'

type CredentialsMethods =
  | 'identity.credentials'
  | 'identity.credential'
  | 'identity.issueCredential'
  | 'identity.revokeCredential'
  | 'identity.present'
  | 'identity.verifyCredential'

export function credentialsHandlers(node: IcnNode): Pick<Handlers, CredentialsMethods> {
  const { credentials } = node
  return {
    async 'identity.credentials'({ did, scope }) {
      return {
        credentials: await credentials.list({
          ...(did === undefined ? {} : { did }),
          ...(scope === undefined ? {} : { scope }),
        }),
      }
    },
    async 'identity.credential'({ id }) {
      return credentials.get(id)
    },
    async 'identity.issueCredential'({ proposal, kind, role, capability, validUntil }, ctx) {
      const issued = await credentials.issue(
        {
          proposal,
          ...(kind === undefined ? {} : { kind: kind }),
          ...(role === undefined ? {} : { role }),
          ...(capability === undefined ? {} : { capability }),
          ...(validUntil === undefined ? {} : { validUntil }),
        },
        { signal: ctx.signal },
      )
      return { credentials: issued }
    },
    async 'identity.revokeCredential'({ id, proposal, reason }, ctx) {
      return credentials.revoke(
        {
          id,
          ...(proposal === undefined ? {} : { proposal }),
          ...(reason === undefined ? {} : { reason }),
        },
        { signal: ctx.signal },
      )
    },
    async 'identity.present'({ id, audience, challenge }) {
      return credentials.present({
        id,
        ...(audience === undefined ? {} : { audience }),
        ...(challenge === undefined ? {} : { challenge }),
      })
    },
    async 'identity.verifyCredential'(params) {
      return credentials.verify(params)
    },
  }
}

/** Forwards this domain's core events to contract events; returns an unsubscribe function. */
export function credentialsEvents(node: IcnNode, emit: EventSink): () => void {
  const offs = [
    node.events.on('credentials:issued', (e) =>
      emit('cred:issued', { id: e.id, scope: e.scope, subject: e.subject, kind: e.kind, event: e.event }),
    ),
    node.events.on('credentials:revoked', (e) =>
      emit('cred:revoked', { id: e.id, scope: e.scope, subject: e.subject, event: e.event }),
    ),
  ]
  return () => {
    for (const off of offs) off()
  }
}
