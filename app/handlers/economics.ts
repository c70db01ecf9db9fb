import { IcnError } from '../../core/errors'
import type { VerifiedEvent } from '../../core/dag'
import type { IcnNode } from '../../core/node'
import type { HistoryEntry, TokenClassRecord } from '../../core/economics'
import { historyCsvHeader, historyCsvRows } from '../../core/economics/csv'
import type { EventSink } from '../events'
import type { Handlers, LedgerEventResult, TokenClass, WalletHistoryEntry } from '../contract'

type EconomicsMethods =
  | 'wallet.balance'
  | 'wallet.history'
  | 'wallet.transfer'
  | 'wallet.cost'
  | 'wallet.pending'
  | 'tokens.classes'
  | 'tokens.class'
  | 'tokens.createClass'
  | 'tokens.mint'
  | 'tokens.transfer'
  | 'tokens.burn'
  | 'tokens.balances'
  | 'reputation.get'

const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }

function tokenClass(c: TokenClassRecord & { minted?: bigint; burned?: bigint }): TokenClass {
  return {
    id: c.id,
    scope: c.scope,
    issuer: c.issuer,
    symbol: c.symbol,
    name: c.name,
    decimals: c.decimals,
    fungible: c.fungible,
    transferable: c.transferable,
    metadata: c.metadata,
    scopeMint: c.scopeMint,
    createdAt: c.createdAt,
    ...(c.minted === undefined ? {} : { minted: c.minted.toString() }),
    ...(c.burned === undefined ? {} : { burned: c.burned.toString() }),
  }
}

function historyEntry(e: HistoryEntry): WalletHistoryEntry {
  return {
    event: e.event,
    kind: e.kind,
    direction: e.direction,
    asset: e.asset,
    symbol: e.symbol,
    amount: e.amount.toString(),
    counterparty: e.counterparty,
    ts: e.ts,
    scope: e.scope,
    memo: e.memo,
    balance: e.balance === null ? null : e.balance.toString(),
    items: e.items,
  }
}

export function economicsHandlers(node: IcnNode): Pick<Handlers, EconomicsMethods> {
  const { economics, dag } = node

  /** The stored event's summary plus the credits it created (credit ids are `<event id>:<index>`). */
  const result = async (event: VerifiedEvent): Promise<LedgerEventResult> => {
    const summary = await dag.getSummary(event.id)
    if (summary === undefined) throw new IcnError('INTERNAL', 'The event was stored but cannot be read back.')
    const credits: string[] = []
    for (let index = 0; ; index++) {
      const credit = await economics.credit(`${event.id}:${index}`)
      if (credit === undefined) break
      credits.push(credit.id)
    }
    return { ...summary, credits }
  }

  return {
    async 'wallet.balance'({ did, scope }) {
      const b = await economics.balance({ ...opt('did', did), ...opt('scope', scope) })
      return {
        did: b.did,
        scope: b.scope,
        economy: b.economy,
        available: b.available.toString(),
        reserved: b.reserved.toString(),
        regenerating: {
          ratePerHour: b.ratePerHour.toString(),
          capacity: b.capacity.toString(),
          fullAt: b.fullAt,
        },
        full: b.full,
        opened: b.opened,
        at: b.at,
      }
    },
    async 'wallet.history'(query, ctx) {
      const page = await economics.history({
        ...opt('did', query.did),
        ...opt('scope', query.scope),
        ...opt('kind', query.kind),
        ...opt('counterparty', query.counterparty),
        ...opt('since', query.since),
        ...opt('until', query.until),
        ...opt('limit', query.limit),
        ...opt('cursor', query.cursor),
      })
      if (query.format === 'csv') {
        ctx.progress({ operation: 'wallet.history', done: page.entries.length })
        const csv = (query.cursor === undefined ? historyCsvHeader() : '') + historyCsvRows(page.entries)
        return { did: page.did, economy: page.economy, entries: [], next: page.next, csv }
      }
      return {
        did: page.did,
        economy: page.economy,
        entries: page.entries.map(historyEntry),
        next: page.next,
      }
    },
    async 'wallet.transfer'({ to, amount, scope, memo }, ctx) {
      const event = await economics.transfer(
        { to, amount, ...opt('scope', scope), ...opt('memo', memo) },
        { signal: ctx.signal },
      )
      return result(event)
    },
    async 'wallet.cost'({ action, scope, amount, did }) {
      const q = await economics.cost({
        type: action,
        ...opt('scope', scope),
        ...opt('amount', amount),
        ...opt('did', did),
      })
      return {
        type: q.type,
        scope: q.scope,
        economy: q.economy,
        fee: q.fee.toString(),
        amount: q.amount.toString(),
        total: q.total.toString(),
        available: q.available.toString(),
        covered: q.covered,
        shortfall: q.shortfall.toString(),
        availableAt: q.availableAt,
      }
    },
    async 'wallet.pending'({ did, scope, limit }) {
      const credits = await economics.pending({
        ...opt('did', did),
        ...opt('scope', scope),
        ...opt('limit', limit),
      })
      return { credits: credits.map((c) => ({ ...c, amount: c.amount.toString() })) }
    },
    async 'tokens.classes'({ scope, issuer, limit }) {
      const classes = await economics.classes({
        ...opt('scope', scope),
        ...opt('issuer', issuer),
        ...opt('limit', limit),
      })
      return { classes: classes.map(tokenClass) }
    },
    async 'tokens.class'({ id }) {
      return tokenClass(await economics.tokenClass(id))
    },
    async 'tokens.createClass'(input, ctx) {
      const record = await economics.createClass(
        {
          symbol: input.symbol,
          ...opt('name', input.name),
          ...opt('decimals', input.decimals),
          ...opt('fungible', input.fungible),
          ...opt('transferable', input.transferable),
          ...opt('metadata', input.metadata),
          ...opt('scopeMint', input.scopeMint),
          ...opt('scope', input.scope),
        },
        { signal: ctx.signal },
      )
      return tokenClass(record)
    },
    async 'tokens.mint'(input, ctx) {
      const event = await economics.mint(
        {
          class: input.class,
          ...opt('to', input.to),
          ...opt('amount', input.amount),
          ...opt(
            'items',
            input.items?.map((i) => ({ id: i.id, metadata: i.metadata ?? null })),
          ),
        },
        { signal: ctx.signal },
      )
      return result(event)
    },
    async 'tokens.transfer'(input, ctx) {
      const event = await economics.transferTokens(
        {
          class: input.class,
          to: input.to,
          ...opt('amount', input.amount),
          ...opt('ids', input.ids),
          ...opt('memo', input.memo),
        },
        { signal: ctx.signal },
      )
      return result(event)
    },
    async 'tokens.burn'(input, ctx) {
      const event = await economics.burn(
        { class: input.class, ...opt('amount', input.amount), ...opt('ids', input.ids) },
        { signal: ctx.signal },
      )
      return result(event)
    },
    async 'tokens.balances'({ did, scope }) {
      const holdings = await economics.tokenBalances({ ...opt('did', did), ...opt('scope', scope) })
      return {
        did: did ?? node.identity.did(),
        balances: holdings.map((h) => ({
          class: tokenClass(h.class),
          amount: h.amount.toString(),
          items: h.items,
        })),
      }
    },
    async 'reputation.get'({ did, scope }) {
      return economics.reputation({ did, ...opt('scope', scope) })
    },
  }
}

/** Forwards this domain's core events to contract events; returns an unsubscribe function. */
export function economicsEvents(node: IcnNode, emit: EventSink): () => void {
  const offs = [
    node.events.on('economics:balance-changed', (e) => emit('wallet:balance-changed', e)),
    node.events.on('economics:credit', (e) => emit('wallet:credit', e)),
    node.events.on('economics:reputation-changed', (e) => emit('reputation:changed', e)),
  ]
  return () => {
    for (const off of offs) off()
  }
}
