/**
 * Test support for governance: nodes that finalize quickly, a relay that passes every created event's real
 * bytes to the other nodes (what gossip does, without sockets), and a polling wait.
 */
import type { IcnNode } from '../node'
import { startTestNode, type TestNode } from '../test/helpers'
import type { GovernanceInit } from './index'

/** Charter values that let a test pass a proposal in about a second. */
export const FAST_CHARTER = {
  params: { 'gov.votingPeriodMs': 1000, 'gov.finalizeGraceMs': 4000 },
  bounds: { 'gov.votingPeriodMs': { min: 1000, max: 600_000 } },
}

export async function startGovNode(governance: GovernanceInit = {}): Promise<TestNode> {
  return startTestNode({
    init: { governance: { tickMs: 40, settleMs: 150, joinTimeoutMs: 5000, ...governance } },
  })
}

/**
 * Delivers every event a node creates to the other nodes with dag.ingest, like gossip would. Returns a function
 * that stops relaying. `paused` nodes neither send nor receive (a partition) until resumed.
 */
export function relay(nodes: IcnNode[]): {
  stop: () => void
  errors: unknown[]
  settled: () => Promise<void>
} {
  const errors: unknown[] = []
  let inflight: Promise<unknown>[] = []
  const offs = nodes.map((from) =>
    from.events.on('dag:event-created', (e) => {
      for (const to of nodes) {
        if (to === from) continue
        inflight.push(to.dag.ingest(e.bytes, { from: 'relay' }).catch((err: unknown) => errors.push(err)))
      }
    }),
  )
  return {
    stop: () => {
      for (const off of offs) off()
    },
    errors,
    async settled() {
      while (inflight.length > 0) {
        const batch = inflight
        inflight = []
        await Promise.all(batch)
      }
    },
  }
}

/** Copies every stored event of `from` into `to` (in the order `from` stored them). */
export async function copyEvents(from: IcnNode, to: IcnNode): Promise<void> {
  const ids: string[] = []
  let before: number | undefined
  for (;;) {
    const page = await from.dag.listEvents({ limit: 1000, ...(before === undefined ? {} : { before }) })
    ids.push(...page.events.map((e) => e.id))
    if (page.next === null) break
    before = page.next
  }
  for (const id of ids.reverse()) {
    const event = await from.dag.getEvent(id)
    if (event !== undefined) await to.dag.ingest(event.bytes).catch(() => undefined)
  }
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await fn()
    if (value !== undefined && value !== false) return value
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 40))
  }
}
