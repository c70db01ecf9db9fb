import { describe, expect, it } from 'vitest'
import { createClient, IcnClientError } from '../../app/client'
import { scriptedBridge, nodeStatus, ScriptedError } from '../test/scripted-bridge'
import { ipcTransport, isPreloadBridge } from './transport-ipc'

describe('IPC transport over the preload bridge', () => {
  it('recognises the bridge by its two functions only', () => {
    expect(isPreloadBridge(scriptedBridge({}))).toBe(true)
    expect(isPreloadBridge({ invoke: () => undefined })).toBe(false)
    expect(isPreloadBridge(undefined)).toBe(false)
  })

  it('calls methods and rethrows node errors with their code', async () => {
    const bridge = scriptedBridge({
      'node.status': () => nodeStatus(),
      'identity.unlock': () => {
        throw new ScriptedError('IDENTITY_WRONG_PASSPHRASE', 'That passphrase does not unlock this identity.')
      },
    })
    const client = createClient(ipcTransport(bridge))
    expect((await client.call('node.status')).status).toBe('running')
    const error = await client.call('identity.unlock', { passphrase: 'nope nope' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IcnClientError)
    expect(error).toMatchObject({ code: 'IDENTITY_WRONG_PASSPHRASE' })
    expect(bridge.calls.map((c) => c.method)).toEqual(['node.status', 'identity.unlock'])
  })

  it('turns a broken bridge or a malformed reply into a typed error', async () => {
    const throwing = createClient(
      ipcTransport({
        invoke: () => Promise.reject(new Error('object has been destroyed')),
        on: () => () => undefined,
      }),
    )
    await expect(throwing.call('node.status')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    const odd = createClient(ipcTransport({ invoke: async () => 'surprise', on: () => () => undefined }))
    await expect(odd.call('node.status')).rejects.toMatchObject({ code: 'INTERNAL' })
  })

  it('delivers events', () => {
    const bridge = scriptedBridge({})
    const client = createClient(ipcTransport(bridge))
    const seen: unknown[] = []
    client.on('node:status', (p) => seen.push(p))
    bridge.emit('node:status', { status: 'stopping' })
    bridge.emit('dag:event-applied', { id: 'x' })
    expect(seen).toEqual([{ status: 'stopping' }])
  })
})
