import { availableParallelism } from 'node:os'
import { IcnError, isIcnError, throwIfAborted, toIcnError } from '../errors'
import {
  CID,
  GLOBAL_SCOPE,
  decodeEvent,
  isScope,
  parseCid,
  type BlockStore,
  type StateView,
  type VerifiedEvent,
} from '../dag'
import type { JsonSublevel } from '../storage'
import type { JobResult } from '../runtime'
import type {
  AttestationView,
  AssignmentView,
  BidView,
  BlobInput,
  CostPreview,
  DisputeStatus,
  DisputeView,
  ExecutorStats,
  JobDetail,
  JobOutput,
  JobQuery,
  JobStatus,
  JobSummary,
  Mesh,
  MeshComponents,
  MeshInit,
  MeshProgress,
  ReceiptView,
  SettlementView,
  SubmitInput,
  VerificationView,
  VerifyReport,
  WaitingReason,
} from './index'
import {
  MANIFEST_DEFAULTS,
  checkManifestParams,
  manifestBody,
  parseManifest,
  type JobManifest,
} from './manifest'
import { readParams, readScopeInfo } from '../scope'
import { linkSignals, withLinkedSignal } from '../signals'
import {
  MESH_EVENT_TYPES,
  assignHandler,
  jobHandler,
  receiptHandler,
  settleHandler,
  type AssignBody,
  type ReceiptBody,
  type SettleBody,
} from './handlers'
import {
  MESSAGE_CLOCK_SKEW_MS,
  decodeMeshMessage,
  encodeAnnounce,
  signBid,
  signStatus,
  type Bid,
  type StatusBeacon,
} from './messages'
import {
  meshIndex,
  readAssign,
  readAttempts,
  readJobRecord,
  readReceipt,
  readSettle,
  type AssignRecord,
  type JobRecord,
  type ReceiptRecord,
} from './records'
import { rankBids, type Candidate, type ExclusionReason } from './select'
import {
  DEFAULT_SETTINGS,
  applyPatch,
  availability,
  declineReason,
  fromStored,
  slotsFor,
  toStored,
  type DeclineReason,
  type ExecutorSettings,
  type SettingsPatch,
} from './settings'
import { ensureFile, fileCid, outputsCid, readOutputs, storeOutputs } from './blobs'
import { NEWCOMER_REPUTATION } from './ledger'
import { ATTEST_EVENT_TYPE, ATTESTED_TYPES, MAX_ATTESTED, attestHandler, readAttestations } from './attest'
import {
  DISPUTE_EVENT_TYPES,
  checkDisputable,
  disputeHandler,
  readDebt,
  readDispute,
  readDisputeById,
  readResolution,
  readVerdicts,
  resolveHandler,
  verdictFor,
  verdictHandler,
  type DisputeRecord,
} from './disputes'

/** A bid kept by the submitter while its window is open. */
interface ReceivedBid {
  bid: Bid
  bytes: Uint8Array
  arrivedAt: number
}

interface OpenWindow {
  job: string
  scope: string
  announcedAt: number
  record: JobRecord
  manifest: JobManifest
  bids: Map<string, ReceivedBid>
  timer: NodeJS.Timeout | undefined
}

/** What the submitter's node remembers of its job (node-local, not state): the ranking and its verdicts. */
interface SubmitterRecord {
  announcedAt: number
  ranking: {
    executor: string
    price: string
    reputation: number
    latencyMs: number
    score: number
    priceScore: number
    reputationScore: number
    latencyScore: number
    bid: string
  }[]
  excluded: {
    executor: string
    reason: ExclusionReason
    price: string
    reputation: number
    latencyMs: number
  }[]
  waiting: WaitingReason[]
  verification: VerificationView | null
}

/** What an executor needs to know about a job to decide whether to bid. */
interface Offer {
  submitter: string
  scope: string
  ts: number
  maxPrice: bigint
  minReputation: number
  bidWindowMs: number
  engine: string
  fuel: bigint
}

interface KnownExecutor {
  beacon: StatusBeacon
  heardAt: number
}

interface RecentJob {
  job: string
  maxPrice: bigint
  minReputation: number
  decision: DeclineReason | 'bid'
  won: boolean
  outbid: boolean
}

interface Running {
  job: string
  assign: string
  since: number
  stage: 'queued' | 'fetching' | 'running'
  abort: AbortController
}

/** Assignments an executor queues per CPU-share slot before it reports itself busy. */
const QUEUE_PER_SLOT = 8
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'))

class DefaultMesh implements Mesh {
  private readonly receiptGraceMs: number
  private readonly resumeDelayMs: number
  private readonly beaconIntervalMs: number
  private readonly maxBidsPerJob: number
  /** False on a light node: the executor stays off (MeshInit.execution). */
  private readonly execution: boolean
  private readonly maxKnownExecutors: number
  private readonly fetchTimeoutMs: number
  private readonly recentLimit: number
  private readonly now: () => number
  private readonly net: MeshComponents['network']
  private readonly pool: number
  private lastWarm = 0
  private sub!: JsonSublevel<unknown>
  private settings: ExecutorSettings = { ...DEFAULT_SETTINGS }
  /** Assignments this node has taken on: queued for a slot, fetching blocks, or running. */
  private running = new Map<string, Running>()
  /** Jobs holding one of the CPU-share slots, and the ones waiting for a slot (first come, first served). */
  private executing = 0
  private readonly slotWaiters: (() => void)[] = []
  /** Early bids: bids that arrive before the submitter has opened the job's window (bounded). */
  private readonly earlyBids = new Map<string, ReceivedBid[]>()
  private readonly windows = new Map<string, OpenWindow>()
  private readonly deadlines = new Map<string, NodeJS.Timeout>()
  private readonly locks = new Map<string, Promise<void>>()
  private readonly known = new Map<string, KnownExecutor>()
  private readonly considered = new Set<string>()
  /** Open jobs this node's member submitted (receipts for them are verified here). */
  private readonly myJobs = new Set<string>()
  /** Jobs assigned to this node that are not settled yet. */
  private readonly assignedToMe = new Set<string>()
  private readonly recent: RecentJob[] = []
  private readonly meshOffs = new Map<string, () => void>()
  private offs: (() => void)[] = []
  private beaconTimer: NodeJS.Timeout | undefined
  private lastBeacon = 0
  private lastBeaconAccepting: boolean | undefined
  private started = false
  private lifecycle = new AbortController()
  /** Work started by bus events and timers, awaited by stop(). */
  private readonly tasks = new Set<Promise<unknown>>()
  private readonly admission: MeshInit['admission']
  private readonly resolveStaggerMs: number
  private readonly tamperResult: MeshInit['tamperResult']
  /** Disputes this node is re-executing as a validator, and resolutions it has scheduled. */
  private readonly judging = new Set<string>()
  private readonly resolving = new Map<string, NodeJS.Timeout>()
  private readonly attestIntervalMs: number
  /** Settlements and results this validator will attest, by scope; whether it validates a scope (fixed at genesis). */
  private readonly toAttest = new Map<string, Set<string>>()
  private readonly validatorOf = new Map<string, boolean>()
  private attestTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly components: MeshComponents,
    init: MeshInit,
  ) {
    this.receiptGraceMs = init.receiptGraceMs ?? 5_000
    this.resumeDelayMs = init.resumeDelayMs ?? 10_000
    this.beaconIntervalMs = init.beaconIntervalMs ?? 30_000
    this.maxBidsPerJob = init.maxBidsPerJob ?? 64
    this.execution = init.execution ?? true
    this.maxKnownExecutors = init.maxKnownExecutors ?? 1024
    this.fetchTimeoutMs = init.fetchTimeoutMs ?? 30_000
    this.recentLimit = init.recentJobs ?? 200
    this.now = init.now ?? Date.now
    this.admission = init.admission
    this.resolveStaggerMs = init.resolveStaggerMs ?? 1_000
    this.tamperResult = init.tamperResult
    this.attestIntervalMs = init.attestIntervalMs ?? 1_000
    this.net = init.network ?? components.network
    this.pool = Math.max(1, init.poolSize ?? Math.min(2, availableParallelism()))
    const { dag } = components
    dag.register(MESH_EVENT_TYPES.job, jobHandler)
    dag.register(MESH_EVENT_TYPES.assign, assignHandler)
    dag.register(MESH_EVENT_TYPES.receipt, receiptHandler)
    dag.register(MESH_EVENT_TYPES.settle, settleHandler)
    dag.register(DISPUTE_EVENT_TYPES.dispute, disputeHandler)
    dag.register(DISPUTE_EVENT_TYPES.verdict, verdictHandler)
    dag.register(DISPUTE_EVENT_TYPES.resolve, resolveHandler)
    dag.register(ATTEST_EVENT_TYPE, attestHandler)
  }

  private get log() {
    return this.components.logger
  }

  private get blocks(): BlockStore {
    return this.components.dag.blocks
  }

  private me(): string | null {
    return this.components.identity.status().did
  }

  private unlocked(): boolean {
    const s = this.components.identity.status()
    return s.exists && !s.locked
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    this.lifecycle = new AbortController()
    this.sub = this.components.storage.json<unknown>('mesh')
    this.settings = fromStored(await this.sub.get('settings'))
    // A light node never bids: its executor is off whatever the stored settings say (they are kept for a later
    // start as a full node).
    if (!this.execution) this.settings = { ...this.settings, enabled: false }
    this.started = true
    const { events } = this.components
    this.offs.push(
      events.on('dag:event-applied', (e) => {
        if (e.type.startsWith('mesh/')) this.track(this.onApplied(e.cid, e.type, e.author))
        if (ATTESTED_TYPES.includes(e.type) && e.scope !== GLOBAL_SCOPE)
          this.track(this.queueAttestation(e.cid, e.scope, e.author))
      }),
      // A new peer learns this executor's status right away instead of at the next beacon.
      events.on('network:peer-connected', () => this.publishBeacon(false)),
      events.on('identity:changed', (e) => {
        if (!e.locked) this.track(this.resume(false))
        this.publishBeacon(true)
      }),
    )
    for (const scope of this.net?.scopes() ?? [GLOBAL_SCOPE]) this.listen(scope)
    this.listen(GLOBAL_SCOPE)
    this.beaconTimer = setInterval(() => this.publishBeacon(false), this.beaconIntervalMs)
    this.beaconTimer.unref()
    this.track(this.resume(true))
    setTimeout(() => this.publishBeacon(true), 50).unref()
  }

  async stop(): Promise<void> {
    this.started = false
    this.lifecycle.abort(new IcnError('NODE_STOPPING', 'The node is stopping.'))
    for (const off of this.offs.splice(0)) off()
    for (const off of this.meshOffs.values()) off()
    this.meshOffs.clear()
    clearInterval(this.beaconTimer)
    for (const w of this.windows.values()) clearTimeout(w.timer)
    this.windows.clear()
    for (const t of this.deadlines.values()) clearTimeout(t)
    this.deadlines.clear()
    for (const t of this.resolving.values()) clearTimeout(t)
    this.resolving.clear()
    clearTimeout(this.attestTimer)
    this.attestTimer = undefined
    this.toAttest.clear()
    for (const r of this.running.values()) r.abort.abort()
    // Work in flight either finishes or fails fast on the aborted signal before storage closes.
    await Promise.allSettled([...this.tasks])
    this.running.clear()
  }

  private track(promise: Promise<unknown>): void {
    const p = promise.catch((err: unknown) => {
      if (this.started) this.log.warn('mesh task failed', { err })
    })
    this.tasks.add(p)
    void p.finally(() => this.tasks.delete(p))
  }

  private assertStarted(): void {
    if (!this.started) throw new IcnError('NODE_NOT_RUNNING', 'The node is not running.')
  }

  /** Serialises everything done about one job (window close, deadline, receipt, cancel). */
  private withJob<T>(job: string, fn: () => Promise<T>): Promise<T> {
    const prior = this.locks.get(job) ?? Promise.resolve()
    const run = prior.then(fn, fn)
    const done = run.then(
      () => undefined,
      () => undefined,
    )
    this.locks.set(job, done)
    void done.then(() => {
      if (this.locks.get(job) === done) this.locks.delete(job)
    })
    return run
  }

  private emitUpdate(job: string, status: JobStatus | 'running', role: 'submitter' | 'executor'): void {
    this.components.events.emit('mesh:job-updated', { job, status, role })
  }

  // ---- mesh topic ------------------------------------------------------------------------------------------

  private listen(scope: string): void {
    const network = this.net
    if (network === undefined || this.meshOffs.has(scope)) return
    this.meshOffs.set(
      scope,
      network.onMesh(scope, (m) => this.onMessage(m.scope, m.data)),
    )
  }

  private async publish(scope: string, data: Uint8Array): Promise<void> {
    const network = this.net
    if (network === undefined) return
    try {
      await network.publishMesh(scope, data)
    } catch (err) {
      // No peers subscribed yet, or the network is off: market traffic is best effort.
      this.log.debug('mesh publish failed', { scope, err: toIcnError(err).message })
    }
  }

  private async onMessage(scope: string, data: Uint8Array): Promise<'accept' | 'reject' | 'ignore'> {
    let message
    try {
      message = decodeMeshMessage(data)
    } catch {
      return 'reject'
    }
    if (message.t === 'announce') return this.onAnnounce(scope, message.event)
    const now = this.now()
    if (Math.abs(message.ts - now) > MESSAGE_CLOCK_SKEW_MS) return 'ignore'
    if (message.t === 'status') {
      const prior = this.known.get(message.executor)
      if (prior !== undefined && prior.beacon.ts >= message.ts) return 'ignore'
      this.known.delete(message.executor)
      this.known.set(message.executor, { beacon: message, heardAt: now })
      if (this.known.size > this.maxKnownExecutors) {
        const oldest = this.known.keys().next().value
        if (oldest !== undefined) this.known.delete(oldest)
      }
      return 'accept'
    }
    const received: ReceivedBid = { bid: message, bytes: data, arrivedAt: now }
    const job = message.job.toString()
    const window = this.windows.get(job)
    if (window !== undefined) this.addBid(window, received)
    else if (await this.awaitingWindow(job)) {
      const opened = this.windows.get(job)
      if (opened !== undefined) {
        this.addBid(opened, received)
        return 'accept'
      }
      // The bid overtook our own bookkeeping (the job event reached the executor before submit() returned).
      const early = this.earlyBids.get(job) ?? []
      if (early.length < this.maxBidsPerJob) early.push(received)
      this.earlyBids.set(job, early)
      if (this.earlyBids.size > 1024) this.earlyBids.delete(this.earlyBids.keys().next().value as string)
    }
    return 'accept'
  }

  private addBid(window: OpenWindow, received: ReceivedBid): void {
    const prior = window.bids.get(received.bid.executor)
    if (prior === undefined && window.bids.size >= this.maxBidsPerJob) return
    if (prior === undefined || received.bid.price < prior.bid.price)
      window.bids.set(received.bid.executor, received)
  }

  /** A job of this node's member that has no window yet but is still open (its window opens in a moment). */
  private async awaitingWindow(job: string): Promise<boolean> {
    const view = this.components.dag.view()
    const record = await readJobRecord(view, job)
    if (record === undefined || record.submitter !== this.me()) return false
    return (await readAssign(view, job)) === undefined && (await readSettle(view, job)) === undefined
  }

  private async onAnnounce(scope: string, bytes: Uint8Array): Promise<'accept' | 'reject' | 'ignore'> {
    let verified: VerifiedEvent
    try {
      verified = decodeEvent(bytes)
    } catch {
      return 'reject'
    }
    if (verified.event.type !== MESH_EVENT_TYPES.job || verified.event.scope !== scope) return 'reject'
    let manifest: JobManifest
    try {
      manifest = parseManifest(verified.event.body)
    } catch {
      return 'reject'
    }
    // Bid straight from the announcement: the offer is all in the signed event, and the bid window is short.
    this.track(
      this.consider(verified.id, {
        submitter: verified.event.author,
        scope,
        ts: verified.event.ts,
        maxPrice: manifest.maxPrice,
        minReputation: manifest.minReputation,
        bidWindowMs: manifest.bidWindowMs,
        engine: manifest.engine,
        fuel: manifest.limits.fuel,
      }),
    )
    // The job event itself travels on the scope's events topic (and by sync); ingesting this copy as well would
    // verify and queue every job twice on every executor. A job the DAG never gets is never assigned.
    return 'accept'
  }

  // ---- bus ---------------------------------------------------------------------------------------------------

  /**
   * Reacts to applied mesh events. Most events concern other members' jobs: those are recognised from memory
   * (this node's open jobs, its assignments, its recent bids) before anything is read from the database.
   */
  private async onApplied(id: string, type: string, author: string): Promise<void> {
    const me = this.me()
    if (me === null) return
    if (type === MESH_EVENT_TYPES.job) {
      // A voided job has no record, so consider() skips it.
      if (author !== me && !this.considered.has(id)) await this.consider(id)
      return
    }
    const view = this.components.dag.view()
    if (
      type === DISPUTE_EVENT_TYPES.dispute ||
      type === DISPUTE_EVENT_TYPES.verdict ||
      type === DISPUTE_EVENT_TYPES.resolve
    )
      return this.onDisputeEvent(id, type)
    const event = await view.getEvent(id)
    if (event === undefined) return
    const job = (event.event.body as { job: CID }).job.toString()
    if (type === MESH_EVENT_TYPES.assign) {
      const body = event.event.body as { executor: string }
      const recent = this.recent.find((r) => r.job === job && r.decision === 'bid')
      if (body.executor !== me && author !== me && recent === undefined) return
      if (!(await view.isEffective(id))) return
      if (body.executor === me) {
        this.remember(this.assignedToMe, job)
        this.emitUpdate(job, 'assigned', 'executor')
        await this.execute(id)
      } else if (recent !== undefined) recent.outbid = true
      if (author === me) this.emitUpdate(job, 'assigned', 'submitter')
      return
    }
    if (type === MESH_EVENT_TYPES.receipt) {
      if (author !== me && !this.myJobs.has(job)) return
      if (!(await view.isEffective(id))) return
      if (author === me) this.emitUpdate(job, 'verifying', 'executor')
      if (this.myJobs.has(job)) {
        this.emitUpdate(job, 'verifying', 'submitter')
        await this.withJob(job, () => this.onReceipt(job))
      }
      return
    }
    if (type === MESH_EVENT_TYPES.settle) {
      const mine = author === me
      const executed = this.assignedToMe.has(job)
      if (!mine && !executed) return
      if (!(await view.isEffective(id))) return
      const kind = (event.event.body as { kind: JobStatus }).kind
      for (const r of this.running.values()) if (r.job === job) r.abort.abort()
      if (mine) {
        this.clearDeadline(job)
        this.myJobs.delete(job)
        this.emitUpdate(job, kind, 'submitter')
      }
      if (executed) {
        const recent = this.recent.find((r) => r.job === job)
        if (recent !== undefined) recent.won = true
        this.assignedToMe.delete(job)
        this.emitUpdate(job, kind, 'executor')
      }
    }
  }

  private remember(set: Set<string>, job: string): void {
    set.add(job)
    if (set.size > 10_000) set.delete(set.values().next().value as string)
  }

  // ---- submitter: submit, bid window, selection --------------------------------------------------------------

  private async storeBlob(input: BlobInput, what: string): Promise<CID> {
    if (input instanceof Uint8Array) return (await this.blocks.putFile(input)).cid
    return parseCid(input, what)
  }

  private async buildManifest(
    input: SubmitInput,
    options: { signal?: AbortSignal; onProgress?: (p: MeshProgress) => void },
  ): Promise<{ manifest: JobManifest; scope: string }> {
    if (typeof input !== 'object' || input === null)
      throw new IcnError('MESH_INVALID_MANIFEST', 'A job is an object.')
    const scope = input.scope ?? GLOBAL_SCOPE
    if (!isScope(scope))
      throw new IcnError('INVALID_ARGUMENT', `"${String(scope).slice(0, 100)}" is not a scope.`)
    const blobs = [input.module, ...(input.inputs ?? []), ...(input.stdin == null ? [] : [input.stdin])]
    const total = blobs.reduce((n, b) => n + (b instanceof Uint8Array ? b.length : 0), 0)
    let done = 0
    const store = async (blob: BlobInput, what: string): Promise<CID> => {
      throwIfAborted(options.signal)
      const cid = await this.storeBlob(blob, what)
      if (blob instanceof Uint8Array) {
        done += blob.length
        options.onProgress?.({ stage: 'storing', done, total })
      }
      return cid
    }
    const module = await store(input.module, 'module CID')
    const inputs: CID[] = []
    for (const [i, blob] of (input.inputs ?? []).entries()) inputs.push(await store(blob, `input ${i} CID`))
    const stdin = input.stdin == null ? null : await store(input.stdin, 'stdin CID')
    let fuel: bigint
    let maxPrice: bigint
    try {
      fuel = BigInt(input.limits?.fuel ?? MANIFEST_DEFAULTS.fuel)
      maxPrice = BigInt(input.maxPrice)
    } catch {
      throw new IcnError('MESH_INVALID_MANIFEST', 'fuel and maxPrice must be whole numbers.')
    }
    const body = manifestBody({
      module,
      engine: input.engine ?? MANIFEST_DEFAULTS.engine,
      entry: input.entry ?? MANIFEST_DEFAULTS.entry,
      args: input.args ?? [],
      env: input.env ?? {},
      stdin,
      inputs,
      limits: {
        fuel,
        memoryMiB: input.limits?.memoryMiB ?? MANIFEST_DEFAULTS.memoryMiB,
        timeoutMs: input.limits?.timeoutMs ?? MANIFEST_DEFAULTS.timeoutMs,
        outputBytes: input.limits?.outputBytes ?? MANIFEST_DEFAULTS.outputBytes,
      },
      maxPrice,
      minReputation: input.minReputation ?? MANIFEST_DEFAULTS.minReputation,
      bidWindowMs: input.bidWindowMs ?? MANIFEST_DEFAULTS.bidWindowMs,
      verification: input.verification ?? MANIFEST_DEFAULTS.verification,
    })
    const manifest = parseManifest(body)
    checkManifestParams(manifest, await readParams(this.components.dag.view(), scope))
    return { manifest, scope }
  }

  private async costOf(scope: string, manifest: JobManifest): Promise<CostPreview> {
    const economics = this.components.economics
    if (economics === undefined) {
      return {
        scope,
        escrow: manifest.maxPrice,
        fee: 0n,
        total: manifest.maxPrice,
        available: null,
        covered: null,
        shortfall: 0n,
        availableAt: null,
      }
    }
    const quote = await economics.cost({ type: MESH_EVENT_TYPES.job, scope, amount: manifest.maxPrice })
    return {
      scope,
      escrow: manifest.maxPrice,
      fee: quote.fee,
      total: quote.total,
      available: quote.available,
      covered: quote.covered,
      shortfall: quote.shortfall,
      availableAt: quote.availableAt,
    }
  }

  async preview(
    input: SubmitInput,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ manifest: JobManifest; cost: CostPreview }> {
    this.assertStarted()
    const { manifest, scope } = await this.buildManifest(input, options)
    return { manifest, cost: await this.costOf(scope, manifest) }
  }

  async submit(
    input: SubmitInput,
    options: { signal?: AbortSignal; onProgress?: (p: MeshProgress) => void } = {},
  ): Promise<{ job: string; cost: CostPreview }> {
    this.assertStarted()
    const { manifest, scope } = await this.buildManifest(input, options)
    const cost = await this.costOf(scope, manifest)
    if (cost.covered === false) {
      const when =
        cost.availableAt === null ? '' : ` (regenerated by ${new Date(cost.availableAt).toISOString()})`
      throw new IcnError(
        'ECONOMICS_INSUFFICIENT_MANA',
        `This job needs ${cost.total} mana (escrow ${cost.escrow} + fee ${cost.fee}) and ${cost.available ?? 0n} is available: ` +
          `lower the max price or wait for ${cost.shortfall} more${when}. Nothing was submitted.`,
      )
    }
    const event = await this.components.dag.append(
      { type: MESH_EVENT_TYPES.job, scope, body: manifestBody(manifest) },
      options.signal === undefined ? {} : { signal: options.signal },
    )
    options.onProgress?.({ stage: 'submitted', job: event.id })
    this.remember(this.myJobs, event.id)
    const record: JobRecord = {
      id: event.id,
      submitter: event.event.author,
      scope,
      ts: event.event.ts,
      maxPrice: manifest.maxPrice,
      minReputation: manifest.minReputation,
      bidWindowMs: manifest.bidWindowMs,
      timeoutMs: manifest.limits.timeoutMs,
      fuel: manifest.limits.fuel,
      outputBytes: manifest.limits.outputBytes,
      engine: manifest.engine,
      verification: manifest.verification,
      reserved: manifest.maxPrice > 0n,
    }
    await this.openWindow(record, manifest, event.bytes)
    this.emitUpdate(event.id, 'bidding', 'submitter')
    return { job: event.id, cost }
  }

  private async openWindow(record: JobRecord, manifest: JobManifest, eventBytes: Uint8Array): Promise<void> {
    if (this.windows.has(record.id)) return
    if (this.net !== undefined) {
      this.listen(record.scope)
      if (!this.net.scopes().includes(record.scope))
        await this.net.subscribe(record.scope).catch(() => undefined)
    }
    const window: OpenWindow = {
      job: record.id,
      scope: record.scope,
      announcedAt: this.now(),
      record,
      manifest,
      bids: new Map(),
      timer: undefined,
    }
    this.windows.set(record.id, window)
    for (const early of this.earlyBids.get(record.id) ?? []) this.addBid(window, early)
    this.earlyBids.delete(record.id)
    window.timer = setTimeout(() => {
      this.track(this.withJob(record.id, () => this.closeWindow(record.id)))
    }, manifest.bidWindowMs)
    await this.publish(record.scope, encodeAnnounce(eventBytes))
  }

  private async reputationOf(did: string, scope: string): Promise<number> {
    const economics = this.components.economics
    if (economics === undefined) return NEWCOMER_REPUTATION
    try {
      return (await economics.reputation({ did, scope })).score
    } catch {
      return NEWCOMER_REPUTATION
    }
  }

  private async closeWindow(job: string): Promise<void> {
    const window = this.windows.get(job)
    if (window === undefined) return
    this.windows.delete(job)
    const view = this.components.dag.view()
    if ((await readSettle(view, job)) !== undefined || (await readAssign(view, job)) !== undefined) return
    const { record } = window
    const candidates: Candidate[] = []
    for (const received of window.bids.values()) {
      candidates.push({
        executor: received.bid.executor,
        price: received.bid.price,
        reputation: await this.reputationOf(received.bid.executor, record.scope),
        // Every bid in hand when the window closes counts (a timer can fire late on a busy node).
        latencyMs: Math.min(record.bidWindowMs, Math.max(0, received.arrivedAt - window.announcedAt)),
        bid: received.bytes,
      })
    }
    const { ranked, excluded } = rankBids(record, candidates)
    const byExecutor = new Map(candidates.map((c) => [c.executor, c]))
    const waiting = ranked.length === 0 ? await this.explainWaiting(record, window.bids) : []
    const local: SubmitterRecord = {
      announcedAt: window.announcedAt,
      ranking: ranked.map((r) => ({
        executor: r.executor,
        price: r.price.toString(),
        reputation: r.reputation,
        latencyMs: r.latencyMs,
        score: r.score,
        priceScore: r.priceScore,
        reputationScore: r.reputationScore,
        latencyScore: r.latencyScore,
        bid: b64(r.bid),
      })),
      excluded: excluded.map((e) => {
        const c = byExecutor.get(e.executor) as Candidate
        return { ...e, price: c.price.toString(), reputation: c.reputation, latencyMs: c.latencyMs }
      }),
      waiting,
      verification: null,
    }
    await this.sub.put(`job/${job}`, local)
    if (ranked.length === 0) {
      await this.settle(job, {
        kind: 'refunded',
        reason: 'no-bids',
        note:
          waiting.length === 0
            ? 'No executor bid within the window.'
            : waiting.map((w) => w.message).join('; '),
        receipt: null,
        price: 0n,
      })
      return
    }
    await this.assignNext(job, record, local, 1)
  }

  /** Assigns `attempt` to the best ranked bidder not tried yet; refunds (timeout) when none is left. */
  private async assignNext(
    job: string,
    record: JobRecord,
    local: SubmitterRecord,
    attempt: number,
  ): Promise<void> {
    const candidate = local.ranking[attempt - 1]
    if (candidate === undefined) {
      await this.settle(job, {
        kind: 'refunded',
        reason: 'timeout',
        note: `No executor delivered a receipt (${attempt - 1} tried).`,
        receipt: null,
        price: 0n,
      })
      return
    }
    const now = this.now()
    const body: AssignBody = {
      job: CID.parse(job),
      attempt,
      executor: candidate.executor,
      price: BigInt(candidate.price),
      bid: unb64(candidate.bid),
      deadline: 0,
      score: {
        score: candidate.score,
        price: candidate.priceScore,
        reputation: candidate.reputationScore,
        latency: candidate.latencyScore,
        ranked: local.ranking.length,
      },
    }
    // The deadline counts from the event's ts, which the DAG sets to max(now, previous ts + 1).
    const head = await this.components.dag.head(record.submitter)
    const ts = Math.max(now, (head?.ts ?? -1) + 1)
    body.deadline = ts + record.timeoutMs + this.receiptGraceMs
    const event = await this.components.dag.append({
      type: MESH_EVENT_TYPES.assign,
      scope: record.scope,
      body: {
        ...body,
        price: Number(body.price) <= Number.MAX_SAFE_INTEGER ? Number(body.price) : body.price,
      },
    })
    const assign = await readAssign(this.components.dag.view(), job)
    if (assign !== undefined && assign.id === event.id)
      this.scheduleDeadline(job, assign.deadline - this.now())
  }

  private scheduleDeadline(job: string, delayMs: number): void {
    this.clearDeadline(job)
    const timer = setTimeout(
      () => {
        this.deadlines.delete(job)
        this.track(this.withJob(job, () => this.onDeadline(job)))
      },
      Math.max(1, delayMs),
    )
    this.deadlines.set(job, timer)
  }

  private clearDeadline(job: string): void {
    const timer = this.deadlines.get(job)
    if (timer !== undefined) clearTimeout(timer)
    this.deadlines.delete(job)
  }

  private async onDeadline(job: string): Promise<void> {
    const view = this.components.dag.view()
    if ((await readSettle(view, job)) !== undefined) return
    const assign = await readAssign(view, job)
    const record = await readJobRecord(view, job)
    if (assign === undefined || record === undefined) return
    if ((await readReceipt(view, assign.id)) !== undefined) return this.onReceipt(job)
    if (this.now() <= assign.deadline) {
      this.scheduleDeadline(job, assign.deadline - this.now() + 1)
      return
    }
    const local = await this.localRecord(job)
    this.log.info('executor missed its deadline; assigning the next bidder', {
      job,
      executor: assign.executor,
      attempt: assign.attempt,
    })
    await this.assignNext(job, record, local ?? emptyLocal(), assign.attempt + 1)
  }

  private async localRecord(job: string): Promise<SubmitterRecord | undefined> {
    return (await this.sub.get(`job/${job}`)) as SubmitterRecord | undefined
  }

  private async settle(job: string, body: Omit<SettleBody, 'job'>): Promise<void> {
    const record = await readJobRecord(this.components.dag.view(), job)
    if (record === undefined) return
    try {
      await this.components.dag.append({
        type: MESH_EVENT_TYPES.settle,
        scope: record.scope,
        body: {
          job: CID.parse(job),
          kind: body.kind,
          reason: body.reason,
          note: body.note.slice(0, 1000),
          receipt: body.receipt,
          price: body.price <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(body.price) : body.price,
        },
      })
    } catch (err) {
      if (isIcnError(err, 'DAG_SUPERSEDED') || isIcnError(err, 'MESH_JOB_CLOSED')) return
      throw err
    }
    this.clearDeadline(job)
  }

  // ---- submitter: receipts, verification, settlement ---------------------------------------------------------

  private async onReceipt(job: string): Promise<void> {
    const view = this.components.dag.view()
    if ((await readSettle(view, job)) !== undefined) return
    const assign = await readAssign(view, job)
    if (assign === undefined) return
    const receipt = await readReceipt(view, assign.id)
    if (receipt === undefined) return
    if (!this.unlocked()) return
    this.clearDeadline(job)
    const jobEvent = await view.getEvent(job)
    if (jobEvent === undefined) return
    const manifest = parseManifest(jobEvent.event.body)
    const verification = await this.verifyReceipt(job, manifest, assign, receipt)
    const local = (await this.localRecord(job)) ?? emptyLocal()
    await this.sub.put(`job/${job}`, { ...local, verification })
    const receiptCid = CID.parse(receipt.id)
    if (verification.ok) {
      await this.settle(job, {
        kind: 'paid',
        reason: verification.method === 'reexecuted' ? 'reexecuted' : 'verified',
        note: '',
        receipt: receiptCid,
        price: assign.price,
      })
    } else {
      await this.settle(job, {
        kind: 'rejected',
        reason: verification.reason ?? 'mismatch',
        note: verification.differences.join('; '),
        receipt: receiptCid,
        price: 0n,
      })
    }
  }

  /**
   * The submitter's checks of a receipt: the DAG already verified its signature and that it answers this
   * assignment from the assigned executor within the fuel and output limits. Here: the outputs it names must
   * exist and have the sizes it claims, its determinism flag must fit the engine, and when the job asks for it
   * a deterministic result must be reproduced exactly by a local re-run.
   */
  private async verifyReceipt(
    job: string,
    manifest: JobManifest,
    assign: AssignRecord,
    receipt: ReceiptRecord,
  ): Promise<VerificationView> {
    const at = this.now()
    const fail = (
      reason: 'mismatch' | 'limits' | 'unavailable',
      differences: string[],
    ): VerificationView => ({
      method: 'checks',
      ok: false,
      reason,
      differences,
      at,
    })
    // Codes outside the runtime's mean nothing ran (the blocks could not be had, the executor's pool refused it).
    if (receipt.error !== null && !receipt.error.code.startsWith('RUNTIME_'))
      return fail('unavailable', [
        `the executor could not run the job: ${receipt.error.code} ${receipt.error.message}`,
      ])
    if (manifest.engine === 'wasmer' && receipt.deterministic)
      return fail('mismatch', ['a wasmer job cannot be deterministic'])
    return withLinkedSignal([this.lifecycle.signal], this.fetchTimeoutMs, async (signal) => {
      let stdout: Uint8Array
      let stderr: Uint8Array
      let outputs: Record<string, Uint8Array>
      try {
        await ensureFile(this.blocks, this.net, CID.parse(receipt.stdout), signal)
        await ensureFile(this.blocks, this.net, CID.parse(receipt.stderr), signal)
        stdout = await this.blocks.catFile(CID.parse(receipt.stdout))
        stderr = await this.blocks.catFile(CID.parse(receipt.stderr))
        outputs = await readOutputs(this.blocks, this.net, CID.parse(receipt.output), signal)
      } catch (err) {
        if (this.lifecycle.signal.aborted) throw err
        return fail('unavailable', [`the outputs could not be fetched: ${toIcnError(err).message}`])
      }
      const outputBytes = stderr.length + Object.values(outputs).reduce((n, b) => n + b.length, 0)
      if (stdout.length !== receipt.stdoutBytes || outputBytes !== receipt.outputBytes)
        return fail('limits', ['the output sizes differ from what the receipt reports'])
      if (manifest.verification !== 'reexecute' || !receipt.deterministic)
        return { method: 'checks', ok: true, reason: null, differences: [], at }
      const local = await this.runLocally(job, manifest, assign.startTs, signal)
      const differences = compareResults(local, receipt)
      return {
        method: 'reexecuted',
        ok: differences.length === 0,
        reason: differences.length === 0 ? null : 'mismatch',
        differences,
        at: this.now(),
      }
    })
  }

  private async runLocally(
    job: string,
    manifest: JobManifest,
    startTs: number,
    signal: AbortSignal,
  ): Promise<JobResult> {
    const { blocks } = this
    const network = this.net
    for (const cid of [
      manifest.module,
      ...manifest.inputs,
      ...(manifest.stdin === null ? [] : [manifest.stdin]),
    ])
      await ensureFile(blocks, network, cid, signal)
    return this.components.runtime.run(
      {
        module: await blocks.catFile(manifest.module),
        engine: manifest.engine,
        entry: manifest.entry,
        args: manifest.args,
        env: manifest.env,
        stdin: manifest.stdin === null ? new Uint8Array(0) : await blocks.catFile(manifest.stdin),
        inputs: await Promise.all(manifest.inputs.map((c) => blocks.catFile(c))),
        limits: manifest.limits,
        seed: CID.parse(job).bytes,
        startTs,
      },
      { signal },
    )
  }

  // ---- executor -------------------------------------------------------------------------------------------------

  private poolSize(): number {
    return this.pool
  }

  private slots(): number {
    return slotsFor(this.settings, this.poolSize())
  }

  /** Assignments taken on at most: the slots plus a short queue, so a burst of small jobs is not refused. */
  private capacity(): number {
    return this.slots() * QUEUE_PER_SLOT
  }

  private availabilityNow() {
    return availability(this.settings, {
      now: this.now(),
      running: this.running.size,
      slots: this.capacity(),
      unlocked: this.unlocked(),
    })
  }

  private async acquireSlot(signal: AbortSignal): Promise<void> {
    while (this.executing >= this.slots()) {
      throwIfAborted(signal)
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal.removeEventListener('abort', wake)
          resolve()
        }
        this.slotWaiters.push(wake)
        signal.addEventListener('abort', wake, { once: true })
      })
    }
    throwIfAborted(signal)
    this.executing++
  }

  private releaseSlot(): void {
    this.executing--
    this.slotWaiters.shift()?.()
  }

  private publishBeacon(force: boolean): void {
    if (!this.started || this.net === undefined || !this.unlocked()) return
    const now = this.now()
    const a = this.availabilityNow()
    if (
      !force &&
      now - this.lastBeacon < this.beaconIntervalMs / 2 &&
      a.accepting === this.lastBeaconAccepting
    )
      return
    this.lastBeacon = now
    this.lastBeaconAccepting = a.accepting
    let bytes: Uint8Array
    try {
      bytes = signStatus(
        {
          executor: this.components.identity.did(),
          accepting: a.accepting,
          reason: a.reason,
          until: a.until,
          minPrice: this.settings.minPrice,
          running: this.running.size,
          slots: this.capacity(),
          wasmer: this.settings.wasmer,
          ts: now,
        },
        this.components.identity.signer(),
      )
    } catch {
      return
    }
    for (const scope of new Set([GLOBAL_SCOPE, ...(this.net.scopes() ?? [])]))
      this.track(this.publish(scope, bytes))
  }

  private rememberRecent(entry: RecentJob): void {
    this.recent.push(entry)
    if (this.recent.length > this.recentLimit) this.recent.shift()
  }

  /** An executor sees a job: bid if its settings allow, and remember why not otherwise. */
  private async consider(job: string, offer?: Offer): Promise<void> {
    if (this.considered.has(job)) return
    this.considered.add(job)
    if (this.considered.size > 4096) this.considered.delete(this.considered.values().next().value as string)
    const me = this.me()
    if (me === null) return
    let record: Offer | undefined = offer
    if (record === undefined) {
      const view = this.components.dag.view()
      record = await readJobRecord(view, job)
      if (record === undefined || record.submitter === me) return
      if ((await readAssign(view, job)) !== undefined || (await readSettle(view, job)) !== undefined) return
    }
    if (record.submitter === me) return
    const now = this.now()
    // Old jobs arriving by sync are history, not offers.
    if (now > record.ts + record.bidWindowMs + MESSAGE_CLOCK_SKEW_MS) return
    const reputation = await this.reputationOf(me, record.scope)
    let decision = declineReason(this.settings, this.availabilityNow(), record, { did: me, reputation })
    if (decision === null && this.admission !== undefined) {
      const job = { scope: record.scope, submitter: record.submitter, executor: me }
      const admitted = await this.admission({ ...job, maxPrice: record.maxPrice, fuel: record.fuel }).catch(
        (err: unknown) => {
          this.log.warn('job admission policy failed; bidding as the settings allow', { err })
          return true
        },
      )
      if (!admitted) decision = 'not-allowed'
    }
    this.rememberRecent({
      job,
      maxPrice: record.maxPrice,
      minReputation: record.minReputation,
      decision: decision ?? 'bid',
      won: false,
      outbid: false,
    })
    if (decision !== null) return
    let bytes: Uint8Array
    try {
      bytes = signBid(
        {
          job: CID.parse(job),
          executor: me as `did:${string}`,
          price: this.settings.minPrice,
          free: Math.max(0, this.capacity() - this.running.size),
          minPrice: this.settings.minPrice,
          ts: now,
        },
        this.components.identity.signer(),
      )
    } catch {
      return
    }
    await this.publish(record.scope, bytes)
    // A node that bids expects work: start the worker pool now rather than on the first assignment.
    if (now - this.lastWarm > 10_000) {
      this.lastWarm = now
      this.components.runtime.warm().catch(() => undefined)
    }
  }

  /** Runs an assignment addressed to this node and writes its receipt (the outbox: the executor's own chain). */
  private async execute(assignId: string): Promise<void> {
    if (this.running.has(assignId) || !this.started) return
    const view = this.components.dag.view()
    const assignEvent = await view.getEvent(assignId)
    if (assignEvent === undefined) return
    const body = assignHandler.parseBody(assignEvent.event.body, assignEvent.event)
    const job = body.job.toString()
    if ((await readReceipt(view, assignId)) !== undefined) return
    const current = await readAssign(view, job)
    if (current?.id !== assignId || (await readSettle(view, job)) !== undefined) return
    if (this.now() > current.deadline) return
    const jobEvent = await view.getEvent(job)
    if (jobEvent === undefined) return
    const manifest = parseManifest(jobEvent.event.body)
    const abort = new AbortController()
    const entry: Running = { job, assign: assignId, since: this.now(), stage: 'queued', abort }
    this.running.set(assignId, entry)
    this.publishBeacon(false)
    this.emitUpdate(job, 'running', 'executor')
    const link = linkSignals([abort.signal, this.lifecycle.signal])
    const signal = link.signal
    let holdsSlot = false
    try {
      let result: JobResult
      try {
        await this.acquireSlot(signal)
        holdsSlot = true
        entry.stage = 'fetching'
        const network = this.net
        await withLinkedSignal([signal], this.fetchTimeoutMs, async (fetchSignal) => {
          for (const cid of [
            manifest.module,
            ...manifest.inputs,
            ...(manifest.stdin === null ? [] : [manifest.stdin]),
          ])
            await ensureFile(this.blocks, network, cid, fetchSignal)
        })
        entry.stage = 'running'
        result = await this.components.runtime.run(
          {
            module: await this.blocks.catFile(manifest.module),
            engine: manifest.engine,
            entry: manifest.entry,
            args: manifest.args,
            env: manifest.env,
            stdin: manifest.stdin === null ? new Uint8Array(0) : await this.blocks.catFile(manifest.stdin),
            inputs: await Promise.all(manifest.inputs.map((c) => this.blocks.catFile(c))),
            limits: manifest.limits,
            seed: body.job.bytes,
            startTs: current.startTs,
          },
          { signal },
        )
      } catch (err) {
        if (signal.aborted) return
        const e = toIcnError(err)
        // The blocks could not be had (or the runtime refused the job): say so in a receipt, nothing ran.
        const t = this.now()
        result = {
          exitCode: -1,
          stdout: new Uint8Array(0),
          stderr: new Uint8Array(0),
          outputs: {},
          fuelUsed: 0n,
          deterministic: false,
          startedAt: t,
          finishedAt: t,
          error: { code: e.code, message: e.message },
        }
      }
      if (signal.aborted) return
      if (this.tamperResult !== undefined) result = this.tamperResult(result)
      await this.writeReceipt(body.job, CID.parse(assignId), jobEvent.event.scope, result)
    } finally {
      link.release()
      if (holdsSlot) this.releaseSlot()
      this.running.delete(assignId)
      this.publishBeacon(false)
    }
  }

  private async writeReceipt(job: CID, assign: CID, scope: string, result: JobResult): Promise<void> {
    const stdout = (await this.blocks.putFile(result.stdout)).cid
    const stderr = (await this.blocks.putFile(result.stderr)).cid
    const output = await storeOutputs(this.blocks, result.outputs)
    const outputBytes = result.stderr.length + Object.values(result.outputs).reduce((n, b) => n + b.length, 0)
    const fuel = result.fuelUsed
    const body = {
      job,
      assign,
      output,
      stdout,
      stderr,
      stdoutBytes: result.stdout.length,
      outputBytes,
      fuelUsed: fuel <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(fuel) : fuel,
      exit: result.exitCode,
      error:
        result.error === undefined
          ? null
          : { code: result.error.code, message: result.error.message.slice(0, 1000) },
      startedAt: result.startedAt,
      finishedAt: Math.max(result.startedAt, result.finishedAt),
      deterministic: result.deterministic,
    }
    await this.components.dag.append({ type: MESH_EVENT_TYPES.receipt, scope, body })
  }

  // ---- resume after a start or an unlock ------------------------------------------------------------------------

  private async resume(afterStart: boolean): Promise<void> {
    const me = this.me()
    if (me === null || !this.unlocked()) return
    const view = this.components.dag.view()
    // Jobs this node submitted that are not settled: reopen a window, or wait for the deadline again.
    const submitted = await view.listIndex<string>(meshIndex.bySubmitter(me), { reverse: true, limit: 500 })
    for (const { value: job } of submitted) {
      if ((await readSettle(view, job)) !== undefined) continue
      this.remember(this.myJobs, job)
      const record = await readJobRecord(view, job)
      if (record === undefined) continue
      const assign = await readAssign(view, job)
      if (assign === undefined) {
        if (this.windows.has(job)) continue
        const event = await view.getEvent(job)
        if (event === undefined) continue
        await this.openWindow(record, parseManifest(event.event.body), event.bytes)
        continue
      }
      if ((await readReceipt(view, assign.id)) !== undefined) {
        this.track(this.withJob(job, () => this.onReceipt(job)))
        continue
      }
      // Receipts that waited in executors' outboxes arrive by sync shortly after a start: give them time.
      const wait = Math.max(assign.deadline - this.now(), afterStart ? this.resumeDelayMs : 0)
      if (!this.deadlines.has(job)) this.scheduleDeadline(job, wait)
    }
    // Assignments to this node without a receipt: run them (a crash mid-job leaves exactly this).
    const assigned = await view.listIndex<string>(meshIndex.byExecutor(me), { reverse: true, limit: 200 })
    for (const { key, value: assignId } of assigned) {
      const job = key.split('/').at(-1) as string
      if ((await readSettle(view, job)) === undefined) this.remember(this.assignedToMe, job)
      if ((await readReceipt(view, assignId)) !== undefined) continue
      this.track(this.execute(assignId))
    }
    // Disputes this node judges: re-execute those without its verdict, resolve those with a quorum.
    for (const { value: dispute } of await view.listIndex<string>(DISPUTE_INDEX, {
      reverse: true,
      limit: 200,
    }))
      this.track(this.onDisputeEvent(dispute, DISPUTE_EVENT_TYPES.dispute, false))
  }

  // ---- disputes (docs/mesh.md §Disputes) ----------------------------------------------------------------------

  async dispute(
    input: { job: string; reason: string },
    options: { signal?: AbortSignal } = {},
  ): Promise<DisputeView> {
    this.assertStarted()
    const job = this.parseJobId(input.job)
    const me = this.me()
    if (me === null || !this.unlocked())
      throw new IcnError('IDENTITY_LOCKED', 'Unlock your identity to open a dispute.')
    const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
    if (reason.length === 0 || reason.length > 1000)
      throw new IcnError('INVALID_ARGUMENT', 'Say why you dispute the settlement (1–1000 characters).')
    const view = this.components.dag.view()
    const record = await readJobRecord(view, job)
    if (record === undefined) throw unknownJob(job)
    // The same checks the event's validation makes, with the clear code, before anything is signed.
    const { settle, receipt } = await checkDisputable(view, { job, author: me, at: this.now() })
    const event = await this.components.dag.append(
      {
        type: DISPUTE_EVENT_TYPES.dispute,
        scope: record.scope,
        body: {
          job: CID.parse(job),
          settlement: CID.parse(settle.id),
          receipt: CID.parse(receipt.id),
          reason,
        },
      },
      options.signal === undefined ? {} : { signal: options.signal },
    )
    const view2 = this.components.dag.view()
    const stored = await readDisputeById(view2, event.id)
    if (stored === undefined)
      throw new IcnError('MESH_DISPUTE_EXISTS', 'Another dispute on this job came first.')
    return this.disputeView(view2, stored)
  }

  async disputes(query: { job?: string; limit?: number } = {}): Promise<DisputeView[]> {
    this.assertStarted()
    const view = this.components.dag.view()
    if (query.job !== undefined) {
      const record = await readDispute(view, this.parseJobId(query.job))
      return record === undefined ? [] : [await this.disputeView(view, record)]
    }
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500)
    const out: DisputeView[] = []
    for (const { value: id } of await view.listIndex<string>(DISPUTE_INDEX, { reverse: true, limit })) {
      const record = await readDisputeById(view, id)
      if (record !== undefined) out.push(await this.disputeView(view, record))
    }
    return out
  }

  private async disputeView(view: StateView, record: DisputeRecord): Promise<DisputeView> {
    const verdicts = await readVerdicts(view, record.id)
    const resolution = await readResolution(view, record.id)
    const debt = resolution?.result === 'reverse' ? await readDebt(view, record.job) : undefined
    const { ts: openedAt, ...stored } = record
    return {
      ...stored,
      status: statusOf(resolution?.result),
      verdicts: verdicts
        .sort((a, b) => a.ts - b.ts || (a.validator < b.validator ? -1 : 1))
        .map((v) => ({
          id: v.id,
          validator: v.validator,
          result: v.result,
          matches: v.matches,
          exit: v.exit,
          error: v.error,
          fuelUsed: v.fuelUsed,
          output: v.output,
          stdout: v.stdout,
          ts: v.ts,
        })),
      resolution:
        resolution === undefined ? null : { id: resolution.id, by: resolution.by, ts: resolution.ts },
      debt: debt === undefined ? null : { debtor: debt.debtor, creditor: debt.creditor, amount: debt.amount },
      openedAt,
    }
  }

  async attestations(event: string): Promise<AttestationView[]> {
    this.assertStarted()
    const id = parseCid(event, 'event id').toString()
    return (await readAttestations(this.components.dag.view(), id)).sort(
      (a, b) => a.ts - b.ts || (a.validator < b.validator ? -1 : 1),
    )
  }

  // ---- validator attestations (docs/mesh.md §13) -------------------------------------------------------------

  /** A settlement or result was applied: a validator of its scope attests it with the next batch. */
  private async queueAttestation(id: string, scope: string, author: string): Promise<void> {
    const me = this.me()
    if (me === null || author === me || !this.unlocked()) return
    // Keyed by member too: the node's identity can change while it runs.
    let named = this.validatorOf.get(`${me} ${scope}`)
    if (named === undefined) {
      const info = await readScopeInfo(this.components.dag.view(), scope)
      if (info === undefined) return
      named = info.validators.includes(me)
      this.validatorOf.set(`${me} ${scope}`, named)
    }
    if (!named) return
    const pending = this.toAttest.get(scope) ?? new Set<string>()
    pending.add(id)
    this.toAttest.set(scope, pending)
    if (this.attestTimer === undefined) {
      this.attestTimer = setTimeout(() => {
        this.attestTimer = undefined
        this.track(this.flushAttestations())
      }, this.attestIntervalMs)
      this.attestTimer.unref()
    }
  }

  private async flushAttestations(): Promise<void> {
    const batches = [...this.toAttest.entries()]
    this.toAttest.clear()
    for (const [scope, ids] of batches) {
      const list = [...ids].sort()
      for (let i = 0; i < list.length; i += MAX_ATTESTED) {
        const chunk = list.slice(i, i + MAX_ATTESTED)
        const append = (subjects: string[]) =>
          this.components.dag.append({
            type: ATTEST_EVENT_TYPE,
            scope,
            body: { subjects: subjects.map((s) => CID.parse(s)) },
          })
        try {
          await append(chunk)
        } catch (err) {
          if (!this.started) return
          // One subject voided by a refold (or attested already) spoils the batch: attest the rest one by one.
          this.log.debug('attestation batch refused; attesting one by one', {
            scope,
            err: toIcnError(err).message,
          })
          for (const subject of chunk) await append([subject]).catch(() => undefined)
        }
      }
    }
  }

  /** Any applied dispute event: tell the UI, and, as one of the dispute's validators, judge or resolve it. */
  private async onDisputeEvent(id: string, type: string, announce = true): Promise<void> {
    const view = this.components.dag.view()
    let disputeId = id
    if (type !== DISPUTE_EVENT_TYPES.dispute) {
      const event = await view.getEvent(id)
      if (event === undefined) return
      disputeId = (event.event.body as { dispute: CID }).dispute.toString()
    }
    const record = await readDisputeById(view, disputeId)
    if (record === undefined) return
    const verdicts = await readVerdicts(view, record.id)
    const resolution = await readResolution(view, record.id)
    if (announce)
      this.components.events.emit('mesh:dispute-updated', {
        dispute: record.id,
        job: record.job,
        status: statusOf(resolution?.result),
        verdicts: verdicts.length,
      })
    const me = this.me()
    if (me === null || !record.validators.includes(me) || !this.unlocked() || resolution !== undefined) return
    if (!verdicts.some((v) => v.validator === me)) {
      await this.judge(record)
      return
    }
    for (const result of ['confirm', 'reverse'] as const) {
      const agreeing = verdicts.filter((v) => v.result === result)
      if (agreeing.length >= record.quorum)
        this.scheduleResolve(
          record,
          result,
          agreeing.map((v) => v.id),
        )
    }
  }

  /** Re-executes the disputed job as the receipt's executor ran it and signs this validator's verdict. */
  private async judge(record: DisputeRecord): Promise<void> {
    if (this.judging.has(record.id) || !this.started) return
    this.judging.add(record.id)
    try {
      const view = this.components.dag.view()
      const jobEvent = await view.getEvent(record.job)
      const receiptEvent = await view.getEvent(record.receipt)
      if (jobEvent === undefined || receiptEvent === undefined) return
      const assignId = (receiptEvent.event.body as { assign: CID }).assign.toString()
      const assign = (await readAttempts(view, record.job)).find((a) => a.id === assignId)
      if (assign === undefined) return
      const manifest = parseManifest(jobEvent.event.body)
      const local = await withLinkedSignal(
        [this.lifecycle.signal],
        this.fetchTimeoutMs + manifest.limits.timeoutMs,
        (signal) => this.runLocally(record.job, manifest, assign.startTs, signal),
      )
      const receipt = await readReceipt(view, assignId)
      if (receipt === undefined) return
      const run = {
        exit: local.exitCode,
        error: local.error?.code ?? null,
        fuelUsed: local.fuelUsed,
        stdout: fileCid(local.stdout),
        stderr: fileCid(local.stderr),
        output: outputsCid(local.outputs),
      }
      const differences = compareResults(local, receipt)
      const result = verdictFor(record.kind, differences.length === 0)
      this.log.info('dispute judged by re-execution', {
        dispute: record.id,
        job: record.job,
        result,
        differences,
      })
      try {
        await this.components.dag.append({
          type: DISPUTE_EVENT_TYPES.verdict,
          scope: record.scope,
          body: {
            dispute: CID.parse(record.id),
            result,
            ...run,
            fuelUsed: run.fuelUsed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(run.fuelUsed) : run.fuelUsed,
          },
        })
      } catch (err) {
        if (!isIcnError(err, 'MESH_VERDICT_EXISTS')) throw err
      }
    } finally {
      this.judging.delete(record.id)
    }
  }

  /** Writes the resolution after this validator's stagger (its rank among the dispute's validators). */
  private scheduleResolve(record: DisputeRecord, result: 'confirm' | 'reverse', verdicts: string[]): void {
    const me = this.me()
    if (me === null || this.resolving.has(record.id)) return
    const rank = Math.max(0, record.validators.indexOf(me))
    const timer = setTimeout(() => {
      this.track(
        (async () => {
          try {
            if ((await readResolution(this.components.dag.view(), record.id)) !== undefined) return
            await this.components.dag.append({
              type: DISPUTE_EVENT_TYPES.resolve,
              scope: record.scope,
              body: {
                dispute: CID.parse(record.id),
                result,
                verdicts: verdicts.sort().map((v) => CID.parse(v)),
              },
            })
          } catch (err) {
            if (!isIcnError(err, 'DAG_SUPERSEDED') && !isIcnError(err, 'MESH_DISPUTE_RESOLVED')) throw err
          } finally {
            this.resolving.delete(record.id)
          }
        })(),
      )
    }, rank * this.resolveStaggerMs)
    timer.unref()
    this.resolving.set(record.id, timer)
  }

  // ---- reads ------------------------------------------------------------------------------------------------------

  private async summaryOf(view: StateView, job: string, me: string | null): Promise<JobSummary | undefined> {
    const record = await readJobRecord(view, job)
    if (record === undefined) return undefined
    const assign = await readAssign(view, job)
    const settle = await readSettle(view, job)
    let status: JobStatus
    if (settle !== undefined) status = settle.kind
    else if (assign !== undefined)
      status = (await readReceipt(view, assign.id)) === undefined ? 'assigned' : 'verifying'
    else status = 'bidding'
    const executor = settle?.executor ?? assign?.executor ?? null
    return {
      id: job,
      scope: record.scope,
      submitter: record.submitter,
      role: record.submitter === me ? 'submitter' : me !== null && executor === me ? 'executor' : 'observer',
      status,
      reason: settle === undefined || settle.kind === 'paid' ? null : settle.reason,
      maxPrice: record.maxPrice,
      price: assign?.price ?? null,
      executor,
      attempt: assign?.attempt ?? 0,
      engine: record.engine as JobSummary['engine'],
      submittedAt: record.ts,
      settledAt: settle?.ts ?? null,
    }
  }

  async list(query: JobQuery = {}): Promise<JobSummary[]> {
    this.assertStarted()
    const me = this.me()
    if (me === null) return []
    const view = this.components.dag.view()
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500)
    const role = query.role ?? 'all'
    const rows: { ts: string; job: string }[] = []
    if (role !== 'executor') {
      for (const { key, value } of await view.listIndex<string>(meshIndex.bySubmitter(me), {
        reverse: true,
        limit,
      }))
        rows.push({ ts: key.split('/').at(-2) as string, job: value })
    }
    if (role !== 'submitter') {
      for (const { key } of await view.listIndex<string>(meshIndex.byExecutor(me), { reverse: true, limit }))
        rows.push({ ts: key.split('/').at(-2) as string, job: key.split('/').at(-1) as string })
    }
    rows.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0))
    const seen = new Set<string>()
    const out: JobSummary[] = []
    for (const row of rows) {
      if (seen.has(row.job)) continue
      seen.add(row.job)
      const summary = await this.summaryOf(view, row.job, me)
      if (summary !== undefined) out.push(summary)
      if (out.length >= limit) break
    }
    return out
  }

  private parseJobId(job: string): string {
    return parseCid(job, 'job id').toString()
  }

  async get(jobInput: string): Promise<JobDetail> {
    this.assertStarted()
    const job = this.parseJobId(jobInput)
    const view = this.components.dag.view()
    const me = this.me()
    const summary = await this.summaryOf(view, job, me)
    const event = await view.getEvent(job)
    if (summary === undefined || event === undefined) throw unknownJob(job)
    const manifest = parseManifest(event.event.body)
    const attempts = await readAttempts(view, job)
    const current = await readAssign(view, job)
    const settle = await readSettle(view, job)
    const assignments: AssignmentView[] = attempts.map((a) => ({
      id: a.id,
      attempt: a.attempt,
      executor: a.executor,
      price: a.price,
      startTs: a.startTs,
      deadline: a.deadline,
      timedOut: a.id !== current?.id || (settle?.kind === 'refunded' && settle.reason === 'timeout'),
    }))
    const receipts: ReceiptView[] = []
    for (const { value: assignId } of await view.listIndex<string>(meshIndex.receipts(job), { limit: 100 })) {
      const r = await readReceipt(view, assignId)
      if (r === undefined) continue
      receipts.push({
        id: r.id,
        assign: r.assign,
        executor: r.executor,
        output: r.output,
        stdout: r.stdout,
        stderr: r.stderr,
        stdoutBytes: r.stdoutBytes,
        outputBytes: r.outputBytes,
        fuelUsed: r.fuelUsed,
        exit: r.exit,
        error: r.error,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        deterministic: r.deterministic,
        current: r.assign === current?.id,
      })
    }
    const local = summary.role === 'submitter' ? await this.localRecord(job) : undefined
    const bids: BidView[] = []
    const window = this.windows.get(job)
    if (window !== undefined) {
      for (const b of window.bids.values()) {
        bids.push({
          executor: b.bid.executor,
          price: b.bid.price,
          reputation: await this.reputationOf(b.bid.executor, summary.scope),
          latencyMs: b.arrivedAt - window.announcedAt,
          score: null,
          state: 'ranked',
        })
      }
    } else if (local !== undefined) {
      const tried = new Set(attempts.map((a) => a.executor))
      for (const r of local.ranking) {
        bids.push({
          executor: r.executor,
          price: BigInt(r.price),
          reputation: r.reputation,
          latencyMs: r.latencyMs,
          score: r.score,
          state: r.executor === current?.executor ? 'assigned' : tried.has(r.executor) ? 'tried' : 'ranked',
        })
      }
      for (const e of local.excluded) {
        bids.push({
          executor: e.executor,
          price: BigInt(e.price),
          reputation: e.reputation,
          latencyMs: e.latencyMs,
          score: null,
          state: e.reason,
        })
      }
    }
    let waiting: WaitingReason[] = []
    if (summary.role === 'submitter') {
      if (window !== undefined) waiting = await this.explainWaiting(window.record, window.bids)
      else if (summary.status === 'refunded' && summary.reason === 'no-bids') waiting = local?.waiting ?? []
    }
    const settlement: SettlementView | null =
      settle === undefined
        ? null
        : {
            id: settle.id,
            kind: settle.kind,
            reason: settle.reason,
            note: settle.note,
            price: settle.price,
            executor: settle.executor,
            receipt: settle.receipt,
            ts: settle.ts,
            attestations: (await readAttestations(view, settle.id)).sort(
              (a, b) => a.ts - b.ts || (a.validator < b.validator ? -1 : 1),
            ),
          }
    return {
      ...summary,
      manifest,
      bids,
      assignments,
      receipts,
      verification: local?.verification ?? null,
      settlement,
      waiting,
    }
  }

  /**
   * For each executor this node has heard of (status beacons) that has not bid: why not, as far as the submitter
   * can tell from its beacon and the job. Executors keep their allow/deny lists private, so "it may serve only
   * some members" is the most that can be said when nothing else explains the silence.
   */
  private async explainWaiting(record: JobRecord, bids: Map<string, ReceivedBid>): Promise<WaitingReason[]> {
    const out: WaitingReason[] = []
    const now = this.now()
    const fresh = 3 * this.beaconIntervalMs
    for (const [did, { beacon, heardAt }] of this.known) {
      if (did === record.submitter || bids.has(did)) continue
      const name = `executor ${short(did)}`
      const at = (t: number | null): string => (t === null ? '' : ` until ${new Date(t).toISOString()}`)
      if (now - heardAt > fresh) {
        out.push({
          executor: did,
          reason: 'unseen',
          message: `${name}: not heard from for ${Math.round((now - heardAt) / 1000)} s`,
        })
        continue
      }
      if (!beacon.accepting) {
        const reason = (beacon.reason ?? 'disabled') as WaitingReason['reason']
        const message =
          reason === 'paused'
            ? `${name}: paused${at(beacon.until)}`
            : reason === 'schedule'
              ? `${name}: outside its contribution hours${at(beacon.until)}`
              : reason === 'busy'
                ? `${name}: busy (${beacon.running} jobs taken on, at most ${beacon.slots})`
                : reason === 'locked'
                  ? `${name}: its identity is locked`
                  : `${name}: not contributing compute`
        out.push({ executor: did, reason, message })
        continue
      }
      if (beacon.minPrice > record.maxPrice) {
        out.push({
          executor: did,
          reason: 'min-price',
          message: `${name}: minimum price ${beacon.minPrice} above your max ${record.maxPrice}`,
        })
        continue
      }
      if (record.engine === 'wasmer' && !beacon.wasmer) {
        out.push({ executor: did, reason: 'engine', message: `${name}: does not run wasmer jobs` })
        continue
      }
      const reputation = await this.reputationOf(did, record.scope)
      if (reputation < record.minReputation) {
        out.push({
          executor: did,
          reason: 'reputation',
          message: `${name}: reputation ${reputation} below your minimum ${record.minReputation}`,
        })
        continue
      }
      out.push({
        executor: did,
        reason: 'silent',
        message: `${name}: accepting jobs but did not bid (it may serve only some members, or has not seen the job yet)`,
      })
    }
    return out.sort((a, b) => (a.executor < b.executor ? -1 : 1))
  }

  async cancel(jobInput: string): Promise<JobDetail> {
    this.assertStarted()
    const job = this.parseJobId(jobInput)
    const view = this.components.dag.view()
    const record = await readJobRecord(view, job)
    if (record === undefined) throw unknownJob(job)
    if (record.submitter !== this.me())
      throw new IcnError('MESH_NOT_SUBMITTER', 'Only the member who submitted a job can cancel it.')
    await this.withJob(job, async () => {
      const v = this.components.dag.view()
      const settled = await readSettle(v, job)
      if (settled !== undefined)
        throw new IcnError(
          'MESH_JOB_CLOSED',
          `The job is already closed (${settled.kind}); nothing to refund.`,
        )
      const assign = await readAssign(v, job)
      if (assign !== undefined && (await readReceipt(v, assign.id)) !== undefined) {
        throw new IcnError(
          'MESH_JOB_CLOSED',
          'The executor has already delivered its receipt; the job is being settled and cannot be cancelled.',
        )
      }
      const window = this.windows.get(job)
      if (window !== undefined) {
        clearTimeout(window.timer)
        this.windows.delete(job)
      }
      await this.settle(job, {
        kind: 'refunded',
        reason: 'cancelled',
        note: 'Cancelled by the submitter.',
        receipt: null,
        price: 0n,
      })
    })
    return this.get(job)
  }

  private async currentReceipt(job: string): Promise<ReceiptRecord> {
    const view = this.components.dag.view()
    if ((await readJobRecord(view, job)) === undefined) throw unknownJob(job)
    const assign = await readAssign(view, job)
    const receipt = assign === undefined ? undefined : await readReceipt(view, assign.id)
    if (receipt === undefined)
      throw new IcnError('NOT_FOUND', 'The job has no receipt yet; wait for its executor (icn job show).', {
        details: { job },
      })
    return receipt
  }

  async output(jobInput: string, options: { signal?: AbortSignal } = {}): Promise<JobOutput> {
    this.assertStarted()
    const job = this.parseJobId(jobInput)
    const receipt = await this.currentReceipt(job)
    const network = this.net
    return withLinkedSignal([this.lifecycle.signal, options.signal], this.fetchTimeoutMs, async (signal) => {
      await ensureFile(this.blocks, network, CID.parse(receipt.stdout), signal)
      await ensureFile(this.blocks, network, CID.parse(receipt.stderr), signal)
      return {
        job,
        receipt: receipt.id,
        exit: receipt.exit,
        error: receipt.error,
        stdout: await this.blocks.catFile(CID.parse(receipt.stdout)),
        stderr: await this.blocks.catFile(CID.parse(receipt.stderr)),
        outputs: await readOutputs(this.blocks, network, CID.parse(receipt.output), signal),
      }
    })
  }

  async verify(
    jobInput: string,
    options: { signal?: AbortSignal; onProgress?: (p: MeshProgress) => void } = {},
  ): Promise<VerifyReport> {
    this.assertStarted()
    const job = this.parseJobId(jobInput)
    const receipt = await this.currentReceipt(job)
    const view = this.components.dag.view()
    const event = await view.getEvent(job)
    const assign = await readAssign(view, job)
    if (event === undefined || assign === undefined) throw unknownJob(job)
    const manifest = parseManifest(event.event.body)
    options.onProgress?.({ stage: 'fetching' })
    options.onProgress?.({ stage: 'running' })
    const local = await withLinkedSignal([this.lifecycle.signal, options.signal], undefined, (signal) =>
      this.runLocally(job, manifest, assign.startTs, signal),
    )
    options.onProgress?.({ stage: 'comparing' })
    const differences = compareResults(local, receipt)
    const localError = local.error?.code ?? null
    return {
      job,
      receipt: receipt.id,
      match: differences.length === 0,
      deterministic: receipt.deterministic && local.deterministic,
      local: {
        exit: local.exitCode,
        error: localError,
        fuelUsed: local.fuelUsed,
        stdout: fileCid(local.stdout).toString(),
        output: outputsCid(local.outputs).toString(),
      },
      remote: {
        exit: receipt.exit,
        error: receipt.error?.code ?? null,
        fuelUsed: receipt.fuelUsed,
        stdout: receipt.stdout,
        output: receipt.output,
      },
      differences,
    }
  }

  // ---- executor settings and stats --------------------------------------------------------------------------

  getSettings(): ExecutorSettings {
    return { ...this.settings, allow: [...this.settings.allow], deny: [...this.settings.deny] }
  }

  async setSettings(patch: SettingsPatch): Promise<ExecutorSettings> {
    this.assertStarted()
    if (!this.execution && patch.enabled === true) {
      throw new IcnError(
        'ROLE_LIGHT_NO_EXECUTION',
        'This is a light node: it never bids on or executes jobs. Start it with --role full to contribute.',
      )
    }
    const next = applyPatch(this.settings, patch, this.now())
    await this.sub.put('settings', toStored(next))
    this.settings = next
    this.publishBeacon(true)
    this.components.events.emit('mesh:executor-settings', { settings: this.getSettings() })
    return this.getSettings()
  }

  async stats(): Promise<ExecutorStats> {
    this.assertStarted()
    const me = this.me()
    const view = this.components.dag.view()
    let completed = 0
    let failed = 0
    let earned = 0n
    let reputation = NEWCOMER_REPUTATION
    if (me !== null) {
      for (const { key } of await view.listIndex<string>(meshIndex.byExecutor(me), {
        reverse: true,
        limit: 10_000,
      })) {
        const job = key.split('/').at(-1) as string
        const settle = await readSettle(view, job)
        if (settle?.executor !== me) continue
        if (settle.kind === 'paid') {
          completed++
          earned += settle.price
        } else failed++
      }
      reputation = await this.reputationOf(me, GLOBAL_SCOPE)
    }
    const a = this.availabilityNow()
    const declined: Record<string, number> = {}
    let bid = 0
    let won = 0
    let outbid = 0
    for (const r of this.recent) {
      if (r.decision === 'bid') {
        bid++
        if (r.won) won++
        else if (r.outbid) outbid++
      } else declined[r.decision] = (declined[r.decision] ?? 0) + 1
    }
    return {
      settings: this.getSettings(),
      accepting: a.accepting,
      reason: a.reason,
      until: a.until,
      slots: this.slots(),
      running: [...this.running.values()].map((r) => ({ job: r.job, since: r.since, stage: r.stage })),
      completed,
      failed,
      earned,
      reputation,
      recent: { seen: this.recent.length, bid, won, outbid, declined },
      explanations: this.explainContributor(a, reputation),
    }
  }

  /** Why this node is not getting jobs, in the words a contributor needs (most important first). */
  private explainContributor(a: ReturnType<DefaultMesh['availabilityNow']>, reputation: number): string[] {
    const out: string[] = []
    const until = a.until === null ? '' : ` until ${new Date(a.until).toISOString()}`
    if (!this.execution)
      out.push(
        'This is a light node: it never bids on or executes jobs (start it with --role full to contribute).',
      )
    else if (a.reason === 'disabled') out.push('Contributing is switched off (executor settings: enabled).')
    if (a.reason === 'locked') out.push('Your identity is locked: unlock it to bid and sign receipts.')
    if (a.reason === 'paused') out.push(`Contributing is paused${until}.`)
    if (a.reason === 'schedule') out.push(`Outside your contribution hours${until}.`)
    if (a.reason === 'busy')
      out.push(`All ${this.slots()} job slots and the queue are busy (raise the CPU share for more).`)
    const seen = this.recent.filter((r) => r.decision !== 'own-job')
    const count = (d: string): number => seen.filter((r) => r.decision === d).length
    const priced = count('min-price')
    if (priced > 0) {
      const best = seen
        .filter((r) => r.decision === 'min-price')
        .reduce((m, r) => (r.maxPrice > m ? r.maxPrice : m), 0n)
      out.push(
        `${priced} of the last ${seen.length} jobs offered at most ${best} mana, below your minimum price ${this.settings.minPrice}.`,
      )
    }
    const rep = count('reputation')
    if (rep > 0) {
      const need = seen
        .filter((r) => r.decision === 'reputation')
        .reduce((m, r) => Math.min(m, r.minReputation), 1000)
      out.push(`${rep} jobs asked for reputation ≥ ${need}; yours is ${reputation}.`)
    }
    const listed = count('denied') + count('not-allowed')
    if (listed > 0) out.push(`${listed} jobs came from submitters your allow/deny lists exclude.`)
    const engine = count('engine')
    if (engine > 0) out.push(`${engine} jobs need the wasmer engine, which you do not run.`)
    const outbid = seen.filter((r) => r.decision === 'bid' && r.outbid && !r.won).length
    if (outbid > 0)
      out.push(`Outbid on ${outbid} jobs: other executors offered a lower price or have a higher reputation.`)
    if (seen.length === 0 && a.accepting) out.push('No jobs have been offered since the node started.')
    return out
  }
}

/** Derived index of disputes by ts (dispute apply writes it); values are dispute ids. */
const DISPUTE_INDEX = 'mesh/disputes/'

function statusOf(result: 'confirm' | 'reverse' | undefined): DisputeStatus {
  return result === undefined ? 'open' : result === 'confirm' ? 'confirmed' : 'reversed'
}

function emptyLocal(): SubmitterRecord {
  return { announcedAt: 0, ranking: [], excluded: [], waiting: [], verification: null }
}

function short(did: string): string {
  return did.length > 24 ? `${did.slice(0, 16)}…${did.slice(-6)}` : did
}

function unknownJob(job: string): IcnError {
  return new IcnError(
    'MESH_UNKNOWN_JOB',
    `There is no job ${job} on this node (check the id, or sync with peers).`,
    {
      details: { job },
    },
  )
}

/** Differences between a local run and a receipt (empty when they agree on everything deterministic). */
function compareResults(local: JobResult, receipt: ReceiptRecord): string[] {
  const out: string[] = []
  const localError = local.error?.code ?? null
  const remoteError = receipt.error?.code ?? null
  if (localError !== remoteError)
    out.push(`error: local ${localError ?? 'none'}, receipt ${remoteError ?? 'none'}`)
  if (local.exitCode !== receipt.exit) out.push(`exit: local ${local.exitCode}, receipt ${receipt.exit}`)
  if (!local.deterministic || !receipt.deterministic) return out
  if (local.fuelUsed !== receipt.fuelUsed)
    out.push(`fuelUsed: local ${local.fuelUsed}, receipt ${receipt.fuelUsed}`)
  const stdout = fileCid(local.stdout).toString()
  if (stdout !== receipt.stdout) out.push(`stdout: local ${stdout}, receipt ${receipt.stdout}`)
  const stderr = fileCid(local.stderr).toString()
  if (stderr !== receipt.stderr) out.push(`stderr: local ${stderr}, receipt ${receipt.stderr}`)
  const output = outputsCid(local.outputs).toString()
  if (output !== receipt.output) out.push(`outputs: local ${output}, receipt ${receipt.output}`)
  return out
}

export function mesh(init: MeshInit = {}): (components: MeshComponents) => Mesh {
  return (components) => new DefaultMesh(components, init)
}

export type { ReceiptBody }
