import type { StateTx, StateView, VerifiedEvent } from '../dag'
import { CID } from '../dag/codec'
import { GLOBAL_SCOPE, isScope } from '../dag/event'
import { IcnError, isIcnError, throwIfAborted } from '../errors'
import { isDid, isDidKey } from '../identity/did'
import { EVENT_COSTS } from '../params'
import { big, parseAmount } from './amounts'
import {
  ECONOMICS_EVENT_TYPES as T,
  economicsHandlers,
  eventFees,
  feeFor,
  feeHook,
  MAX_RECEIVE_CREDITS,
  parseBurn,
  parseClass,
  parseMint,
  parseTokenTransfer,
  parseTransfer,
} from './handlers'
import type {
  Balance,
  BurnInput,
  CostQuote,
  CreateClassInput,
  Economics,
  EconomicsComponents,
  EconomicsInit,
  FeePolicy,
  HistoryPage,
  HistoryQuery,
  MintInput,
  ReputationInfo,
  TokenHolding,
  TokenTransferInput,
  TransferInput,
} from './index'
import { econKeys, indexKeys } from './keys'
import {
  creditGrant,
  decodeEntry,
  readCredit,
  readReceivedCredit,
  readReputation,
  readSupply,
  reputationScore,
  requireClass,
  type GrantRequest,
  type LedgerChange,
} from './ledger'
import { accountAt, availableAt, economyOf, economyParams, fullAt } from './mana'
import type { CreditRecord, HistoryEntry, PendingRecord, TokenClassRecord } from './types'
import { HISTORY_KINDS } from './types'

/** Friendly names for `cost` (the CLI and UI ask "what does a vote cost?"). Event types work too. */
export const COST_ACTIONS: Readonly<Record<string, string>> = {
  transfer: T.manaTransfer,
  send: T.manaTransfer,
  note: 'note',
  post: 'note',
  propose: 'gov/propose',
  proposal: 'gov/propose',
  vote: 'gov/vote',
  mint: T.tokenMint,
  'create-class': T.tokenClass,
  'token-transfer': T.tokenTransfer,
  job: 'mesh/job',
}

const MAX_HISTORY_PAGE = 10_000
/** A filtered history page stops after scanning this many rows and returns a cursor to continue. */
const MAX_HISTORY_SCAN = 50_000
const RECEIVE_BATCH = 1024
/** Default of EconomicsInit.receiveIntervalMs. */
const RECEIVE_INTERVAL_MS = 1000

class DefaultEconomics implements Economics {
  private readonly now: () => number
  private readonly autoReceive: boolean
  private readonly feePolicy: FeePolicy | undefined
  private running = false
  private readonly queue = new Set<string>()
  private readonly inflight = new Set<string>()
  private draining: Promise<void> | undefined
  private readonly receiveIntervalMs: number
  /** performance.now() when the last round of receives was appended. */
  private lastRound = -Infinity
  /** The timer of a round that waits for the interval, and how to end the wait early (stop). */
  private waiting: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | undefined
  private readonly catchingUp = new Set<Promise<void>>()
  private readonly offs: (() => void)[] = []
  readonly grants: (tx: StateTx, grant: GrantRequest) => Promise<void>

  constructor(
    private readonly components: EconomicsComponents,
    init: EconomicsInit,
  ) {
    this.now = init.now ?? Date.now
    this.autoReceive = init.autoReceive ?? true
    this.receiveIntervalMs = Math.max(0, init.receiveIntervalMs ?? RECEIVE_INTERVAL_MS)
    this.feePolicy = init.feePolicy
    const fees = eventFees(init.feePolicy)
    for (const [type, handler] of Object.entries(economicsHandlers(fees)))
      components.dag.register(type, handler)
    components.dag.use(feeHook((change) => this.onChange(change), fees))
    this.grants = async (tx, grant) => {
      await creditGrant(tx, grant)
    }
  }

  async start(): Promise<void> {
    const { events } = this.components
    this.running = true
    this.offs.push(
      events.on('identity:changed', (e) => {
        if (!e.locked) this.catchUp()
      }),
      // After a refold (equivocation) afterCommit callbacks did not run: balances may all have changed and
      // credits may have appeared or vanished.
      events.on('dag:state-changed', () => {
        events.emit('economics:balance-changed', { did: null, economy: null, asset: null, event: null })
        this.catchUp()
      }),
    )
    this.catchUp()
  }

  async stop(): Promise<void> {
    this.running = false
    for (const off of this.offs.splice(0)) off()
    this.queue.clear()
    this.endWait()
    await Promise.all([this.draining, ...this.catchingUp])
  }

  // ---- notifications and auto-acknowledge ----------------------------------------------------------------------

  private onChange(change: LedgerChange): void {
    const { events } = this.components
    if (change.type === 'balance') {
      events.emit('economics:balance-changed', {
        did: change.did,
        economy: change.economy,
        asset: change.asset,
        event: change.event,
      })
    } else if (change.type === 'reputation') {
      events.emit('economics:reputation-changed', {
        did: change.did,
        economy: change.economy,
        event: change.event,
      })
    } else {
      const c = change.credit
      events.emit('economics:credit', {
        id: c.id,
        kind: c.kind,
        from: c.from,
        to: c.to,
        asset: c.asset,
        amount: c.amount.toString(),
        scope: c.scope,
        economy: c.economy,
      })
      if (this.autoReceive && c.to === this.localMember()) this.enqueue(c.id)
    }
  }

  /** This node's member when it can sign, else undefined. */
  private localMember(): string | undefined {
    const status = this.components.identity.status()
    return status.did !== null && !status.locked ? status.did : undefined
  }

  private enqueue(id: string): void {
    if (!this.running || this.inflight.has(id)) return
    this.queue.add(id)
    // A full round is waiting: write it now.
    if (this.queue.size >= RECEIVE_BATCH) this.endWait()
    this.draining ??= this.nextRound()
      .then(() => this.drain())
      .catch((err: unknown) => this.components.logger.warn('acknowledging credits failed', { err }))
      .finally(() => {
        this.draining = undefined
        if (this.running && this.queue.size > 0) this.enqueue(this.queue.values().next().value as string)
      })
  }

  /**
   * Resolves when the next round of receives may be written: on the next turn of the event loop after a quiet
   * interval, else when `receiveIntervalMs` has passed since the last round (stop() ends the wait).
   */
  private nextRound(): Promise<void> {
    const wait = this.lastRound + this.receiveIntervalMs - performance.now()
    return new Promise<void>((resolve) => {
      if (wait <= 0 || this.queue.size >= RECEIVE_BATCH) {
        setImmediate(resolve)
        return
      }
      const timer = setTimeout(() => {
        this.waiting = undefined
        resolve()
      }, wait)
      // A pending round must not keep the process alive; stop() resolves it.
      timer.unref()
      this.waiting = { timer, resolve }
    })
  }

  /** Ends a round's wait for the interval now. */
  private endWait(): void {
    const waiting = this.waiting
    if (waiting === undefined) return
    this.waiting = undefined
    clearTimeout(waiting.timer)
    waiting.resolve()
  }

  /**
   * One round: receives for what is queued, one full batch after another while a full batch is waiting; what
   * arrives after the round started waits for the next one (enqueue's finally).
   */
  private async drain(): Promise<void> {
    do {
      if (!this.running || this.queue.size === 0) return
      if (this.localMember() === undefined) {
        // Locked: the unlock triggers a catch-up from the pending index.
        this.queue.clear()
        return
      }
      const ids = [...this.queue].slice(0, RECEIVE_BATCH)
      for (const id of ids) this.queue.delete(id)
      this.lastRound = performance.now()
      await this.acknowledgeIds(ids)
    } while (this.queue.size >= RECEIVE_BATCH)
  }

  /**
   * Appends receives for these credits: one event per scope and asset family for up to MAX_RECEIVE_CREDITS credits,
   * so a burst of payments costs a few events, not one each. Appends land in one group commit.
   */
  private async acknowledgeIds(ids: string[]): Promise<number> {
    const fresh = ids.filter((id) => !this.inflight.has(id))
    for (const id of fresh) this.inflight.add(id)
    try {
      const view = this.components.dag.view()
      const groups = new Map<string, CreditRecord[]>()
      for (const id of fresh) {
        const credit = await readCredit(view, id)
        if (credit === undefined) continue // received meanwhile (or its source was voided)
        const key = `${credit.scope}|${credit.asset === 'mana' ? 'mana' : 'token'}`
        let group = groups.get(key)
        if (group === undefined) groups.set(key, (group = []))
        group.push(credit)
      }
      const chunks: CreditRecord[][] = []
      for (const group of groups.values())
        for (let i = 0; i < group.length; i += MAX_RECEIVE_CREDITS)
          chunks.push(group.slice(i, i + MAX_RECEIVE_CREDITS))
      const counts = await Promise.all(chunks.map((chunk) => this.acknowledge(chunk)))
      return counts.reduce((a, b) => a + b, 0)
    } finally {
      for (const id of fresh) this.inflight.delete(id)
    }
  }

  private async acknowledge(credits: CreditRecord[]): Promise<number> {
    const first = credits[0]
    if (first === undefined) return 0
    try {
      await this.components.dag.append({
        type: first.asset === 'mana' ? T.manaReceive : T.tokenReceive,
        scope: first.scope,
        body: { credits: credits.map((c) => ({ source: CID.parse(c.source), index: c.index })) },
      })
      return credits.length
    } catch (err) {
      const ledgerRule =
        isIcnError(err, 'ECONOMICS_ALREADY_RECEIVED') ||
        isIcnError(err, 'ECONOMICS_UNKNOWN_TRANSFER') ||
        isIcnError(err, 'ECONOMICS_INVALID_AMOUNT')
      // One credit that can no longer be taken (its source was voided meanwhile) must not hold up the others.
      if (ledgerRule && credits.length > 1) {
        const counts = await Promise.all(credits.map((c) => this.acknowledge([c])))
        return counts.reduce((a, b) => a + b, 0)
      }
      if (ledgerRule || isIcnError(err, 'IDENTITY_LOCKED') || isIcnError(err, 'NODE_NOT_RUNNING'))
        this.components.logger.debug('credit not acknowledged', {
          credit: first.id,
          code: err.code,
        })
      else this.components.logger.warn('could not acknowledge a credit', { credit: first.id, err })
      return 0
    }
  }

  private catchUp(): void {
    if (!this.autoReceive || !this.running) return
    const run = this.receivePending()
      .then(() => undefined)
      .catch((err: unknown) => this.components.logger.warn('catching up on pending credits failed', { err }))
      .finally(() => this.catchingUp.delete(run))
    this.catchingUp.add(run)
  }

  async receivePending(options: { signal?: AbortSignal } = {}): Promise<number> {
    const did = this.localMember()
    if (did === undefined) return 0
    let received = 0
    let after: string | undefined
    const view = this.components.dag.view()
    while (this.running) {
      throwIfAborted(options.signal)
      const prefix = indexKeys.pending(did)
      const rows = await view.listIndex<string>(prefix, {
        limit: RECEIVE_BATCH,
        ...(after === undefined ? {} : { after }),
      })
      received += await this.acknowledgeIds(rows.map((r) => r.key.slice(prefix.length)))
      if (rows.length < RECEIVE_BATCH) break
      after = rows[rows.length - 1]?.key
    }
    return received
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  private view(): StateView {
    return this.components.dag.view()
  }

  private member(did: string | undefined): string {
    if (did === undefined) return this.components.identity.did()
    if (!isDidKey(did))
      throw new IcnError('IDENTITY_INVALID_DID', `"${did.slice(0, 80)}" is not a member DID (did:key:z6Mk…).`)
    return did
  }

  private scope(scope: string | undefined): string {
    const s = scope ?? GLOBAL_SCOPE
    if (!isScope(s))
      throw new IcnError(
        'INVALID_ARGUMENT',
        `"${String(s).slice(0, 80)}" is not a scope ("global" or did:icn:…).`,
      )
    return s
  }

  economyOf(scope: string): Promise<string> {
    return economyOf(this.view(), this.scope(scope))
  }

  async balance(options: { did?: string; scope?: string } = {}): Promise<Balance> {
    const did = this.member(options.did)
    const scope = this.scope(options.scope)
    const view = this.view()
    const { economy, mana } = await economyParams(view, scope)
    const { account, isNew } = await accountAt(view, economy, did, this.now(), mana)
    const full = fullAt(account, mana)
    return {
      did,
      scope,
      economy,
      available: account.balance,
      reserved: account.reserved,
      capacity: mana.capacity,
      ratePerHour: mana.ratePerHour,
      fullAt: full,
      full: account.balance >= mana.capacity,
      opened: !isNew,
      regenerated: account.regenerated,
      at: account.at,
    }
  }

  async history(query: HistoryQuery = {}): Promise<HistoryPage> {
    const did = this.member(query.did)
    const scope = this.scope(query.scope)
    const view = this.view()
    const economy = await economyOf(view, scope)
    const limit = Math.min(Math.max(query.limit ?? 50, 1), MAX_HISTORY_PAGE)
    if (query.kind !== undefined && !HISTORY_KINDS.includes(query.kind))
      throw new IcnError('INVALID_ARGUMENT', `A history kind is one of ${HISTORY_KINDS.join(', ')}.`)
    if (query.counterparty !== undefined && !isDid(query.counterparty))
      throw new IcnError('IDENTITY_INVALID_DID', `"${query.counterparty.slice(0, 80)}" is not a DID.`)
    const pointer = query.counterparty !== undefined || query.kind !== undefined
    const prefix =
      query.counterparty !== undefined
        ? indexKeys.historyByCounterparty(economy, did, query.counterparty)
        : query.kind !== undefined
          ? indexKeys.historyByKind(economy, did, query.kind)
          : indexKeys.history(economy, did)
    if (query.cursor !== undefined && !query.cursor.startsWith(prefix))
      throw new IcnError(
        'INVALID_ARGUMENT',
        'That cursor belongs to another history query; start again without it.',
      )
    // Newest first: a reverse scan whose exclusive upper bound is the cursor or the end of `until`'s millisecond.
    let after = query.cursor
    if (query.until !== undefined) {
      const bound = prefix + (query.until + 1).toString().padStart(15, '0')
      if (after === undefined || bound < after) after = bound
    }
    const entries: HistoryEntry[] = []
    let scanned = 0
    for (;;) {
      // One row more than the page needs: if it exists there is a next page.
      const batch = Math.min(limit - entries.length + 1, 1000)
      const rows = await view.listIndex<Partial<HistoryEntry> | number | string>(prefix, {
        reverse: true,
        limit: batch,
        ...(after === undefined ? {} : { after }),
      })
      for (const row of rows) {
        const ts = Number(row.key.slice(prefix.length, prefix.length + 15))
        if (query.since !== undefined && ts < query.since) return { did, economy, entries, next: null }
        if (entries.length >= limit) return { did, economy, entries, next: after ?? null }
        scanned++
        after = row.key
        // A secondary row's key ends with its primary entry's suffix (ledger.ts writeHistory).
        const value = pointer
          ? await view.getIndex<HistoryEntry>(indexKeys.history(economy, did) + row.key.slice(prefix.length))
          : (row.value as HistoryEntry)
        if (value === undefined || (query.kind !== undefined && value.kind !== query.kind)) continue
        entries.push(decodeEntry(value))
      }
      if (rows.length < batch) return { did, economy, entries, next: null }
      if (scanned >= MAX_HISTORY_SCAN) return { did, economy, entries, next: after ?? null }
    }
  }

  async cost(options: {
    type: string
    scope?: string
    amount?: bigint | number | string
    did?: string
  }): Promise<CostQuote> {
    const type = COST_ACTIONS[options.type] ?? options.type
    if (!Object.hasOwn(EVENT_COSTS, type) && !this.components.dag.types().includes(type)) {
      throw new IcnError(
        'INVALID_ARGUMENT',
        `Unknown action "${options.type.slice(0, 60)}"; try one of ${Object.keys(COST_ACTIONS).join(', ')} or an event type.`,
      )
    }
    const did = this.member(options.did)
    const scope = this.scope(options.scope)
    const amount =
      options.amount === undefined ? 0n : parseAmount(options.amount, 'amount', { allowZero: true })
    const view = this.view()
    const { economy, mana } = await economyParams(view, scope)
    const now = this.now()
    const fee = await feeFor(view, { type, scope, author: did, ts: now }, this.feePolicy, true)
    const { account } = await accountAt(view, economy, did, now, mana)
    const total = fee + amount
    const covered = account.balance >= total
    return {
      type,
      scope,
      economy,
      fee,
      amount,
      total,
      available: account.balance,
      covered,
      shortfall: covered ? 0n : total - account.balance,
      availableAt: covered ? account.at : availableAt(account, total, mana),
      at: account.at,
    }
  }

  async pending(options: { did?: string; scope?: string; limit?: number } = {}): Promise<PendingRecord[]> {
    const did = this.member(options.did)
    const view = this.view()
    const economy = options.scope === undefined ? undefined : await economyOf(view, this.scope(options.scope))
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000)
    const rows = await view.listIndex<string>(indexKeys.pending(did), { limit: 1000 })
    const out: PendingRecord[] = []
    for (const row of rows) {
      if (out.length >= limit) break
      if (economy !== undefined && row.value !== economy) continue
      const credit = await readCredit(view, row.key.slice(indexKeys.pending(did).length))
      if (credit === undefined) continue
      const { kind, scope, from, asset, amount, ts } = credit
      out.push({ credit: credit.id, kind, scope, economy: credit.economy, from, asset, amount, ts })
    }
    return out
  }

  async credit(id: string): Promise<(CreditRecord & { received: boolean }) | undefined> {
    if (typeof id !== 'string' || !/^[a-z0-9]{8,120}:[0-9]{1,3}$/.test(id))
      throw new IcnError('INVALID_ARGUMENT', 'A credit id is <source event id>:<index>.')
    const view = this.view()
    const open = await readCredit(view, id)
    if (open !== undefined) return { ...open, received: false }
    const received = await readReceivedCredit(view, id)
    if (received === undefined) return undefined
    const { by: _by, at: _at, ...credit } = received
    return { ...credit, received: true }
  }

  async tokenClass(id: string): Promise<TokenClassRecord & { minted: bigint; burned: bigint }> {
    const view = this.view()
    const klass = await requireClass(view, classId(id))
    return { ...klass, ...(await readSupply(view, klass.id)) }
  }

  async classes(
    options: { scope?: string; issuer?: string; limit?: number } = {},
  ): Promise<TokenClassRecord[]> {
    const view = this.view()
    const prefix =
      options.scope === undefined ? indexKeys.allClasses : indexKeys.classes(this.scope(options.scope))
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000)
    const out: TokenClassRecord[] = []
    let after: string | undefined
    while (out.length < limit) {
      const rows = await view.listIndex<{ issuer: string }>(prefix, {
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      })
      for (const row of rows) {
        if (options.issuer !== undefined && row.value.issuer !== options.issuer) continue
        const klass = await requireClass(view, row.key.slice(row.key.lastIndexOf('/') + 1))
        out.push(klass)
        if (out.length >= limit) break
      }
      if (rows.length < 1000) break
      after = rows[rows.length - 1]?.key
    }
    return out.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.id.localeCompare(b.id))
  }

  async tokenBalances(options: { did?: string; scope?: string } = {}): Promise<TokenHolding[]> {
    const did = this.member(options.did)
    const scope = options.scope === undefined ? undefined : this.scope(options.scope)
    const view = this.view()
    const byClass = new Map<string, TokenHolding>()
    const holding = async (id: string): Promise<TokenHolding | undefined> => {
      let h = byClass.get(id)
      if (h === undefined) {
        const klass = await requireClass(view, id)
        if (scope !== undefined && klass.scope !== scope) return undefined
        byClass.set(id, (h = { class: klass, amount: 0n, items: [] }))
      }
      return h
    }
    for (const row of await view.list<bigint | number>(econKeys.tokenBalancePrefix(did), { limit: 10_000 })) {
      const h = await holding(row.key.slice(econKeys.tokenBalancePrefix(did).length))
      if (h !== undefined) h.amount = big(row.value)
    }
    const nftPrefix = econKeys.holdingPrefix(did)
    for (const row of await view.list<{ metadata: string | null }>(nftPrefix, { limit: 10_000 })) {
      const [id, tokenId] = row.key.slice(nftPrefix.length).split('/') as [string, string]
      const h = await holding(id)
      if (h === undefined) continue
      h.items.push({ id: tokenId, metadata: row.value.metadata })
      h.amount += 1n
    }
    return [...byClass.values()].sort((a, b) => a.class.symbol.localeCompare(b.class.symbol))
  }

  async reputation(options: { did: string; scope?: string }): Promise<ReputationInfo> {
    const did = this.member(options.did)
    const view = this.view()
    const economy = await economyOf(view, this.scope(options.scope))
    const r = await readReputation(view, economy, did)
    return { did, economy, ...r, score: reputationScore(r), last: r.last === 0 ? null : r.last }
  }

  // ---- actions (signed events of this node's member) ------------------------------------------------------------

  async transfer(input: TransferInput, options: { signal?: AbortSignal } = {}): Promise<VerifiedEvent> {
    const scope = this.scope(input.scope)
    const author = this.components.identity.did()
    // The same structural rules a peer applies, before anything is signed.
    const body = parseTransfer(
      { to: input.to, amount: amountInput(input.amount), memo: input.memo ?? '' },
      { author },
    )
    return this.components.dag.append({ type: T.manaTransfer, scope, body }, options)
  }

  async createClass(
    input: CreateClassInput,
    options: { signal?: AbortSignal } = {},
  ): Promise<TokenClassRecord> {
    const scope = this.scope(input.scope)
    const body = parseClass({
      symbol: input.symbol,
      name: input.name ?? '',
      decimals: input.decimals ?? 0,
      fungible: input.fungible ?? true,
      transferable: input.transferable ?? true,
      metadata:
        input.metadata === undefined || input.metadata === null
          ? null
          : parseCidInput(input.metadata, 'metadata'),
      scopeMint: input.scopeMint ?? false,
    })
    const event = await this.components.dag.append({ type: T.tokenClass, scope, body }, options)
    return requireClass(this.view(), event.id)
  }

  async mint(input: MintInput, options: { signal?: AbortSignal } = {}): Promise<VerifiedEvent> {
    const klass = await requireClass(this.view(), classId(input.class))
    const to = input.to ?? this.components.identity.did()
    const base = { class: CID.parse(klass.id), to }
    const body = parseMint(
      input.items !== undefined
        ? {
            ...base,
            items: input.items.map((i) => ({
              id: i.id,
              metadata:
                i.metadata === undefined || i.metadata === null
                  ? null
                  : parseCidInput(i.metadata, 'metadata'),
            })),
          }
        : { ...base, amount: amountInput(input.amount) },
    )
    return this.components.dag.append({ type: T.tokenMint, scope: klass.scope, body }, options)
  }

  async transferTokens(
    input: TokenTransferInput,
    options: { signal?: AbortSignal } = {},
  ): Promise<VerifiedEvent> {
    const klass = await requireClass(this.view(), classId(input.class))
    const author = this.components.identity.did()
    const base = { class: CID.parse(klass.id), to: input.to, memo: input.memo ?? '' }
    const body = parseTokenTransfer(
      input.ids !== undefined ? { ...base, ids: input.ids } : { ...base, amount: amountInput(input.amount) },
      { author },
    )
    return this.components.dag.append({ type: T.tokenTransfer, scope: klass.scope, body }, options)
  }

  async burn(input: BurnInput, options: { signal?: AbortSignal } = {}): Promise<VerifiedEvent> {
    const klass = await requireClass(this.view(), classId(input.class))
    const base = { class: CID.parse(klass.id) }
    const body = parseBurn(
      input.ids !== undefined ? { ...base, ids: input.ids } : { ...base, amount: amountInput(input.amount) },
    )
    return this.components.dag.append({ type: T.tokenBurn, scope: klass.scope, body }, options)
  }
}

/** API amounts (strings, numbers, bigints) → a bigint for the event body, with the ledger's error codes. */
function amountInput(value: unknown): bigint {
  if (value === undefined) throw new IcnError('ECONOMICS_INVALID_AMOUNT', 'Give an amount.')
  return parseAmount(value)
}

function classId(id: string): string {
  try {
    return CID.parse(id).toString()
  } catch {
    throw new IcnError(
      'ECONOMICS_UNKNOWN_TOKEN_CLASS',
      `"${String(id).slice(0, 80)}" is not a token class id (bafy…).`,
    )
  }
}

function parseCidInput(text: string, what: string): CID {
  try {
    return CID.parse(text)
  } catch {
    throw new IcnError('INVALID_ARGUMENT', `The ${what} must be a CID (bafy…).`)
  }
}

export function economics(init: EconomicsInit = {}): (components: EconomicsComponents) => Economics {
  return (components) => new DefaultEconomics(components, init)
}
