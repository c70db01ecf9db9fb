import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../app/ipc/channels'
import { createPreloadApi, type IpcRendererLike } from './preload-api'

class FakeIpcRenderer extends EventEmitter implements IpcRendererLike {
  invoked: unknown[][] = []
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, ...args])
    return { ok: true, value: 'pong' }
  }
}

describe('preload bridge (window.icn)', () => {
  it('exposes exactly invoke and on, frozen', () => {
    const api = createPreloadApi(new FakeIpcRenderer())
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "invoke",
        "on",
      ]
    `)
    expect(Object.isFrozen(api)).toBe(true)
    for (const key of ['send', 'sendSync', 'ipcRenderer', 'invokeChannel', 'removeAllListeners']) {
      expect(api).not.toHaveProperty(key)
    }
  })

  it('invokes only the contract channel with one request object', async () => {
    const ipc = new FakeIpcRenderer()
    const api = createPreloadApi(ipc)
    expect(await api.invoke('node.status', {})).toEqual({ ok: true, value: 'pong' })
    await api.invoke('dag.put', { bytes: new Uint8Array([1]) }, 7)
    expect(ipc.invoked).toEqual([
      [INVOKE_CHANNEL, { method: 'node.status', params: {} }],
      [INVOKE_CHANNEL, { method: 'dag.put', params: { bytes: new Uint8Array([1]) }, id: 7 }],
    ])
  })

  it('passes listeners the event name and payload only, never the IPC event, and unsubscribes', () => {
    const ipc = new FakeIpcRenderer()
    const api = createPreloadApi(ipc)
    const got: unknown[][] = []
    const off = api.on((...args) => got.push(args))
    const sender = { sender: { send() {} }, senderId: 1 }
    ipc.emit(EVENT_CHANNEL, sender, { event: 'node:status', payload: { status: 'running' } })
    ipc.emit(EVENT_CHANNEL, sender, 'not a message')
    ipc.emit(EVENT_CHANNEL, sender, null)
    ipc.emit('other-channel', sender, { event: 'x', payload: 1 })
    expect(got).toEqual([['node:status', { status: 'running' }]])
    off()
    ipc.emit(EVENT_CHANNEL, sender, { event: 'node:status', payload: { status: 'stopped' } })
    expect(got).toHaveLength(1)
    expect(ipc.listenerCount(EVENT_CHANNEL)).toBe(0)
  })
})
