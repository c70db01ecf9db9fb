/**
 * Where the ledger lives. State keys (hashed into the state root) follow the fold contract: each is written only
 * by events of the DID it names (accounts, holdings), once by the event it is named after (classes, token
 * registry), or as an order-independent counter (supply, reputation). A credit is written once by its source
 * event and deleted once by the recipient's receive, which has the source among its dependencies, so every
 * order of delivery sees create-then-delete: the state holds open credits only and does not grow with every
 * payment ever made (docs/decisions.md "Settled credits leave the state"). Index keys (history, pending and
 * received credits, class listings) are derived and not hashed.
 */
const TS_WIDTH = 15

/** Zero-padded ms timestamp so keys sort by time. */
export const tsKey = (ts: number): string => ts.toString().padStart(TS_WIDTH, '0')

export const econKeys = {
  /** Mana account of a DID in an economy; written only by the DID's own events. */
  account: (economy: string, did: string): string => `econ/acct/${economy}/${did}`,
  accountPrefix: (economy: string): string => `econ/acct/${economy}/`,
  /** An open credit, written by its source event, deleted by the receive: `<source event id>:<index>`. */
  credit: (creditId: string): string => `econ/credit/${creditId}`,
  /** Escrow of an owner, keyed by what it is for (a job or event id). */
  reservation: (economy: string, owner: string, key: string): string =>
    `econ/resv/${economy}/${owner}/${key}`,
  reservationPrefix: (economy: string, owner: string): string => `econ/resv/${economy}/${owner}/`,
  /** Token class, keyed by the id of the token/class event that created it. */
  tokenClass: (classId: string): string => `econ/class/${classId}`,
  /** One class per (scope, issuer, symbol). */
  symbol: (scope: string, issuer: string, symbol: string): string =>
    `econ/symbol/${scope}/${issuer}/${symbol}`,
  /** Minted and burned totals of a class (counters: additions commute). */
  supply: (classId: string): string => `econ/supply/${classId}`,
  /** Fungible balance of a holder. */
  tokenBalance: (did: string, classId: string): string => `econ/tok/${did}/${classId}`,
  tokenBalancePrefix: (did: string): string => `econ/tok/${did}/`,
  /** A non-fungible token held by a DID. */
  holding: (did: string, classId: string, tokenId: string): string =>
    `econ/nfth/${did}/${classId}/${tokenId}`,
  holdingPrefix: (did: string, classId?: string): string =>
    classId === undefined ? `econ/nfth/${did}/` : `econ/nfth/${did}/${classId}/`,
  /** Registry of minted non-fungible token ids, written by the issuer's mint. */
  nft: (classId: string, tokenId: string): string => `econ/nft/${classId}/${tokenId}`,
  /** Reputation counters of a DID in an economy. */
  reputation: (economy: string, did: string): string => `econ/rep/${economy}/${did}`,
  /** One outcome per (recorder, key). */
  outcome: (recorder: string, key: string): string => `econ/outcome/${recorder}/${key}`,
}

export const indexKeys = {
  history: (economy: string, did: string): string => `econ/h/${economy}/${did}/`,
  historyByKind: (economy: string, did: string, kind: string): string => `econ/hk/${economy}/${did}/${kind}/`,
  historyByCounterparty: (economy: string, did: string, counterparty: string): string =>
    `econ/hc/${economy}/${did}/${counterparty}/`,
  /** Credits not yet received, per recipient. */
  pending: (to: string): string => `econ/pend/${to}/`,
  /**
   * A received credit: its record moves here from the state when the recipient's receive applies it (so the state
   * holds open credits only), with the receive's id and time. Lets `economics.credit` answer for settled credits.
   */
  received: (creditId: string): string => `econ/rcvd/${creditId}`,
  /** Token classes per scope, for listings. */
  classes: (scope: string): string => `econ/classes/${scope}/`,
  allClasses: 'econ/classes/',
}
