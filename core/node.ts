import { mkdir, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { IcnError } from './errors'
import { createEventBus, type EventBus, type NodeStatusName } from './events'
import { createLogger, type LogLevel, type Logger } from './logger'
import type { Startable } from './lifecycle'
import { createStorage, type Storage } from './storage'
import { identity as createIdentity, type Identity, type IdentityInit } from './identity'
import { dag as createDag, type Dag, type DagInit, type LightInit, type SignedEvent } from './dag'
import { runtime as createRuntime, type Runtime, type RuntimeInit } from './runtime'
import { network as createNetwork, type Network, type NetworkInit } from './network'
import { governance as createGovernance, type Governance, type GovernanceInit } from './governance'
import { mesh as createMesh, type Mesh, type MeshInit } from './mesh'
import { economics as createEconomics, type Economics, type EconomicsInit } from './economics'
import { credentials as createCredentials, type Credentials, type CredentialsInit } from './credentials'
import { LivePolicies } from './ccl/live'
import { ICN_VERSION, PROTOCOL_VERSION } from './version'
import { NODE_ROLES, type NodeRole } from './roles'

export { NODE_ROLES, type NodeRole } from './roles'

/**
 * Event types a light node keeps only by id and verdict when another member wrote them: the bulk of the traffic,
 * and no rule reads their bodies back (balances and credits live in the state). Everything else is stored whole.
 */
const LIGHT_DROPPED_TYPES = new Set([
  'mana/transfer',
  'mana/receive',
  'token/transfer',
  'token/receive',
  'token/mint',
  'token/burn',
  'note',
])
/** Per-account index rows (core/economics/keys.ts indexKeys: history, by kind, by counterparty, pending). */
const ACCOUNT_INDEX_PREFIXES = ['econ/h/', 'econ/hk/', 'econ/hc/', 'econ/pend/', 'econ/rcvd/']

export interface IcnNodeInit {
  /** Directory holding the database, keystore and node files; created (0700) if absent. */
  dataDir: string
  /** @default 'full' */
  role?: NodeRole
  /** @default a JSON-lines logger on stderr at `logLevel` */
  logger?: Logger
  /** @default 'info' */
  logLevel?: LogLevel
  identity?: IdentityInit
  dag?: DagInit
  runtime?: RuntimeInit
  network?: NetworkInit
  governance?: GovernanceInit
  mesh?: MeshInit
  economics?: EconomicsInit
  credentials?: CredentialsInit
}

export interface NodeInfo {
  role: NodeRole
  version: string
  protocolVersion: number
  status: NodeStatusName
  dataDir: string
  startedAt: number | null
}

/** The ICN node: every service, composed and started in dependency order. Knows nothing of its front ends. */
export interface IcnNode {
  readonly dataDir: string
  readonly role: NodeRole
  readonly events: EventBus
  readonly logger: Logger
  readonly storage: Storage
  readonly identity: Identity
  readonly dag: Dag
  /** The WASM sandbox: jobs in a worker pool, policies in-process. */
  readonly runtime: Runtime
  readonly network: Network
  readonly governance: Governance
  /** The compute job market: submit, bid, execute, verify, settle. */
  readonly mesh: Mesh
  readonly economics: Economics
  /** Verifiable credentials a scope issues after the proposals that grant them pass (core/credentials). */
  readonly credentials: Credentials
  /** Live CCL policies: governance's policy runtime, dry runs and the active-policy list (core/ccl/live.ts). */
  readonly policies: LivePolicies
  readonly status: NodeStatusName
  readonly startedAt: number | null
  info(): NodeInfo
  start(): Promise<void>
  /** Stops services in reverse order; every write acknowledged before stop() is on disk when it resolves. */
  stop(): Promise<void>
}

class DefaultIcnNode implements IcnNode {
  readonly dataDir: string
  readonly role: NodeRole
  readonly events: EventBus
  readonly logger: Logger
  readonly storage: Storage
  readonly identity: Identity
  readonly dag: Dag
  readonly runtime: Runtime
  readonly network: Network
  readonly governance: Governance
  readonly mesh: Mesh
  readonly economics: Economics
  readonly credentials: Credentials
  readonly policies: LivePolicies
  private state: NodeStatusName = 'stopped'
  private started: number | null = null
  /** Services in start order; stop runs it backwards. */
  private readonly services: { name: string; service: Startable }[]
  private transition: Promise<void> = Promise.resolve()

  constructor(init: IcnNodeInit) {
    this.dataDir = init.dataDir
    this.role = init.role ?? 'full'
    if (!NODE_ROLES.includes(this.role)) throw new TypeError(`Unknown node role "${String(this.role)}"`)
    this.logger = init.logger ?? createLogger({ level: init.logLevel ?? 'info' })
    this.events = createEventBus((name, err) =>
      this.logger.error('event listener failed', { event: name, err }),
    )
    this.storage = createStorage({ location: join(init.dataDir, 'db') })
    this.identity = createIdentity(init.identity)({
      dataDir: init.dataDir,
      events: this.events,
      logger: this.logger.child('identity'),
    })
    const light: LightInit | undefined =
      this.role !== 'light'
        ? undefined
        : {
            keep: (event: SignedEvent) =>
              !LIGHT_DROPPED_TYPES.has(event.type) || event.author === this.memberDid(),
            keepIndex: (key: string) => {
              if (!ACCOUNT_INDEX_PREFIXES.some((p) => key.startsWith(p))) return true
              const me = this.memberDid()
              return me !== undefined && key.includes(me)
            },
            // The network is built after the DAG; the closure reads it at call time.
            fetch: (cids, options) => this.network.fetchBlocks(cids, options),
          }
    this.dag = createDag({ ...init.dag, ...(light === undefined ? {} : { light }) })({
      storage: this.storage,
      identity: this.identity,
      events: this.events,
      logger: this.logger.child('dag'),
    })
    this.policies = new LivePolicies({ dag: this.dag, logger: this.logger.child('ccl') })
    const policies = this.policies
    this.economics = createEconomics({
      // The fee of a charged event: the scope's active mana_cost policy, else the cost parameter.
      feePolicy: (view, input) => policies.manaCost(view, input),
      ...init.economics,
    })({
      dag: this.dag,
      identity: this.identity,
      events: this.events,
      logger: this.logger.child('economics'),
    })
    this.runtime = createRuntime(init.runtime)({ logger: this.logger.child('runtime') })
    this.network = createNetwork(init.network)({
      dataDir: init.dataDir,
      storage: this.storage,
      identity: this.identity,
      dag: this.dag,
      events: this.events,
      logger: this.logger.child('network'),
    })
    const economics = this.economics
    this.governance = createGovernance({
      // Budget proposals credit their grants through the ledger, inside the result event's transaction.
      grants: (tx, grant) => economics.grants(tx, grant),
      ...init.governance,
      policyRuntime: init.governance?.policyRuntime ?? this.policies,
    })({
      dag: this.dag,
      identity: this.identity,
      events: this.events,
      logger: this.logger.child('governance'),
      network: this.network,
    })
    this.mesh = createMesh({
      poolSize: init.runtime?.poolSize,
      admission: (job) => policies.admits(job),
      ...init.mesh,
      ...(this.role === 'light' ? { execution: false } : {}),
    })({
      storage: this.storage,
      identity: this.identity,
      dag: this.dag,
      runtime: this.runtime,
      events: this.events,
      logger: this.logger.child('mesh'),
      network: this.network,
      economics: this.economics,
    })
    this.credentials = createCredentials(init.credentials)({
      dag: this.dag,
      identity: this.identity,
      events: this.events,
      logger: this.logger.child('credentials'),
    })
    this.services = [
      { name: 'storage', service: this.storage },
      { name: 'identity', service: this.identity },
      { name: 'dag', service: this.dag },
      { name: 'economics', service: this.economics },
      { name: 'runtime', service: this.runtime },
      { name: 'governance', service: this.governance },
      { name: 'mesh', service: this.mesh },
      { name: 'credentials', service: this.credentials },
      // Last: peers may only reach the node once everything they can ask for is ready; stopped first.
      { name: 'network', service: this.network },
    ]
  }

  get status(): NodeStatusName {
    return this.state
  }

  get startedAt(): number | null {
    return this.started
  }

  /** The member's DID, or undefined before an identity exists. */
  private memberDid(): string | undefined {
    try {
      return this.identity.did()
    } catch {
      return undefined
    }
  }

  info(): NodeInfo {
    return {
      role: this.role,
      version: ICN_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      status: this.state,
      dataDir: this.dataDir,
      startedAt: this.started,
    }
  }

  start(): Promise<void> {
    this.transition = this.transition.then(() => this.doStart())
    return this.transition
  }

  stop(): Promise<void> {
    this.transition = this.transition.catch(() => undefined).then(() => this.doStop())
    return this.transition
  }

  private setStatus(status: NodeStatusName, error?: IcnError): void {
    this.state = status
    this.events.emit(
      'node:status',
      error === undefined ? { status } : { status, error: { code: error.code, message: error.message } },
    )
  }

  private async doStart(): Promise<void> {
    if (this.state === 'running') return
    this.setStatus('starting')
    const started: { name: string; service: Startable }[] = []
    try {
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 })
      await chmod(this.dataDir, 0o700).catch(() => undefined)
      for (const entry of this.services) {
        await entry.service.start()
        started.push(entry)
      }
    } catch (cause) {
      // Roll back: stop what already started, newest first, so no service is left half-running.
      for (const entry of started.reverse()) {
        await entry.service
          .stop()
          .catch((err: unknown) => this.logger.error('rollback stop failed', { service: entry.name, err }))
      }
      const error =
        cause instanceof IcnError && cause.code !== 'INTERNAL'
          ? new IcnError('NODE_START_FAILED', `The node could not start: ${cause.message}`, {
              cause,
              details: { reason: cause.code },
            })
          : new IcnError(
              'NODE_START_FAILED',
              `The node could not start: ${(cause as Error).message ?? String(cause)}`,
              { cause },
            )
      this.setStatus('failed', error)
      throw error
    }
    this.started = Date.now()
    this.setStatus('running')
    this.logger.info('node started', { dataDir: this.dataDir, version: ICN_VERSION })
  }

  private async doStop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'failed') return
    this.setStatus('stopping')
    for (const entry of [...this.services].reverse()) {
      try {
        await entry.service.stop()
      } catch (err) {
        this.logger.error('service failed to stop cleanly', { service: entry.name, err })
      }
    }
    this.started = null
    this.setStatus('stopped')
    this.logger.info('node stopped')
  }
}

export function createNode(init: IcnNodeInit): IcnNode {
  return new DefaultIcnNode(init)
}
