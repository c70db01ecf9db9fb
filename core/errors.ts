/**
 * The single error type of the ICN node. `code` is API: front ends, the CLI and peers rely on it, so codes are
 * only ever added, never renamed. `message` is for people and says what to do next.
 *
 * Codes are grouped by service. Each group is a readonly tuple so the union below stays closed.
 */
export const ERROR_CODES = {
  general: [
    'INTERNAL',
    'INVALID_ARGUMENT',
    'NOT_FOUND',
    'ABORTED',
    'TIMEOUT',
    'UNAVAILABLE',
    'NODE_START_FAILED',
    'NODE_NOT_RUNNING',
    'NODE_STOPPING',
    'CONFIG_INVALID',
    'CONFIG_NOT_FOUND',
    'ROLE_LIGHT_NO_EXECUTION',
  ],
  storage: [
    'STORAGE_OPEN_FAILED',
    'STORAGE_LOCKED',
    'STORAGE_CORRUPT',
    'STORAGE_FOREIGN',
    'STORAGE_VERSION_TOO_NEW',
    'STORAGE_MIGRATION_FAILED',
    'STORAGE_CLOSED',
  ],
  identity: [
    'IDENTITY_INVALID_DID',
    'IDENTITY_NOT_FOUND',
    'IDENTITY_EXISTS',
    'IDENTITY_LOCKED',
    'IDENTITY_WRONG_PASSPHRASE',
    'IDENTITY_WEAK_PASSPHRASE',
    'IDENTITY_INVALID_PHRASE',
    'IDENTITY_BACKUP_INVALID',
    'IDENTITY_KEYSTORE_CORRUPT',
    'IDENTITY_INVALID_SIGNATURE',
  ],
  dag: [
    'DAG_DECODE_FAILED',
    'DAG_TOO_LARGE',
    'DAG_CID_MISMATCH',
    'DAG_BLOCK_NOT_FOUND',
    'DAG_BLOCK_CORRUPT',
    'DAG_INVALID_EVENT',
    'DAG_BAD_SIGNATURE',
    'DAG_BAD_CHAIN',
    'DAG_BAD_TIMESTAMP',
    'DAG_DUPLICATE',
    'DAG_MISSING_DEPENDENCY',
    'DAG_EQUIVOCATION',
    'DAG_UNKNOWN_TYPE',
    'DAG_AUTHOR_FLAGGED',
    'DAG_SUPERSEDED',
    'DAG_FORK_UNCHECKED',
  ],
  rpc: [
    'RPC_PARSE_ERROR',
    'RPC_INVALID_REQUEST',
    'RPC_METHOD_NOT_FOUND',
    'RPC_UNAUTHORIZED',
    'RPC_PAYLOAD_TOO_LARGE',
    'RPC_RATE_LIMITED',
    'RPC_FORBIDDEN_ORIGIN',
  ],
  network: [
    'NETWORK_DISABLED',
    'NETWORK_INVALID_MULTIADDR',
    'NETWORK_DIAL_FAILED',
    'NETWORK_PEER_NOT_FOUND',
    'NETWORK_PROTOCOL_ERROR',
    'NETWORK_LIMIT_EXCEEDED',
    'NETWORK_INVALID_RECORD',
  ],
  economics: [
    'ECONOMICS_INSUFFICIENT_MANA',
    'ECONOMICS_INSUFFICIENT_TOKENS',
    'ECONOMICS_INVALID_AMOUNT',
    'ECONOMICS_UNKNOWN_TOKEN_CLASS',
    'ECONOMICS_TOKEN_CLASS_EXISTS',
    'ECONOMICS_NOT_ISSUER',
    'ECONOMICS_NOT_TRANSFERABLE',
    'ECONOMICS_INVALID_RECIPIENT',
    'ECONOMICS_UNKNOWN_TRANSFER',
    'ECONOMICS_ALREADY_RECEIVED',
    'ECONOMICS_UNKNOWN_RESERVATION',
    'ECONOMICS_NOT_A_MEMBER',
    'ECONOMICS_TOKEN_EXISTS',
    'ECONOMICS_RESERVATION_EXISTS',
    'ECONOMICS_OUTCOME_RECORDED',
  ],
  governance: [
    'GOV_UNKNOWN_SCOPE',
    'GOV_INVALID_CHARTER',
    'GOV_NOT_A_MEMBER',
    'GOV_NOT_ELIGIBLE',
    'GOV_ALREADY_MEMBER',
    'GOV_UNKNOWN_PROPOSAL',
    'GOV_PROPOSAL_CLOSED',
    'GOV_PROPOSAL_OPEN',
    'GOV_INVALID_PROPOSAL',
    'GOV_BELOW_CHARTER_BOUNDS',
    'GOV_INVALID_BALLOT',
    'GOV_INVALID_DELEGATION',
    'GOV_RESULT_MISMATCH',
    'GOV_INVALID_INVITE',
    'GOV_POLICY_REJECTED',
    'GOV_BASIS_SUPERSEDED',
  ],
  runtime: [
    'RUNTIME_INVALID_MODULE',
    'RUNTIME_UNKNOWN_IMPORT',
    'RUNTIME_OUT_OF_FUEL',
    'RUNTIME_MEMORY_LIMIT',
    'RUNTIME_STACK_OVERFLOW',
    'RUNTIME_TIMEOUT',
    'RUNTIME_OUTPUT_LIMIT',
    'RUNTIME_TRAP',
    'RUNTIME_EXIT_NONZERO',
    'RUNTIME_ENGINE_UNAVAILABLE',
  ],
  mesh: [
    'MESH_UNKNOWN_JOB',
    'MESH_INVALID_MANIFEST',
    'MESH_INVALID_BID',
    'MESH_INVALID_RECEIPT',
    'MESH_NOT_SUBMITTER',
    'MESH_NOT_EXECUTOR',
    'MESH_JOB_CLOSED',
    'MESH_NO_BIDS',
    'MESH_EXECUTOR_DISABLED',
    'MESH_VERIFICATION_FAILED',
    'MESH_UNKNOWN_DISPUTE',
    'MESH_DISPUTE_NOT_PARTY',
    'MESH_DISPUTE_NOT_DISPUTABLE',
    'MESH_DISPUTE_WINDOW_CLOSED',
    'MESH_DISPUTE_EXISTS',
    'MESH_DISPUTE_NO_VALIDATORS',
    'MESH_DISPUTE_NO_QUORUM',
    'MESH_DISPUTE_RESOLVED',
    'MESH_NOT_VALIDATOR',
    'MESH_VERDICT_EXISTS',
    'MESH_INVALID_VERDICT',
    'MESH_INVALID_ATTESTATION',
  ],
  ccl: ['CCL_SYNTAX', 'CCL_TYPE', 'CCL_COMPILE', 'CCL_UNKNOWN_POLICY', 'CCL_POLICY_FAILED'],
  credentials: [
    'CRED_INVALID',
    'CRED_BAD_SIGNATURE',
    'CRED_WRONG_ISSUER',
    'CRED_REVOKED',
    'CRED_EXPIRED',
    'CRED_NOT_FOUND',
    'CRED_NOT_YET_VALID',
    'CRED_NOT_AUTHORISED',
    'CRED_WRONG_HOLDER',
  ],
  roles: ['ROLE_NOT_PERMITTED'],
} as const

type Groups = typeof ERROR_CODES
export type IcnErrorCode = Groups[keyof Groups][number]

const ALL_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).flat())

export function isIcnErrorCode(value: unknown): value is IcnErrorCode {
  return typeof value === 'string' && ALL_CODES.has(value)
}

export interface IcnErrorOptions {
  cause?: unknown
  /** Plain data that helps a caller act on the error (the missing CID, the balance that was short...). */
  details?: Record<string, unknown>
}

export class IcnError extends Error {
  readonly code: IcnErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: IcnErrorCode, message: string, options: IcnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'IcnError'
    this.code = code
    this.details = options.details
  }

  toJSON(): { code: IcnErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export function isIcnError(value: unknown, code?: IcnErrorCode): value is IcnError {
  return value instanceof IcnError && (code === undefined || value.code === code)
}

/** Normalises anything thrown into an IcnError; unknown errors become INTERNAL with the original as cause. */
export function toIcnError(value: unknown): IcnError {
  if (value instanceof IcnError) return value
  if (value instanceof Error && value.name === 'AbortError') {
    return new IcnError('ABORTED', 'The operation was cancelled.', { cause: value })
  }
  return new IcnError('INTERNAL', 'Something went wrong inside the node; the node log has the details.', {
    cause: value,
  })
}

/** Throws ABORTED when the signal has fired. Long operations call it between steps. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted === true) {
    throw new IcnError('ABORTED', 'The operation was cancelled.', { cause: signal.reason })
  }
}
