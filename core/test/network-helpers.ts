import { createLogger, type Logger } from '../logger'
import type { NetworkInit } from '../network'
import { eventsTopic } from '../network'
import { GLOBAL_SCOPE } from '../dag'
import type { IcnNode } from '../node'
import { startTestNode, tempDir, type TempDir, type TestNode } from './helpers'

/** A logger that keeps its JSON lines, so tests can check what the node reported (and with which peer id). */
export interface CapturedLogger {
  logger: Logger
  lines: Record<string, unknown>[]
}

export function capturingLogger(): CapturedLogger {
  const lines: Record<string, unknown>[] = []
  return {
    lines,
    logger: createLogger({
      level: 'debug',
      sink: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    }),
  }
}

/** Test networking: loopback only, no mDNS, no periodic sync unless asked (each test says what it relies on). */
export const TEST_NETWORK: NetworkInit = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  mdns: false,
  syncIntervalMs: 0,
}

export async function startNetNode(
  options: { network?: NetworkInit; dir?: TempDir; logger?: Logger } = {},
): Promise<TestNode> {
  const node = await startTestNode({
    dir: options.dir ?? (await tempDir('icn-net-')),
    init: {
      network: { ...TEST_NETWORK, ...options.network },
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    },
  })
  if (node.node.network.enabled) await node.node.network.ready()
  return node
}

export function tcpAddr(node: TestNode): string {
  const addr = node.node.network.listenAddrs().find((a) => a.includes('/tcp/') && !a.includes('/ws'))
  if (addr === undefined) throw new Error('the node listens on no TCP address')
  return addr
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<void> {
  const started = Date.now()
  for (;;) {
    if (await check()) return
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/**
 * Polls a node's DAG, asking its peers for what it lacks between checks (for tests that run without periodic
 * sync).
 */
export async function untilSynced(
  node: IcnNode,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    what,
    async () => {
      if (await check()) return true
      await node.network.sync().catch(() => undefined)
      return check()
    },
    timeoutMs,
    100,
  )
}

/** Waits until a proposal has passed on the node. */
export async function proposalPassed(node: IcnNode, proposal: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `proposal ${proposal} to pass`,
    async () => (await node.governance.get(proposal).catch(() => undefined))?.status === 'passed',
    timeoutMs,
  )
}

/** Waits until the node's gossip mesh for the global events topic has at least `peers` peers. */
export async function waitForMesh(
  node: TestNode,
  peers: number,
  topic = eventsTopic(GLOBAL_SCOPE),
): Promise<void> {
  await waitFor(`a gossip mesh of ${peers} on ${topic}`, () => {
    const entry = node.node.network.status().topics.find((t) => t.topic === topic)
    return entry !== undefined && entry.mesh >= peers
  })
}

export async function roots(nodes: TestNode[]): Promise<string[]> {
  return Promise.all(nodes.map((n) => n.node.dag.stateRoot()))
}

export async function waitForSameState(nodes: TestNode[], events: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `every node to hold ${events} events with one state root`,
    async () => {
      const stats = await Promise.all(nodes.map((n) => n.node.dag.stats()))
      if (!stats.every((s) => s.events === events)) return false
      return new Set(await roots(nodes)).size === 1
    },
    timeoutMs,
    50,
  )
}
