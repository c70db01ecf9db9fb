/**
 * The quit handshake: the node stops (every acknowledged write on disk, the database lock released) before the
 * app exits. Electron does not wait for an async 'before-quit' listener, so the first 'before-quit' is
 * cancelled, the node stops, and the app then leaves with `app.exit()`, which emits no further quit events.
 * (IPFS Desktop's async before-quit is the example to avoid: STYLE.md.)
 */
export type QuitPhase = 'running' | 'stopping' | 'stopped'

export interface QuitHandshakeInit {
  /** Stops the node and everything that uses it (IPC router, event bridge). */
  stop(): Promise<void>
  /** Leaves the process (app.exit). */
  exit(code: number): void
  /** A node that takes longer is abandoned and the app exits with code 1. @default 15000 */
  timeoutMs?: number
  log?: (message: string, fields?: Record<string, unknown>) => void
}

export interface QuitHandshake {
  readonly phase: QuitPhase
  /** The 'before-quit' listener. */
  onBeforeQuit(event: { preventDefault(): void }): void
  /** True once a quit has begun: windows stop hiding to the tray on close. */
  readonly quitting: boolean
  /** Resolves with the exit code once the handshake has finished (for tests and signal handlers). */
  readonly done: Promise<number>
}

export function createQuitHandshake(init: QuitHandshakeInit): QuitHandshake {
  let phase: QuitPhase = 'running'
  let resolveDone: (code: number) => void = () => undefined
  const done = new Promise<number>((r) => (resolveDone = r))
  const timeoutMs = init.timeoutMs ?? 15_000

  const finish = (code: number): void => {
    phase = 'stopped'
    resolveDone(code)
    init.exit(code)
  }

  return {
    get phase() {
      return phase
    },
    get quitting() {
      return phase !== 'running'
    },
    done,
    onBeforeQuit(event) {
      if (phase === 'stopped') return
      event.preventDefault()
      if (phase === 'stopping') return
      phase = 'stopping'
      init.log?.('quit: stopping the node')
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))
      Promise.race([init.stop().then(() => 'stopped' as const), timeout])
        .then(
          (outcome) => {
            if (outcome === 'timeout') {
              init.log?.('quit: the node did not stop in time; exiting anyway', { timeoutMs })
              return 1
            }
            init.log?.('quit: node stopped')
            return 0
          },
          (err: unknown) => {
            init.log?.('quit: the node failed to stop cleanly', { err })
            return 1
          },
        )
        .then((code) => {
          clearTimeout(timer)
          finish(code)
        })
        .catch(() => undefined)
    },
  }
}
