import type { StateView } from '../dag'
import { GLOBAL_SCOPE } from '../dag/event'
import { IcnError } from '../errors'
import { readParams, readScopeInfo } from '../scope'
import type { ParamValues } from '../params'
import { HOUR_MS, big, ceilDiv } from './amounts'
import { econKeys } from './keys'
import type { Account } from './types'

/** The parameters the mana rules read. */
export interface ManaParams {
  capacity: bigint
  ratePerHour: bigint
  opening: bigint
}

export function manaParams(params: ParamValues): ManaParams {
  return {
    capacity: params['mana.capacity'],
    ratePerHour: params['mana.regenPerHour'],
    opening: params['mana.opening'],
  }
}

/**
 * The economy an event's mana lives in: the root of its scope. A cooperative inside a federation uses the
 * federation's; a standalone cooperative or a federation is its own; `global` is its own (default parameters).
 */
export async function economyOf(view: StateView, scope: string): Promise<string> {
  if (scope === GLOBAL_SCOPE) return GLOBAL_SCOPE
  const info = await readScopeInfo(view, scope)
  return info?.parent ?? scope
}

export async function economyParams(
  view: StateView,
  scope: string,
): Promise<{ economy: string; params: ParamValues; mana: ManaParams }> {
  const economy = await economyOf(view, scope)
  const params = await readParams(view, economy)
  return { economy, params, mana: manaParams(params) }
}

/**
 * Lazy regeneration from `account.at` to `ts`: balance(t) = min(C, balance(t0) + r·(t − t0)), in exact integer
 * arithmetic. The sub-unit remainder is carried in `frac` (units of 1/3,600,000), so evaluating at many
 * intermediate timestamps gives exactly what one evaluation at the end gives: nothing is lost or created by
 * rounding. An account at or above capacity (received value may take it there) does not regenerate and keeps
 * what it has; regeneration never reduces a balance.
 */
export function advance(account: Account, ts: number, mana: ManaParams): Account {
  if (ts <= account.at) return account
  if (account.balance >= mana.capacity) return { ...account, frac: 0n, at: ts }
  const total = account.balance * HOUR_MS + account.frac + mana.ratePerHour * BigInt(ts - account.at)
  if (total >= mana.capacity * HOUR_MS) {
    return {
      ...account,
      balance: mana.capacity,
      frac: 0n,
      at: ts,
      regenerated: account.regenerated + (mana.capacity - account.balance),
    }
  }
  const balance = total / HOUR_MS
  return {
    ...account,
    balance,
    frac: total % HOUR_MS,
    at: ts,
    regenerated: account.regenerated + (balance - account.balance),
  }
}

/** When (ms) regeneration alone brings the balance to `needed`; null if it never will (rate 0, above capacity). */
export function availableAt(account: Account, needed: bigint, mana: ManaParams): number | null {
  if (account.balance >= needed) return account.at
  if (mana.ratePerHour === 0n || needed > mana.capacity) return null
  const missing = needed * HOUR_MS - (account.balance * HOUR_MS + account.frac)
  return account.at + Number(ceilDiv(missing, mana.ratePerHour))
}

/** When the account is full by regeneration; null when it already is or never will be. */
export function fullAt(account: Account, mana: ManaParams): number | null {
  if (account.balance >= mana.capacity || mana.ratePerHour === 0n) return null
  return availableAt(account, mana.capacity, mana)
}

/** The account a DID starts with at its first event in an economy (ts of that event). */
export function openingAccount(ts: number, mana: ManaParams): Account {
  return {
    balance: mana.opening,
    frac: 0n,
    at: ts,
    reserved: 0n,
    regenerated: 0n,
    opened: ts,
    opening: mana.opening,
  }
}

interface StoredAccount {
  balance: bigint | number
  frac: bigint | number
  at: number
  reserved: bigint | number
  regenerated: bigint | number
  opened: number
  opening: bigint | number
}

export function decodeAccount(raw: StoredAccount): Account {
  return {
    balance: big(raw.balance),
    frac: big(raw.frac),
    at: Number(raw.at),
    reserved: big(raw.reserved),
    regenerated: big(raw.regenerated),
    opened: Number(raw.opened),
    opening: big(raw.opening),
  }
}

/** The stored account, or undefined when the DID has not acted in the economy yet. */
export async function readAccount(
  view: StateView,
  economy: string,
  did: string,
): Promise<Account | undefined> {
  const raw = await view.get<StoredAccount>(econKeys.account(economy, did))
  return raw === undefined ? undefined : decodeAccount(raw)
}

/** The account as of `ts`: stored and regenerated, or the opening account of a newcomer. */
export async function accountAt(
  view: StateView,
  economy: string,
  did: string,
  ts: number,
  mana: ManaParams,
): Promise<{ account: Account; isNew: boolean }> {
  const stored = await readAccount(view, economy, did)
  if (stored === undefined) return { account: openingAccount(ts, mana), isNew: true }
  return { account: advance(stored, Math.max(ts, stored.at), mana), isNew: false }
}

/** ECONOMICS_INSUFFICIENT_MANA with the shortfall and when regeneration covers it. */
export function insufficientMana(
  needed: bigint,
  account: Account,
  mana: ManaParams,
  economy: string,
  what = 'This action',
): IcnError {
  const when = availableAt(account, needed, mana)
  const shortfall = needed - account.balance
  const hint =
    when === null
      ? needed > mana.capacity
        ? ` Regeneration stops at the capacity of ${mana.capacity}, so only received mana can cover it.`
        : ' Mana does not regenerate in this economy; ask a member to send some.'
      : ` Enough will have regenerated by ${new Date(when).toISOString()}.`
  return new IcnError(
    'ECONOMICS_INSUFFICIENT_MANA',
    `${what} needs ${needed} mana but only ${account.balance} is available (short by ${shortfall}).${hint}`,
    {
      details: {
        economy,
        needed: needed.toString(),
        available: account.balance.toString(),
        shortfall: shortfall.toString(),
        availableAt: when,
      },
    },
  )
}
