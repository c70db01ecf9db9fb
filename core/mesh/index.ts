import type { Startable } from '../lifecycle'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { Storage } from '../storage'
import type { Identity } from '../identity'
import type { CID, Dag } from '../dag'
import type { Runtime, JobEngine, JobResult } from '../runtime'
import type { ExecutorSettings, SettingsPatch, DeclineReason, AvailabilityReason } from './settings'
import type { JobManifest, VerificationMode } from './manifest'
import type { DisputeRecord } from './disputes'

/**
 * The mesh job market (DESIGN §7, docs/mesh.md): members submit WASM jobs with escrowed mana, executors bid,
 * the submitter picks one deterministically, the executor runs the job in its sandbox and writes a signed
 * receipt, and the submitter verifies and settles.
 */

export type GossipVerdict = 'accept' | 'reject' | 'ignore'

/** The part of the network service the mesh uses (core/network implements it). */
export interface MeshNetwork {
  /** Publishes on the scope's mesh topic (`/icn/<scope>/mesh/1`). */
  publishMesh(scope: string, data: Uint8Array): Promise<number>
  /** Validates and consumes the scope's mesh messages; returns an unsubscribe function. */
  onMesh(
    scope: string,
    handler: (message: {
      scope: string
      from: string
      origin: string
      data: Uint8Array
    }) => GossipVerdict | Promise<GossipVerdict>,
  ): () => void
  /** Fetches blocks (events are ingested, other blocks stored) from peers, verified against their CIDs. */
  fetch(
    cids: CID[],
    options?: { signal?: AbortSignal; peer?: string },
  ): Promise<{ fetched: string[]; missing: string[] }>
  /** Scopes whose topics the node has joined. */
  scopes(): string[]
  subscribe(scope: string): Promise<void>
}

/** The part of the economics service the mesh reads (core/economics implements it). */
export interface MeshEconomics {
  cost(options: { type: string; scope?: string; amount?: bigint | number | string }): Promise<{
    fee: bigint
    amount: bigint
    total: bigint
    available: bigint
    covered: boolean
    shortfall: bigint
    availableAt: number | null
  }>
  reputation(options: { did: string; scope?: string }): Promise<{ score: number }>
}

export interface MeshInit {
  /**
   * Time beyond a job's own timeout that the submitter waits for a receipt before it assigns the next bidder
   * (and records a timeout for the silent executor). Written into each assignment as its deadline.
   * @default 5_000
   */
  receiptGraceMs?: number
  /**
   * After a start, how long the submitter waits for peers (sync) before acting on deadlines that passed while it
   * was offline, so receipts that wait in executors' outboxes arrive first.
   * @default 10_000
   */
  resumeDelayMs?: number
  /** How often an executor announces its status beacon (ms). @default 30_000 */
  beaconIntervalMs?: number
  /**
   * Whether this node may execute jobs at all. A light node (docs/roles.md) passes false: its executor is off
   * and `setSettings({enabled: true})` throws ROLE_LIGHT_NO_EXECUTION. @default true
   */
  execution?: boolean
  /** Bids kept per job (one per executor; the first ones count). @default 64 */
  maxBidsPerJob?: number
  /** Executors whose latest status beacon is remembered (least recently heard dropped first). @default 1024 */
  maxKnownExecutors?: number
  /** How long fetching a job's blocks, or a receipt's outputs, may take (ms). @default 30_000 */
  fetchTimeoutMs?: number
  /** Jobs remembered for the contributor's "why am I not getting jobs". @default 200 */
  recentJobs?: number
  /** @default Date.now */
  now?: () => number
  /**
   * Size of the runtime's worker pool, of which `cpuSharePercent` is taken (the node passes its runtime setting).
   * @default min(2, available CPUs), the runtime's default
   */
  poolSize?: number | undefined
  /**
   * Messaging and block exchange to use instead of the node's network service (in-process test transports).
   * @default the node's network service
   */
  network?: MeshNetwork
  /**
   * The scope's `job_admission` policy (the node passes its CCL runtime): consulted when this node, as an executor,
   * is about to bid; false declines the job as 'not-allowed'. A local decision (whether to bid), not a rule peers
   * check. Without it only the executor settings decide.
   */
  admission?: (job: JobAdmissionInput) => Promise<boolean>
  /**
   * When this node, as a validator, sees a quorum of verdicts on a dispute, it waits its rank among the dispute's
   * validators × this before writing the resolution, so that usually only the first validator writes one.
   * @default 1_000
   */
  resolveStaggerMs?: number
  /**
   * TEST ONLY: changes an executor's result before it stores the outputs and signs its receipt (a dishonest
   * executor in dispute tests). Never set by the node or the app.
   * @default undefined
   */
  tamperResult?: (result: JobResult) => JobResult
  /**
   * How long a validator collects the settlements and governance results it applies before it signs one
   * `validator/attest` event for them (up to 64 per event).
   * @default 1_000
   */
  attestIntervalMs?: number
}

export interface JobAdmissionInput {
  scope: string
  submitter: string
  executor: string
  maxPrice: bigint
  fuel: bigint
}

export interface MeshComponents {
  storage: Storage
  identity: Identity
  dag: Dag
  runtime: Runtime
  events: EventBus
  logger: Logger
  /** Absent: the node only runs jobs between local services (no peers). */
  network?: MeshNetwork
  /** Absent: no cost preview, every executor has the newcomer reputation. */
  economics?: MeshEconomics
}

// ---- inputs and results --------------------------------------------------------------------------------------

/** Bytes are stored as blocks first; strings are CIDs already in the block store (or fetchable from peers). */
export type BlobInput = Uint8Array | string

export interface SubmitInput {
  module: BlobInput
  /** @default 'v8' */
  engine?: JobEngine
  /** @default '_start' */
  entry?: string
  args?: string[]
  env?: Record<string, string>
  stdin?: BlobInput | null
  inputs?: BlobInput[]
  limits?: {
    fuel?: bigint | number | string
    memoryMiB?: number
    timeoutMs?: number
    outputBytes?: number
  }
  maxPrice: bigint | number | string
  /** @default 0 */
  minReputation?: number
  /** @default 1000 */
  bidWindowMs?: number
  /** @default 'global' */
  scope?: string
  /** @default 'none' */
  verification?: VerificationMode
}

export interface CostPreview {
  scope: string
  /** Escrowed by the job event: the most the job can cost. */
  escrow: bigint
  /** Fee of the event type on top (0 unless the scope charges one). */
  fee: bigint
  total: bigint
  /** Available mana now; null when the node has no economics service. */
  available: bigint | null
  covered: boolean | null
  shortfall: bigint
  /** When regeneration covers the total, if it does not now. */
  availableAt: number | null
}

export type JobStatus = 'bidding' | 'assigned' | 'verifying' | 'paid' | 'rejected' | 'refunded'

export interface JobSummary {
  id: string
  scope: string
  submitter: string
  /** This node's part in the job. */
  role: 'submitter' | 'executor' | 'observer'
  status: JobStatus
  /** For rejected and refunded jobs: why (no-bids, cancelled, timeout, mismatch, limits, unavailable). */
  reason: string | null
  maxPrice: bigint
  /** The agreed price once assigned. */
  price: bigint | null
  executor: string | null
  attempt: number
  engine: JobEngine
  submittedAt: number
  settledAt: number | null
}

export interface BidView {
  executor: string
  price: bigint
  reputation: number
  latencyMs: number
  score: number | null
  /** 'assigned' (current), 'tried' (timed out), 'ranked' (waiting as a fallback) or why it was set aside. */
  state: 'assigned' | 'tried' | 'ranked' | 'price' | 'reputation' | 'self' | 'late'
}

export interface AssignmentView {
  id: string
  attempt: number
  executor: string
  price: bigint
  startTs: number
  deadline: number
  /** A later attempt replaced this one, or the job was refunded for its timeout. */
  timedOut: boolean
}

export interface ReceiptView {
  id: string
  assign: string
  executor: string
  output: string
  stdout: string
  stderr: string
  stdoutBytes: number
  outputBytes: number
  fuelUsed: bigint
  exit: number
  error: { code: string; message: string } | null
  startedAt: number
  finishedAt: number
  deterministic: boolean
  /** Answers the job's current assignment (a late receipt of an earlier attempt is kept but not paid). */
  current: boolean
}

export interface VerificationView {
  /** 'checks': signature, assignment, limits and outputs; 'reexecuted': and a local re-run that matched or not. */
  method: 'checks' | 'reexecuted'
  ok: boolean
  reason: string | null
  differences: string[]
  at: number
}

export interface AttestationView {
  validator: string
  /** The validator/attest event that carries the signature. */
  event: string
  ts: number
}

export interface SettlementView {
  /** Validators of the job's scope that attested the settlement (docs/mesh.md §13). */
  attestations: AttestationView[]
  id: string
  kind: 'paid' | 'rejected' | 'refunded'
  reason: string
  note: string
  price: bigint
  executor: string | null
  receipt: string | null
  ts: number
}

/** Why an executor has not bid on a job (explanations for the submitter). */
export interface WaitingReason {
  executor: string
  reason: DeclineReason | 'late' | 'silent' | 'unseen'
  message: string
}

export interface JobDetail extends JobSummary {
  manifest: JobManifest
  bids: BidView[]
  assignments: AssignmentView[]
  receipts: ReceiptView[]
  /** The submitter's node's verification of the current receipt (null elsewhere, or before it ran). */
  verification: VerificationView | null
  settlement: SettlementView | null
  /** While a job has no executor (and when it ended without bids): each known executor and why it has not bid. */
  waiting: WaitingReason[]
}

export interface JobOutput {
  job: string
  receipt: string
  exit: number
  error: { code: string; message: string } | null
  stdout: Uint8Array
  stderr: Uint8Array
  outputs: Record<string, Uint8Array>
}

export interface VerifyReport {
  job: string
  receipt: string
  match: boolean
  /** False when the receipt cannot be checked by re-execution (wasmer, or stopped by the wall clock). */
  deterministic: boolean
  local: { exit: number; error: string | null; fuelUsed: bigint; stdout: string; output: string }
  remote: { exit: number; error: string | null; fuelUsed: bigint; stdout: string; output: string }
  differences: string[]
}

export interface ExecutorStats {
  settings: ExecutorSettings
  accepting: boolean
  reason: AvailabilityReason | null
  /** Until when the reason holds (end of pause, next scheduled hour). */
  until: number | null
  slots: number
  running: { job: string; since: number; stage: 'queued' | 'fetching' | 'running' }[]
  /** Jobs this node ran (receipts written) and what they earned (paid settlements), from the folded state. */
  completed: number
  failed: number
  earned: bigint
  reputation: number
  /** Among the last jobs seen: how many it bid on and won, and why it did not bid on the others. */
  recent: { seen: number; bid: number; won: number; outbid: number; declined: Record<string, number> }
  /** Plain-language reasons this node is not getting jobs, most important first (empty when all is well). */
  explanations: string[]
}

export type DisputeStatus = 'open' | 'confirmed' | 'reversed'

export interface VerdictView {
  id: string
  validator: string
  result: 'confirm' | 'reverse'
  /** Whether the validator's own run reproduced the receipt. */
  matches: boolean
  exit: number
  error: string | null
  fuelUsed: bigint
  output: string
  stdout: string
  ts: number
}

/** A stored dispute (its event's ts as `openedAt`) with its verdicts, resolution and debt. */
export interface DisputeView extends Omit<DisputeRecord, 'ts'> {
  status: DisputeStatus
  verdicts: VerdictView[]
  resolution: { id: string; by: string; ts: number } | null
  /** After a reversal: who owes whom what (recorded, not debited; docs/mesh.md §Disputes). */
  debt: { debtor: string; creditor: string; amount: bigint } | null
  /** The dispute event's ts. */
  openedAt: number
}

export interface JobQuery {
  /** @default 'all' */
  role?: 'submitter' | 'executor' | 'all'
  /** @default 50, at most 500 */
  limit?: number
}

export type MeshProgress =
  | { stage: 'storing'; done: number; total: number }
  | { stage: 'submitted'; job: string }
  | { stage: 'fetching' }
  | { stage: 'running' }
  | { stage: 'comparing' }

export interface Mesh extends Startable {
  /** The manifest and cost a submission would have, without submitting (blocks are stored). */
  preview(
    input: SubmitInput,
    options?: { signal?: AbortSignal },
  ): Promise<{ manifest: JobManifest; cost: CostPreview }>
  /** Stores the blobs, writes the `mesh/job` event (escrowing maxPrice) and opens the bid window. */
  submit(
    input: SubmitInput,
    options?: { signal?: AbortSignal; onProgress?: (p: MeshProgress) => void },
  ): Promise<{ job: string; cost: CostPreview }>
  list(query?: JobQuery): Promise<JobSummary[]>
  get(job: string): Promise<JobDetail>
  /** Ends a job that has no result yet and refunds its escrow (MESH_JOB_CLOSED once settled or delivered). */
  cancel(job: string): Promise<JobDetail>
  /** The job's stdout, stderr and /out files (fetched from the executor if needed). */
  output(job: string, options?: { signal?: AbortSignal }): Promise<JobOutput>
  /** Re-runs the job locally and compares with its receipt. */
  verify(
    job: string,
    options?: { signal?: AbortSignal; onProgress?: (p: MeshProgress) => void },
  ): Promise<VerifyReport>
  /** Opens a dispute on a settled job (submitter or executor); the scope's validators re-execute and judge it. */
  dispute(input: { job: string; reason: string }, options?: { signal?: AbortSignal }): Promise<DisputeView>
  /** Disputes this node holds (of one job, or the latest ones), with their verdicts and status. */
  disputes(query?: { job?: string; limit?: number }): Promise<DisputeView[]>
  /** Validators' attestations of an event (a settlement or a governance result). */
  attestations(event: string): Promise<AttestationView[]>
  getSettings(): ExecutorSettings
  setSettings(patch: SettingsPatch): Promise<ExecutorSettings>
  stats(): Promise<ExecutorStats>
}

export { mesh } from './mesh'
export { MESH_EVENT_TYPES, type AssignBody, type ReceiptBody, type SettleBody } from './handlers'
export {
  parseManifest,
  manifestBody,
  MANIFEST_BOUNDS,
  MANIFEST_DEFAULTS,
  type JobManifest,
  type VerificationMode,
} from './manifest'
export { rankBids, scoreCandidate, SCORE_WEIGHTS, type Candidate, type RankedCandidate } from './select'
export {
  decodeMeshMessage,
  signBid,
  signStatus,
  encodeAnnounce,
  MESH_MESSAGE_DOMAIN,
  type Bid,
  type StatusBeacon,
} from './messages'
export {
  DEFAULT_SETTINGS,
  applyPatch,
  availability,
  declineReason,
  type ExecutorSettings,
  type SettingsPatch,
  type DeclineReason,
} from './settings'
export { meshKeys, meshIndex } from './records'
export { ATTEST_EVENT_TYPE, ATTESTED_TYPES, attestKeys, type AttestBody } from './attest'
export {
  DISPUTE_EVENT_TYPES,
  disputeKeys,
  type DisputeBody,
  type VerdictBody,
  type ResolveBody,
  type DisputeResult,
} from './disputes'
