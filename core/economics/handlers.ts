/**
 * The ledger's event types and its fee hook. Bodies are checked structurally in parseBody (a malformed body is
 * rejected and never stored); state rules (balances, membership, classes) run in validate, so a received event
 * that breaks one is stored void and changes nothing, identically on every node (docs/decisions.md).
 */
import { Attached } from '../attached'
import type { EventContext, EventHook, EventTypeHandler, StateTx, StateView } from '../dag'
import type { CID } from '../dag/codec'
import { DAG_CBOR, asCid, cidText } from '../dag/codec'
import type { SignedEvent } from '../dag/event'
import { IcnError } from '../errors'
import { isDidKey } from '../identity/did'
import { EVENT_COSTS } from '../params'
import { isMember } from '../scope'
import { parseAmount } from './amounts'
import { econKeys, indexKeys } from './keys'
import {
  actorOf,
  addSupply,
  addTokens,
  bindNotifier,
  checkAvailable,
  checkReceivable,
  createCredit,
  creditId,
  debitMana,
  markReceived,
  readReputation,
  receiveMana,
  reputationScore,
  requireClass,
  takeTokens,
  type LedgerChange,
} from './ledger'
import { accountAt, economyParams, insufficientMana } from './mana'
import type { FeePolicy } from './index'
import type { CreditRecord, NftItem, TokenClassRecord } from './types'

export const ECONOMICS_EVENT_TYPES = {
  manaTransfer: 'mana/transfer',
  manaReceive: 'mana/receive',
  tokenClass: 'token/class',
  tokenMint: 'token/mint',
  tokenTransfer: 'token/transfer',
  tokenReceive: 'token/receive',
  tokenBurn: 'token/burn',
} as const

export const MEMO_MAX = 280
const SYMBOL = /^[A-Za-z][A-Za-z0-9]{0,11}$/
const TOKEN_ID = /^[A-Za-z0-9._-]{1,64}$/
const MAX_ITEMS = 64
const MAX_CREDIT_INDEX = 255

// ---- body parsing -------------------------------------------------------------------------------------------

function malformed(type: string, shape: string): IcnError {
  return new IcnError('DAG_INVALID_EVENT', `A ${type} body is ${shape}.`)
}

function fields(body: unknown, type: string, shape: string, ...allowed: string[][]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array)
    throw malformed(type, shape)
  // Exactly one of the allowed key sets (a decoded map has no duplicate keys, so count + membership is equality).
  const count = Object.keys(body).length
  if (!allowed.some((set) => set.length === count && set.every((k) => Object.hasOwn(body, k))))
    throw malformed(type, shape)
  return body as Record<string, unknown>
}

/** DIDs already checked (parsing a did:key decodes base58); bounded, cleared when full. */
const knownDids = new Set<string>()

function isMemberDid(value: unknown): value is string {
  if (typeof value === 'string' && knownDids.has(value)) return true
  if (!isDidKey(value)) return false
  if (knownDids.size >= 4096) knownDids.clear()
  knownDids.add(value)
  return true
}

function recipient(value: unknown, author: string): string {
  if (!isMemberDid(value)) {
    throw new IcnError(
      'ECONOMICS_INVALID_RECIPIENT',
      `"${String(value).slice(0, 80)}" is not a member DID (did:key:z6Mk…).`,
    )
  }
  if (value === author) throw new IcnError('ECONOMICS_INVALID_RECIPIENT', 'You cannot send to yourself.')
  return value
}

function memo(value: unknown): string {
  if (typeof value !== 'string' || value.length > MEMO_MAX)
    throw new IcnError('INVALID_ARGUMENT', `A memo is text of at most ${MEMO_MAX} characters.`)
  return value
}

function eventLink(value: unknown, what: string): CID {
  const cid = asCid(value)
  if (cid === null || cid.version !== 1 || cid.code !== DAG_CBOR)
    throw new IcnError('DAG_INVALID_EVENT', `${what} must be the CID of an event.`)
  return cid
}

function optionalCid(value: unknown, what: string): CID | null {
  if (value === null) return null
  const cid = asCid(value)
  if (cid === null) throw new IcnError('DAG_INVALID_EVENT', `${what} must be a CID or null.`)
  return cid
}

function tokenIds(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ITEMS)
    throw new IcnError('ECONOMICS_INVALID_AMOUNT', `Give 1–${MAX_ITEMS} token ids.`)
  const seen = new Set<string>()
  for (const id of value) {
    if (typeof id !== 'string' || !TOKEN_ID.test(id))
      throw new IcnError(
        'ECONOMICS_INVALID_AMOUNT',
        'A token id is 1–64 characters of A–Z, a–z, 0–9, ".", "_", "-".',
      )
    if (seen.has(id)) throw new IcnError('ECONOMICS_INVALID_AMOUNT', `Token id ${id} is listed twice.`)
    seen.add(id)
  }
  return value as string[]
}

export interface TransferBody {
  to: string
  amount: bigint
  memo: string
}

/** One credit a receive acknowledges: its source event and its index among that event's credits. */
export interface CreditRef {
  source: CID
  index: number
}

export interface ReceiveBody {
  credits: CreditRef[]
}

export interface ClassBody {
  symbol: string
  name: string
  decimals: number
  fungible: boolean
  transferable: boolean
  metadata: CID | null
  scopeMint: boolean
}

export interface MintBody {
  class: CID
  to: string
  amount?: bigint
  items?: { id: string; metadata: CID | null }[]
}

export interface TokenTransferBody {
  class: CID
  to: string
  amount?: bigint
  ids?: string[]
  memo: string
}

export interface BurnBody {
  class: CID
  amount?: bigint
  ids?: string[]
}

export function parseTransfer(body: unknown, event: Pick<SignedEvent, 'author'>): TransferBody {
  const b = fields(body, 'mana/transfer', '{to, amount, memo}', ['to', 'amount', 'memo'])
  return { to: recipient(b['to'], event.author), amount: parseAmount(b['amount']), memo: memo(b['memo']) }
}

/** Credits one receive may acknowledge (each source is a dependency of the receive). */
export const MAX_RECEIVE_CREDITS = 64

export function parseReceive(body: unknown, type = 'mana/receive'): ReceiveBody {
  const shape = `{credits: [{source (event CID), index (0–${MAX_CREDIT_INDEX})}] (1–${MAX_RECEIVE_CREDITS})}`
  const b = fields(body, type, shape, ['credits'])
  const list = b['credits']
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_RECEIVE_CREDITS)
    throw malformed(type, shape)
  const seen = new Set<string>()
  const credits = list.map((item: unknown) => {
    const c = fields(item, type, shape, ['source', 'index'])
    const index = c['index']
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_CREDIT_INDEX)
      throw malformed(type, shape)
    const source = eventLink(c['source'], 'source')
    const id = creditId(cidText(source), index)
    if (seen.has(id)) throw new IcnError('DAG_INVALID_EVENT', `A ${type} lists the credit ${id} twice.`)
    seen.add(id)
    return { source, index }
  })
  return { credits }
}

/** The distinct source events of a receive: its dependencies. */
function receiveDeps(body: ReceiveBody): CID[] {
  const out = new Map<string, CID>()
  for (const c of body.credits) out.set(cidText(c.source), c.source)
  return [...out.values()]
}

export function parseClass(body: unknown): ClassBody {
  const shape = '{symbol, name, decimals, fungible, transferable, metadata, scopeMint}'
  const b = fields(body, 'token/class', shape, [
    'symbol',
    'name',
    'decimals',
    'fungible',
    'transferable',
    'metadata',
    'scopeMint',
  ])
  const symbol = b['symbol']
  if (typeof symbol !== 'string' || !SYMBOL.test(symbol) || symbol.toLowerCase() === 'mana') {
    throw new IcnError(
      'INVALID_ARGUMENT',
      'A token symbol is 1–12 letters and digits starting with a letter (and not "mana").',
    )
  }
  const name = b['name']
  if (typeof name !== 'string' || name.length > 64)
    throw new IcnError('INVALID_ARGUMENT', 'A token name is at most 64 characters.')
  const { fungible, transferable, scopeMint, decimals } = b
  if (typeof fungible !== 'boolean' || typeof transferable !== 'boolean' || typeof scopeMint !== 'boolean')
    throw malformed('token/class', shape + ' with boolean flags')
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 18)
    throw new IcnError('INVALID_ARGUMENT', 'decimals is a whole number from 0 to 18.')
  if (!fungible && (decimals !== 0 || scopeMint))
    throw new IcnError(
      'INVALID_ARGUMENT',
      'Non-fungible classes have 0 decimals and are minted by their issuer only.',
    )
  return {
    symbol,
    name,
    decimals,
    fungible,
    transferable,
    scopeMint,
    metadata: optionalCid(b['metadata'], 'metadata'),
  }
}

export function parseMint(body: unknown): MintBody {
  const shape = '{class, to, amount} or {class, to, items: [{id, metadata}]}'
  const b = fields(body, 'token/mint', shape, ['class', 'to', 'amount'], ['class', 'to', 'items'])
  const to = b['to']
  if (!isMemberDid(to))
    throw new IcnError(
      'ECONOMICS_INVALID_RECIPIENT',
      `"${String(to).slice(0, 80)}" is not a member DID (did:key:z6Mk…).`,
    )
  const klass = eventLink(b['class'], 'class')
  if ('amount' in b) return { class: klass, to, amount: parseAmount(b['amount']) }
  const raw = b['items']
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ITEMS)
    throw new IcnError('ECONOMICS_INVALID_AMOUNT', `Mint 1–${MAX_ITEMS} tokens at a time.`)
  const items = raw.map((item: unknown) => {
    const i = fields(item, 'token/mint', shape, ['id', 'metadata'])
    return { id: i['id'] as string, metadata: optionalCid(i['metadata'], 'metadata') }
  })
  tokenIds(items.map((i) => i.id))
  return { class: klass, to, items }
}

export function parseTokenTransfer(body: unknown, event: Pick<SignedEvent, 'author'>): TokenTransferBody {
  const shape = '{class, to, amount, memo} or {class, to, ids, memo}'
  const b = fields(
    body,
    'token/transfer',
    shape,
    ['class', 'to', 'amount', 'memo'],
    ['class', 'to', 'ids', 'memo'],
  )
  const base = {
    class: eventLink(b['class'], 'class'),
    to: recipient(b['to'], event.author),
    memo: memo(b['memo']),
  }
  return 'amount' in b ? { ...base, amount: parseAmount(b['amount']) } : { ...base, ids: tokenIds(b['ids']) }
}

export function parseBurn(body: unknown): BurnBody {
  const b = fields(
    body,
    'token/burn',
    '{class, amount} or {class, ids}',
    ['class', 'amount'],
    ['class', 'ids'],
  )
  const klass = eventLink(b['class'], 'class')
  return 'amount' in b
    ? { class: klass, amount: parseAmount(b['amount']) }
    : { class: klass, ids: tokenIds(b['ids']) }
}

// ---- shared rules -----------------------------------------------------------------------------------------------

async function requireMember(view: StateView, scope: string, did: string): Promise<void> {
  if (!(await isMember(view, scope, did))) {
    throw new IcnError(
      'ECONOMICS_NOT_A_MEMBER',
      `You are not a member of ${scope}; only members can use its ledger.`,
    )
  }
}

async function requireRecipientMember(view: StateView, scope: string, did: string): Promise<void> {
  if (!(await isMember(view, scope, did))) {
    throw new IcnError('ECONOMICS_INVALID_RECIPIENT', `${did} is not a member of ${scope}.`)
  }
}

/**
 * The fee `author` pays for an event of `type` in `scope` at `ts`: the fee policy's answer (a scope's `mana_cost`
 * policy, composed by the node) when there is one, else the type's cost parameter; 0 for types without a cost. A
 * policy answer outside 0..`mana.capacity` is replaced by the parameter (the policy side records why).
 */
export async function feeFor(
  view: StateView,
  input: { type: string; scope: string; author: string; ts: number },
  policy?: FeePolicy,
  quote = false,
): Promise<bigint> {
  if (!Object.hasOwn(EVENT_COSTS, input.type)) return 0n
  const param = EVENT_COSTS[input.type]!
  const { economy, params, mana } = await economyParams(view, input.scope)
  const fallback = params[param]
  if (policy === undefined) return fallback
  const { author, ts } = input
  const fee = await policy(view, {
    scope: input.scope,
    economy,
    action: param.slice(param.indexOf('.') + 1),
    actor: author,
    ts,
    fallback,
    cap: mana.capacity,
    available: async () => (await accountAt(view, economy, author, ts, mana)).account.balance,
    reputation: async () => BigInt(reputationScore(await readReputation(view, economy, author))),
    ...(quote ? { quote: true } : {}),
  })
  return typeof fee === 'bigint' && fee >= 0n && fee <= mana.capacity ? fee : fallback
}

/** The fee of an event being applied (see `eventFees`). */
export type EventFee = (view: StateView, ctx: EventContext<unknown>) => Promise<bigint>

/**
 * Fees of events being applied, computed once per event application: the fee hook's validate computes it, and its
 * apply and the transfer rule (which checks amount + fee) reuse that value, so the check and the debit can never
 * disagree. All three read the same state (the event's transaction before its own writes).
 */
export function eventFees(policy?: FeePolicy): EventFee {
  const memo = new Attached<object, bigint>('event fee')
  return async (view, ctx) => {
    const hit = memo.get(ctx)
    if (hit !== undefined) return hit
    const { type, scope, author, ts } = ctx.event
    const fee = await feeFor(view, { type, scope, author, ts }, policy)
    memo.set(ctx, fee)
    return fee
  }
}

/** Token rules common to mint, transfer and burn: the class exists and lives in the event's scope. */
async function classFor(view: StateView, classCid: CID, scope: string): Promise<TokenClassRecord> {
  const klass = await requireClass(view, classCid.toString())
  if (klass.scope !== scope) {
    throw new IcnError(
      'ECONOMICS_UNKNOWN_TOKEN_CLASS',
      `${klass.symbol} belongs to scope ${klass.scope}; use it there.`,
      { details: { class: klass.id } },
    )
  }
  return klass
}

function checkShape(klass: TokenClassRecord, hasAmount: boolean): void {
  if (klass.fungible !== hasAmount) {
    throw new IcnError(
      'ECONOMICS_INVALID_AMOUNT',
      klass.fungible
        ? `${klass.symbol} is fungible: give an amount, not token ids.`
        : `${klass.symbol} is non-fungible: give token ids, not an amount.`,
    )
  }
}

// ---- handlers -------------------------------------------------------------------------------------------------------

const transferHandler = (fees: EventFee): EventTypeHandler<TransferBody> => ({
  parseBody: (body, event) => parseTransfer(body, event),
  async validate(ctx, view) {
    const { scope, author } = ctx.event
    await requireMember(view, scope, author)
    await requireRecipientMember(view, scope, ctx.body.to)
    const handle = await checkAvailable(view, ctx, 0n)
    if (ctx.body.amount > handle.mana.capacity) {
      throw new IcnError(
        'ECONOMICS_INVALID_AMOUNT',
        `A transfer is at most the capacity of ${handle.mana.capacity} mana; send it in several parts.`,
        { details: { capacity: handle.mana.capacity.toString() } },
      )
    }
    const fee = await fees(view, ctx)
    const needed = ctx.body.amount + fee
    if (handle.account.balance < needed)
      throw insufficientMana(
        needed,
        handle.account,
        handle.mana,
        handle.economy,
        fee > 0n ? 'This transfer with its fee' : 'This transfer',
      )
  },
  async apply(ctx, tx) {
    const actor = actorOf(ctx)
    await debitMana(tx, actor, ctx.body.amount, {
      kind: 'transfer',
      counterparty: ctx.body.to,
      memo: ctx.body.memo,
    })
    await createCredit(tx, actor, {
      kind: 'transfer',
      to: ctx.body.to,
      amount: ctx.body.amount,
      memo: ctx.body.memo,
    })
  },
})

/** Credits a receive's validate found payable, reused by its apply in the same transaction. */
const checked = new Attached<EventContext<ReceiveBody>, CreditRecord[]>('receivable credits')

async function receivable(
  view: StateView,
  ctx: EventContext<ReceiveBody>,
  family: 'mana' | 'token',
): Promise<CreditRecord[]> {
  const memo = checked.get(ctx)
  if (memo !== undefined) return memo
  const actor = actorOf(ctx)
  const out: CreditRecord[] = []
  // All or nothing: a receive that lists one credit it may not take is void as a whole.
  for (const c of ctx.body.credits)
    out.push(await checkReceivable(view, actor, creditId(cidText(c.source), c.index), family))
  checked.set(ctx, out)
  return out
}

const manaReceiveHandler: EventTypeHandler<ReceiveBody> = {
  parseBody: (body) => parseReceive(body, 'mana/receive'),
  deps: receiveDeps,
  async validate(ctx, view) {
    await receivable(view, ctx, 'mana')
  },
  async apply(ctx, tx) {
    await receiveMana(tx, actorOf(ctx), await receivable(tx, ctx, 'mana'))
  },
}

const classHandler: EventTypeHandler<ClassBody> = {
  parseBody: (body) => parseClass(body),
  async validate(ctx, view) {
    const { scope, author } = ctx.event
    await requireMember(view, scope, author)
    if ((await view.get(econKeys.symbol(scope, author, ctx.body.symbol.toUpperCase()))) !== undefined) {
      throw new IcnError(
        'ECONOMICS_TOKEN_CLASS_EXISTS',
        `You already issue a class with the symbol ${ctx.body.symbol} in this scope.`,
      )
    }
  },
  async apply(ctx, tx) {
    const { scope, author, ts } = ctx.event
    const b = ctx.body
    const record: TokenClassRecord = {
      id: ctx.id,
      scope,
      issuer: author,
      symbol: b.symbol,
      name: b.name,
      decimals: b.decimals,
      fungible: b.fungible,
      transferable: b.transferable,
      metadata: b.metadata?.toString() ?? null,
      scopeMint: b.scopeMint,
      createdAt: ts,
    }
    tx.put(econKeys.tokenClass(ctx.id), record)
    tx.put(econKeys.symbol(scope, author, b.symbol.toUpperCase()), ctx.id)
    tx.put(econKeys.supply(ctx.id), { minted: 0n, burned: 0n })
    tx.putIndex(indexKeys.classes(scope) + ctx.id, { issuer: author, symbol: b.symbol })
  },
}

const mintHandler: EventTypeHandler<MintBody> = {
  parseBody: (body) => parseMint(body),
  deps: (body) => [body.class],
  async validate(ctx, view) {
    await mintRules(ctx, view)
  },
  async apply(ctx, tx) {
    const klass = await mintRules(ctx, tx)
    const actor = actorOf(ctx)
    const items: NftItem[] | null =
      ctx.body.items?.map((i) => ({ id: i.id, metadata: i.metadata?.toString() ?? null })) ?? null
    const amount = ctx.body.amount ?? BigInt(items?.length ?? 0)
    await addSupply(tx, klass.id, amount, 0n)
    for (const item of items ?? [])
      tx.put(econKeys.nft(klass.id, item.id), { metadata: item.metadata, mintedBy: ctx.id })
    if (ctx.body.to === ctx.event.author) {
      await addTokens(tx, actor, klass, amount, items, { kind: 'mint' })
    } else {
      await createCredit(tx, actor, {
        kind: 'mint',
        to: ctx.body.to,
        asset: klass.id,
        amount,
        ...(items === null ? {} : { items }),
      })
    }
  },
}

async function mintRules(ctx: EventContext<MintBody>, view: StateView): Promise<TokenClassRecord> {
  const { scope, author } = ctx.event
  const klass = await classFor(view, ctx.body.class, scope)
  if (klass.issuer !== author)
    throw new IcnError('ECONOMICS_NOT_ISSUER', `Only ${klass.symbol}'s issuer can mint it.`, {
      details: { issuer: klass.issuer },
    })
  checkShape(klass, ctx.body.amount !== undefined)
  if (ctx.body.to !== author) await requireRecipientMember(view, scope, ctx.body.to)
  for (const item of ctx.body.items ?? []) {
    if ((await view.get(econKeys.nft(klass.id, item.id))) !== undefined)
      throw new IcnError('ECONOMICS_TOKEN_EXISTS', `${klass.symbol} #${item.id} was already minted.`)
  }
  return klass
}

const tokenTransferHandler: EventTypeHandler<TokenTransferBody> = {
  parseBody: (body, event) => parseTokenTransfer(body, event),
  deps: (body) => [body.class],
  async validate(ctx, view) {
    await tokenTransferRules(ctx, view)
  },
  async apply(ctx, tx) {
    const klass = await tokenTransferRules(ctx, tx)
    const actor = actorOf(ctx)
    const amount = ctx.body.amount ?? BigInt(ctx.body.ids?.length ?? 0)
    const items = await takeTokens(tx, actor, klass, amount, ctx.body.ids ?? null, {
      kind: 'transfer',
      counterparty: ctx.body.to,
      memo: ctx.body.memo,
    })
    await createCredit(tx, actor, {
      kind: 'transfer',
      to: ctx.body.to,
      asset: klass.id,
      amount,
      memo: ctx.body.memo,
      ...(items === null ? {} : { items }),
    })
  },
}

async function tokenTransferRules(
  ctx: EventContext<TokenTransferBody>,
  view: StateView,
): Promise<TokenClassRecord> {
  const { scope, author } = ctx.event
  await requireMember(view, scope, author)
  const klass = await classFor(view, ctx.body.class, scope)
  checkShape(klass, ctx.body.amount !== undefined)
  if (!klass.transferable && klass.issuer !== author) {
    throw new IcnError(
      'ECONOMICS_NOT_TRANSFERABLE',
      `${klass.symbol} cannot be transferred; only its issuer hands it out.`,
    )
  }
  await requireRecipientMember(view, scope, ctx.body.to)
  await checkHoldings(view, ctx.event.author, klass, ctx.body.amount, ctx.body.ids)
  return klass
}

async function checkHoldings(
  view: StateView,
  did: string,
  klass: TokenClassRecord,
  amount: bigint | undefined,
  ids: string[] | undefined,
): Promise<void> {
  if (amount !== undefined) {
    const raw = await view.get<bigint | number>(econKeys.tokenBalance(did, klass.id))
    const balance = raw === undefined ? 0n : BigInt(raw)
    if (balance < amount) {
      throw new IcnError(
        'ECONOMICS_INSUFFICIENT_TOKENS',
        `You hold ${balance} ${klass.symbol} (base units) but this needs ${amount}.`,
        { details: { class: klass.id, needed: amount.toString(), available: balance.toString() } },
      )
    }
  }
  for (const id of ids ?? []) {
    if ((await view.get(econKeys.holding(did, klass.id, id))) === undefined)
      throw new IcnError('ECONOMICS_INSUFFICIENT_TOKENS', `You do not hold ${klass.symbol} #${id}.`, {
        details: { class: klass.id, id },
      })
  }
}

const tokenReceiveHandler: EventTypeHandler<ReceiveBody> = {
  parseBody: (body) => parseReceive(body, 'token/receive'),
  deps: receiveDeps,
  async validate(ctx, view) {
    for (const credit of await receivable(view, ctx, 'token')) await requireClass(view, credit.asset)
  },
  async apply(ctx, tx) {
    const actor = actorOf(ctx)
    for (const credit of await receivable(tx, ctx, 'token')) {
      const klass = await requireClass(tx, credit.asset)
      markReceived(tx, actor, credit)
      await addTokens(tx, actor, klass, credit.amount, credit.items, {
        kind: credit.kind,
        counterparty: credit.from,
        memo: credit.memo,
      })
    }
  },
}

const burnHandler: EventTypeHandler<BurnBody> = {
  parseBody: (body) => parseBurn(body),
  deps: (body) => [body.class],
  async validate(ctx, view) {
    const klass = await classFor(view, ctx.body.class, ctx.event.scope)
    checkShape(klass, ctx.body.amount !== undefined)
    await checkHoldings(view, ctx.event.author, klass, ctx.body.amount, ctx.body.ids)
  },
  async apply(ctx, tx) {
    const klass = await classFor(tx, ctx.body.class, ctx.event.scope)
    const amount = ctx.body.amount ?? BigInt(ctx.body.ids?.length ?? 0)
    await takeTokens(tx, actorOf(ctx), klass, amount, ctx.body.ids ?? null, { kind: 'burn' })
    await addSupply(tx, klass.id, 0n, amount)
  },
}

/** The ledger's event types; `fees` is the node's fee rule (the same one its fee hook uses). */
export const economicsHandlers = (fees: EventFee): Record<string, EventTypeHandler<never>> => ({
  [ECONOMICS_EVENT_TYPES.manaTransfer]: transferHandler(fees) as EventTypeHandler<never>,
  [ECONOMICS_EVENT_TYPES.manaReceive]: manaReceiveHandler as EventTypeHandler<never>,
  [ECONOMICS_EVENT_TYPES.tokenClass]: classHandler as EventTypeHandler<never>,
  [ECONOMICS_EVENT_TYPES.tokenMint]: mintHandler as EventTypeHandler<never>,
  [ECONOMICS_EVENT_TYPES.tokenTransfer]: tokenTransferHandler as EventTypeHandler<never>,
  [ECONOMICS_EVENT_TYPES.tokenReceive]: tokenReceiveHandler as EventTypeHandler<never>,
  [ECONOMICS_EVENT_TYPES.tokenBurn]: burnHandler as EventTypeHandler<never>,
})

/**
 * The single fee hook: every event whose type has a cost in EVENT_COSTS (core/params.ts) pays its fee — the
 * scope's `mana_cost` policy's answer when the node composed one (`fees`), else that parameter's value — from its
 * author's available mana in the event's economy, whichever service owns the type. It also binds the node's change
 * notifier to the transaction, so ledger calls made later in it reach this node's bus.
 */
export function feeHook(notify: (change: LedgerChange) => void, fees: EventFee = eventFees()): EventHook {
  return {
    name: 'economics/fees',
    async validate(ctx, view) {
      const fee = await fees(view, ctx)
      if (fee > 0n) await checkAvailable(view, ctx, fee, `A ${ctx.event.type} event`)
    },
    async apply(ctx, tx: StateTx) {
      bindNotifier(tx, notify)
      const fee = await fees(tx, ctx)
      if (fee > 0n) await debitMana(tx, actorOf(ctx), fee, { kind: 'fee', memo: ctx.event.type })
    },
  }
}
