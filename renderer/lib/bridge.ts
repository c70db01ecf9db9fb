/**
 * The one module that connects the UI to a node. It picks the transport — Electron IPC through the preload
 * bridge, or JSON-RPC/WebSocket to a daemon with the token from the URL — subscribes to the contract's events
 * and feeds the stores. Components read stores; they never talk to a transport.
 */
import { createClient, httpTransport, type IcnClient, type Transport } from '../../app/client'
import { useConnection, type Mode } from '../stores/connection'
import { useEvents } from '../stores/events'
import { useIdentity } from '../stores/identity'
import { useNode } from '../stores/node'
import { useWallet } from '../stores/wallet'
import { useTokens } from '../stores/tokens'
import { useCredentials } from '../stores/credentials'
import { useJobs } from '../stores/jobs'
import { useNetwork } from '../stores/network'
import { useDashboard } from '../stores/dashboard'
import { useGovernance } from '../stores/governance'
import { useProgress } from '../stores/progress'
import { useRoute } from '../stores/route'
import { useSettings } from '../stores/settings'
import { setClient } from './client'
import { forgetToken, takeToken, TOKEN_KEY, type TokenEnv } from './token'
import { ipcTransport, isPreloadBridge } from './transport-ipc'

export interface BridgeEnv {
  /** `window.icn` when running inside the desktop app. */
  preload: unknown
  /** Page origin: the daemon's address in browser mode. */
  origin: string
  token: TokenEnv
  /** Builds the daemon transport; tests substitute their own. */
  httpTransport?: (url: string, token: string) => Transport
}

export interface Bridge {
  readonly mode: Mode
  readonly client: IcnClient | undefined
  /** Reloads everything the stores show (after a reconnect, an unlock…). */
  refreshAll(): Promise<void>
  /** Uses a token the member pasted (browser mode), then connects. */
  useToken(token: string): Promise<void>
  /** A `#token=` link opened in a tab that already shows the app (a same-page navigation): use it. */
  checkHashToken(): void
  stop(): void
}

export function browserEnv(): BridgeEnv {
  return {
    preload: (globalThis as { icn?: unknown }).icn,
    origin: location.origin,
    token: { location, history, storage: sessionStorage },
  }
}

export function startBridge(env: BridgeEnv): Bridge {
  const mode: Mode = isPreloadBridge(env.preload) ? 'electron' : 'browser'
  const connection = useConnection.getState()
  connection.set({ mode, apiOrigin: mode === 'browser' ? env.origin : null })
  let client: IcnClient | undefined
  const offs: (() => void)[] = []

  const refreshAll = async (): Promise<void> => {
    if (client === undefined) return
    await Promise.all([
      useNode.getState().refresh(),
      useIdentity.getState().refresh(),
      useSettings.getState().loadNode(),
    ])
    // A wrong or revoked token shows as RPC_UNAUTHORIZED on the first call.
    const unauthorized = [useNode.getState().error, useIdentity.getState().error].some(
      (e) => e?.code === 'RPC_UNAUTHORIZED',
    )
    if (unauthorized) {
      forgetToken(env.token.storage)
      stopClient()
      useConnection.getState().set({ state: 'unauthorized' })
    }
  }

  const onGovernance = (): void => {
    useGovernance.getState().onChanged()
    useDashboard.getState().scheduleRefresh()
  }

  const onCredentials = (): void => {
    if (useCredentials.getState().credentials !== null) useCredentials.getState().scheduleRefresh()
  }

  const connect = (transport: Transport): void => {
    client = createClient(transport)
    setClient(client)
    let wasClosed = false
    offs.push(
      client.onConnection((state) => {
        if (useConnection.getState().state === 'unauthorized') return
        useConnection.getState().set({ state })
        if (state === 'closed') wasClosed = true
        // After a dropped stream we may have missed events: reload what the screens show.
        if (state === 'open' && wasClosed) {
          wasClosed = false
          void refreshAll()
          void useEvents.getState().load(useEvents.getState().before)
        }
      }),
      client.on('node:status', (payload) => {
        useNode.getState().onStatusEvent(payload)
        if (payload.status === 'running') useNode.getState().scheduleRefresh()
      }),
      client.on('identity:changed', () => {
        void useIdentity.getState().refresh()
        useNode.getState().scheduleRefresh()
      }),
      client.on('dag:event-applied', () => {
        useNode.getState().scheduleRefresh()
        useEvents.getState().onApplied()
      }),
      // Balances follow the ledger live once the wallet has been opened.
      client.on('wallet:balance-changed', () => {
        if (useWallet.getState().balance !== null) useWallet.getState().scheduleRefresh()
        if (useTokens.getState().balances !== null) useTokens.getState().scheduleRefresh()
        useDashboard.getState().scheduleRefresh()
      }),
      // Value on its way to this member shows until its node acknowledges it.
      client.on('wallet:credit', (credit) => useWallet.getState().onCredit(credit)),
      client.on('cred:issued', () => onCredentials()),
      client.on('cred:revoked', () => onCredentials()),
      client.on('gov:proposal-updated', () => onGovernance()),
      client.on('gov:tally-updated', () => onGovernance()),
      client.on('gov:scope-updated', () => onGovernance()),
      client.on('network:peer-connected', () => useNetwork.getState().scheduleRefresh()),
      client.on('network:peer-disconnected', () => useNetwork.getState().scheduleRefresh()),
      client.on('network:sync-progress', (p) => useNetwork.getState().onSyncProgress(p)),
      client.on('mesh:job-updated', ({ job }) => {
        useJobs.getState().onJobUpdated(job)
        useDashboard.getState().scheduleRefresh()
      }),
      client.on('mesh:dispute-updated', ({ job }) => useJobs.getState().onJobUpdated(job)),
      client.on('node:progress', (payload) => useProgress.getState().update(payload)),
      client.on('node:settings-changed', (payload) => useSettings.getState().onNodeSettings(payload)),
      client.on('shell:navigate', ({ route }) => {
        if (typeof route === 'string' && route.startsWith('/')) useRoute.getState().navigate(route)
      }),
    )
    void refreshAll()
  }

  if (mode === 'electron') {
    connect(ipcTransport(env.preload as Parameters<typeof ipcTransport>[0]))
  } else {
    const token = takeToken(env.token)
    // The fragment held the token until now; the route is what replaced it.
    useRoute.getState().sync()
    if (token === null) connection.set({ state: 'no-token' })
    else connect((env.httpTransport ?? defaultHttp(env.origin))(env.origin, token))
  }

  async function useToken(token: string): Promise<void> {
    if (mode !== 'browser') return
    env.token.storage.setItem(TOKEN_KEY, token)
    stopClient()
    useConnection.getState().set({ state: 'connecting' })
    connect((env.httpTransport ?? defaultHttp(env.origin))(env.origin, token))
    await refreshAll()
  }

  return {
    mode,
    get client() {
      return client
    },
    refreshAll,
    useToken,
    checkHashToken() {
      if (mode !== 'browser' || !env.token.location.hash.startsWith('#token=')) return
      const token = takeToken(env.token)
      useRoute.getState().sync()
      if (token !== null) void useToken(token)
    },
    stop: stopClient,
  }

  function stopClient(): void {
    for (const off of offs.splice(0)) off()
    client?.close()
    client = undefined
    setClient(undefined)
  }
}

function defaultHttp(_origin: string): (url: string, token: string) => Transport {
  return (url, token) => httpTransport({ url, token })
}
