// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useConnection } from '../stores/connection'
import { useCredentials } from '../stores/credentials'
import { useIdentity } from '../stores/identity'
import { useNode } from '../stores/node'
import { useProgress } from '../stores/progress'
import { useRoute } from '../stores/route'
import { useSettings } from '../stores/settings'
import { useTokens } from '../stores/tokens'
import {
  identityStatus,
  nodeStatus,
  scriptedBridge,
  ScriptedError,
  type ScriptedBridge,
} from '../test/scripted-bridge'
import { startBridge, type Bridge, type BridgeEnv } from './bridge'
import { TOKEN_KEY } from './token'
import { ipcTransport } from './transport-ipc'

const TOKEN = 'vr9NvLYFnmFhiPpRc0T7Jfr_6Cm-D7HenVJjoogyy4Y'
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

function node(): ScriptedBridge {
  return scriptedBridge({
    'node.status': () => nodeStatus(),
    'identity.get': () => identityStatus(),
    'node.getSettings': () => ({ pauseContributing: false, autostart: false }),
  })
}

function env(preload: unknown, httpTransport?: BridgeEnv['httpTransport']): BridgeEnv {
  return {
    preload,
    origin: 'http://127.0.0.1:7350',
    token: { location, history, storage: sessionStorage },
    ...(httpTransport === undefined ? {} : { httpTransport }),
  }
}

let bridge: Bridge | undefined
beforeEach(() => {
  sessionStorage.clear()
  history.replaceState(null, '', '/')
  useConnection.setState({ mode: null, state: 'connecting', apiOrigin: null })
  useNode.getState().reset()
  useIdentity.setState({ status: null, error: null })
  useProgress.setState({ items: [] })
  useSettings.setState({ node: null, error: null })
  useTokens.setState({ balances: null, classes: [], error: null })
  useCredentials.setState({ credentials: null, signed: [], error: null })
})
afterEach(() => {
  bridge?.stop()
  bridge = undefined
})

describe('bridge', () => {
  it('uses the preload bridge in Electron and fills the stores', async () => {
    const ipc = node()
    bridge = startBridge(env(ipc))
    await settle()
    expect(bridge.mode).toBe('electron')
    expect(useConnection.getState()).toMatchObject({ mode: 'electron', state: 'open', apiOrigin: null })
    expect(useNode.getState().status?.status).toBe('running')
    expect(useIdentity.getState().status?.did).toMatch(/^did:key:/)
    expect(useSettings.getState().node).toEqual({ pauseContributing: false, autostart: false })
  })

  it('refreshes token balances and credentials on their events, once their screens loaded them', async () => {
    const ipc = scriptedBridge({
      'node.status': () => nodeStatus(),
      'identity.get': () => identityStatus(),
      'node.getSettings': () => ({ pauseContributing: false, autostart: false }),
      'tokens.balances': () => ({ did: 'did:key:z', balances: [] }),
      'tokens.classes': () => ({ classes: [] }),
      'identity.credentials': () => ({ credentials: [] }),
      'gov.scopes': () => [],
    })
    bridge = startBridge(env(ipc))
    await settle()
    const count = (method: string): number => ipc.calls.filter((c) => c.method === method).length
    const wait = (): Promise<void> => new Promise((r) => setTimeout(r, 200))

    // Not opened yet: events cost nothing.
    ipc.emit('wallet:balance-changed', { did: null, economy: null, asset: null, event: null })
    ipc.emit('cred:issued', {
      id: 'urn:x',
      scope: 'did:icn:x',
      subject: 'did:key:z',
      kind: 'membership',
      event: 'e',
    })
    await wait()
    expect(count('tokens.balances')).toBe(0)
    expect(count('identity.credentials')).toBe(0)

    await useTokens.getState().refresh()
    await useCredentials.getState().refresh()
    expect(count('tokens.balances')).toBe(1)
    expect(count('identity.credentials')).toBe(1)
    // A burst of events is one reload.
    ipc.emit('wallet:balance-changed', { did: null, economy: null, asset: 'b', event: 'e1' })
    ipc.emit('wallet:balance-changed', { did: null, economy: null, asset: 'b', event: 'e2' })
    ipc.emit('cred:revoked', { id: 'urn:x', scope: 'did:icn:x', subject: 'did:key:z', event: 'r' })
    await wait()
    expect(count('tokens.balances')).toBe(2)
    expect(count('identity.credentials')).toBe(2)
  })

  it('feeds events to the stores', async () => {
    const ipc = node()
    bridge = startBridge(env(ipc))
    await settle()
    ipc.emit('node:status', { status: 'stopping' })
    expect(useNode.getState().lifecycle).toBe('stopping')
    ipc.emit('node:progress', { operation: 'dag.put', done: 5, total: 10, requestId: 3 })
    expect(useProgress.getState().items).toMatchObject([{ operation: 'dag.put', done: 5, total: 10 }])
    ipc.emit('node:settings-changed', { pauseContributing: true, autostart: false })
    expect(useSettings.getState().node?.pauseContributing).toBe(true)
    ipc.emit('shell:navigate', { route: '/dag' })
    expect(useRoute.getState().route).toEqual({ name: 'dag' })
    ipc.emit('shell:navigate', { route: 'javascript:alert(1)' })
    expect(useRoute.getState().route).toEqual({ name: 'dag' })
    const before = ipc.calls.filter((c) => c.method === 'identity.get').length
    ipc.script['identity.get'] = () => identityStatus({ locked: true })
    ipc.emit('identity:changed', { did: null, locked: true })
    await settle()
    expect(ipc.calls.filter((c) => c.method === 'identity.get').length).toBe(before + 1)
    expect(useIdentity.getState().status?.locked).toBe(true)
  })

  it('asks for the access link in a browser without a token', () => {
    bridge = startBridge(env(undefined))
    expect(bridge.mode).toBe('browser')
    expect(useConnection.getState()).toMatchObject({
      mode: 'browser',
      state: 'no-token',
      apiOrigin: 'http://127.0.0.1:7350',
    })
  })

  it('connects to the daemon with the token from the URL', async () => {
    history.replaceState(null, '', `/#token=${TOKEN}`)
    useRoute.getState().sync()
    expect(useRoute.getState().route.name).toBe('not-found')
    const seen: string[][] = []
    const daemon = node()
    bridge = startBridge(
      env(undefined, (url, token) => {
        seen.push([url, token])
        return ipcTransport(daemon)
      }),
    )
    await settle()
    expect(seen).toEqual([['http://127.0.0.1:7350', TOKEN]])
    expect(location.hash).toBe('#/')
    expect(useRoute.getState().route).toEqual({ name: 'dashboard' })
    expect(useNode.getState().status?.status).toBe('running')
  })

  it('forgets a token the daemon refuses and asks again', async () => {
    sessionStorage.setItem(TOKEN_KEY, TOKEN)
    const refused = scriptedBridge({
      'node.status': () => {
        throw new ScriptedError('RPC_UNAUTHORIZED', 'Missing or wrong bearer token.')
      },
      'identity.get': () => {
        throw new ScriptedError('RPC_UNAUTHORIZED', 'Missing or wrong bearer token.')
      },
      'node.getSettings': () => {
        throw new ScriptedError('RPC_UNAUTHORIZED', 'Missing or wrong bearer token.')
      },
    })
    bridge = startBridge(env(undefined, () => ipcTransport(refused)))
    await settle()
    await settle()
    expect(useConnection.getState().state).toBe('unauthorized')
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull()
  })
})
