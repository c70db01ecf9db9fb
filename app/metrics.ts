import { PerformanceObserver, constants } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { IcnNode } from '../core/node'
import type { Dispatcher } from './dispatch'

/**
 * Prometheus metrics for GET /metrics. Counters follow the node's bus; gauges are read from the services at
 * scrape time (nothing is polled in between). Each domain adds its metrics in its own function below.
 */
export interface NodeMetrics {
  registry: Registry
  /** Wraps a dispatcher so every call is counted and timed by method. */
  instrument(dispatcher: Dispatcher): Dispatcher
  render(): Promise<string>
  close(): void
}

export function createMetrics(node: IcnNode): NodeMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'icn_' })
  const offs: (() => void)[] = []

  // ---- foundation: events and the DAG
  const applied = new Counter({
    name: 'icn_events_applied_total',
    help: 'Events stored and folded, by type.',
    labelNames: ['type', 'origin'],
    registers: [registry],
  })
  const rejected = new Counter({
    name: 'icn_events_rejected_total',
    help: 'Events refused, by reason code.',
    labelNames: ['code'],
    registers: [registry],
  })
  const equivocations = new Counter({
    name: 'icn_equivocations_total',
    help: 'Equivocating authors detected.',
    registers: [registry],
  })
  offs.push(
    node.events.on('dag:event-applied', (e) =>
      applied.inc({ type: e.type, origin: e.local ? 'local' : 'peer' }),
    ),
    node.events.on('dag:event-rejected', (e) => rejected.inc({ code: e.code })),
    node.events.on('dag:equivocation', () => equivocations.inc()),
  )
  const dagGauge = new Gauge({
    name: 'icn_dag',
    help: 'DAG totals: stored events, authors, events waiting for dependencies, flagged authors.',
    labelNames: ['what'],
    registers: [registry],
    async collect() {
      if (node.status !== 'running') return
      const s = await node.dag.stats()
      this.set({ what: 'events' }, s.events)
      this.set({ what: 'authors' }, s.authors)
      this.set({ what: 'pending' }, s.pending)
      this.set({ what: 'flagged' }, s.flagged)
    },
  })
  void dagGauge
  const up = new Gauge({
    name: 'icn_node_up',
    help: '1 while the node is running.',
    registers: [registry],
    collect() {
      this.set(node.status === 'running' ? 1 : 0)
    },
  })
  void up
  // The heap in use just after V8's last full (mark-compact) collection: what the node actually keeps. The
  // default `nodejs_heap_size_used_bytes` also counts garbage not collected yet and swings with the allocation
  // rate; this one climbs only when something is retained (a leak, or a cache filling towards its bound).
  let afterMajorGc = 0
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        afterMajorGc = getHeapStatistics().used_heap_size
  })
  gcObserver.observe({ entryTypes: ['gc'] })
  offs.push(() => gcObserver.disconnect())
  const heapAfterGc = new Gauge({
    name: 'icn_heap_after_major_gc_bytes',
    help: 'V8 heap in use right after the last full garbage collection (0 until the first).',
    registers: [registry],
    collect() {
      this.set(afterMajorGc)
    },
  })
  void heapAfterGc

  // ---- network, ledger, governance, jobs
  const peers = new Gauge({
    name: 'icn_peers',
    help: 'Connected peers and open connections.',
    labelNames: ['what'],
    registers: [registry],
    collect() {
      const s = node.network.status()
      this.set({ what: 'peers' }, s.peers)
      this.set({ what: 'connections' }, s.connections)
    },
  })
  void peers
  const credits = new Counter({
    name: 'icn_ledger_credits_total',
    help: 'Value given (transfers, settlements, grants, mints) seen by this node, by kind and asset.',
    labelNames: ['kind', 'asset'],
    registers: [registry],
  })
  const creditAmount = new Counter({
    name: 'icn_ledger_credited_mana_total',
    help: 'Mana given in credits seen by this node (base units).',
    labelNames: ['kind'],
    registers: [registry],
  })
  const proposals = new Counter({
    name: 'icn_proposal_updates_total',
    help: 'Proposal changes by status (open = created; passed, failed, void).',
    labelNames: ['status'],
    registers: [registry],
  })
  const jobs = new Counter({
    name: 'icn_job_updates_total',
    help: "Job state changes on this node, by state and this node's role.",
    labelNames: ['status', 'role'],
    registers: [registry],
  })
  offs.push(
    node.events.on('economics:credit', (e) => {
      const asset = e.asset === 'mana' ? 'mana' : 'token'
      credits.inc({ kind: e.kind, asset })
      if (asset === 'mana' && /^\d{1,18}$/.test(e.amount))
        creditAmount.inc({ kind: e.kind }, Number(e.amount))
    }),
    node.events.on('gov:proposal-updated', (e) => proposals.inc({ status: e.status })),
    node.events.on('mesh:job-updated', (e) => jobs.inc({ status: e.status, role: e.role })),
  )
  const runtime = new Gauge({
    name: 'icn_runtime',
    help: 'WASM runtime: workers, busy, queued, jobs completed and fuel used since start.',
    labelNames: ['what'],
    registers: [registry],
    collect() {
      const s = node.runtime.stats()
      this.set({ what: 'workers' }, s.workers)
      this.set({ what: 'busy' }, s.busy)
      this.set({ what: 'queued' }, s.queued)
      this.set({ what: 'completed' }, s.completed)
      this.set({ what: 'fuel_used' }, Number(s.fuelUsed))
    },
  })
  void runtime

  // ---- API
  const rpcCalls = new Counter({
    name: 'icn_rpc_requests_total',
    help: 'API calls by method and outcome code.',
    labelNames: ['method', 'code'],
    registers: [registry],
  })
  const rpcLatency = new Histogram({
    name: 'icn_rpc_duration_seconds',
    help: 'API call latency by method.',
    labelNames: ['method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })

  return {
    registry,
    instrument(dispatcher) {
      return {
        async call(method, params, ctx) {
          const end = rpcLatency.startTimer()
          const reply = await dispatcher.call(method, params, ctx)
          // Unknown methods are bucketed together: a client must not be able to grow the label set.
          const label = reply.ok || reply.error.code !== 'RPC_METHOD_NOT_FOUND' ? method : 'unknown'
          end({ method: label })
          rpcCalls.inc({ method: label, code: reply.ok ? 'OK' : reply.error.code })
          return reply
        },
      }
    },
    render: () => registry.metrics(),
    close() {
      for (const off of offs) off()
      registry.clear()
    },
  }
}
