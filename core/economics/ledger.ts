/**
 * The ledger's library: functions that event handlers (ours and other services': mesh settlements, governance
 * grants, disputes) call inside the transaction of the event they are applying. Every function follows the
 * fold contract: it reads the event, its causal past and keys it owns, and writes only
 *   - the account and holdings of the event's author (its own chain orders them),
 *   - records named after the event itself (credits; the recipient's receive, which depends on the source event,
 *     deletes the credit it takes), and
 *   - order-independent counters (token supply, reputation).
 * Value given to someone else is never written into their account: it becomes a pending credit that the
 * recipient's chain acknowledges (mana/receive, token/receive), so every node judges every spend the same way.
 */
import type { EventContext, StateTx, StateView } from '../dag'
import { Attached } from '../attached'
import { IcnError } from '../errors'
import { isDidKey } from '../identity/did'
import { MAX_AMOUNT, big, parseAmount } from './amounts'
import { econKeys, indexKeys, tsKey } from './keys'
import { accountAt, economyParams, insufficientMana, type ManaParams } from './mana'
import type {
  Account,
  Asset,
  CreditKind,
  CreditRecord,
  HistoryEntry,
  HistoryKind,
  NftItem,
  Outcome,
  ReputationRecord,
  ReservationRecord,
  TokenClassRecord,
} from './types'
import { CREDIT_KINDS, OUTCOMES } from './types'

/** The event on whose behalf the ledger acts. */
export interface Actor {
  /** Event id. */
  id: string
  author: string
  scope: string
  ts: number
}

export function actorOf(ctx: Pick<EventContext, 'id' | 'event'>): Actor {
  return { id: ctx.id, author: ctx.event.author, scope: ctx.event.scope, ts: ctx.event.ts }
}

// ---- change notifications -----------------------------------------------------------------------------------

export type LedgerChange =
  | { type: 'balance'; did: string; economy: string; asset: Asset; event: string }
  | { type: 'credit'; credit: CreditRecord }
  | { type: 'reputation'; did: string; economy: string; event: string }

/**
 * The economics service binds its notifier to each transaction in its fee hook (hooks run before the type
 * handler), so library calls made later in the same transaction — by any service — reach the right node's bus
 * after commit. Nothing is bound during refolds or dry runs (dag.check), whose callbacks never run.
 */
const notifiers = new Attached<StateTx, (change: LedgerChange) => void>('ledger notifier')

export function bindNotifier(tx: StateTx, notify: (change: LedgerChange) => void): void {
  if (!tx.refolding) notifiers.set(tx, notify)
}

const notified = new Attached<StateTx, Set<string>>('ledger notified')

function notify(tx: StateTx, change: LedgerChange): void {
  const fn = notifiers.get(tx)
  if (fn === undefined) return
  // One notification per (kind, account, asset) and event: a fee and a transfer are one balance change.
  const key =
    change.type === 'credit'
      ? `c|${change.credit.id}`
      : `${change.type}|${change.did}|${change.economy}|${change.type === 'balance' ? change.asset : ''}`
  let seen = notified.get(tx)
  if (seen === undefined) notified.set(tx, (seen = new Set()))
  if (seen.has(key)) return
  seen.add(key)
  tx.afterCommit(() => fn(change))
}

// ---- history ------------------------------------------------------------------------------------------------

/** Entries written by one transaction are numbered so two entries of one event never share a key. */
const entryCounters = new Attached<StateTx, number>('history entries')

export function writeHistory(tx: StateTx, economy: string, did: string, entry: HistoryEntry): void {
  const n = entryCounters.get(tx) ?? 0
  entryCounters.set(tx, n + 1)
  const suffix = `${tsKey(entry.ts)}/${entry.event}/${n}`
  const primary = indexKeys.history(economy, did) + suffix
  tx.putIndex(primary, storedEntry(entry))
  // Secondary indexes end with the primary entry's suffix, so their key names it (Economics.history derives it)
  // and the value is one byte: filtered pages read only what they return. (Rows written before stored the primary key as
  // their value; readers ignore it.)
  tx.putIndex(indexKeys.historyByKind(economy, did, entry.kind) + suffix, 0)
  if (entry.counterparty !== null)
    tx.putIndex(indexKeys.historyByCounterparty(economy, did, entry.counterparty) + suffix, 0)
}

/** Stored form of a history entry: empty fields left out (see decodeEntry). */
function storedEntry(e: HistoryEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    event: e.event,
    kind: e.kind,
    direction: e.direction,
    asset: e.asset,
    amount: e.amount,
    ts: e.ts,
    scope: e.scope,
  }
  if (e.asset !== 'mana') out['symbol'] = e.symbol
  if (e.counterparty !== null) out['counterparty'] = e.counterparty
  if (e.memo !== '') out['memo'] = e.memo
  if (e.balance !== null) out['balance'] = e.balance
  if (e.items !== null) out['items'] = e.items
  return out
}

/** A stored history entry → the full entry (bigints where the type says so, empty fields filled in). */
export function decodeEntry(raw: Partial<HistoryEntry>): HistoryEntry {
  const asset = raw.asset ?? 'mana'
  return {
    event: raw.event ?? '',
    kind: raw.kind ?? 'transfer',
    direction: raw.direction ?? 'in',
    asset,
    symbol: raw.symbol ?? (asset === 'mana' ? 'mana' : ''),
    amount: big(raw.amount),
    counterparty: raw.counterparty ?? null,
    ts: Number(raw.ts),
    scope: raw.scope ?? '',
    memo: raw.memo ?? '',
    balance: raw.balance === undefined || raw.balance === null ? null : big(raw.balance),
    items: raw.items ?? null,
  }
}

interface EntryInput {
  kind: HistoryKind
  direction: 'in' | 'out'
  amount: bigint
  counterparty?: string | null
  memo?: string
  asset?: Asset
  symbol?: string
  items?: string[] | null
}

function entry(actor: Actor, input: EntryInput, balance: bigint | null): HistoryEntry {
  return {
    event: actor.id,
    kind: input.kind,
    direction: input.direction,
    asset: input.asset ?? 'mana',
    symbol: input.symbol ?? 'mana',
    amount: input.amount,
    counterparty: input.counterparty ?? null,
    ts: actor.ts,
    scope: actor.scope,
    memo: input.memo ?? '',
    balance,
    items: input.items ?? null,
  }
}

// ---- accounts -------------------------------------------------------------------------------------------------

/** The author's mana account as of the event, with everything needed to change and store it. */
export interface AccountHandle {
  economy: string
  mana: ManaParams
  account: Account
  isNew: boolean
}

export async function openAccount(view: StateView, actor: Actor): Promise<AccountHandle> {
  const { economy, mana } = await economyParams(view, actor.scope)
  const { account, isNew } = await accountAt(view, economy, actor.author, actor.ts, mana)
  return { economy, mana, account, isNew }
}

function saveAccount(tx: StateTx, actor: Actor, handle: AccountHandle): void {
  if (handle.isNew) {
    writeHistory(
      tx,
      handle.economy,
      actor.author,
      entry(
        actor,
        { kind: 'opening', direction: 'in', amount: handle.account.opening },
        handle.account.opening,
      ),
    )
    handle.isNew = false
  }
  const a = handle.account
  tx.put(econKeys.account(handle.economy, actor.author), {
    balance: a.balance,
    frac: a.frac,
    at: a.at,
    reserved: a.reserved,
    regenerated: a.regenerated,
    opened: a.opened,
    opening: a.opening,
  })
  notify(tx, { type: 'balance', did: actor.author, economy: handle.economy, asset: 'mana', event: actor.id })
}

/** Throws ECONOMICS_INSUFFICIENT_MANA unless the author can spend `amount` at the event's ts. */
export async function checkAvailable(
  view: StateView,
  ctx: Pick<EventContext, 'id' | 'event'> | Actor,
  amount: bigint,
  what?: string,
): Promise<AccountHandle> {
  const actor = 'event' in ctx ? actorOf(ctx) : ctx
  const handle = await openAccount(view, actor)
  if (handle.account.balance < amount)
    throw insufficientMana(amount, handle.account, handle.mana, handle.economy, what)
  return handle
}

/** Takes `amount` from the author's available mana (fees, transfers) and records why. */
export async function debitMana(
  tx: StateTx,
  actor: Actor,
  amount: bigint,
  input: Omit<EntryInput, 'amount' | 'direction'>,
): Promise<Account> {
  const handle = await checkAvailable(tx, actor, amount)
  handle.account = { ...handle.account, balance: handle.account.balance - amount }
  saveAccount(tx, actor, handle)
  writeHistory(
    tx,
    handle.economy,
    actor.author,
    entry(actor, { ...input, amount, direction: 'out' }, handle.account.balance),
  )
  return handle.account
}

// ---- credits --------------------------------------------------------------------------------------------------

export interface CreditInput {
  kind: CreditKind
  /** The recipient (a did:key: only a member's chain can acknowledge a credit). */
  to: string
  /** 'mana' (default) or a token class id. */
  asset?: Asset
  /** Units; for non-fungible tokens the number of items (computed from `items` when omitted). */
  amount?: bigint | number | string
  items?: NftItem[]
  memo?: string
  /** Who gives the value. @default the event's author (grants name their scope) */
  from?: string
}

const creditCounters = new Attached<StateTx, number>('credits')
const MEMO_MAX = 280

export const creditId = (source: string, index: number): string => `${source}:${index}`

/**
 * Records value given by the event to `to`, payable when the recipient's chain acknowledges it (mana/receive or
 * token/receive with the source event in its deps). It does not take the value from anyone: the caller debits
 * first (transfers, settlements) or the value is new (grants, mints). The n-th credit of an event has index n.
 */
export async function createCredit(
  tx: StateTx,
  ctx: Pick<EventContext, 'id' | 'event'> | Actor,
  input: CreditInput,
): Promise<CreditRecord> {
  const actor = 'event' in ctx ? actorOf(ctx) : ctx
  if (!CREDIT_KINDS.includes(input.kind)) throw new TypeError(`Unknown credit kind ${String(input.kind)}`)
  if (!isDidKey(input.to)) {
    throw new IcnError(
      'ECONOMICS_INVALID_RECIPIENT',
      `"${String(input.to).slice(0, 80)}" is not a member DID (did:key:z6Mk…).`,
    )
  }
  const asset = input.asset ?? 'mana'
  const items = input.items ?? null
  const amount =
    items !== null && input.amount === undefined ? BigInt(items.length) : parseAmount(input.amount, 'amount')
  const memo = input.memo ?? ''
  if (memo.length > MEMO_MAX)
    throw new IcnError('INVALID_ARGUMENT', `A memo is at most ${MEMO_MAX} characters.`)
  const { economy } = await economyParams(tx, actor.scope)
  const index = creditCounters.get(tx) ?? 0
  creditCounters.set(tx, index + 1)
  const id = creditId(actor.id, index)
  const record: CreditRecord = {
    id,
    source: actor.id,
    index,
    kind: input.kind,
    scope: actor.scope,
    economy,
    from: input.from ?? actor.author,
    to: input.to,
    asset,
    amount,
    items,
    memo,
    ts: actor.ts,
  }
  tx.put(econKeys.credit(id), storedCredit(record))
  // The pending list holds the economy only (for filtering); details come from the credit.
  tx.putIndex(indexKeys.pending(input.to) + id, economy)
  notify(tx, { type: 'credit', credit: record })
  return record
}

/** Stored form: what the key does not already say, without empty fields (less to encode on the hot path). */
function storedCredit(c: CreditRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: c.kind,
    scope: c.scope,
    economy: c.economy,
    from: c.from,
    to: c.to,
    asset: c.asset,
    amount: c.amount,
    ts: c.ts,
  }
  if (c.items !== null) out['items'] = c.items
  if (c.memo !== '') out['memo'] = c.memo
  return out
}

type StoredCredit = Omit<CreditRecord, 'id' | 'source' | 'index'> & Partial<CreditRecord>

/** An open credit (in the state). */
export async function readCredit(view: StateView, id: string): Promise<CreditRecord | undefined> {
  const raw = await view.get<StoredCredit>(econKeys.credit(id))
  return raw === undefined ? undefined : fromStored(id, raw)
}

function fromStored(id: string, raw: StoredCredit): CreditRecord {
  const split = id.lastIndexOf(':')
  return {
    ...raw,
    id,
    source: id.slice(0, split),
    index: Number(id.slice(split + 1)),
    amount: big(raw.amount),
    items: raw.items ?? null,
    memo: raw.memo ?? '',
  }
}

/**
 * Checks that the author may acknowledge a credit now: it exists, its source is effective (not voided by an
 * equivocation), it is addressed to the author, in this scope, of this asset family, and not yet received.
 */
export async function checkReceivable(
  view: StateView,
  actor: Actor,
  id: string,
  family: 'mana' | 'token',
): Promise<CreditRecord> {
  const credit = await readCredit(view, id)
  const source = id.slice(0, id.lastIndexOf(':'))
  // A received credit has left the state; its archive row names it (a light node keeps that row for its own
  // credits only, and calls a second receive of another member's credit unknown: rejected either way).
  if (credit === undefined && (await view.getIndex(indexKeys.received(id))) !== undefined) {
    throw new IcnError('ECONOMICS_ALREADY_RECEIVED', `The credit ${id} was already received.`, {
      details: { credit: id },
    })
  }
  if (credit === undefined || !(await view.isEffective(source))) {
    throw new IcnError(
      'ECONOMICS_UNKNOWN_TRANSFER',
      `There is no payable credit ${id}: its source event is unknown, was voided, or pays nothing.`,
      { details: { credit: id } },
    )
  }
  if (credit.to !== actor.author) {
    throw new IcnError(
      'ECONOMICS_INVALID_RECIPIENT',
      `The credit ${id} is addressed to ${credit.to}, not to you.`,
    )
  }
  if ((credit.asset === 'mana') !== (family === 'mana')) {
    throw new IcnError(
      'ECONOMICS_UNKNOWN_TRANSFER',
      `The credit ${id} is ${credit.asset === 'mana' ? 'mana' : 'tokens'}; acknowledge it with ${credit.asset === 'mana' ? 'mana/receive' : 'token/receive'}.`,
    )
  }
  if (credit.scope !== actor.scope) {
    throw new IcnError(
      'ECONOMICS_UNKNOWN_TRANSFER',
      `The credit ${id} belongs to scope ${credit.scope}; acknowledge it there.`,
    )
  }
  return credit
}

/**
 * Takes a credit by the author's receive: the credit leaves the state (open credits only are state) and its
 * record, with the receive's id and time, moves to the received archive (index); the pending row goes.
 */
export function markReceived(tx: StateTx, actor: Actor, credit: CreditRecord): void {
  tx.del(econKeys.credit(credit.id))
  tx.putIndex(indexKeys.received(credit.id), { ...storedCredit(credit), by: actor.id, at: actor.ts })
  tx.delIndex(indexKeys.pending(credit.to) + credit.id)
}

/** A credit that was received, from the archive: the record and the receive that took it. */
export async function readReceivedCredit(
  view: StateView,
  id: string,
): Promise<(CreditRecord & { by: string; at: number }) | undefined> {
  const raw = await view.getIndex<StoredCredit & { by: string; at: number }>(indexKeys.received(id))
  return raw === undefined ? undefined : { ...fromStored(id, raw), by: raw.by, at: raw.at }
}

/** Applies acknowledged mana credits to the author's account, one history entry each. */
export async function receiveMana(tx: StateTx, actor: Actor, credits: CreditRecord[]): Promise<void> {
  const handle = await openAccount(tx, actor)
  let balance = handle.account.balance
  for (const credit of credits) balance += credit.amount
  if (balance > MAX_AMOUNT) {
    throw new IcnError(
      'ECONOMICS_INVALID_AMOUNT',
      `The balance would exceed ${MAX_AMOUNT}; spend some first.`,
    )
  }
  const before = handle.account.balance
  handle.account = { ...handle.account, balance }
  saveAccount(tx, actor, handle)
  let running = before
  for (const credit of credits) {
    markReceived(tx, actor, credit)
    running += credit.amount
    writeHistory(
      tx,
      handle.economy,
      actor.author,
      entry(
        actor,
        {
          kind: credit.kind,
          direction: 'in',
          amount: credit.amount,
          counterparty: credit.from,
          memo: credit.memo,
        },
        running,
      ),
    )
  }
}

// ---- reservations (escrow) ----------------------------------------------------------------------------------------

const RESERVATION_KEY = /^[A-Za-z0-9:._-]{1,120}$/

function checkReservationKey(key: string): void {
  if (typeof key !== 'string' || !RESERVATION_KEY.test(key)) {
    throw new IcnError(
      'INVALID_ARGUMENT',
      'A reservation key is 1–120 characters of A–Z, a–z, 0–9, ":", ".", "_", "-".',
    )
  }
}

export async function readReservation(
  view: StateView,
  economy: string,
  owner: string,
  key: string,
): Promise<ReservationRecord | undefined> {
  const raw = await view.get<ReservationRecord>(econKeys.reservation(economy, owner, key))
  return raw === undefined ? undefined : { ...raw, amount: big(raw.amount) }
}

/**
 * Escrows `amount` of the author's available mana under `key` (a job or event id): available falls, reserved
 * rises. Throws ECONOMICS_INSUFFICIENT_MANA or ECONOMICS_RESERVATION_EXISTS.
 */
export async function reserve(
  tx: StateTx,
  ctx: Pick<EventContext, 'id' | 'event'> | Actor,
  input: { key: string; amount: bigint | number | string; memo?: string },
): Promise<ReservationRecord> {
  const actor = 'event' in ctx ? actorOf(ctx) : ctx
  checkReservationKey(input.key)
  const amount = parseAmount(input.amount, 'reservation')
  const handle = await openAccount(tx, actor)
  if ((await readReservation(tx, handle.economy, actor.author, input.key)) !== undefined) {
    throw new IcnError('ECONOMICS_RESERVATION_EXISTS', `A reservation for ${input.key} already exists.`)
  }
  if (handle.account.balance < amount)
    throw insufficientMana(amount, handle.account, handle.mana, handle.economy, 'This reservation')
  handle.account = {
    ...handle.account,
    balance: handle.account.balance - amount,
    reserved: handle.account.reserved + amount,
  }
  saveAccount(tx, actor, handle)
  const record: ReservationRecord = { key: input.key, amount, ts: actor.ts, by: actor.id }
  tx.put(econKeys.reservation(handle.economy, actor.author, input.key), record)
  writeHistory(
    tx,
    handle.economy,
    actor.author,
    entry(
      actor,
      { kind: 'reserve', direction: 'out', amount, memo: input.memo ?? input.key },
      handle.account.balance,
    ),
  )
  return record
}

async function takeReservation(
  tx: StateTx,
  actor: Actor,
  key: string,
): Promise<{ handle: AccountHandle; record: ReservationRecord }> {
  checkReservationKey(key)
  const handle = await openAccount(tx, actor)
  const record = await readReservation(tx, handle.economy, actor.author, key)
  if (record === undefined) {
    throw new IcnError(
      'ECONOMICS_UNKNOWN_RESERVATION',
      `You have no reservation for ${key} in this economy (already settled or released?).`,
    )
  }
  tx.del(econKeys.reservation(handle.economy, actor.author, key))
  return { handle, record }
}

/**
 * Settles the author's reservation `key`: pays `price` (≤ the reserved amount) to `to` as a settlement credit
 * and returns the remainder to the author's available mana. A price of 0 pays nothing.
 */
export async function settleReservation(
  tx: StateTx,
  ctx: Pick<EventContext, 'id' | 'event'> | Actor,
  input: { key: string; to: string; price: bigint | number | string; memo?: string },
): Promise<{ credit: CreditRecord | null; refunded: bigint }> {
  const actor = 'event' in ctx ? actorOf(ctx) : ctx
  const price = parseAmount(input.price, 'price', { allowZero: true })
  if (!isDidKey(input.to) || input.to === actor.author) {
    throw new IcnError('ECONOMICS_INVALID_RECIPIENT', 'A settlement pays another member (a did:key).')
  }
  const { handle, record } = await takeReservation(tx, actor, input.key)
  if (price > record.amount) {
    throw new IcnError(
      'ECONOMICS_INVALID_AMOUNT',
      `The price ${price} is more than the ${record.amount} reserved for ${input.key}.`,
    )
  }
  const refunded = record.amount - price
  handle.account = {
    ...handle.account,
    balance: handle.account.balance + refunded,
    reserved: handle.account.reserved - record.amount,
  }
  saveAccount(tx, actor, handle)
  const memo = input.memo ?? input.key
  if (price > 0n) {
    writeHistory(
      tx,
      handle.economy,
      actor.author,
      entry(
        actor,
        { kind: 'settlement', direction: 'out', amount: price, counterparty: input.to, memo },
        handle.account.balance,
      ),
    )
  }
  if (refunded > 0n) {
    writeHistory(
      tx,
      handle.economy,
      actor.author,
      entry(actor, { kind: 'release', direction: 'in', amount: refunded, memo }, handle.account.balance),
    )
  }
  const credit =
    price > 0n
      ? await createCredit(tx, actor, { kind: 'settlement', to: input.to, amount: price, memo })
      : null
  return { credit, refunded }
}

/** Cancels the author's reservation `key`: everything returns to available. */
export async function releaseReservation(
  tx: StateTx,
  ctx: Pick<EventContext, 'id' | 'event'> | Actor,
  input: { key: string; memo?: string },
): Promise<bigint> {
  const actor = 'event' in ctx ? actorOf(ctx) : ctx
  const { handle, record } = await takeReservation(tx, actor, input.key)
  handle.account = {
    ...handle.account,
    balance: handle.account.balance + record.amount,
    reserved: handle.account.reserved - record.amount,
  }
  saveAccount(tx, actor, handle)
  writeHistory(
    tx,
    handle.economy,
    actor.author,
    entry(
      actor,
      { kind: 'release', direction: 'in', amount: record.amount, memo: input.memo ?? input.key },
      handle.account.balance,
    ),
  )
  return record.amount
}

// ---- reputation -------------------------------------------------------------------------------------------------

/**
 * Weights of outcomes in the score (documented in docs/economics.md): a failure (a wrong or invalid result)
 * weighs as much as three successes, a timeout as two.
 */
export const REPUTATION_WEIGHTS = { success: 1, failure: 3, timeout: 2 } as const

/**
 * Score from 0 to 1000: ⌊1000·(S + 1) / (S + 3F + 2T + 2)⌋. A newcomer scores 500; successes raise it towards
 * 1000, failures and timeouts pull it down. Integer arithmetic, so every node computes the same score.
 */
export function reputationScore(r: Pick<ReputationRecord, 'successes' | 'failures' | 'timeouts'>): number {
  const s = BigInt(r.successes)
  const weighted =
    s * BigInt(REPUTATION_WEIGHTS.success) +
    BigInt(r.failures) * BigInt(REPUTATION_WEIGHTS.failure) +
    BigInt(r.timeouts) * BigInt(REPUTATION_WEIGHTS.timeout)
  return Number((1000n * (s + 1n)) / (weighted + 2n))
}

export async function readReputation(
  view: StateView,
  economy: string,
  did: string,
): Promise<ReputationRecord> {
  const raw = await view.get<ReputationRecord>(econKeys.reputation(economy, did))
  return raw === undefined
    ? { successes: 0, failures: 0, timeouts: 0, last: 0 }
    : {
        successes: Number(raw.successes),
        failures: Number(raw.failures),
        timeouts: Number(raw.timeouts),
        last: Number(raw.last),
      }
}

const OUTCOME_KEY = RESERVATION_KEY

/**
 * Records the outcome of work `subject` did for the event's author (a verified receipt, a failed verification,
 * a timeout), once per (author, key). Counters add up, so any order of outcomes gives the same reputation.
 */
export async function recordOutcome(
  tx: StateTx,
  ctx: Pick<EventContext, 'id' | 'event'> | Actor,
  input: { subject: string; outcome: Outcome; key: string },
): Promise<ReputationRecord> {
  const actor = 'event' in ctx ? actorOf(ctx) : ctx
  if (!OUTCOMES.includes(input.outcome)) {
    throw new IcnError('INVALID_ARGUMENT', `An outcome is one of ${OUTCOMES.join(', ')}.`)
  }
  if (!isDidKey(input.subject) || input.subject === actor.author) {
    throw new IcnError('INVALID_ARGUMENT', 'Outcomes are recorded about another member (a did:key).')
  }
  if (typeof input.key !== 'string' || !OUTCOME_KEY.test(input.key)) {
    throw new IcnError(
      'INVALID_ARGUMENT',
      'An outcome key is 1–120 characters of A–Z, a–z, 0–9, ":", ".", "_", "-".',
    )
  }
  const marker = econKeys.outcome(actor.author, input.key)
  if ((await tx.get(marker)) !== undefined) {
    throw new IcnError('ECONOMICS_OUTCOME_RECORDED', `An outcome for ${input.key} was already recorded.`)
  }
  const { economy } = await economyParams(tx, actor.scope)
  const current = await readReputation(tx, economy, input.subject)
  const next: ReputationRecord = {
    successes: current.successes + (input.outcome === 'success' ? 1 : 0),
    failures: current.failures + (input.outcome === 'failure' ? 1 : 0),
    timeouts: current.timeouts + (input.outcome === 'timeout' ? 1 : 0),
    last: Math.max(current.last, actor.ts),
  }
  tx.put(marker, { subject: input.subject, outcome: input.outcome, economy })
  tx.put(econKeys.reputation(economy, input.subject), next)
  notify(tx, { type: 'reputation', did: input.subject, economy, event: actor.id })
  return next
}

// ---- tokens (shared by handlers and grants) --------------------------------------------------------------------

export async function readClass(view: StateView, classId: string): Promise<TokenClassRecord | undefined> {
  const raw = await view.get<TokenClassRecord>(econKeys.tokenClass(classId))
  return raw === undefined ? undefined : { ...raw, decimals: Number(raw.decimals) }
}

export async function requireClass(view: StateView, classId: string): Promise<TokenClassRecord> {
  const record = await readClass(view, classId)
  if (record === undefined) {
    throw new IcnError('ECONOMICS_UNKNOWN_TOKEN_CLASS', `There is no token class ${classId.slice(0, 80)}.`, {
      details: { class: classId.slice(0, 100) },
    })
  }
  return record
}

export async function addSupply(tx: StateTx, classId: string, minted: bigint, burned: bigint): Promise<void> {
  const key = econKeys.supply(classId)
  const raw = await tx.get<{ minted: bigint | number; burned: bigint | number }>(key)
  const totalMinted = big(raw?.minted) + minted
  if (totalMinted > MAX_AMOUNT) {
    throw new IcnError('ECONOMICS_INVALID_AMOUNT', `The class would exceed ${MAX_AMOUNT} units in total.`)
  }
  tx.put(key, { minted: totalMinted, burned: big(raw?.burned) + burned })
}

export async function readSupply(
  view: StateView,
  classId: string,
): Promise<{ minted: bigint; burned: bigint }> {
  const raw = await view.get<{ minted: bigint | number; burned: bigint | number }>(econKeys.supply(classId))
  return { minted: big(raw?.minted), burned: big(raw?.burned) }
}

/** Adds tokens to the author's own holdings (receipts, mints to self). */
export async function addTokens(
  tx: StateTx,
  actor: Actor,
  klass: TokenClassRecord,
  amount: bigint,
  items: NftItem[] | null,
  input: Omit<EntryInput, 'amount' | 'direction' | 'asset' | 'symbol' | 'items'>,
): Promise<void> {
  const { economy } = await economyParams(tx, actor.scope)
  if (klass.fungible) {
    const key = econKeys.tokenBalance(actor.author, klass.id)
    const balance = big(await tx.get(key)) + amount
    if (balance > MAX_AMOUNT)
      throw new IcnError(
        'ECONOMICS_INVALID_AMOUNT',
        `The balance would exceed ${MAX_AMOUNT}; burn or send some first.`,
      )
    tx.put(key, balance)
  } else {
    for (const item of items ?? [])
      tx.put(econKeys.holding(actor.author, klass.id, item.id), { metadata: item.metadata })
  }
  writeHistory(
    tx,
    economy,
    actor.author,
    entry(
      actor,
      {
        ...input,
        amount,
        direction: 'in',
        asset: klass.id,
        symbol: klass.symbol,
        items: items === null ? null : items.map((i) => i.id),
      },
      null,
    ),
  )
  notify(tx, { type: 'balance', did: actor.author, economy, asset: klass.id, event: actor.id })
}

/**
 * Takes tokens from the author's holdings (transfers, burns); ECONOMICS_INSUFFICIENT_TOKENS when it holds fewer.
 * Returns the items taken (with their metadata) for non-fungible classes.
 */
export async function takeTokens(
  tx: StateTx,
  actor: Actor,
  klass: TokenClassRecord,
  amount: bigint,
  ids: string[] | null,
  input: Omit<EntryInput, 'amount' | 'direction' | 'asset' | 'symbol' | 'items'> | null,
): Promise<NftItem[] | null> {
  let taken: NftItem[] | null = null
  if (klass.fungible) {
    const key = econKeys.tokenBalance(actor.author, klass.id)
    const balance = big(await tx.get(key))
    if (balance < amount) {
      throw new IcnError(
        'ECONOMICS_INSUFFICIENT_TOKENS',
        `You hold ${balance} ${klass.symbol} (base units) but this needs ${amount}.`,
        { details: { class: klass.id, needed: amount.toString(), available: balance.toString() } },
      )
    }
    if (balance === amount) tx.del(key)
    else tx.put(key, balance - amount)
  } else {
    taken = []
    for (const id of ids ?? []) {
      const key = econKeys.holding(actor.author, klass.id, id)
      const held = await tx.get<{ metadata: string | null }>(key)
      if (held === undefined) {
        throw new IcnError('ECONOMICS_INSUFFICIENT_TOKENS', `You do not hold ${klass.symbol} #${id}.`, {
          details: { class: klass.id, id },
        })
      }
      taken.push({ id, metadata: held.metadata })
      tx.del(key)
    }
  }
  if (input !== null) {
    const { economy } = await economyParams(tx, actor.scope)
    writeHistory(
      tx,
      economy,
      actor.author,
      entry(
        actor,
        { ...input, amount, direction: 'out', asset: klass.id, symbol: klass.symbol, items: ids },
        null,
      ),
    )
    notify(tx, { type: 'balance', did: actor.author, economy, asset: klass.id, event: actor.id })
  }
  return taken
}

// ---- governance grants ------------------------------------------------------------------------------------------------

/** What governance passes when a budget proposal executes (see core/governance GrantExecutor). */
export interface GrantRequest {
  scope: string
  to: string
  asset: 'mana' | 'token'
  token: string | null
  amount: bigint
  memo: string
  proposal: string
  /** The result event executing the proposal: the credit's source, which the recipient's receive depends on. */
  result: string
  ts: number
}

/**
 * Credits a passed budget proposal inside the result event's transaction: new mana (only the economy's own
 * scope may create mana) or new units of a fungible class whose issuer allowed its scope to mint. The recipient
 * acknowledges it like any other credit.
 */
export async function creditGrant(tx: StateTx, grant: GrantRequest): Promise<CreditRecord> {
  const amount = parseAmount(grant.amount, 'grant')
  const actor: Actor = { id: grant.result, author: grant.scope, scope: grant.scope, ts: grant.ts }
  const memo = (grant.memo === '' ? `grant ${grant.proposal}` : grant.memo).slice(0, MEMO_MAX)
  if (grant.asset === 'mana') {
    const { economy } = await economyParams(tx, grant.scope)
    if (economy !== grant.scope) {
      throw new IcnError(
        'INVALID_ARGUMENT',
        `Mana of this economy belongs to ${economy}; only its own proposals can grant it.`,
      )
    }
    return createCredit(tx, actor, { kind: 'grant', to: grant.to, amount, memo, from: grant.scope })
  }
  const klass = await requireClass(tx, grant.token ?? '')
  if (!klass.fungible || !klass.scopeMint || klass.scope !== grant.scope) {
    throw new IcnError(
      'ECONOMICS_NOT_ISSUER',
      `Proposals of ${grant.scope} cannot mint ${klass.symbol}: its issuer did not allow scope minting${klass.fungible ? '' : ' (and it is non-fungible)'}.`,
    )
  }
  await addSupply(tx, klass.id, amount, 0n)
  return createCredit(tx, actor, {
    kind: 'grant',
    to: grant.to,
    asset: klass.id,
    amount,
    memo,
    from: grant.scope,
  })
}
