/**
 * Execution of passed proposals. It runs inside the transaction of the result event that finalizes the proposal,
 * so every node executes at the same point of the scope's log. Execution reads and writes only the scope's own
 * keys (written by its genesis and earlier log entries, all in the result's causal past) and, for grants, the
 * economics ledger through its own fold-safe credit function.
 *
 * A passed proposal whose action can no longer be carried out (the member was admitted meanwhile, a value left
 * the charter's bounds) does not void the result: the log must advance. The outcome is recorded as 'failed'
 * with the reason, identically on every node.
 */
import type { StateTx } from '../dag'
import { IcnError } from '../errors'
import { checkParam, isParamName } from '../params'
import {
  readCharterBounds,
  readMember,
  readMemberCount,
  scopeKeys,
  type MemberRecord,
  type ScopeInfo,
} from '../scope'
import { govKeys, paramsAt } from './state'
import type { ExecutionStatus, ProposalRecord } from './types'
import { isDidKey } from '../identity'

export interface GrantRequest {
  scope: string
  to: string
  asset: 'mana' | 'token'
  token: string | null
  amount: bigint
  memo: string
  /** The proposal that granted it and the result event that executes it. */
  proposal: string
  result: string
  ts: number
}

/** Credits a grant inside the result's transaction (supplied by the economics service). */
export type GrantExecutor = (tx: StateTx, grant: GrantRequest) => Promise<void>

export interface ExecutionContext {
  tx: StateTx
  scope: string
  /** The result event's log position, id and ts. */
  n: number
  result: string
  ts: number
  proposalId: string
  proposal: ProposalRecord
  grants: GrantExecutor | undefined
  /** Collects follow-up notifications (bus events) to emit after commit. */
  notify: (what: { scopeChanged?: string; policy?: { name: string; module: string | null } }) => void
}

export interface ExecutionOutcome {
  status: ExecutionStatus
  message: string
}

const done = (message: string): ExecutionOutcome => ({ status: 'done', message })
const failed = (message: string): ExecutionOutcome => ({ status: 'failed', message })

async function setVoters(ctx: ExecutionContext, delta: number): Promise<void> {
  const { tx, scope, n } = ctx
  const prior = Number(
    (await tx.list<number>(govKeys.countPrefix(scope), { reverse: true, limit: 1 }))[0]?.value ?? 0,
  )
  tx.put(govKeys.count(scope, n), prior + delta)
}

export async function execute(ctx: ExecutionContext): Promise<ExecutionOutcome> {
  const { tx, scope, proposal } = ctx
  const action = proposal.action
  switch (action.kind) {
    case 'text':
      return done(proposal.method === 'yesno' ? 'Resolution adopted.' : 'Outcome recorded.')

    case 'parameter': {
      const bounds = await readCharterBounds(tx, scope)
      const params = await paramsAt(tx, scope, ctx.n)
      for (const change of action.changes) {
        try {
          if (!isParamName(change.name))
            throw new IcnError('INVALID_ARGUMENT', `Unknown parameter ${change.name}.`)
          params[change.name] = checkParam(change.name, change.value, bounds)
        } catch (err) {
          return failed(`Not applied: ${(err as Error).message}`)
        }
      }
      const stored: Record<string, bigint> = { ...params }
      tx.put(scopeKeys.params(scope), stored)
      tx.put(govKeys.params(scope, ctx.n), stored)
      ctx.notify({ scopeChanged: 'parameters' })
      return done(action.changes.map((c) => `${c.name} = ${BigInt(c.value)}`).join(', '))
    }

    case 'admit': {
      if ((await readMember(tx, scope, action.member)) !== undefined)
        return failed(`${action.member} is already a member.`)
      const record: MemberRecord = {
        since: ctx.ts,
        roles: isDidKey(action.member) ? [...action.roles] : ['cooperative', ...action.roles],
        admittedBy: ctx.proposalId,
      }
      tx.put(scopeKeys.member(scope, action.member), record)
      tx.put(scopeKeys.memberCount(scope), (await readMemberCount(tx, scope)) + 1)
      tx.put(govKeys.membership(scope, action.member, ctx.n), 1)
      // Cooperatives admitted to a federation are members, but only people (did:key) vote.
      if (isDidKey(action.member)) await setVoters(ctx, 1)
      ctx.notify({ scopeChanged: 'members' })
      return done(`${action.member} admitted.`)
    }

    case 'remove': {
      if ((await readMember(tx, scope, action.member)) === undefined)
        return failed(`${action.member} is no longer a member.`)
      const count = await readMemberCount(tx, scope)
      if (count <= 1) return failed('The last member cannot be removed.')
      tx.del(scopeKeys.member(scope, action.member))
      tx.put(scopeKeys.memberCount(scope), count - 1)
      tx.put(govKeys.membership(scope, action.member, ctx.n), 0)
      if (isDidKey(action.member)) await setVoters(ctx, -1)
      ctx.notify({ scopeChanged: 'members' })
      return done(`${action.member} removed.`)
    }

    case 'budget': {
      if (ctx.grants === undefined) return failed('This node has no ledger to credit grants to.')
      try {
        await ctx.grants(tx, {
          scope,
          to: action.to,
          asset: action.asset,
          token: action.token,
          amount: BigInt(action.amount),
          memo: action.memo,
          proposal: ctx.proposalId,
          result: ctx.result,
          ts: ctx.ts,
        })
      } catch (err) {
        return failed(`Grant not credited: ${(err as Error).message}`)
      }
      return done(
        `${BigInt(action.amount)} ${action.asset === 'mana' ? 'mana' : action.token} granted to ${action.to}.`,
      )
    }

    case 'policy': {
      if (action.module === null) {
        tx.del(govKeys.policy(scope, action.policy))
      } else {
        tx.put(govKeys.policy(scope, action.policy), {
          module: action.module,
          proposal: ctx.proposalId,
          n: ctx.n,
          ts: ctx.ts,
        })
      }
      tx.put(govKeys.policyAt(scope, action.policy, ctx.n), { module: action.module })
      ctx.notify({ policy: { name: action.policy, module: action.module } })
      return done(
        action.module === null
          ? `${action.policy} is back to the built-in rule.`
          : `${action.policy} now runs module ${action.module}.`,
      )
    }

    case 'capability': {
      // The decision is the grant: the credential (core/credentials) follows it; nothing else changes here.
      if ((await readMember(tx, scope, action.member)) === undefined)
        return failed(`${action.member} is no longer a member.`)
      return done(`Capability ${action.capability} granted to ${action.member}.`)
    }

    case 'federation': {
      // A scope's nesting parent (info.parent) is fixed at genesis — economics keys a scope's economy on it —
      // so joining and leaving are recorded beside it and never move the economy.
      const info = await tx.get<ScopeInfo>(scopeKeys.info(scope))
      if (info === undefined) return failed('The scope has no charter.')
      const joined = await tx.get<{ federation: string }>(govKeys.federation(scope))
      if (action.op === 'join') {
        if (info.parent !== null)
          return failed(`Created inside ${info.parent}; it belongs to that federation.`)
        if (joined?.federation === action.federation) return failed('Already in this federation.')
        if (joined !== undefined) return failed(`Already in federation ${joined.federation}; leave it first.`)
        tx.put(govKeys.federation(scope), {
          federation: action.federation,
          since: ctx.ts,
          proposal: ctx.proposalId,
        })
        tx.put(govKeys.child(action.federation, scope), { since: ctx.ts, proposal: ctx.proposalId })
      } else {
        if (info.parent === action.federation)
          return failed('A cooperative created inside a federation cannot leave it.')
        if (joined?.federation !== action.federation) return failed('Not in this federation.')
        tx.del(govKeys.federation(scope))
        tx.del(govKeys.child(action.federation, scope))
      }
      ctx.notify({ scopeChanged: 'federation' })
      return done(`${action.op === 'join' ? 'Joined' : 'Left'} ${action.federation}.`)
    }
  }
}
