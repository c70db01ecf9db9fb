import type { IcnNode } from '../../core/node'
import type {
  CostPreview,
  DisputeView,
  ExecutorStats,
  JobDetail,
  JobManifest,
  JobSummary,
  ExecutorSettings,
  MeshProgress,
  SubmitInput,
} from '../../core/mesh'
import type { EventSink } from '../events'
import type {
  ExecutorSettingsInfo,
  ExecutorStatsInfo,
  Handlers,
  MeshCostPreview,
  MeshDisputeInfo,
  MeshJobDetail,
  MeshJobSummary,
  MeshManifestInfo,
  ValidParams,
} from '../contract'

type MeshMethods =
  | 'mesh.submit'
  | 'mesh.list'
  | 'mesh.get'
  | 'mesh.cancel'
  | 'mesh.output'
  | 'mesh.verify'
  | 'mesh.dispute'
  | 'mesh.disputes'
  | 'mesh.attestations'
  | 'executor.getSettings'
  | 'executor.setSettings'
  | 'executor.stats'

const str = (v: bigint): string => v.toString()

export function manifestInfo(m: JobManifest): MeshManifestInfo {
  return {
    module: m.module.toString(),
    engine: m.engine,
    entry: m.entry,
    args: m.args,
    env: m.env,
    stdin: m.stdin?.toString() ?? null,
    inputs: m.inputs.map((c) => c.toString()),
    limits: { ...m.limits, fuel: str(m.limits.fuel) },
    maxPrice: str(m.maxPrice),
    minReputation: m.minReputation,
    bidWindowMs: m.bidWindowMs,
    verification: m.verification,
  }
}

function costInfo(c: CostPreview): MeshCostPreview {
  return {
    scope: c.scope,
    escrow: str(c.escrow),
    fee: str(c.fee),
    total: str(c.total),
    available: c.available === null ? null : str(c.available),
    covered: c.covered,
    shortfall: str(c.shortfall),
    availableAt: c.availableAt,
  }
}

function summaryInfo(s: JobSummary): MeshJobSummary {
  return {
    id: s.id,
    scope: s.scope,
    submitter: s.submitter,
    role: s.role,
    status: s.status,
    reason: s.reason,
    maxPrice: str(s.maxPrice),
    price: s.price === null ? null : str(s.price),
    executor: s.executor,
    attempt: s.attempt,
    engine: s.engine,
    submittedAt: s.submittedAt,
    settledAt: s.settledAt,
  }
}

export function detailInfo(d: JobDetail): MeshJobDetail {
  return {
    ...summaryInfo(d),
    manifest: manifestInfo(d.manifest),
    bids: d.bids.map((b) => ({ ...b, price: str(b.price) })),
    assignments: d.assignments.map((a) => ({ ...a, price: str(a.price) })),
    receipts: d.receipts.map((r) => ({ ...r, fuelUsed: str(r.fuelUsed) })),
    verification: d.verification,
    settlement: d.settlement === null ? null : { ...d.settlement, price: str(d.settlement.price) },
    waiting: d.waiting,
  }
}

export function disputeInfo(d: DisputeView): MeshDisputeInfo {
  return {
    ...d,
    price: str(d.price),
    validators: [...d.validators],
    verdicts: d.verdicts.map((v) => ({ ...v, fuelUsed: str(v.fuelUsed) })),
    debt: d.debt === null ? null : { ...d.debt, amount: str(d.debt.amount) },
  }
}

export function settingsInfo(s: ExecutorSettings): ExecutorSettingsInfo {
  return { ...s, minPrice: str(s.minPrice) }
}

function statsInfo(s: ExecutorStats): ExecutorStatsInfo {
  return { ...s, settings: settingsInfo(s.settings), earned: str(s.earned) }
}

function submitInput(p: ValidParams<'mesh.submit'>): SubmitInput {
  return {
    module: p.module,
    maxPrice: p.maxPrice,
    ...(p.engine === undefined ? {} : { engine: p.engine }),
    ...(p.entry === undefined ? {} : { entry: p.entry }),
    ...(p.args === undefined ? {} : { args: p.args }),
    ...(p.env === undefined ? {} : { env: p.env }),
    ...(p.stdin === undefined ? {} : { stdin: p.stdin }),
    ...(p.inputs === undefined ? {} : { inputs: p.inputs }),
    ...(p.limits === undefined
      ? {}
      : {
          limits: Object.fromEntries(Object.entries(p.limits).filter(([, v]) => v !== undefined)),
        }),
    ...(p.minReputation === undefined ? {} : { minReputation: p.minReputation }),
    ...(p.bidWindowMs === undefined ? {} : { bidWindowMs: p.bidWindowMs }),
    ...(p.scope === undefined ? {} : { scope: p.scope }),
    ...(p.verification === undefined ? {} : { verification: p.verification }),
  }
}

export function meshHandlers(node: IcnNode): Pick<Handlers, MeshMethods> {
  const { mesh } = node
  return {
    async 'mesh.submit'(params, ctx) {
      const input = submitInput(params)
      const onProgress = (p: MeshProgress): void => {
        if (p.stage === 'storing')
          ctx.progress({ operation: 'job', done: p.done, total: p.total, message: 'storing files' })
        else if (p.stage === 'submitted')
          ctx.progress({ operation: 'job', done: 1, total: 1, message: `submitted ${p.job}` })
      }
      if (params.preview === true) {
        const { manifest, cost } = await mesh.preview(input, { signal: ctx.signal })
        return { job: null, manifest: manifestInfo(manifest), cost: costInfo(cost) }
      }
      const { job, cost } = await mesh.submit(input, { signal: ctx.signal, onProgress })
      const detail = await mesh.get(job)
      return { job, manifest: manifestInfo(detail.manifest), cost: costInfo(cost) }
    },
    async 'mesh.list'(params) {
      const jobs = await mesh.list({
        ...(params.role === undefined ? {} : { role: params.role }),
        ...(params.limit === undefined ? {} : { limit: params.limit }),
      })
      return { jobs: jobs.map(summaryInfo) }
    },
    async 'mesh.get'({ job }) {
      return detailInfo(await mesh.get(job))
    },
    async 'mesh.cancel'({ job }) {
      return detailInfo(await mesh.cancel(job))
    },
    async 'mesh.output'({ job }, ctx) {
      return mesh.output(job, { signal: ctx.signal })
    },
    async 'mesh.verify'({ job }, ctx) {
      const stages = ['fetching', 'running', 'comparing']
      const report = await mesh.verify(job, {
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.progress({
            operation: 'job.verify',
            done: stages.indexOf(p.stage) + 1,
            total: 3,
            message: p.stage,
          }),
      })
      return {
        ...report,
        local: { ...report.local, fuelUsed: str(report.local.fuelUsed) },
        remote: { ...report.remote, fuelUsed: str(report.remote.fuelUsed) },
      }
    },
    async 'mesh.dispute'({ job, reason }, ctx) {
      return disputeInfo(await mesh.dispute({ job, reason }, { signal: ctx.signal }))
    },
    async 'mesh.disputes'(params) {
      const disputes = await mesh.disputes({
        ...(params.job === undefined ? {} : { job: params.job }),
        ...(params.limit === undefined ? {} : { limit: params.limit }),
      })
      return { disputes: disputes.map(disputeInfo) }
    },
    async 'mesh.attestations'({ event }) {
      return { attestations: await mesh.attestations(event) }
    },
    async 'executor.getSettings'() {
      return settingsInfo(mesh.getSettings())
    },
    async 'executor.setSettings'(params) {
      const patch = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined))
      return settingsInfo(await mesh.setSettings(patch))
    },
    async 'executor.stats'() {
      return statsInfo(await mesh.stats())
    },
  }
}

/** Forwards this domain's core events to contract events; returns an unsubscribe function. */
export function meshEvents(node: IcnNode, emit: EventSink): () => void {
  const offs = [
    node.events.on('mesh:job-updated', (e) => emit('mesh:job-updated', e)),
    node.events.on('mesh:executor-settings', (e) =>
      emit('mesh:executor-settings-changed', settingsInfo(e.settings)),
    ),
    node.events.on('mesh:dispute-updated', (e) => emit('mesh:dispute-updated', e)),
  ]
  return () => {
    for (const off of offs) off()
  }
}
