import type { EventContext, StateTx, StateView } from '../dag'
import { checkAvailable, recordOutcome, releaseReservation, reserve, settleReservation } from '../economics'

/**
 * The mesh's seam to core/economics: escrow, settlement and reputation run inside the transaction of the mesh
 * event being applied, so they obey the same fold contract (docs/decisions.md). Every call throws an IcnError
 * when the ledger refuses, which voids the mesh event on every node alike.
 */
type Ctx = Pick<EventContext, 'id' | 'event'>

export const NEWCOMER_REPUTATION = 500

/** Whether the author can escrow `amount` on top of the event's own fee (for `validate`: refused, not void). */
export async function checkEscrow(view: StateView, ctx: Ctx, amount: bigint): Promise<void> {
  if (amount > 0n) await checkAvailable(view, ctx, amount)
}

/** Escrows the job's maxPrice under `key`; ECONOMICS_INSUFFICIENT_MANA when the submitter over-commits. */
export async function reserveEscrow(tx: StateTx, ctx: Ctx, key: string, amount: bigint): Promise<boolean> {
  await reserve(tx, ctx, { key, amount, memo: key })
  return true
}

/** Pays the agreed price to the executor (a settlement credit its node acknowledges) and refunds the rest. */
export async function settleEscrow(
  tx: StateTx,
  ctx: Ctx,
  input: { key: string; to: string; price: bigint; memo: string },
): Promise<{ credit: string | null; refunded: bigint }> {
  const { credit, refunded } = await settleReservation(tx, ctx, input)
  return { credit: credit?.id ?? null, refunded }
}

/** Returns the whole escrow to the submitter (no bids, rejected result, timeout, cancel). */
export async function releaseEscrow(tx: StateTx, ctx: Ctx, key: string, memo: string): Promise<bigint> {
  return releaseReservation(tx, ctx, { key, memo })
}

export async function recordJobOutcome(
  tx: StateTx,
  ctx: Ctx,
  input: { subject: string; outcome: 'success' | 'failure' | 'timeout'; key: string },
): Promise<void> {
  await recordOutcome(tx, ctx, input)
}
