/**
 * Test-only event types, registered on test nodes (never on a real node) so tests can drive the ledger library
 * the way other services' handlers will (mesh settlements, governance grants, reputation outcomes), and set up
 * scopes before governance exists. Production code never imports this file.
 */
import type { CID } from '../dag/codec'
import type { EventTypeHandler } from '../dag'
import { IcnError } from '../errors'
import { createNode, type IcnNode, type IcnNodeInit } from '../node'
import { silentLogger } from '../logger'
import { scopeKeys, type ScopeInfo } from '../scope'
import { TEST_KDF, TEST_PASSPHRASE, tempDir, type TempDir } from '../test/helpers'
import {
  createCredit,
  creditGrant,
  recordOutcome,
  releaseReservation,
  reserve,
  settleReservation,
} from './ledger'
import type { CreditKind, Outcome } from './types'

export const TEST_SCOPE_TYPE = 'test/scope'
export const TEST_LEDGER_TYPE = 'test/ledger'

/** Sets up a scope: its info (parent for a cooperative in a federation), parameters and members. */
export interface TestScopeBody {
  scope: string
  parent: string | null
  params: Record<string, bigint | number>
  members: string[]
}

export type TestLedgerBody =
  | { op: 'reserve'; key: string; amount: bigint | number }
  | { op: 'settle'; key: string; to: string; price: bigint | number }
  | { op: 'release'; key: string }
  | { op: 'credit'; kind: CreditKind; to: string; amount: bigint | number; deps: CID[] }
  | { op: 'outcome'; subject: string; outcome: Outcome; key: string }
  | {
      op: 'grant'
      scope: string
      to: string
      asset: 'mana' | 'token'
      token: string | null
      amount: bigint | number
    }

const scopeHandler: EventTypeHandler<TestScopeBody> = {
  parseBody: (body) => body as TestScopeBody,
  async apply(ctx, tx) {
    const b = ctx.body
    const info: ScopeInfo = {
      kind: b.parent === null ? 'federation' : 'cooperative',
      name: 'test',
      parent: b.parent,
      genesis: ctx.id,
      createdAt: ctx.event.ts,
      validators: [],
    }
    tx.put(scopeKeys.info(b.scope), info)
    tx.put(scopeKeys.params(b.scope), b.params)
    for (const did of b.members)
      tx.put(scopeKeys.member(b.scope, did), { since: ctx.event.ts, roles: [], admittedBy: 'genesis' })
  },
}

const ledgerHandler: EventTypeHandler<TestLedgerBody> = {
  parseBody: (body) => body as TestLedgerBody,
  deps: (body) => (body.op === 'credit' ? body.deps : []),
  async apply(ctx, tx) {
    const b = ctx.body
    switch (b.op) {
      case 'reserve':
        await reserve(tx, ctx, { key: b.key, amount: b.amount })
        return
      case 'settle':
        await settleReservation(tx, ctx, { key: b.key, to: b.to, price: b.price })
        return
      case 'release':
        await releaseReservation(tx, ctx, { key: b.key })
        return
      case 'credit':
        await createCredit(tx, ctx, { kind: b.kind, to: b.to, amount: b.amount })
        return
      case 'outcome':
        await recordOutcome(tx, ctx, { subject: b.subject, outcome: b.outcome, key: b.key })
        return
      case 'grant':
        await creditGrant(tx, {
          scope: b.scope,
          to: b.to,
          asset: b.asset,
          token: b.token,
          amount: BigInt(b.amount),
          memo: '',
          proposal: ctx.id,
          result: ctx.id,
          ts: ctx.event.ts,
        })
        return
      default:
        throw new IcnError('DAG_INVALID_EVENT', 'Unknown test ledger operation.')
    }
  },
}

export interface EconTestNode {
  node: IcnNode
  dir: TempDir
  did: string
  destroy(): Promise<void>
}

/** A started node with the test-only types registered and (unless `withIdentity: false`) an unlocked member. */
export async function startEconNode(
  options: { withIdentity?: boolean; init?: Partial<IcnNodeInit> } = {},
): Promise<EconTestNode> {
  const dir = await tempDir('icn-econ-')
  const node = createNode({
    dataDir: dir.path,
    logger: silentLogger,
    identity: { kdf: TEST_KDF },
    ...options.init,
  })
  node.dag.register(TEST_SCOPE_TYPE, scopeHandler)
  node.dag.register(TEST_LEDGER_TYPE, ledgerHandler)
  await node.start()
  let did = ''
  if (options.withIdentity !== false) did = (await node.identity.create({ passphrase: TEST_PASSPHRASE })).did
  return {
    node,
    dir,
    did,
    async destroy() {
      await node.stop()
      await dir.cleanup()
    },
  }
}
