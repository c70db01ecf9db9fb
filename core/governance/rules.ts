/**
 * The governance event types and their state rules. Each rule reads only the event, its declared dependencies
 * and state written by its causal past, always "as of a log position" (see state.ts), so that any delivery
 * order yields the same state on every node (docs/decisions.md, the fold contract).
 */
import { compile, CCL_COMPILER_VERSION } from '../ccl'
import {
  GLOBAL_SCOPE,
  RAW,
  cidFor,
  encode,
  type CID,
  type Dag,
  type EventContext,
  type StateView,
} from '../dag'
import { IcnError } from '../errors'
import type { EventBus } from '../events'
import { isDidKey } from '../identity'
import type { Logger } from '../logger'
import { checkParam, defaultParams, type ParamName } from '../params'
import { readCharterBounds, readMember, scopeKeys, type MemberRecord, type ScopeInfo } from '../scope'
import {
  genesisCidOf,
  parseBallots,
  parseDelegate,
  parseGenesis,
  parseJoinRequest,
  parsePropose,
  parseResult,
  parseVote,
  scopeDid,
} from './bodies'
import { execute, type GrantExecutor } from './execute'
import { nonceHex } from './invite'
import {
  DEFAULT_POLICY,
  GOVERNANCE_POLICIES,
  withDefaults,
  type GovernancePolicy,
  type PolicyRuntime,
} from './policy'
import {
  govIndex,
  govKeys,
  isMemberAt,
  logEntry,
  memberCountAt,
  paramsAt,
  policyAt,
  readProposal,
  readResult,
} from './state'
import { tally, type Ballot, type DelegationRecord, type EligibleSet } from './tally'
import {
  GOV_EVENT,
  type BallotsBody,
  type DelegateBody,
  type DelegationStored,
  type GenesisBody,
  type JoinRequestBody,
  type ProposalRecord,
  type ProposeBody,
  type ResultBody,
  type ResultRecord,
  type StoredAction,
  type VoteBody,
  type VoteRecord,
} from './types'

export interface RuleDeps {
  events: EventBus
  logger: Logger
  policyRuntime?: PolicyRuntime | undefined
  grants?: GrantExecutor | undefined
}

const fail = (
  code: ConstructorParameters<typeof IcnError>[0],
  message: string,
  details?: Record<string, unknown>,
) => new IcnError(code, message, details === undefined ? {} : { details })

/** The conflict key of a scope's log position: concurrent results for it resolve to one on every node. */
export function logConflictKey(scope: string, n: number): string {
  return `gov/${scope}/log/${n}`
}

async function requireScope(view: StateView, scope: string): Promise<ScopeInfo> {
  const info = scope === GLOBAL_SCOPE ? undefined : await view.get<ScopeInfo>(scopeKeys.info(scope))
  if (info === undefined)
    throw fail('GOV_UNKNOWN_SCOPE', `${scope} is not a federation or cooperative this node knows.`, { scope })
  return info
}

/** The basis of a proposal (or an invite): an applied log entry of the scope. */
async function requireBasis(view: StateView, scope: string, basis: string): Promise<number> {
  const entry = await logEntry(view, basis)
  if (entry === undefined) {
    throw fail(
      'GOV_BASIS_SUPERSEDED',
      `The log entry ${basis} this refers to is not part of the scope's log (another result took its place); create it again on the current log.`,
      { basis },
    )
  }
  if (entry.scope !== scope)
    throw fail('GOV_INVALID_PROPOSAL', `The basis ${basis} belongs to another scope.`)
  return entry.n
}

async function requireProposal(view: StateView, id: string): Promise<ProposalRecord> {
  const p = await readProposal(view, id)
  if (p !== undefined) return p
  const stored = await view.getEvent(id)
  if (stored !== undefined && stored.event.type === GOV_EVENT.propose)
    throw fail(
      'GOV_UNKNOWN_PROPOSAL',
      `Proposal ${id} is void (its basis was superseded); it cannot be voted on.`,
      {
        proposal: id,
      },
    )
  throw fail('GOV_UNKNOWN_PROPOSAL', `Proposal ${id} is not known on this node.`, { proposal: id })
}

function storedAction(body: ProposeBody): StoredAction {
  const a = body.action
  switch (a.kind) {
    case 'admit':
      return { ...a, joinRequest: a.joinRequest === null ? null : a.joinRequest.toString() }
    case 'policy':
      return {
        kind: 'policy',
        policy: a.policy,
        module: a.module === null ? null : a.module.toString(),
        compiler: a.compiler,
      }
    default:
      return a
  }
}

export interface RegisteredRules {
  /** The policy (built-in or the scope's active modules) that applies to a proposal with this basis. */
  policyFor(view: StateView, scope: string, basisN: number, ts: number): Promise<GovernancePolicy>
}

export function registerGovernance(dag: Dag, deps: RuleDeps): RegisteredRules {
  /** Source hash → module CID verified by recompiling; compilation is deterministic, so caching is safe. */
  const verifiedModules = new Map<string, string>()

  async function policyFor(
    view: StateView,
    scope: string,
    basisN: number,
    ts: number,
  ): Promise<GovernancePolicy> {
    if (deps.policyRuntime === undefined) return DEFAULT_POLICY
    const modules: Partial<Record<(typeof GOVERNANCE_POLICIES)[number], string>> = {}
    for (const name of GOVERNANCE_POLICIES) {
      const module = await policyAt(view, scope, name, basisN)
      if (module !== null) modules[name] = module
    }
    if (Object.keys(modules).length === 0) return DEFAULT_POLICY
    try {
      return withDefaults(await deps.policyRuntime.load({ scope, modules, basisN, ts, view }))
    } catch (err) {
      deps.logger.warn('policy module failed to load; using the built-in rules', { scope, err })
      return DEFAULT_POLICY
    }
  }

  // ---- gov/genesis -------------------------------------------------------------------------------------------
  dag.register<GenesisBody>(GOV_EVENT.genesis, {
    parseBody: (body) => parseGenesis(body),
    deps: (body) => (body.parentBasis === null ? [] : [body.parentBasis]),
    async validate(ctx, view) {
      const { event, body } = ctx
      if (event.scope === GLOBAL_SCOPE) {
        if (body.parentBasis !== null)
          throw fail('GOV_INVALID_CHARTER', 'A scope without a parent federation has parentBasis null.')
        return
      }
      const parent = await requireScope(view, event.scope)
      if (parent.kind !== 'federation')
        throw fail('GOV_INVALID_CHARTER', 'Only cooperatives nest, and only inside a federation.')
      if (body.kind !== 'cooperative')
        throw fail('GOV_INVALID_CHARTER', 'A federation cannot be created inside another scope.')
      if (body.parentBasis === null)
        throw fail(
          'GOV_INVALID_CHARTER',
          'A nested cooperative names the parent federation log entry it knows.',
        )
      const n = await requireBasis(view, event.scope, body.parentBasis.toString())
      if (!(await isMemberAt(view, event.scope, event.author, n)))
        throw fail('GOV_NOT_A_MEMBER', `Only members of ${event.scope} can create a cooperative inside it.`)
    },
    async apply(ctx, tx) {
      const { event, body, id } = ctx
      const scope = scopeDid(id)
      const parent = event.scope === GLOBAL_SCOPE ? null : event.scope
      const founders = [event.author, ...body.members.filter((m) => m !== event.author)]
      const info: ScopeInfo = {
        kind: body.kind,
        name: body.name,
        parent,
        genesis: id,
        createdAt: event.ts,
        validators: [...body.validators],
      }
      tx.put(scopeKeys.info(scope), info)
      const params: Record<string, bigint> = { ...defaultParams() }
      for (const [name, value] of Object.entries(body.params)) params[name] = BigInt(value)
      tx.put(scopeKeys.params(scope), params)
      tx.put(govKeys.params(scope, 0), params)
      const charter: Record<string, { min: bigint; max: bigint }> = {}
      for (const [name, b] of Object.entries(body.bounds))
        charter[name] = { min: BigInt(b.min), max: BigInt(b.max) }
      tx.put(scopeKeys.charter(scope), charter)
      for (const did of founders) {
        const roles = body.validators.includes(did) ? ['founder', 'validator'] : ['founder']
        tx.put(scopeKeys.member(scope, did), {
          since: event.ts,
          roles,
          admittedBy: 'genesis',
        } satisfies MemberRecord)
        tx.put(govKeys.membership(scope, did, 0), 1)
      }
      tx.put(scopeKeys.memberCount(scope), founders.length)
      tx.put(govKeys.count(scope, 0), founders.length)
      tx.put(govKeys.log(scope, 0), id)
      tx.put(govKeys.entry(id), { scope, n: 0, proposal: null, ts: event.ts })
      tx.put(govKeys.head(scope), { n: 0, id })
      if (parent !== null) tx.put(govKeys.child(parent, scope), { since: event.ts, proposal: null })
      tx.putIndex(govIndex.scope(scope), { name: body.name, kind: body.kind, parent })
      tx.afterCommit(() => deps.events.emit('gov:scope-updated', { scope, reason: 'genesis' }))
    },
  })

  // ---- gov/propose -------------------------------------------------------------------------------------------
  dag.register<ProposeBody>(GOV_EVENT.propose, {
    parseBody: (body) => parsePropose(body),
    deps(body) {
      const out: CID[] = [body.basis]
      if (body.action.kind === 'admit' && body.action.joinRequest !== null) out.push(body.action.joinRequest)
      if (body.action.kind === 'federation') {
        const genesis = genesisCidOf(body.action.federation)
        if (genesis !== undefined) out.push(genesis)
      }
      return out
    },
    async validate(ctx, view) {
      const { event, body } = ctx
      const scope = event.scope
      const info = await requireScope(view, scope)
      const basisN = await requireBasis(view, scope, body.basis.toString())
      const isMember = await isMemberAt(view, scope, event.author, basisN)
      const policy = await policyFor(view, scope, basisN, event.ts)
      if (
        !policy.canPropose({ scope, proposer: event.author, kind: body.action.kind, ts: event.ts, isMember })
      ) {
        throw isMember
          ? fail(
              'GOV_POLICY_REJECTED',
              `The scope's can_propose policy does not allow this ${body.action.kind} proposal.`,
            )
          : fail('GOV_NOT_A_MEMBER', `Only members of ${info.name} can make proposals there.`)
      }
      const params = await paramsAt(view, scope, basisN)
      const bounds = await readCharterBounds(view, scope)
      const floor = (name: ParamName, value: bigint | number | null, what: string): void => {
        if (value === null) return
        const v = BigInt(value)
        if (v < params[name])
          throw fail(
            'GOV_BELOW_CHARTER_BOUNDS',
            `The ${what} may be raised but not lowered: it is at least ${params[name]} here (${v} asked).`,
            { name, value: v.toString(), min: params[name].toString() },
          )
        checkParam(name, v, bounds)
      }
      floor('gov.quorum', body.quorum, 'quorum')
      floor('gov.threshold', body.threshold, 'threshold')
      floor('gov.votingPeriodMs', body.votingPeriodMs, 'voting period')
      const action = body.action
      switch (action.kind) {
        case 'parameter':
          for (const change of action.changes) checkParam(change.name, change.value, bounds)
          break
        case 'admit': {
          if (await isMemberAt(view, scope, action.member, basisN))
            throw fail('GOV_ALREADY_MEMBER', `${action.member} is already a member.`)
          if (!isDidKey(action.member) && info.kind !== 'federation')
            throw fail('GOV_INVALID_PROPOSAL', 'Only federations admit cooperatives (did:icn) as members.')
          if (action.joinRequest !== null) {
            const request = await view.get<{ author: string }>(
              govKeys.joinRequest(scope, action.joinRequest.toString()),
            )
            if (request === undefined || request.author !== action.member)
              throw fail(
                'GOV_INVALID_PROPOSAL',
                `${action.joinRequest.toString()} is not a join request of ${action.member} here.`,
              )
          }
          break
        }
        case 'remove':
          if (!(await isMemberAt(view, scope, action.member, basisN)))
            throw fail('GOV_NOT_A_MEMBER', `${action.member} is not a member.`)
          if ((await memberCountAt(view, scope, basisN)) <= 1 && isDidKey(action.member))
            throw fail('GOV_INVALID_PROPOSAL', 'The last member cannot be removed.')
          break
        case 'capability':
          if (!(await isMemberAt(view, scope, action.member, basisN)))
            throw fail('GOV_NOT_A_MEMBER', `${action.member} is not a member.`)
          break
        case 'policy':
          if (action.source !== null) {
            if (action.compiler !== CCL_COMPILER_VERSION)
              throw fail(
                'GOV_INVALID_PROPOSAL',
                `The module was compiled by CCL compiler ${action.compiler}; this node runs ${CCL_COMPILER_VERSION} and cannot verify it.`,
              )
            const key = cidFor(new TextEncoder().encode(action.source), RAW).toString()
            let module = verifiedModules.get(key)
            if (module === undefined) {
              let compiled
              try {
                compiled = compile(action.source)
              } catch (err) {
                throw fail(
                  'GOV_INVALID_PROPOSAL',
                  `The policy source does not compile: ${(err as Error).message}`,
                )
              }
              if (!compiled.policies.includes(action.policy as (typeof compiled.policies)[number]))
                throw fail('GOV_INVALID_PROPOSAL', `The policy source does not define ${action.policy}.`)
              module = cidFor(compiled.wasm, RAW).toString()
              verifiedModules.set(key, module)
            }
            if (module !== action.module?.toString())
              throw fail(
                'GOV_INVALID_PROPOSAL',
                `The module CID does not match the source (compiles to ${module}).`,
              )
          }
          break
        case 'federation': {
          if (info.kind !== 'cooperative')
            throw fail('GOV_INVALID_PROPOSAL', 'Only cooperatives join or leave federations.')
          const federation = await view.get<ScopeInfo>(scopeKeys.info(action.federation))
          if (federation === undefined || federation.kind !== 'federation')
            throw fail('GOV_UNKNOWN_SCOPE', `${action.federation} is not a federation this node knows.`)
          break
        }
        default:
          break
      }
    },
    async apply(ctx, tx) {
      const { event, body, id } = ctx
      const scope = event.scope
      const basisN = (await logEntry(tx, body.basis.toString()))?.n ?? 0
      const params = await paramsAt(tx, scope, basisN)
      const period = body.votingPeriodMs === null ? params['gov.votingPeriodMs'] : BigInt(body.votingPeriodMs)
      const deadline = event.ts + Number(period)
      const record: ProposalRecord = {
        scope,
        proposer: event.author,
        createdAt: event.ts,
        basis: body.basis.toString(),
        basisN,
        title: body.title,
        summary: body.summary,
        kind: body.action.kind,
        action: storedAction(body),
        method: body.method,
        options: [...body.options],
        quorum: Number(body.quorum ?? params['gov.quorum']),
        threshold: Number(body.threshold ?? params['gov.threshold']),
        deadline,
        finalizeBy: deadline + Number(params['gov.finalizeGraceMs']),
        eligible: await memberCountAt(tx, scope, basisN),
      }
      tx.put(govKeys.proposal(id), record)
      tx.put(govKeys.voteCount(id), 0)
      if (body.action.kind === 'admit' && body.action.joinRequest !== null)
        tx.put(govKeys.joinProposal(body.action.joinRequest.toString(), id), 1)
      tx.putIndex(govIndex.all(event.ts, id), scope)
      tx.putIndex(govIndex.byScope(scope, event.ts, id), 1)
      tx.putIndex(govIndex.open(deadline, id), scope)
      tx.afterCommit(() => deps.events.emit('gov:proposal-updated', { proposal: id, scope, status: 'open' }))
    },
  })

  // ---- gov/vote ----------------------------------------------------------------------------------------------
  dag.register<VoteBody>(GOV_EVENT.vote, {
    parseBody: (body) => parseVote(body),
    deps: (body) => [body.proposal],
    async validate(ctx, view) {
      const { event, body } = ctx
      const proposalId = body.proposal.toString()
      const p = await requireProposal(view, proposalId)
      if (p.scope !== event.scope)
        throw fail('GOV_INVALID_BALLOT', 'The vote is posted in another scope than its proposal.')
      if (event.ts > p.deadline)
        throw fail('GOV_PROPOSAL_CLOSED', `Voting closed at ${new Date(p.deadline).toISOString()}.`, {
          deadline: p.deadline,
        })
      if (!(await isMemberAt(view, p.scope, event.author, p.basisN)))
        throw fail(
          'GOV_NOT_ELIGIBLE',
          `${event.author} was not a member when the proposal was created (log entry ${p.basisN}), so cannot vote on it.`,
        )
      checkBallot(p, body)
    },
    async apply(ctx, tx) {
      const { event, body, id } = ctx
      const proposalId = body.proposal.toString()
      const key = govKeys.vote(proposalId, event.author)
      const prior = await tx.get<VoteRecord>(key)
      // Latest by seq (then id) wins whatever the arrival order.
      if (prior === undefined || prior.seq < event.seq || (prior.seq === event.seq && prior.id < id)) {
        tx.put(key, {
          id,
          seq: event.seq,
          ts: event.ts,
          choice: body.choice,
          options: body.options,
          reason: body.reason,
        } satisfies VoteRecord)
      }
      if (prior === undefined) {
        const count = Number((await tx.get<number>(govKeys.voteCount(proposalId))) ?? 0)
        tx.put(govKeys.voteCount(proposalId), count + 1)
      }
      tx.afterCommit(() =>
        deps.events.emit('gov:tally-updated', {
          proposal: proposalId,
          scope: event.scope,
          voter: event.author,
        }),
      )
    },
  })

  // ---- gov/delegate --------------------------------------------------------------------------------------------
  dag.register<DelegateBody>(GOV_EVENT.delegate, {
    parseBody(body, event) {
      const b = parseDelegate(body, event.author)
      if (event.scope === GLOBAL_SCOPE)
        throw new IcnError(
          'GOV_INVALID_DELEGATION',
          'Delegations belong to a federation or cooperative, not global.',
        )
      return b
    },
    deps(body, event) {
      const out: CID[] = []
      const genesis = genesisCidOf(event.scope)
      if (genesis !== undefined) out.push(genesis)
      if (body.proposal !== null) out.push(body.proposal)
      return out
    },
    async validate(ctx, view) {
      const { event, body } = ctx
      await requireScope(view, event.scope)
      if (body.proposal !== null) {
        const p = await requireProposal(view, body.proposal.toString())
        if (p.scope !== event.scope)
          throw fail('GOV_INVALID_DELEGATION', 'The proposal belongs to another scope.')
        if (event.ts > p.deadline) throw fail('GOV_PROPOSAL_CLOSED', 'Voting on this proposal has closed.')
      }
      // Whether the delegation counts is decided per proposal by the tally (both must be eligible there); the
      // member's own node also refuses delegations that could never count today.
      if (ctx.local) {
        if ((await readMember(view, event.scope, event.author)) === undefined)
          throw fail('GOV_NOT_A_MEMBER', 'Only members can delegate their vote.')
        if (body.to !== null && (await readMember(view, event.scope, body.to)) === undefined)
          throw fail('GOV_INVALID_DELEGATION', `${body.to} is not a member, so cannot vote for you.`)
      }
    },
    async apply(ctx, tx) {
      const { event, body, id } = ctx
      tx.put(govKeys.delegation(event.scope, event.author, event.seq), {
        id,
        seq: event.seq,
        ts: event.ts,
        to: body.to,
        proposal: body.proposal === null ? null : body.proposal.toString(),
      } satisfies DelegationStored)
      const proposal = body.proposal === null ? null : body.proposal.toString()
      tx.afterCommit(() =>
        deps.events.emit('gov:tally-updated', { proposal, scope: event.scope, voter: event.author }),
      )
    },
  })

  // ---- gov/result --------------------------------------------------------------------------------------------
  dag.register<ResultBody>(GOV_EVENT.result, {
    parseBody: (body) => parseResult(body),
    deps: (body) => [body.proposal, body.prev, ...body.votes, ...body.delegations, ...body.batches],
    conflict: (body, event) => ({ key: logConflictKey(event.scope, body.n), rank: body.rank }),
    async validate(ctx, view) {
      await verifyResult(ctx, view)
    },
    async apply(ctx, tx) {
      const { event, body, id } = ctx
      const proposalId = body.proposal.toString()
      const scope = event.scope
      const p = (await readProposal(tx, proposalId)) as ProposalRecord
      tx.put(govKeys.log(scope, body.n), id)
      tx.put(govKeys.entry(id), { scope, n: body.n, proposal: proposalId, ts: event.ts })
      tx.put(govKeys.head(scope), { n: body.n, id })
      tx.delIndex(govIndex.open(p.deadline, proposalId))
      const notes: { scopeChanged?: string; policy?: { name: string; module: string | null } }[] = []
      const outcome = body.tally.passed
        ? await execute({
            tx,
            scope,
            n: body.n,
            result: id,
            ts: event.ts,
            proposalId,
            proposal: p,
            grants: deps.grants,
            notify: (what) => notes.push(what),
          })
        : { status: 'none' as const, message: 'The proposal did not pass; nothing was executed.' }
      tx.put(govKeys.result(proposalId), {
        id,
        n: body.n,
        finalizer: event.author,
        rank: body.rank,
        ts: event.ts,
        passed: body.tally.passed,
        tally: body.tally,
        execution: outcome,
      } satisfies ResultRecord)
      const status = body.tally.passed ? 'passed' : 'failed'
      tx.afterCommit(() => {
        deps.events.emit('gov:proposal-updated', { proposal: proposalId, scope, status })
        for (const note of notes) {
          if (note.scopeChanged !== undefined)
            deps.events.emit('gov:scope-updated', { scope, reason: note.scopeChanged })
          if (note.policy !== undefined)
            deps.events.emit('gov:policy-activated', {
              scope,
              policy: note.policy.name,
              module: note.policy.module,
              proposal: proposalId,
            })
        }
      })
    },
  })

  async function verifyResult(ctx: EventContext<ResultBody>, view: StateView): Promise<void> {
    const { event, body } = ctx
    const proposalId = body.proposal.toString()
    const scope = event.scope
    const p = await requireProposal(view, proposalId)
    if (p.scope !== scope)
      throw fail('GOV_RESULT_MISMATCH', 'The result is posted in another scope than its proposal.')
    if ((await readResult(view, proposalId)) !== undefined)
      throw fail('GOV_PROPOSAL_CLOSED', 'This proposal already has a result in the log.')
    const prev = await logEntry(view, body.prev.toString())
    if (prev === undefined || prev.scope !== scope || prev.n !== body.n - 1)
      throw fail('GOV_RESULT_MISMATCH', `The result does not extend the scope's log at position ${body.n}.`)
    if (p.basisN >= body.n)
      throw fail('GOV_RESULT_MISMATCH', 'The result is placed before the proposal it finalizes.')
    if (event.ts <= p.deadline)
      throw fail('GOV_PROPOSAL_OPEN', `Voting is open until ${new Date(p.deadline).toISOString()}.`)
    // Finalizer ranks: the proposer first (within the grace period), then members, then validators.
    if (body.rank === 0) {
      if (event.author !== p.proposer || event.ts > p.finalizeBy)
        throw fail('GOV_NOT_ELIGIBLE', 'Rank 0 is the proposer finalizing within the grace period.')
    } else {
      if (event.ts <= p.finalizeBy)
        throw fail(
          'GOV_PROPOSAL_OPEN',
          `Only the proposer may finalize until ${new Date(p.finalizeBy).toISOString()}.`,
        )
      if (body.rank === 1 && !(await isMemberAt(view, scope, event.author, prev.n)))
        throw fail('GOV_NOT_ELIGIBLE', 'Rank 1 is a member of the scope.')
      if (body.rank === 2) {
        const info = await requireScope(view, scope)
        if (!info.validators.includes(event.author))
          throw fail('GOV_NOT_ELIGIBLE', 'Rank 2 is a validator named in the charter.')
      }
    }
    let votes = body.votes.map(String)
    let delegationIds = body.delegations.map(String)
    for (const cid of body.batches) {
      const id = cid.toString()
      const stored = await view.getEvent(id)
      if (stored === undefined || stored.event.type !== GOV_EVENT.ballots || !(await view.isEffective(id)))
        throw fail('GOV_RESULT_MISMATCH', `${id} is not an applied ballot batch.`)
      const batch = stored.event.body as BallotsBody
      if (batch.proposal.toString() !== proposalId)
        throw fail('GOV_RESULT_MISMATCH', `${id} is a batch for another proposal.`)
      votes = votes.concat(batch.votes.map(String))
      delegationIds = delegationIds.concat(batch.delegations.map(String))
    }
    const { ballots, delegations, voters, delegators } = await readListed(
      view,
      proposalId,
      scope,
      votes,
      delegationIds,
    )
    const eligible = await eligibleAmong(view, p, [
      ...voters,
      ...delegators,
      ...delegations.flatMap((d) => (d.to === null ? [] : [d.to])),
    ])
    const policy = await policyFor(view, scope, p.basisN, p.createdAt)
    const recomputed = tally(p, eligible, ballots, delegations, policy)
    if (!bytesEqual(encode(recomputed), encode(body.tally)))
      throw fail(
        'GOV_RESULT_MISMATCH',
        'The tally in the result does not match a recount of the votes it lists; it was not accepted.',
        { expected: { participants: recomputed.participants, passed: recomputed.passed } },
      )
  }

  // ---- gov/ballots ------------------------------------------------------------------------------------------
  dag.register<BallotsBody>(GOV_EVENT.ballots, {
    parseBody: (body) => parseBallots(body),
    deps: (body) => [body.proposal, ...body.votes, ...body.delegations],
    async validate(ctx, view) {
      const { event, body } = ctx
      const proposalId = body.proposal.toString()
      const p = await requireProposal(view, proposalId)
      if (p.scope !== event.scope) throw fail('GOV_RESULT_MISMATCH', 'The batch is posted in another scope.')
      // Only those who may finalize write batches (members at the basis, validators).
      const info = await requireScope(view, event.scope)
      if (
        !info.validators.includes(event.author) &&
        !(await isMemberAt(view, event.scope, event.author, p.basisN))
      )
        throw fail('GOV_NOT_ELIGIBLE', 'Only members and validators list ballots for a result.')
      await readListed(view, proposalId, event.scope, body.votes.map(String), body.delegations.map(String))
    },
    async apply() {
      // Nothing to fold: a batch only carries references a result will count.
    },
  })

  // ---- gov/join-request ------------------------------------------------------------------------------------------
  dag.register<JoinRequestBody>(GOV_EVENT.joinRequest, {
    parseBody: (body) => parseJoinRequest(body),
    deps: (body) => [body.invite.basis],
    // One use per invite: among requests carrying the same invite, the earliest applies everywhere.
    conflict: (body) => ({ key: `gov/invite/${body.invite.inviter}/${nonceHex(body.invite)}`, rank: 0 }),
    async validate(ctx, view) {
      const { event, body } = ctx
      const invite = body.invite
      if (invite.scope !== event.scope)
        throw fail('GOV_INVALID_INVITE', 'The join request is posted in another scope than its invite.')
      if (invite.invitee !== null && invite.invitee !== event.author)
        throw fail('GOV_INVALID_INVITE', `This invite is for ${invite.invitee}, not for ${event.author}.`)
      if (event.ts > invite.expires)
        throw fail(
          'GOV_INVALID_INVITE',
          `The invite expired at ${new Date(invite.expires).toISOString()}; ask for a new one.`,
        )
      await requireScope(view, event.scope)
      const n = await requireBasis(view, event.scope, invite.basis.toString())
      if (!(await isMemberAt(view, event.scope, invite.inviter, n)))
        throw fail('GOV_INVALID_INVITE', `${invite.inviter} was not a member when signing this invite.`)
      if (await isMemberAt(view, event.scope, event.author, n))
        throw fail('GOV_ALREADY_MEMBER', `${event.author} is already a member.`)
      // Reuse is settled by the conflict key (the first request applies everywhere); this node's own member
      // just gets the clearer answer.
      if (ctx.local && (await view.get(govKeys.inviteUse(invite.inviter, nonceHex(invite)))) !== undefined)
        throw fail('GOV_INVALID_INVITE', 'This invite has already been used.')
    },
    async apply(ctx, tx) {
      const { event, body, id } = ctx
      tx.put(govKeys.joinRequest(event.scope, id), {
        author: event.author,
        inviter: body.invite.inviter,
        ts: event.ts,
      })
      tx.put(govKeys.inviteUse(body.invite.inviter, nonceHex(body.invite)), id)
      tx.afterCommit(() =>
        deps.events.emit('gov:join-requested', {
          scope: event.scope,
          request: id,
          author: event.author,
          inviter: body.invite.inviter,
        }),
      )
    },
  })

  return { policyFor }
}

/** Eligibility at the proposal's basis for the given DIDs; size is the count at the basis. */
export async function eligibleAmong(
  view: StateView,
  p: ProposalRecord,
  dids: Iterable<string>,
): Promise<EligibleSet> {
  const members = new Set<string>()
  for (const did of new Set(dids)) if (await isMemberAt(view, p.scope, did, p.basisN)) members.add(did)
  return { size: p.eligible, has: (did) => members.has(did) }
}

/**
 * The listed votes and delegations as tally input: each must be an applied vote on the proposal (one per voter)
 * or an applied delegation of the scope that applies to it (one per delegator); GOV_RESULT_MISMATCH otherwise.
 */
export async function readListed(
  view: StateView,
  proposalId: string,
  scope: string,
  voteIds: readonly string[],
  delegationIds: readonly string[],
): Promise<{
  ballots: Ballot[]
  delegations: DelegationRecord[]
  voters: Set<string>
  delegators: Set<string>
}> {
  const ballots: Ballot[] = []
  const voters = new Set<string>()
  for (const id of voteIds) {
    const stored = await view.getEvent(id)
    if (stored === undefined || stored.event.type !== GOV_EVENT.vote || !(await view.isEffective(id)))
      throw fail('GOV_RESULT_MISMATCH', `${id} is not an applied vote.`)
    const vote = stored.event.body as VoteBody
    if (vote.proposal.toString() !== proposalId)
      throw fail('GOV_RESULT_MISMATCH', `${id} is a vote on another proposal.`)
    if (voters.has(stored.event.author))
      throw fail('GOV_RESULT_MISMATCH', `Two votes of ${stored.event.author} are listed.`)
    voters.add(stored.event.author)
    ballots.push({
      id,
      voter: stored.event.author,
      seq: stored.event.seq,
      ts: stored.event.ts,
      choice: vote.choice,
      options: vote.options,
    })
  }
  const delegations: DelegationRecord[] = []
  const delegators = new Set<string>()
  for (const id of delegationIds) {
    const stored = await view.getEvent(id)
    if (stored === undefined || stored.event.type !== GOV_EVENT.delegate || !(await view.isEffective(id)))
      throw fail('GOV_RESULT_MISMATCH', `${id} is not an applied delegation.`)
    const d = stored.event.body as DelegateBody
    if (stored.event.scope !== scope || (d.proposal !== null && d.proposal.toString() !== proposalId))
      throw fail('GOV_RESULT_MISMATCH', `${id} does not apply to this proposal.`)
    if (delegators.has(stored.event.author))
      throw fail('GOV_RESULT_MISMATCH', `Two delegations of ${stored.event.author} are listed.`)
    delegators.add(stored.event.author)
    delegations.push({
      id,
      delegator: stored.event.author,
      to: d.to,
      seq: stored.event.seq,
      ts: stored.event.ts,
    })
  }
  return { ballots, delegations, voters, delegators }
}

/** Ballot shape against the proposal: GOV_INVALID_BALLOT with the reason. */
export function checkBallot(
  p: Pick<ProposalRecord, 'method' | 'options'>,
  body: Pick<VoteBody, 'choice' | 'options'>,
): void {
  if (p.method === 'yesno') {
    if (body.choice === null || body.options !== null)
      throw fail('GOV_INVALID_BALLOT', 'This is a yes/no vote: choose yes, no or abstain.')
    return
  }
  if (body.choice !== null && body.choice !== 'abstain')
    throw fail(
      'GOV_INVALID_BALLOT',
      `This is ${p.method === 'approval' ? 'an approval' : 'a ranked-choice'} vote: list options (or abstain).`,
    )
  for (const option of body.options ?? []) {
    if (!p.options.includes(option))
      throw fail('GOV_INVALID_BALLOT', `"${option.slice(0, 60)}" is not an option of this proposal.`, {
        options: p.options,
      })
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0
}
