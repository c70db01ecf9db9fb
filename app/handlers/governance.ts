import type { IcnNode } from '../../core/node'
import type { ActionInput } from '../../core/governance'
import type { EventSink } from '../events'
import type { Handlers, ValidParams } from '../contract'

type GovernanceMethods =
  | 'gov.scopes'
  | 'gov.createScope'
  | 'gov.invite'
  | 'gov.join'
  | 'gov.propose'
  | 'gov.vote'
  | 'gov.delegate'
  | 'gov.list'
  | 'gov.get'
  | 'gov.eligibility'
  | 'gov.members'
  | 'gov.parameters'

/** Contract action (optional fields absent) → core action input. */
function action(input: ValidParams<'gov.propose'>['action']): ActionInput {
  switch (input.kind) {
    case 'admit':
      return {
        kind: 'admit',
        member: input.member,
        ...(input.roles === undefined ? {} : { roles: input.roles }),
        ...(input.joinRequest === undefined ? {} : { joinRequest: input.joinRequest }),
      }
    case 'budget':
      return {
        kind: 'budget',
        asset: input.asset,
        to: input.to,
        amount: input.amount,
        ...(input.token === undefined ? {} : { token: input.token }),
        ...(input.memo === undefined ? {} : { memo: input.memo }),
      }
    case 'capability':
      return {
        kind: 'capability',
        member: input.member,
        capability: input.capability,
        ...(input.note === undefined ? {} : { note: input.note }),
      }
    default:
      return input
  }
}

/** Drops keys whose value is undefined (zod leaves optional fields absent; core inputs are exact). */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }
}

export function governanceHandlers(node: IcnNode): Pick<Handlers, GovernanceMethods> {
  const gov = node.governance
  return {
    async 'gov.scopes'() {
      return gov.scopes()
    },
    async 'gov.createScope'(params, ctx) {
      return gov.createScope(defined(params), { signal: ctx.signal })
    },
    async 'gov.invite'(params) {
      return gov.invite(defined(params))
    },
    async 'gov.join'(params, ctx) {
      return gov.join(defined(params), {
        signal: ctx.signal,
        onProgress: (p) => ctx.progress({ operation: 'gov.join', ...p }),
      })
    },
    async 'gov.propose'(params, ctx) {
      return gov.propose({ ...defined(params), action: action(params.action) }, { signal: ctx.signal })
    },
    async 'gov.vote'(params, ctx) {
      return gov.vote(defined(params), { signal: ctx.signal })
    },
    async 'gov.delegate'(params, ctx) {
      return gov.delegate(defined(params), { signal: ctx.signal })
    },
    async 'gov.list'(params) {
      return gov.list(defined(params))
    },
    async 'gov.get'({ proposal }) {
      return gov.get(proposal)
    },
    async 'gov.eligibility'({ proposal, did }) {
      return gov.eligibility(proposal, did)
    },
    async 'gov.members'({ scope }) {
      return gov.members(scope)
    },
    async 'gov.parameters'({ scope }) {
      return gov.parameters(scope)
    },
  }
}

/** Forwards this domain's core events to contract events; returns an unsubscribe function. */
export function governanceEvents(node: IcnNode, emit: EventSink): () => void {
  const offs = [
    node.events.on('gov:proposal-updated', (e) => emit('gov:proposal-updated', e)),
    node.events.on('gov:tally-updated', (e) => emit('gov:tally-updated', e)),
    node.events.on('gov:scope-updated', (e) => emit('gov:scope-updated', e)),
  ]
  return () => {
    for (const off of offs) off()
  }
}
