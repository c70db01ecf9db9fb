/** Records the ledger keeps in state and in its indexes (dag-cbor; integers come back as number or bigint). */

/** Why value moved; credits carry one of the first five. */
export type CreditKind = 'transfer' | 'settlement' | 'grant' | 'refund' | 'mint'
export const CREDIT_KINDS: readonly CreditKind[] = ['transfer', 'settlement', 'grant', 'refund', 'mint']

export type HistoryKind = CreditKind | 'opening' | 'fee' | 'reserve' | 'release' | 'burn'
export const HISTORY_KINDS: readonly HistoryKind[] = [
  ...CREDIT_KINDS,
  'opening',
  'fee',
  'reserve',
  'release',
  'burn',
]

export type Outcome = 'success' | 'failure' | 'timeout'
export const OUTCOMES: readonly Outcome[] = ['success', 'failure', 'timeout']

/** A mana account: balance and regeneration are evaluated lazily at the timestamps of its own events. */
export interface Account {
  /** Available mana (base units). */
  balance: bigint
  /**
   * Regeneration not yet a whole unit, in 1/3,600,000ths of a unit (rate per hour × ms). Carried exactly, so
   * many small steps regenerate exactly what one large step would.
   */
  frac: bigint
  /** ts of the event that last evaluated the account. */
  at: number
  /** Mana held in escrow (reservations). */
  reserved: bigint
  /** Everything regeneration ever added (for audits and the conservation check). */
  regenerated: bigint
  /** ts of the account's first event in this economy (when the opening balance was granted). */
  opened: number
  /** Opening balance granted then. */
  opening: bigint
}

/** Asset of a credit or history entry: 'mana' or a token class id. */
export type Asset = string

export interface NftItem {
  id: string
  /** CID string of the token's metadata, or null. */
  metadata: string | null
}

export interface CreditRecord {
  /** `<source event id>:<index>` */
  id: string
  source: string
  index: number
  kind: CreditKind
  scope: string
  economy: string
  from: string
  to: string
  asset: Asset
  /** Units (fungible) or number of items (non-fungible). */
  amount: bigint
  items: NftItem[] | null
  memo: string
  ts: number
}

export interface ReceiptRecord {
  by: string
  ts: number
}

export interface TokenClassRecord {
  id: string
  scope: string
  issuer: string
  symbol: string
  name: string
  decimals: number
  fungible: boolean
  transferable: boolean
  /** CID string of the class metadata, or null. */
  metadata: string | null
  /** Passed proposals of the class's scope may mint it (budget grants). */
  scopeMint: boolean
  createdAt: number
}

export interface SupplyRecord {
  minted: bigint
  burned: bigint
}

export interface ReservationRecord {
  key: string
  amount: bigint
  ts: number
  /** Event that made the reservation. */
  by: string
}

export interface ReputationRecord {
  successes: number
  failures: number
  timeouts: number
  /** ts of the latest outcome (max: order-independent). */
  last: number
}

export interface HistoryEntry {
  event: string
  kind: HistoryKind
  direction: 'in' | 'out'
  asset: Asset
  /** Symbol for tokens, 'mana' for mana. */
  symbol: string
  amount: bigint
  counterparty: string | null
  ts: number
  scope: string
  memo: string
  /** Available mana after the entry (mana entries only). */
  balance: bigint | null
  /** Non-fungible token ids moved, if any. */
  items: string[] | null
}

export interface PendingRecord {
  credit: string
  kind: CreditKind
  scope: string
  economy: string
  from: string
  asset: Asset
  amount: bigint
  ts: number
}
