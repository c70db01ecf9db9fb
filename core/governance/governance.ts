import { randomBytes } from 'node:crypto'
import { compile, CCL_COMPILER_VERSION } from '../ccl'
import { CID, GLOBAL_SCOPE, RAW, cidFor, parseCid, type StateView } from '../dag'
import { IcnError, isIcnError, throwIfAborted } from '../errors'
import { isDidKey, isScopeDid } from '../identity'
import { PARAMS, isParamName, type ParamName } from '../params'
import {
  readCharterBounds,
  readMember,
  readMemberCount,
  readParams,
  scopeKeys,
  type MemberRecord,
  type ScopeInfo,
} from '../scope'
import { LIMITS, parseGenesis, parsePropose, scopeDid } from './bodies'
import { decodeInviteLink, encodeInviteLink, nonceHex, signInvite } from './invite'
import type {
  ActionInput,
  ActionView,
  CreateScopeInput,
  DelegateInput,
  DelegationView,
  EligibilityView,
  Governance,
  GovernanceComponents,
  GovernanceInit,
  IntInput,
  InviteView,
  JoinView,
  MemberView,
  ParameterView,
  ProposalFilter,
  ProposalStatus,
  ProposalSummary,
  ProposalView,
  ProposeInput,
  ResultView,
  ScopeSummary,
  VoteInput,
  VoteView,
} from './index'
import { checkBallot, eligibleAmong, registerGovernance, type RegisteredRules } from './rules'
import {
  applicableDelegation,
  govIndex,
  govKeys,
  isMemberAt,
  logHead,
  readDelegations,
  readProposal,
  readResult,
  readVotes,
} from './state'
import { effectiveBallots, tally, type Ballot, type DelegationRecord, type Tally } from './tally'
import {
  GOV_EVENT,
  isCapabilityName,
  type BallotsBody,
  type DelegateBody,
  type FinalizerRank,
  type GenesisBody,
  type Int,
  type ProposalAction,
  type ProposalRecord,
  type ProposeBody,
  type ResultBody,
  type StoredAction,
  type VoteBody,
} from './types'

const DAY = 24 * 3600 * 1000

function toBigInt(value: IntInput, what: string): bigint {
  try {
    if (typeof value === 'string' && !/^-?\d+$/.test(value.trim())) throw new Error('not an integer')
    return BigInt(typeof value === 'string' ? value.trim() : value)
  } catch {
    throw new IcnError('INVALID_ARGUMENT', `${what} must be an integer (got ${String(value).slice(0, 40)}).`)
  }
}

/** dag-cbor keeps small integers as numbers; larger ones stay bigint. */
function toInt(value: bigint): Int {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value
}

function actionView(action: StoredAction): ActionView {
  switch (action.kind) {
    case 'parameter':
      return {
        kind: 'parameter',
        changes: action.changes.map((c) => ({ name: c.name, value: BigInt(c.value).toString() })),
      }
    case 'budget':
      return { ...action, amount: BigInt(action.amount).toString() }
    default:
      return action
  }
}

class DefaultGovernance implements Governance {
  private readonly rules: RegisteredRules
  private readonly tickMs: number
  private readonly settleMs: number
  private readonly joinTimeoutMs: number
  private readonly autoFinalize: boolean
  private readonly batchSize: number
  private readonly now: () => number
  private timer: NodeJS.Timeout | undefined
  private ticking: Promise<void> | undefined
  private readonly offs: (() => void)[] = []
  /** Join requests to my invites that still need an admit proposal. */
  private readonly pendingRequests = new Map<string, { scope: string; author: string }>()
  /** Proposal → earliest time to try finalizing again after a failure. */
  private readonly backoff = new Map<string, number>()
  private running = false
  /** Scopes whose topics this node joined in this run. */
  private readonly followed = new Set<string>()

  constructor(
    private readonly components: GovernanceComponents,
    init: GovernanceInit,
  ) {
    this.tickMs = init.tickMs ?? 1000
    this.settleMs = init.settleMs ?? 3000
    this.joinTimeoutMs = init.joinTimeoutMs ?? 60_000
    this.autoFinalize = init.autoFinalize ?? true
    this.batchSize = Math.min(Math.max(init.batchSize ?? LIMITS.resultBallots, 1), LIMITS.resultBallots)
    this.now = init.now ?? Date.now
    this.rules = registerGovernance(components.dag, {
      events: components.events,
      logger: components.logger,
      policyRuntime: init.policyRuntime,
      grants: init.grants,
    })
  }

  private get view(): StateView {
    return this.components.dag.view()
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    const { events } = this.components
    this.offs.push(
      events.on('gov:join-requested', (e) => {
        if (this.myDid() === e.inviter)
          this.pendingRequests.set(e.request, { scope: e.scope, author: e.author })
      }),
      events.on('gov:policy-activated', (e) => {
        if (e.module !== null) void this.storeModule(e.proposal).catch(() => undefined)
      }),
      events.on('identity:changed', () => void this.catchUp().catch(() => undefined)),
      // The network starts after governance: join the member's scopes once the node runs.
      events.on('node:status', (e) => {
        if (e.status === 'running') void this.followMine().catch(() => undefined)
      }),
      // A refold (after an equivocation, or a better result arriving late) can change any proposal without the
      // per-event notifications: tell front ends to re-read every scope.
      events.on('dag:state-changed', () => void this.announceRefold().catch(() => undefined)),
      // Founding members on other nodes learn of a scope from its genesis; admitted members from their admission.
      events.on('gov:scope-updated', (e) => {
        if (e.reason === 'genesis' || e.reason === 'members') void this.follow(e.scope).catch(() => undefined)
      }),
    )
    this.running = true
    await this.catchUp({ follow: false }).catch((err: unknown) =>
      this.components.logger.warn('governance catch-up failed', { err }),
    )
    if (this.autoFinalize) {
      this.timer = setInterval(() => {
        this.ticking ??= this.tick().finally(() => {
          this.ticking = undefined
        })
      }, this.tickMs)
      this.timer.unref()
    }
  }

  async stop(): Promise<void> {
    this.running = false
    this.followed.clear()
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    for (const off of this.offs.splice(0)) off()
    await this.ticking
  }

  /** Joins the scope's topics when this node's member belongs to it (once per scope and run). */
  private async follow(scope: string): Promise<void> {
    const network = this.components.network
    const me = this.myDid()
    if (network === undefined || me === null || this.followed.has(scope)) return
    if ((await readMember(this.view, scope, me)) === undefined) return
    this.followed.add(scope)
    await network.subscribe(scope).catch((err: unknown) => {
      this.followed.delete(scope)
      this.components.logger.warn('could not join the scope topics', { scope, err })
    })
  }

  private async announceRefold(): Promise<void> {
    const rows = await this.view.listIndex(govIndex.scopePrefix, { limit: 10_000 })
    for (const row of rows)
      this.components.events.emit('gov:scope-updated', {
        scope: row.key.slice(govIndex.scopePrefix.length),
        reason: 'refold',
      })
  }

  private myDid(): string | null {
    const status = this.components.identity.status()
    return status.exists ? status.did : null
  }

  private canSign(): boolean {
    const status = this.components.identity.status()
    return status.exists && !status.locked
  }

  /** After a restart or an unlock: join requests still waiting for an admit proposal; scope topics. */
  private async catchUp(options: { follow: boolean } = { follow: true }): Promise<void> {
    const me = this.myDid()
    if (me === null) return
    const rows = await this.view.list<{ author: string; inviter: string }>('gov/jr/', { limit: 10_000 })
    for (const row of rows) {
      if (row.value.inviter !== me) continue
      const [, , scope, request] = row.key.split('/') as [string, string, string, string]
      this.pendingRequests.set(request, { scope, author: row.value.author })
    }
    if (options.follow) await this.followMine()
  }

  private async followMine(): Promise<void> {
    if (this.components.network === undefined || this.myDid() === null) return
    for (const s of await this.scopes()) if (s.isMember) await this.follow(s.scope)
  }

  // ---- the background work: finalizing and admitting ---------------------------------------------------------

  private async tick(): Promise<void> {
    if (!this.running || !this.canSign()) return
    try {
      await this.answerJoinRequests()
      await this.finalizeDue()
    } catch (err) {
      this.components.logger.warn('governance background work failed', { err })
    }
  }

  private async answerJoinRequests(): Promise<void> {
    for (const [request, { scope, author }] of [...this.pendingRequests]) {
      if (!this.running) return
      const view = this.view
      const proposed = await view.list(govKeys.joinProposalPrefix(request), { limit: 1 })
      if (proposed.length > 0 || (await readMember(view, scope, author)) !== undefined) {
        this.pendingRequests.delete(request)
        continue
      }
      try {
        await this.propose({
          scope,
          title: `Admit ${author.slice(0, 24)}…`,
          summary: `${author} asked to join with an invite from ${this.myDid() ?? 'this member'} (request ${request}).`,
          action: { kind: 'admit', member: author, joinRequest: request },
        })
        this.pendingRequests.delete(request)
      } catch (err) {
        this.components.logger.warn('could not propose admitting a member', { request, err })
        if (
          isIcnError(err) &&
          err.code !== 'ECONOMICS_INSUFFICIENT_MANA' &&
          err.code !== 'DAG_MISSING_DEPENDENCY'
        )
          this.pendingRequests.delete(request)
      }
    }
  }

  private async finalizeDue(): Promise<void> {
    const me = this.myDid()
    if (me === null) return
    const now = this.now()
    const view = this.view
    // Oldest deadline first, in pages, up to a budget per tick: proposals this node may not finalize (scopes it
    // only follows) must not starve the ones it may.
    let after: string | undefined
    for (let scanned = 0; scanned < 5000;) {
      const due = await view.listIndex<string>(govIndex.openPrefix, {
        limit: 500,
        ...(after === undefined ? {} : { after }),
      })
      for (const row of due) {
        if (!this.running) return
        scanned++
        after = row.key
        const rest = row.key.slice(govIndex.openPrefix.length)
        const deadline = parseInt(rest.slice(0, 14), 16)
        if (deadline + this.settleMs > now) return
        const id = rest.slice(15)
        if ((this.backoff.get(id) ?? 0) > now) continue
        const p = await readProposal(view, id)
        if (p === undefined || (await readResult(view, id)) !== undefined) continue
        const rank = await this.myRank(view, p, me, now)
        if (rank === undefined) continue
        try {
          await this.finalizeAs(id, p, rank)
          this.backoff.delete(id)
        } catch (err) {
          // Someone else took the log position (DAG_SUPERSEDED) or the result arrived meanwhile: retry soon.
          const code = isIcnError(err) ? err.code : 'INTERNAL'
          if (code !== 'DAG_SUPERSEDED' && code !== 'GOV_PROPOSAL_CLOSED')
            this.components.logger.warn('finalizing a proposal failed', { proposal: id, err })
          this.backoff.set(id, now + (code === 'DAG_SUPERSEDED' ? 0 : Math.max(this.tickMs * 5, 1000)))
        }
      }
      if (due.length < 500) return
    }
  }

  /** When this node may finalize: the proposer right after the deadline, members after the grace, then validators. */
  private async myRank(
    view: StateView,
    p: ProposalRecord,
    me: string,
    now: number,
  ): Promise<FinalizerRank | undefined> {
    if (p.proposer === me && now <= p.finalizeBy) return 0
    if (now <= p.finalizeBy) return undefined
    const grace = p.finalizeBy - p.deadline
    if ((await readMember(view, p.scope, me)) !== undefined) {
      // Spread members over a short window so they do not all race for the same log position.
      const jitter = parseInt(me.slice(-4), 36) % Math.max(1, Math.min(grace, 10_000) / 4)
      return now > p.finalizeBy + this.settleMs + jitter ? 1 : undefined
    }
    const info = await view.get<ScopeInfo>(scopeKeys.info(p.scope))
    if (info?.validators.includes(me) === true && now > p.finalizeBy + grace + this.settleMs) return 2
    return undefined
  }

  async finalize(proposal: string, options: { signal?: AbortSignal } = {}): Promise<ProposalView> {
    const id = parseCid(proposal, 'proposal id').toString()
    const view = this.view
    const p = await readProposal(view, id)
    if (p === undefined)
      throw new IcnError('GOV_UNKNOWN_PROPOSAL', `Proposal ${id} is not known on this node.`)
    if ((await readResult(view, id)) !== undefined)
      throw new IcnError('GOV_PROPOSAL_CLOSED', 'This proposal already has a result.')
    const now = this.now()
    if (now <= p.deadline)
      throw new IcnError('GOV_PROPOSAL_OPEN', `Voting is open until ${new Date(p.deadline).toISOString()}.`)
    const rank = await this.myRank(view, p, this.components.identity.did(), now)
    if (rank === undefined)
      throw new IcnError(
        'GOV_NOT_ELIGIBLE',
        `Until ${new Date(p.finalizeBy).toISOString()} only the proposer may finalize; then members, then validators.`,
      )
    await this.finalizeAs(id, p, rank, options)
    return this.get(id)
  }

  /** Builds the result from every valid vote and counted delegation this node holds, and appends it. */
  private async finalizeAs(
    id: string,
    p: ProposalRecord,
    rank: FinalizerRank,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const view = this.view
    const head = await logHead(view, p.scope)
    if (head === undefined) throw new IcnError('GOV_UNKNOWN_SCOPE', `${p.scope} has no log on this node.`)
    const { ballots, delegations } = await this.collect(view, id, p)
    const policy = await this.rules.policyFor(view, p.scope, p.basisN, p.createdAt)
    const eligible = await eligibleAmong(view, p, [
      ...ballots.map((b) => b.voter),
      ...delegations.flatMap((d) => (d.to === null ? [d.delegator] : [d.delegator, d.to])),
    ])
    // List exactly what counts: each member's latest direct vote, and delegations that carry a delegate's vote.
    const counted = effectiveBallots(p, eligible, ballots, delegations)
    const votes = [...counted.direct.values()]
    const used = delegations.filter((d) => counted.delegated.has(d.delegator))
    const result: Tally = tally(p, eligible, votes, used, policy)
    let voteCids = votes.map((v) => CID.parse(v.id))
    let delegationCids = used.map((d) => CID.parse(d.id))
    const batches: CID[] = []
    if (voteCids.length + delegationCids.length > this.batchSize) {
      // Too many for one event: list them in gov/ballots batches that the result depends on.
      const all = [
        ...voteCids.map((c) => ({ c, vote: true })),
        ...delegationCids.map((c) => ({ c, vote: false })),
      ]
      if (Math.ceil(all.length / this.batchSize) > LIMITS.resultBallots)
        throw new IcnError(
          'GOV_RESULT_MISMATCH',
          `This proposal has too many ballots (${all.length}) to finalize.`,
        )
      for (let i = 0; i < all.length; i += this.batchSize) {
        const chunk = all.slice(i, i + this.batchSize)
        throwIfAborted(options.signal)
        const batch = await this.components.dag.append(
          {
            type: GOV_EVENT.ballots,
            scope: p.scope,
            body: {
              proposal: CID.parse(id),
              votes: chunk.filter((x) => x.vote).map((x) => x.c),
              delegations: chunk.filter((x) => !x.vote).map((x) => x.c),
            } satisfies BallotsBody,
          },
          options,
        )
        batches.push(batch.cid)
      }
      voteCids = []
      delegationCids = []
    }
    const body: ResultBody = {
      proposal: CID.parse(id),
      n: head.n + 1,
      prev: CID.parse(head.id),
      rank,
      votes: voteCids,
      delegations: delegationCids,
      batches,
      tally: result,
    }
    throwIfAborted(options.signal)
    await this.components.dag.append({ type: GOV_EVENT.result, scope: p.scope, body }, options)
  }

  /** Every valid vote (latest by seq) and the delegation of each delegator that applies to the proposal. */
  private async collect(
    view: StateView,
    id: string,
    p: ProposalRecord,
  ): Promise<{ ballots: Ballot[]; delegations: DelegationRecord[] }> {
    const ballots: Ballot[] = (await readVotes(view, id)).map(({ voter, vote }) => ({
      id: vote.id,
      voter,
      seq: vote.seq,
      ts: vote.ts,
      choice: vote.choice,
      options: vote.options,
    }))
    const delegations: DelegationRecord[] = []
    for (const [delegator, list] of await readDelegations(view, p.scope)) {
      const d = applicableDelegation(list, id, p.deadline)
      if (d !== undefined) delegations.push({ id: d.id, delegator, to: d.to, seq: d.seq, ts: d.ts })
    }
    return { ballots, delegations }
  }

  // ---- scopes -------------------------------------------------------------------------------------------------

  async createScope(input: CreateScopeInput, options: { signal?: AbortSignal } = {}): Promise<ScopeSummary> {
    const me = this.components.identity.did()
    let eventScope = GLOBAL_SCOPE
    let parentBasis: CID | null = null
    if (input.parent !== undefined) {
      const parent = await this.requireScope(input.parent)
      if (parent.kind !== 'federation')
        throw new IcnError('GOV_INVALID_CHARTER', 'A cooperative can only be created inside a federation.')
      const head = await logHead(this.view, input.parent)
      if (head === undefined)
        throw new IcnError('GOV_UNKNOWN_SCOPE', `${input.parent} has no log on this node.`)
      eventScope = input.parent
      parentBasis = CID.parse(head.id)
    }
    const params: Record<string, Int> = {}
    for (const [name, value] of Object.entries(input.params ?? {}))
      params[name] = toInt(toBigInt(value, name))
    const bounds: Record<string, { min: Int; max: Int }> = {}
    for (const [name, b] of Object.entries(input.bounds ?? {}))
      bounds[name] = {
        min: toInt(toBigInt(b.min, `${name} min`)),
        max: toInt(toBigInt(b.max, `${name} max`)),
      }
    const body: GenesisBody = {
      kind: input.kind,
      name: input.name,
      members: [...new Set((input.members ?? []).filter((m) => m !== me))],
      params,
      bounds,
      validators: [...new Set(input.validators ?? [])],
      parentBasis,
    }
    parseGenesis(body)
    const event = await this.components.dag.append(
      { type: GOV_EVENT.genesis, scope: eventScope, body },
      options,
    )
    const scope = scopeDid(event.id)
    await this.follow(scope)
    return this.scope(scope)
  }

  private async requireScope(scope: string): Promise<ScopeInfo> {
    if (!isScopeDid(scope))
      throw new IcnError('GOV_UNKNOWN_SCOPE', `"${scope.slice(0, 80)}" is not a scope DID (did:icn:…).`)
    const info = await this.view.get<ScopeInfo>(scopeKeys.info(scope))
    if (info === undefined)
      throw new IcnError(
        'GOV_UNKNOWN_SCOPE',
        `${scope} is not a federation or cooperative this node knows; join it first.`,
        {
          details: { scope },
        },
      )
    return info
  }

  async scope(scope: string): Promise<ScopeSummary> {
    const info = await this.requireScope(scope)
    const view = this.view
    const me = this.myDid()
    const children = (await view.list(govKeys.childPrefix(scope), { limit: 1000 })).map((r) =>
      r.key.slice(govKeys.childPrefix(scope).length),
    )
    return {
      scope,
      kind: info.kind,
      name: info.name,
      parent: info.parent,
      federation:
        info.parent ??
        (await view.get<{ federation: string }>(govKeys.federation(scope)))?.federation ??
        null,
      genesis: info.genesis,
      createdAt: info.createdAt,
      validators: info.validators,
      members: await readMemberCount(view, scope),
      head: (await logHead(view, scope))?.n ?? 0,
      isMember: me !== null && (await readMember(view, scope, me)) !== undefined,
      children,
    }
  }

  async scopes(): Promise<ScopeSummary[]> {
    const rows = await this.view.listIndex(govIndex.scopePrefix, { limit: 10_000 })
    const out: ScopeSummary[] = []
    for (const row of rows) out.push(await this.scope(row.key.slice(govIndex.scopePrefix.length)))
    return out.sort((a, b) => Number(b.isMember) - Number(a.isMember) || a.createdAt - b.createdAt)
  }

  async members(scope: string): Promise<{ scope: string; count: number; members: MemberView[] }> {
    await this.requireScope(scope)
    const prefix = scopeKeys.memberPrefix(scope)
    const rows = await this.view.list<MemberRecord>(prefix, { limit: 100_000 })
    const members = rows.map((r) => ({ did: r.key.slice(prefix.length), ...r.value }))
    return { scope, count: members.length, members }
  }

  async parameters(scope: string): Promise<{ scope: string; parameters: ParameterView[] }> {
    await this.requireScope(scope)
    const values = await readParams(this.view, scope)
    const bounds = await readCharterBounds(this.view, scope)
    const parameters = (Object.keys(PARAMS) as ParamName[]).map((name) => ({
      name,
      value: values[name].toString(),
      default: PARAMS[name].default.toString(),
      min: bounds[name].min.toString(),
      max: bounds[name].max.toString(),
      unit: PARAMS[name].unit,
      doc: PARAMS[name].doc,
    }))
    return { scope, parameters }
  }

  // ---- invites ------------------------------------------------------------------------------------------------

  async invite(input: { scope: string; invitee?: string; expiresInMs?: number }): Promise<InviteView> {
    const info = await this.requireScope(input.scope)
    const me = this.components.identity.did()
    if ((await readMember(this.view, input.scope, me)) === undefined)
      throw new IcnError('GOV_NOT_A_MEMBER', `Only members of ${info.name} can invite people.`)
    if (input.invitee !== undefined && !isDidKey(input.invitee))
      throw new IcnError('INVALID_ARGUMENT', 'The invitee must be a did:key.')
    const expiresIn = input.expiresInMs ?? 7 * DAY
    if (!Number.isSafeInteger(expiresIn) || expiresIn < 60_000 || expiresIn > 90 * DAY)
      throw new IcnError('INVALID_ARGUMENT', 'An invite is valid for 1 minute to 90 days.')
    const head = await logHead(this.view, input.scope)
    if (head === undefined) throw new IcnError('GOV_UNKNOWN_SCOPE', `${input.scope} has no log on this node.`)
    const network = this.components.network
    // Listen addresses are known once the host is up; without networking the invite carries none.
    if (network !== undefined) await network.ready().catch(() => undefined)
    const addrs = (network?.listenAddrs() ?? []).slice(0, LIMITS.addrs)
    const invite = signInvite(
      {
        v: 1,
        scope: input.scope,
        inviter: me,
        invitee: input.invitee ?? null,
        addrs,
        expires: this.now() + expiresIn,
        nonce: new Uint8Array(randomBytes(16)),
        basis: CID.parse(head.id),
      },
      this.components.identity.signer(),
    )
    return {
      link: encodeInviteLink(invite),
      scope: invite.scope,
      inviter: me,
      invitee: invite.invitee,
      expires: invite.expires,
      addrs,
    }
  }

  async join(
    input: { invite: string; message?: string },
    options: {
      signal?: AbortSignal
      onProgress?: (p: { done: number; total?: number; message: string }) => void
    } = {},
  ): Promise<JoinView> {
    const invite = decodeInviteLink(input.invite)
    const me = this.components.identity.did()
    if (invite.invitee !== null && invite.invitee !== me)
      throw new IcnError(
        'GOV_INVALID_INVITE',
        `This invite is for ${invite.invitee}; this node's member is ${me}.`,
      )
    if (this.now() > invite.expires)
      throw new IcnError(
        'GOV_INVALID_INVITE',
        `The invite expired at ${new Date(invite.expires).toISOString()}; ask for a new one.`,
      )
    const report = (done: number, message: string): void => options.onProgress?.({ done, total: 3, message })
    const network = this.components.network
    if (network !== undefined) {
      report(0, 'connecting to the inviter')
      for (const addr of invite.addrs) {
        try {
          await network.connect(addr, options.signal === undefined ? {} : { signal: options.signal })
          break
        } catch (err) {
          this.components.logger.info('invite address unreachable', { addr, err })
        }
      }
      await network.subscribe(invite.scope)
      report(1, 'fetching the scope history')
      await network
        .sync(options.signal === undefined ? {} : { signal: options.signal })
        .catch(() => undefined)
    }
    // The join request depends on the inviter's log entry: wait until sync has brought it.
    const started = this.now()
    const basis = invite.basis.toString()
    while (!(await this.components.dag.view().isEffective(basis))) {
      throwIfAborted(options.signal)
      if (network === undefined || this.now() - started > this.joinTimeoutMs)
        throw new IcnError(
          'UNAVAILABLE',
          network === undefined
            ? "This node does not have the scope's history and runs without networking; receive its events first."
            : "The scope's history did not arrive from the inviter's node; check that it is online and try again.",
        )
      await new Promise((r) => setTimeout(r, 200))
    }
    report(2, 'asking to join')
    const info = await this.requireScope(invite.scope)
    if ((await readMember(this.view, invite.scope, me)) !== undefined)
      throw new IcnError('GOV_ALREADY_MEMBER', `You are already a member of ${info.name}.`)
    if ((await this.view.get(govKeys.inviteUse(invite.inviter, nonceHex(invite)))) !== undefined)
      throw new IcnError('GOV_INVALID_INVITE', 'This invite has already been used; ask for a new one.')
    const event = await this.components.dag.append(
      { type: GOV_EVENT.joinRequest, scope: invite.scope, body: { invite, message: input.message ?? null } },
      options.signal === undefined ? {} : { signal: options.signal },
    )
    report(3, 'join request sent')
    return { scope: invite.scope, name: info.name, request: event.id, inviter: invite.inviter }
  }

  // ---- proposals and votes ----------------------------------------------------------------------------------

  private async buildAction(input: ActionInput): Promise<ProposalAction> {
    switch (input.kind) {
      case 'text':
        return { kind: 'text' }
      case 'parameter':
        return {
          kind: 'parameter',
          changes: input.changes.map((c) => {
            if (!isParamName(c.name))
              throw new IcnError(
                'INVALID_ARGUMENT',
                `Unknown parameter "${c.name}"; see gov.parameters for the list.`,
              )
            return { name: c.name, value: toInt(toBigInt(c.value, c.name)) }
          }),
        }
      case 'admit':
        return {
          kind: 'admit',
          member: input.member,
          roles: input.roles ?? [],
          joinRequest: input.joinRequest === undefined ? null : parseCid(input.joinRequest, 'join request'),
        }
      case 'remove':
        return { kind: 'remove', member: input.member }
      case 'budget':
        return {
          kind: 'budget',
          asset: input.asset,
          to: input.to,
          amount: toInt(toBigInt(input.amount, 'amount')),
          token: input.asset === 'token' ? (input.token ?? '') : null,
          memo: input.memo ?? '',
        }
      case 'policy': {
        if (input.source === null)
          return {
            kind: 'policy',
            policy: input.policy,
            source: null,
            module: null,
            compiler: CCL_COMPILER_VERSION,
          }
        const compiled = compile(input.source)
        // Keep the module so the policy runtime finds it; other nodes recompile the source from the proposal.
        const module = await this.components.dag.blocks.put(compiled.wasm, RAW)
        return {
          kind: 'policy',
          policy: input.policy,
          source: input.source,
          module,
          compiler: CCL_COMPILER_VERSION,
        }
      }
      case 'federation':
        return { kind: 'federation', op: input.op, federation: input.federation }
      case 'capability': {
        if (!isCapabilityName(input.capability))
          throw new IcnError(
            'INVALID_ARGUMENT',
            `"${String(input.capability).slice(0, 80)}" is not a capability name: 1–64 characters of a-z, 0-9, ".", "_", ":" or "-", starting with a letter or digit.`,
          )
        const note = input.note ?? ''
        if (typeof note !== 'string' || note.length > LIMITS.note)
          throw new IcnError('INVALID_ARGUMENT', `A note has at most ${LIMITS.note} characters.`)
        return { kind: 'capability', member: input.member, capability: input.capability, note }
      }
    }
  }

  async propose(input: ProposeInput, options: { signal?: AbortSignal } = {}): Promise<ProposalView> {
    await this.requireScope(input.scope)
    const head = await logHead(this.view, input.scope)
    if (head === undefined) throw new IcnError('GOV_UNKNOWN_SCOPE', `${input.scope} has no log on this node.`)
    const body: ProposeBody = {
      basis: CID.parse(head.id),
      title: input.title,
      summary: input.summary ?? '',
      method: input.method ?? 'yesno',
      options: input.options ?? [],
      votingPeriodMs: input.votingPeriodMs ?? null,
      quorum: input.quorum ?? null,
      threshold: input.threshold ?? null,
      action: await this.buildAction(input.action),
    }
    parsePropose(body)
    const event = await this.components.dag.append(
      { type: GOV_EVENT.propose, scope: input.scope, body },
      options,
    )
    return this.get(event.id)
  }

  async vote(input: VoteInput, options: { signal?: AbortSignal } = {}): Promise<VoteView> {
    const id = parseCid(input.proposal, 'proposal id').toString()
    const p = await this.requireProposal(id)
    if (this.now() > p.deadline)
      throw new IcnError('GOV_PROPOSAL_CLOSED', `Voting closed at ${new Date(p.deadline).toISOString()}.`)
    const body: VoteBody = {
      proposal: CID.parse(id),
      choice: input.choice ?? null,
      options: input.options ?? null,
      reason: input.reason === undefined || input.reason === '' ? null : input.reason,
    }
    if (body.choice === null && body.options === null)
      throw new IcnError(
        'GOV_INVALID_BALLOT',
        p.method === 'yesno' ? 'Choose yes, no or abstain.' : 'List the options you vote for (or abstain).',
      )
    checkBallot(p, body)
    const event = await this.components.dag.append({ type: GOV_EVENT.vote, scope: p.scope, body }, options)
    return {
      id: event.id,
      proposal: id,
      voter: event.event.author,
      choice: body.choice,
      options: body.options,
      reason: body.reason,
      ts: event.event.ts,
    }
  }

  async delegate(input: DelegateInput, options: { signal?: AbortSignal } = {}): Promise<DelegationView> {
    await this.requireScope(input.scope)
    const body: DelegateBody = {
      to: input.to,
      proposal: input.proposal === undefined ? null : parseCid(input.proposal, 'proposal id'),
    }
    if (body.proposal !== null) await this.requireProposal(body.proposal.toString())
    const event = await this.components.dag.append(
      { type: GOV_EVENT.delegate, scope: input.scope, body },
      options,
    )
    return {
      id: event.id,
      scope: input.scope,
      delegator: event.event.author,
      to: body.to,
      proposal: body.proposal === null ? null : body.proposal.toString(),
      ts: event.event.ts,
    }
  }

  private async requireProposal(id: string): Promise<ProposalRecord> {
    const p = await readProposal(this.view, id)
    if (p !== undefined) return p
    const summary = await this.components.dag.getSummary(id)
    if (summary !== undefined && summary.type === GOV_EVENT.propose)
      throw new IcnError(
        'GOV_UNKNOWN_PROPOSAL',
        `Proposal ${id} is void (its basis was superseded); propose it again.`,
      )
    throw new IcnError('GOV_UNKNOWN_PROPOSAL', `Proposal ${id} is not known on this node.`, {
      details: { proposal: id },
    })
  }

  // ---- reads --------------------------------------------------------------------------------------------------

  private statusOf(p: ProposalRecord, result: { passed: boolean } | undefined): ProposalStatus {
    if (result !== undefined) return result.passed ? 'passed' : 'failed'
    return this.now() > p.deadline ? 'closed' : 'open'
  }

  private async summary(
    id: string,
    p: ProposalRecord,
    result: { passed: boolean } | undefined,
  ): Promise<ProposalSummary> {
    return {
      id,
      scope: p.scope,
      title: p.title,
      kind: p.kind,
      method: p.method,
      status: this.statusOf(p, result),
      proposer: p.proposer,
      createdAt: p.createdAt,
      deadline: p.deadline,
      votes: Number((await this.view.get<number>(govKeys.voteCount(id))) ?? 0),
      eligible: p.eligible,
    }
  }

  async list(filter: ProposalFilter = {}): Promise<{ proposals: ProposalSummary[]; next: string | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500)
    if (filter.scope !== undefined) await this.requireScope(filter.scope)
    const prefix = filter.scope === undefined ? govIndex.allPrefix : govIndex.byScopePrefix(filter.scope)
    if (filter.cursor !== undefined && !filter.cursor.startsWith(prefix))
      throw new IcnError('INVALID_ARGUMENT', 'The cursor belongs to another listing; start again without it.')
    const out: ProposalSummary[] = []
    let after = filter.cursor
    let scanned = 0
    let next: string | null = null
    // Newest first; filters apply while scanning, bounded so a rare filter cannot walk everything at once.
    for (;;) {
      const rows = await this.view.listIndex(prefix, {
        reverse: true,
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      })
      for (const row of rows) {
        scanned++
        after = row.key
        const id = row.key.slice(row.key.lastIndexOf('/') + 1)
        const p = await readProposal(this.view, id)
        if (p === undefined) continue
        if (filter.type !== undefined && p.kind !== filter.type) continue
        const s = await this.summary(id, p, await readResult(this.view, id))
        if (filter.status !== undefined && s.status !== filter.status) continue
        out.push(s)
        if (out.length >= limit) break
      }
      if (out.length >= limit || (scanned >= 20_000 && rows.length > 0)) {
        next = after ?? null
        break
      }
      if (rows.length < 1000) break
    }
    return { proposals: out, next }
  }

  async get(proposal: string): Promise<ProposalView> {
    const id = parseCid(proposal, 'proposal id').toString()
    const view = this.view
    const p = await readProposal(view, id)
    if (p === undefined) return this.voidView(id)
    // One read of the result, so the status and the tally shown describe the same moment.
    const stored = await readResult(view, id)
    const summary = await this.summary(id, p, stored)
    const info = await view.get<ScopeInfo>(scopeKeys.info(p.scope))
    let tallyView: Tally
    let result: ResultView | null = null
    const { ballots, delegations } = await this.collect(view, id, p)
    if (stored !== undefined) {
      tallyView = stored.tally
      const counted = new Set<string>()
      const resultBody = (await view.getEvent(stored.id))?.event.body as ResultBody | undefined
      for (const v of resultBody?.votes ?? []) counted.add(v.toString())
      for (const batch of resultBody?.batches ?? []) {
        const batchBody = (await view.getEvent(batch.toString()))?.event.body as BallotsBody | undefined
        for (const v of batchBody?.votes ?? []) counted.add(v.toString())
      }
      const latest = effectiveBallots(p, { size: p.eligible, has: () => true }, ballots, []).direct
      result = {
        id: stored.id,
        n: stored.n,
        finalizer: stored.finalizer,
        rank: stored.rank,
        ts: stored.ts,
        passed: stored.passed,
        execution: stored.execution,
        uncounted: [...latest.values()].filter((b) => !counted.has(b.id)).map((b) => b.id),
      }
    } else {
      const policy = await this.rules.policyFor(view, p.scope, p.basisN, p.createdAt)
      const eligible = await eligibleAmong(view, p, [
        ...ballots.map((b) => b.voter),
        ...delegations.flatMap((d) => (d.to === null ? [d.delegator] : [d.delegator, d.to])),
      ])
      tallyView = tally(p, eligible, ballots, delegations, policy)
    }
    return {
      ...summary,
      scopeName: info?.name ?? p.scope,
      summary: p.summary,
      action: actionView(p.action),
      options: p.options,
      quorum: p.quorum,
      threshold: p.threshold,
      finalizeBy: p.finalizeBy,
      basis: p.basis,
      basisN: p.basisN,
      tally: tallyView,
      live: stored === undefined,
      quorumProgress: {
        eligible: tallyView.eligible,
        participants: tallyView.participants,
        direct: tallyView.direct,
        delegated: tallyView.delegated,
        needed: tallyView.quorumNeeded,
        met: tallyView.quorumMet,
      },
      result,
      voidReason: null,
    }
  }

  /** A proposal event that is stored but void (e.g. its basis was superseded), or unknown. */
  private async voidView(id: string): Promise<ProposalView> {
    const dag = this.components.dag
    const summary = await dag.getSummary(id)
    const event = await dag.getEvent(id)
    if (summary === undefined || event === undefined || summary.type !== GOV_EVENT.propose)
      throw new IcnError('GOV_UNKNOWN_PROPOSAL', `Proposal ${id} is not known on this node.`, {
        details: { proposal: id },
      })
    const body = event.event.body as ProposeBody
    const reason = await this.voidReason(id)
    return {
      id,
      scope: summary.scope,
      title: body.title,
      kind: body.action.kind,
      method: body.method,
      status: 'void',
      proposer: summary.author,
      createdAt: summary.ts,
      deadline: summary.ts,
      votes: 0,
      eligible: 0,
      scopeName: (await this.view.get<ScopeInfo>(scopeKeys.info(summary.scope)))?.name ?? summary.scope,
      summary: body.summary,
      action: actionView(
        body.action.kind === 'policy'
          ? {
              kind: 'policy',
              policy: body.action.policy,
              module: body.action.module?.toString() ?? null,
              compiler: body.action.compiler,
            }
          : body.action.kind === 'admit'
            ? { ...body.action, joinRequest: body.action.joinRequest?.toString() ?? null }
            : body.action,
      ),
      options: body.options,
      quorum: 0,
      threshold: 0,
      finalizeBy: summary.ts,
      basis: body.basis.toString(),
      basisN: -1,
      tally: null,
      live: false,
      quorumProgress: null,
      result: null,
      voidReason: reason,
    }
  }

  private async voidReason(id: string): Promise<{ code: string; message: string }> {
    // The DAG keeps the reason with the event's metadata; rerunning the rules gives the same verdict.
    const event = await this.components.dag.getEvent(id)
    const body = event?.event.body as ProposeBody | undefined
    if (body !== undefined && !(await this.view.isEffective(body.basis.toString())))
      return {
        code: 'GOV_BASIS_SUPERSEDED',
        message:
          'Another result took the place of the log entry this proposal was based on; propose it again.',
      }
    return {
      code: 'GOV_INVALID_PROPOSAL',
      message: 'The proposal broke a rule of its scope when it arrived and has no effect.',
    }
  }

  async eligibility(proposal: string, did?: string): Promise<EligibilityView> {
    const id = parseCid(proposal, 'proposal id').toString()
    const p = await this.requireProposal(id)
    const who = did ?? this.components.identity.did()
    if (!isDidKey(who)) throw new IcnError('INVALID_ARGUMENT', 'The DID must be a did:key.')
    const view = this.view
    const eligible = await isMemberAt(view, p.scope, who, p.basisN)
    const vote = await view.get<{ choice: VoteBody['choice']; options: string[] | null; ts: number }>(
      govKeys.vote(id, who),
    )
    const delegations = await readDelegations(view, p.scope)
    const mine = applicableDelegation(delegations.get(who) ?? [], id, p.deadline)
    const delegatedTo = mine?.to ?? null
    const delegators: string[] = []
    for (const [delegator, list] of delegations) {
      if (
        applicableDelegation(list, id, p.deadline)?.to === who &&
        (await isMemberAt(view, p.scope, delegator, p.basisN))
      )
        delegators.push(delegator)
    }
    const params = await readParams(view, p.scope)
    const base = {
      proposal: id,
      did: who,
      eligible,
      deadline: p.deadline,
      delegatedTo,
      delegators,
      vote: vote === undefined ? null : { choice: vote.choice, options: vote.options, ts: vote.ts },
      cost: params['cost.vote'].toString(),
    }
    const no = (code: string, reason: string): EligibilityView => ({ ...base, canVote: false, code, reason })
    const result = await readResult(view, id)
    if (result !== undefined || this.now() > p.deadline)
      return no(
        'GOV_PROPOSAL_CLOSED',
        `Voting closed at ${new Date(p.deadline).toISOString()}${result === undefined ? '' : ` and the result is ${result.passed ? 'passed' : 'failed'}`}.`,
      )
    if (!eligible)
      return no(
        'GOV_NOT_ELIGIBLE',
        `${who === this.myDid() ? 'You were' : `${who} was`} not a member when this proposal was created (log entry ${p.basisN}); only those members vote on it.`,
      )
    if (who === this.myDid() && this.canSign()) {
      // The same rules a real vote would meet (mana for cost.vote included), without signing anything.
      try {
        await this.components.dag.check({
          type: GOV_EVENT.vote,
          scope: p.scope,
          body: {
            proposal: CID.parse(id),
            choice: 'abstain',
            options: null,
            reason: null,
          } satisfies VoteBody,
        })
      } catch (err) {
        if (isIcnError(err)) return no(err.code, err.message)
        throw err
      }
    }
    const notes: string[] = []
    if (vote !== undefined)
      notes.push(
        `You voted ${vote.choice ?? (vote.options ?? []).join(' > ')}; you may change it until the deadline.`,
      )
    else if (delegatedTo !== null)
      notes.push(`Your vote is delegated to ${delegatedTo}; voting yourself overrides the delegation.`)
    else notes.push('You can vote until the deadline.')
    if (delegators.length > 0)
      notes.push(`Your vote also counts for ${delegators.length} member(s) who delegated to you.`)
    return { ...base, canVote: true, code: null, reason: notes.join(' ') }
  }

  // ---- policy modules ------------------------------------------------------------------------------------------

  /** Keeps the compiled module of an activated policy in the block store, recompiling the proposal's source. */
  private async storeModule(proposal: string): Promise<void> {
    const event = await this.components.dag.getEvent(proposal)
    const action = (event?.event.body as ProposeBody | undefined)?.action
    if (action?.kind !== 'policy' || action.source === null || action.module === null) return
    if (await this.components.dag.blocks.has(action.module)) return
    const compiled = compile(action.source)
    if (cidFor(compiled.wasm, RAW).equals(action.module))
      await this.components.dag.blocks.put(compiled.wasm, RAW)
  }
}

export function governance(init: GovernanceInit = {}): (components: GovernanceComponents) => Governance {
  return (components) => new DefaultGovernance(components, init)
}
