import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { tempDir, type TempDir } from '../core/test/helpers'
import { createClient, httpTransport, type IcnClient, type WebSocketConstructor } from './client'
import { startDaemonProcess } from './test/cli-process'

let dir: TempDir
beforeAll(async () => {
  dir = await tempDir('icn-durable-')
})
afterAll(async () => {
  await dir.cleanup()
})

async function connect(dataDir: string): Promise<IcnClient> {
  const api = JSON.parse(await readFile(join(dataDir, 'api.json'), 'utf8')) as {
    url: string
    tokenFile: string
  }
  const token = (await readFile(api.tokenFile, 'utf8')).trim()
  return createClient(
    httpTransport({ url: api.url, token, WebSocket: WebSocket as unknown as WebSocketConstructor }),
  )
}

describe('durability', () => {
  it('keeps every acknowledged event across kill -9, and the state root with it', async () => {
    const env = { ICN_PASSPHRASE: 'durable passphrase' }
    const first = await startDaemonProcess(dir.path, [], env)
    let client = await connect(dir.path)
    await client.call('identity.create', { passphrase: env.ICN_PASSPHRASE })
    const acknowledged: string[] = []
    const post = (i: number): Promise<unknown> =>
      client.call('events.post', { text: `minute ${i}` }).then((e) => acknowledged.push(e.id))
    // Waves of concurrent writes (under the server's 64-request limit) land in several group commits.
    for (let wave = 0; wave < 3; wave++)
      await Promise.all(Array.from({ length: 50 }, (_, i) => post(wave * 50 + i)))
    const rootBefore = (await client.call('node.status')).stateRoot
    const ackedBefore = [...acknowledged]
    // One more wave in flight when the process is killed without warning.
    const inFlight = Array.from({ length: 50 }, (_, i) => post(150 + i).catch(() => undefined))
    await first.stop('SIGKILL')
    await Promise.allSettled(inFlight)
    client.close()

    const second = await startDaemonProcess(dir.path, [], env)
    client = await connect(dir.path)
    for (const id of ackedBefore) {
      expect((await client.call('events.get', { id })).status).toBe('applied')
    }
    const status = await client.call('node.status')
    expect(status.events).toBeGreaterThanOrEqual(ackedBefore.length)
    if (status.events === ackedBefore.length) expect(status.stateRoot).toBe(rootBefore)
    // The chain continues where it stopped: a new event links to the last stored one.
    await client.call('identity.unlock', { passphrase: env.ICN_PASSPHRASE })
    const next = await client.call('events.post', { text: 'after the crash' })
    expect(next.seq).toBe(status.events + 1)
    client.close()
    await second.stop()
  })
})
