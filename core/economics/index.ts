import type { Startable } from '../lifecycle'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { Identity } from '../identity'
import type { Dag, StateTx, StateView, VerifiedEvent } from '../dag'
import type { CreditRecord, HistoryEntry, HistoryKind, PendingRecord, TokenClassRecord } from './types'
import type { GrantRequest } from './ledger'

/**
 * What a fee policy is asked for one charged event (see `EconomicsInit.feePolicy`). Everything is read from the
 * state the event is applied on, so two nodes at the same state compute the same fee.
 */
export interface FeePolicyInput {
  /** The event's scope: its active `mana_cost` policy decides. */
  scope: string
  /** The economy the fee is paid in (the scope's root). */
  economy: string
  /** The `<action>` of the event type's `cost.<action>` parameter (note, transfer, mint, propose, vote). */
  action: string
  /** The event's author, who pays. */
  actor: string
  /** The event's ts (`now()` of the policy). */
  ts: number
  /** The built-in fee: the `cost.<action>` parameter of the economy. Answered when there is no policy or it fails. */
  fallback: bigint
  /** The largest fee a policy may set: the economy's `mana.capacity`. Above it the built-in fee applies. */
  cap: bigint
  /** The actor's available mana at `ts`, before this event (what the fee is checked against). Read on demand. */
  available(): Promise<bigint>
  /** The actor's reputation score (0–1000, 500 without outcomes) in the economy. Read on demand. */
  reputation(): Promise<bigint>
  /** A quote (`wallet.cost`), not an event being applied: a failing policy is not recorded as a fallback. */
  quote?: boolean
}

/**
 * Decides the fee of a charged event; must answer `fallback` when no policy applies and a value in 0..cap
 * otherwise (anything else is treated as `fallback`). Composed by core/node.ts from the live CCL policies; economics
 * never imports the policy runtime.
 */
export type FeePolicy = (view: StateView, input: FeePolicyInput) => Promise<bigint>

export interface EconomicsInit {
  /**
   * The fee of each charged event (types in EVENT_COSTS). @default the `cost.<action>` parameter of the economy
   */
  feePolicy?: FeePolicy
  /**
   * Acknowledge credits addressed to this node's member automatically (mana/receive, token/receive) whenever the
   * identity is unlocked; catches up at start and on unlock.
   * @default true
   */
  autoReceive?: boolean
  /**
   * Under a stream of incoming credits, the auto-acknowledger writes at most one round of receives per this many
   * milliseconds; the credits that arrive meanwhile wait and go into the next round's receives (≤ 64 credits
   * each). The first credit after a quiet interval is acknowledged at once. A backlog of a full round (1,024
   * credits) or more is written without waiting. 0 acknowledges every commit's credits as soon as it lands.
   * @default 1000
   */
  receiveIntervalMs?: number
  /** Clock for "now" in balances and cost quotes. @default Date.now */
  now?: () => number
}

export interface EconomicsComponents {
  dag: Dag
  identity: Identity
  events: EventBus
  logger: Logger
}

/** A mana balance as of `at` (bigints; the API turns them into integer strings). */
export interface Balance {
  did: string
  scope: string
  /** The economy the scope's mana lives in (the scope's root). */
  economy: string
  available: bigint
  reserved: bigint
  capacity: bigint
  ratePerHour: bigint
  /** When regeneration fills the account; null when it is full or never fills (rate 0). */
  fullAt: number | null
  full: boolean
  /** False when the DID has not acted in this economy yet (the opening balance is shown). */
  opened: boolean
  regenerated: bigint
  at: number
}

export interface HistoryQuery {
  did?: string
  scope?: string
  kind?: HistoryKind
  counterparty?: string
  /** Entries at or after this ts (ms). */
  since?: number
  /** Entries at or before this ts (ms). */
  until?: number
  /** @default 50, at most 10,000 */
  limit?: number
  /** `next` from the previous page. */
  cursor?: string
}

export interface HistoryPage {
  did: string
  economy: string
  entries: HistoryEntry[]
  /** Cursor of the next (older) page, or null at the end. */
  next: string | null
}

export interface CostQuote {
  type: string
  scope: string
  economy: string
  /** The fee the member would pay now: the scope's `mana_cost` policy's answer, else the EVENT_COSTS parameter. */
  fee: bigint
  /** Value the action moves or escrows on top of the fee (a transfer's amount, a job's maxPrice). */
  amount: bigint
  total: bigint
  available: bigint
  covered: boolean
  shortfall: bigint
  /** When regeneration alone covers the total; null when it never will. */
  availableAt: number | null
  at: number
}

export interface TokenHolding {
  class: TokenClassRecord
  /** Base units (fungible) or number of tokens held (non-fungible). */
  amount: bigint
  /** Ids of held non-fungible tokens with their metadata CIDs. */
  items: { id: string; metadata: string | null }[]
}

export interface ReputationInfo {
  did: string
  economy: string
  successes: number
  failures: number
  timeouts: number
  /** 0–1000; 500 for a newcomer. */
  score: number
  last: number | null
}

export interface TransferInput {
  to: string
  amount: bigint | number | string
  scope?: string
  memo?: string
}

export interface CreateClassInput {
  symbol: string
  name?: string
  /** @default 0 */
  decimals?: number
  /** @default true */
  fungible?: boolean
  /** @default true */
  transferable?: boolean
  /** CID of the class metadata. */
  metadata?: string | null
  /** Let passed proposals of the scope mint this class (budget grants). @default false */
  scopeMint?: boolean
  /** @default 'global' */
  scope?: string
}

export interface MintInput {
  class: string
  /** @default this node's member */
  to?: string
  amount?: bigint | number | string
  items?: { id: string; metadata?: string | null }[]
}

export interface TokenTransferInput {
  class: string
  to: string
  amount?: bigint | number | string
  ids?: string[]
  memo?: string
}

export interface BurnInput {
  class: string
  amount?: bigint | number | string
  ids?: string[]
}

type Signal = { signal?: AbortSignal }

export interface Economics extends Startable {
  economyOf(scope: string): Promise<string>
  /** Mana of `did` (default: this node's member) in `scope`'s economy, as of now. Reads no history. */
  balance(options?: { did?: string; scope?: string }): Promise<Balance>
  history(query?: HistoryQuery): Promise<HistoryPage>
  /** What an event type (or a named action) would cost now, and whether available mana covers it. */
  cost(options: {
    type: string
    scope?: string
    amount?: bigint | number | string
    did?: string
  }): Promise<CostQuote>
  /** Credits addressed to `did` that its chain has not acknowledged yet. */
  /** @param options.limit at most this many (default and maximum 1000) */
  pending(options?: { did?: string; scope?: string; limit?: number }): Promise<PendingRecord[]>
  credit(id: string): Promise<(CreditRecord & { received: boolean }) | undefined>
  transfer(input: TransferInput, options?: Signal): Promise<VerifiedEvent>
  createClass(input: CreateClassInput, options?: Signal): Promise<TokenClassRecord>
  mint(input: MintInput, options?: Signal): Promise<VerifiedEvent>
  transferTokens(input: TokenTransferInput, options?: Signal): Promise<VerifiedEvent>
  burn(input: BurnInput, options?: Signal): Promise<VerifiedEvent>
  tokenClass(id: string): Promise<TokenClassRecord & { minted: bigint; burned: bigint }>
  classes(options?: { scope?: string; issuer?: string; limit?: number }): Promise<TokenClassRecord[]>
  tokenBalances(options?: { did?: string; scope?: string }): Promise<TokenHolding[]>
  reputation(options: { did: string; scope?: string }): Promise<ReputationInfo>
  /** Acknowledges every pending credit of this node's member now; resolves with how many were received. */
  receivePending(options?: Signal): Promise<number>
  /** Credits governance budget grants inside a result event's transaction (governance's GrantExecutor). */
  readonly grants: (tx: StateTx, grant: GrantRequest) => Promise<void>
}

export { economics } from './economics'
export {
  actorOf,
  checkAvailable,
  createCredit,
  creditGrant,
  debitMana,
  readCredit,
  readReputation,
  recordOutcome,
  releaseReservation,
  reputationScore,
  reserve,
  settleReservation,
  readReservation,
  REPUTATION_WEIGHTS,
  type Actor,
  type CreditInput,
  type GrantRequest,
  type LedgerChange,
} from './ledger'
export { advance, availableAt, economyOf, fullAt, readAccount, type ManaParams } from './mana'
export { MAX_AMOUNT, formatUnits, parseAmount, parseUnits } from './amounts'
export { ECONOMICS_EVENT_TYPES } from './handlers'
export * from './types'
