/**
 * Every number the sandbox enforces, in one place (docs/runtime.md explains each one). Bounds on module shape
 * keep the instrumenter's and V8's work proportional to the module's size and keep stack frames small enough
 * for the deterministic stack budget to trip before V8's own stack limit.
 */

export const WASM_PAGE_BYTES = 65_536

export const MODULE_BOUNDS = {
  /** Whole module. Clang-built WASI programs are a few hundred KiB; the bench instruments 1 MiB. */
  moduleBytes: 32 * 1024 * 1024,
  types: 10_000,
  /** Parameters or results of one function type (V8 allows 1000). */
  params: 1_000,
  results: 1_000,
  imports: 1_000,
  /** Imported plus defined functions. */
  functions: 100_000,
  exports: 100_000,
  /** Parameters plus declared locals of one function (V8 allows 50 000; frames stay under ~80 KiB). */
  localsPerFunction: 10_000,
  functionBodyBytes: 2 * 1024 * 1024,
  globals: 10_000,
  tables: 16,
  /** Initial size of a table, and the maximum it is clamped to. */
  tableElements: 100_000,
  elementSegments: 10_000,
  dataSegments: 10_000,
  /** Sum of all data segment payloads. */
  dataBytes: 16 * 1024 * 1024,
  /** Nesting of block/loop/if inside one function. */
  nestingDepth: 10_000,
} as const

/**
 * Fuel cost model. Every original instruction costs `INSTRUCTION_FUEL` except the structural ones that compile to
 * no machine code (block, loop, else, end, nop), which are free. Operations whose work grows with an operand
 * are charged for it at run time on top of their static cost.
 */
export const FUEL = {
  instruction: 1n,
  /** memory.fill / memory.copy / memory.init: one unit per 8 bytes (shift right by 3). */
  bulkMemoryByteShift: 3n,
  /** table.fill / table.copy / table.init / table.grow: one unit per element. */
  tableElement: 1n,
  /** memory.grow: per 64 KiB page requested (whether or not the grow succeeds). */
  memoryGrowPage: 64n,
} as const

/**
 * Stack budget. Each call site subtracts the callee's estimated frame size from a budget the host sets before
 * every entry call and adds it back on return; going below zero traps as RUNTIME_STACK_OVERFLOW. The estimate
 * (bytes) is FRAME_BASE_BYTES + 8 × (params + locals + operand stack height), an upper bound of what V8's
 * baseline and optimising tiers use, so the budget trips long before V8's real limit (tests check both tiers).
 */
export const FRAME_BASE_BYTES = 64
export const SLOT_BYTES = 8

/** Budget for jobs in workers (their V8 stack is `WORKER_STACK_MIB`). */
export const JOB_STACK_BUDGET_BYTES = 1024 * 1024
export const WORKER_STACK_MIB = 8
/** Budget for policies, which run on the caller's thread (V8's default stack is ~984 KiB). */
export const POLICY_STACK_BUDGET_BYTES = 96 * 1024

/** Job limits accepted by `run` (validated there). */
export const JOB_LIMIT_BOUNDS = {
  maxMemoryMiB: 4096,
  maxTimeoutMs: 24 * 60 * 60 * 1000,
  maxOutputBytes: 64 * 1024 * 1024,
  maxFuel: 2n ** 63n - 1n,
  maxArgsBytes: 1024 * 1024,
  maxInputs: 1024,
} as const

/** Policy defaults. */
export const POLICY_DEFAULT_FUEL = 1_000_000n
export const POLICY_MEMORY_PAGES = 256
/**
 * Policies whose initial memory is at most this many pages keep a warm instance that is reset by copying a
 * snapshot back (~1 µs per 64 KiB page); larger ones get a fresh instance per call (~100 µs), which is cheaper
 * than copying megabytes.
 */
export const POLICY_RESET_MAX_PAGES = 16
export const POLICY_LOG_MESSAGE_BYTES = 4096
export const POLICY_LOG_TOTAL_BYTES = 64 * 1024
