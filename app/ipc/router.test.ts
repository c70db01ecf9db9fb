import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isIcnErrorCode } from '../../core/errors'
import { silentLogger } from '../../core/logger'
import { startTestNode, type TestNode } from '../../core/test/helpers'
import type { EventMessage } from './channels'
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './channels'
import { createDispatcher } from '../dispatch'
import { bridgeEvents } from '../events'
import { createHandlers } from '../handlers'
import type { Reply } from '../contract'
import {
  createIpcRouter,
  type InvokeEventLike,
  type InvokeListener,
  type IpcMainLike,
  type IpcRouter,
  type WebContentsLike,
} from './router'

const APP = 'app://bundle/index.html'

/** The subset of ipcMain the router uses, with ipcMain's rule that a channel has one handler. */
class TestIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, InvokeListener>()
  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  /** What Electron does on ipcRenderer.invoke(channel, ...args). */
  async invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`)
    return handler(event, ...args)
  }
}

class Window implements WebContentsLike {
  static nextId = 1
  readonly id = Window.nextId++
  readonly received: EventMessage[] = []
  destroyed = false
  constructor(public url: string) {}
  send(channel: string, message: unknown): void {
    if (channel === EVENT_CHANNEL) this.received.push(message as EventMessage)
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  getURL(): string {
    return this.url
  }
}

/** The shape of main/security.ts isTrustedFrame (app/ may not import main/): top frame of app://bundle. */
const isTrustedFrame = (frame: { url: string; parent?: unknown } | null | undefined): boolean => {
  if (frame === null || frame === undefined || (frame.parent ?? null) !== null) return false
  const url = new URL(frame.url)
  return url.protocol === 'app:' && url.host === 'bundle'
}

let t: TestNode
let ipcMain: TestIpcMain
let router: IpcRouter
let appWindow: Window
let evilWindow: Window
let unbridge: () => void

const from = (
  win: Window,
  frame: InvokeEventLike['senderFrame'] = { url: win.url, parent: null },
): InvokeEventLike => ({
  sender: win,
  senderFrame: frame,
})

async function call(method: string, params?: unknown, event = from(appWindow)): Promise<Reply<any>> {
  return (await ipcMain.invoke(INVOKE_CHANNEL, event, { method, params })) as Reply<any>
}

beforeAll(async () => {
  t = await startTestNode({ withIdentity: false })
  ipcMain = new TestIpcMain()
  appWindow = new Window(APP)
  evilWindow = new Window('https://evil.example/')
  router = createIpcRouter({
    ipcMain,
    dispatcher: createDispatcher(createHandlers(t.node), silentLogger),
    isTrustedSender: isTrustedFrame,
    isTrustedUrl: (url) => url.startsWith('app://bundle/'),
    targets: () => [appWindow, evilWindow],
    logger: silentLogger,
  })
  unbridge = bridgeEvents(t.node, router.broadcast)
})
afterAll(async () => {
  unbridge()
  router.close()
  await t.destroy()
})

describe('IPC router', () => {
  it('serves the contract through the same handlers as the daemon', async () => {
    const status = await call('node.status')
    expect(status).toMatchObject({ ok: true, value: { status: 'running', did: null } })
    const created = await call('identity.create', { passphrase: 'a good passphrase' })
    expect(created.ok).toBe(true)
    expect((created as any).value.did).toMatch(/^did:key:z6Mk/)
    expect((created as any).value.phrase.split(' ')).toHaveLength(24)
  })

  it('validates params with the contract schema and returns typed errors', async () => {
    expect(await call('identity.unlock', { passphrase: 42 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
    expect(await call('node.status', { extra: true })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
    expect(await call('wallet.steal', {})).toMatchObject({
      ok: false,
      error: { code: 'RPC_METHOD_NOT_FOUND' },
    })
    expect(await call('identity.unlock', { passphrase: 'wrong passphrase' })).toMatchObject({
      ok: false,
      error: { code: 'IDENTITY_WRONG_PASSPHRASE' },
    })
  })

  it('rejects requests from any sender but the app’s top frame, before any handler runs', async () => {
    const before = t.node.identity.status()
    const attempts: InvokeEventLike[] = [
      from(evilWindow),
      from(appWindow, null),
      { sender: appWindow, senderFrame: undefined },
      from(appWindow, { url: APP, parent: { url: APP } }),
      from(appWindow, { url: 'app://evil/index.html', parent: null }),
      from(appWindow, { url: 'file:///index.html', parent: null }),
    ]
    for (const event of attempts) {
      expect(await call('identity.lock', {}, event)).toEqual({
        ok: false,
        error: { code: 'RPC_FORBIDDEN_ORIGIN', message: 'Only the ICN app window may call the node.' },
      })
    }
    expect(t.node.identity.status()).toEqual(before)
  })

  it('answers an unknown channel and malformed requests with typed errors', async () => {
    expect(await router.receive('icn:evil', from(appWindow), [{ method: 'node.status' }])).toMatchObject({
      ok: false,
      error: { code: 'RPC_INVALID_REQUEST' },
    })
    for (const args of [
      [],
      [1, 2],
      ['node.status'],
      [null],
      [[{ method: 'node.status' }]],
      [{ method: 'node.status', x: 1 }],
      [{ method: '' }],
      [{ method: 'node.status', id: {} }],
    ]) {
      expect(await router.receive(INVOKE_CHANNEL, from(appWindow), args)).toMatchObject({
        ok: false,
        error: { code: 'RPC_INVALID_REQUEST' },
      })
    }
  })

  it('caps payload sizes (1 MiB by default, the file limit for dag.put) and nesting depth', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1)
    expect(await call('events.post', { text: big })).toMatchObject({
      ok: false,
      error: { code: 'RPC_PAYLOAD_TOO_LARGE' },
    })
    expect(await call('identity.unlock', { passphrase: [new Uint8Array(2 * 1024 * 1024)] })).toMatchObject({
      ok: false,
      error: { code: 'RPC_PAYLOAD_TOO_LARGE' },
    })
    let deep: unknown = 'bottom'
    for (let i = 0; i < 200; i++) deep = { deep }
    expect(await call('node.status', deep)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    // A 2 MiB file is fine for dag.put, whose own schema allows 64 MiB.
    const file = new Uint8Array(2 * 1024 * 1024).fill(7)
    const put = await call('dag.put', { bytes: file })
    expect(put).toMatchObject({ ok: true, value: { size: file.length } })
  })

  it('sends progress of a call to the window that made it, tagged with its id', async () => {
    appWindow.received.length = 0
    const reply = await ipcMain.invoke(INVOKE_CHANNEL, from(appWindow), {
      method: 'dag.put',
      params: { bytes: new Uint8Array(1000) },
      id: 41,
    })
    expect(reply).toMatchObject({ ok: true })
    const progress = appWindow.received.filter((m) => m.event === 'node:progress')
    expect(progress.map((m) => m.payload)).toEqual([
      { operation: 'dag.put', done: 0, total: 1000, requestId: 41 },
      { operation: 'dag.put', done: 1000, total: 1000, requestId: 41 },
    ])
  })

  it('broadcasts node events only to windows showing the app', async () => {
    appWindow.received.length = 0
    evilWindow.received.length = 0
    await call('events.post', { text: 'hello cooperative' })
    expect(appWindow.received.map((m) => m.event)).toContain('dag:event-applied')
    expect(evilWindow.received).toEqual([])
    const destroyed = new Window(APP)
    destroyed.destroyed = true
    router.broadcast('node:status', { status: 'running' })
    expect(destroyed.received).toEqual([])
  })

  it('never throws past the router and always answers with a known error code (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(INVOKE_CHANNEL), fc.string()),
        fc.oneof(
          fc.constant({ url: APP, parent: null }),
          fc.constant(null),
          fc.record({ url: fc.oneof(fc.string(), fc.webUrl(), fc.constant(APP)), parent: fc.anything() }),
          fc.anything(),
        ),
        fc.array(
          fc.oneof(
            fc.anything({ withTypedArray: true, withMap: true, withSet: true, withNullPrototype: true }),
            fc.record({
              method: fc.oneof(
                fc.constantFrom('node.status', 'dag.get', 'events.list', 'identity.get'),
                fc.string(),
              ),
              params: fc.anything({ withTypedArray: true }),
            }),
          ),
          { maxLength: 3 },
        ),
        async (channel, frame, args) => {
          const reply = await router.receive(
            channel,
            { sender: appWindow, senderFrame: frame as never },
            args,
          )
          expect(typeof reply.ok).toBe('boolean')
          if (!reply.ok) {
            expect(isIcnErrorCode(reply.error.code)).toBe(true)
            expect(typeof reply.error.message).toBe('string')
          }
        },
      ),
      { numRuns: 400 },
    )
  })

  it('a router that is closed removes its handler and refuses calls', async () => {
    const main = new TestIpcMain()
    const closed = createIpcRouter({
      ipcMain: main,
      dispatcher: createDispatcher(createHandlers(t.node), silentLogger),
      isTrustedSender: isTrustedFrame,
      isTrustedUrl: () => true,
      targets: () => [],
      logger: silentLogger,
    })
    expect(main.handlers.has(INVOKE_CHANNEL)).toBe(true)
    closed.close()
    expect(main.handlers.has(INVOKE_CHANNEL)).toBe(false)
    expect(await closed.receive(INVOKE_CHANNEL, from(appWindow), [{ method: 'node.status' }])).toMatchObject({
      ok: false,
      error: { code: 'NODE_STOPPING' },
    })
  })
})
