import type { EventContext, StateTx, StateView } from '../dag'

/**
 * The mesh's seam to the economics service: escrow, settlement and reputation run inside the transaction of the
 * mesh event being applied, so they obey the same fold contract. Until core/economics is composed, jobs move no
 * mana and every executor has the newcomer score.
 */
type Ctx = Pick<EventContext, 'id' | 'event'>

export const NEWCOMER_REPUTATION = 500

export async function reserveEscrow(
  _tx: StateTx,
  _ctx: Ctx,
  _key: string,
  _amount: bigint,
): Promise<boolean> {
  return false
}

export async function settleEscrow(
  _tx: StateTx,
  _ctx: Ctx,
  _input: { key: string; to: string; price: bigint; memo: string },
): Promise<{ credit: string | null; refunded: bigint }> {
  return { credit: null, refunded: 0n }
}

export async function releaseEscrow(_tx: StateTx, _ctx: Ctx, _key: string, _memo: string): Promise<bigint> {
  return 0n
}

export async function recordJobOutcome(
  _tx: StateTx,
  _ctx: Ctx,
  _input: { subject: string; outcome: 'success' | 'failure' | 'timeout'; key: string },
): Promise<void> {}

export async function reputationOf(_view: StateView, _scope: string, _did: string): Promise<number> {
  return NEWCOMER_REPUTATION
}
