/**
 * API abuse against one real daemon process: many concurrent clients over HTTP and WebSocket, oversized and
 * malformed requests, wrong tokens, connections that never finish their headers, and a storm of writes while the
 * node shuts down. Every refusal carries a stable code; the node keeps serving the well-behaved clients; nothing
 * acknowledged is lost and nothing half-written is left (the store reopens with the same state root).
 */
import { connect as tcpConnect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { tempDir, type TempDir } from '../../core/test/helpers'
import { startDaemonProcess, type DaemonProcess } from '../test/cli-process'
import { apiOf, connect, percentile, report, rssBytes, type ApiInfo } from './harness'

const env = { ICN_PASSPHRASE: 'abuse passphrase' }
let dir: TempDir
let daemon: DaemonProcess
let api: ApiInfo

beforeAll(async () => {
  dir = await tempDir('icn-abuse-')
  daemon = await startDaemonProcess(dir.path, ['--no-ui'], env)
  api = await apiOf(dir.path)
  const c = await connect(dir.path)
  await c.call('identity.create', { passphrase: env.ICN_PASSPHRASE })
  c.close()
}, 60_000)
afterAll(async () => {
  await daemon?.stop()
  await dir?.cleanup()
})

interface RpcReply {
  status: number
  code: string | null
  result?: unknown
}

async function rpc(body: string, token = api.token, contentType = 'application/json'): Promise<RpcReply> {
  const res = await fetch(`${api.url}/rpc`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  })
  const text = await res.text()
  let parsed: { result?: unknown; error?: { data?: { code?: string } } } = {}
  try {
    parsed = JSON.parse(text) as typeof parsed
  } catch {
    // not JSON: the code stays null and the test says so
  }
  return {
    status: res.status,
    code: parsed.error?.data?.code ?? null,
    ...(parsed.result === undefined ? {} : { result: parsed.result }),
  }
}
const call = (method: string, params: unknown, id: number | string = 1): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params })

function openSocket(token = api.token): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${api.url.replace('http', 'ws')}/events`, 'icn-events', {
      headers: { authorization: `Bearer ${token}` },
    })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

describe('API abuse', () => {
  it('serves well-behaved clients while others flood, oversize, garble and guess tokens; every refusal has a code', async () => {
    const rssBefore = await rssBytes(dir.path)
    const latencies: number[] = []
    const codes = new Map<string, number>()
    const count = (code: string): void => void codes.set(code, (codes.get(code) ?? 0) + 1)
    const posted: string[] = []

    // Well-behaved: 16 clients posting events one after another.
    const goodClients = Array.from({ length: 16 }, async (_, c) => {
      for (let i = 0; i < 15; i++) {
        const t = performance.now()
        const r = await rpc(call('events.post', { text: `client ${c} message ${i}` }))
        if (r.status === 429) {
          count('RPC_RATE_LIMITED')
          i--
          await new Promise((res) => setTimeout(res, 20))
          continue
        }
        latencies.push(performance.now() - t)
        expect(r.status).toBe(200)
        posted.push((r.result as { id: string }).id)
      }
    })

    // Abusers, all at once.
    const huge = 'x'.repeat(17 * 1024 * 1024)
    const abusers: Promise<void>[] = [
      // oversized bodies
      ...Array.from({ length: 6 }, async () => {
        const r = await rpc(call('events.post', { text: huge }))
        expect(r.status).toBe(413)
        expect(r.code).toBe('RPC_PAYLOAD_TOO_LARGE')
        count(r.code!)
      }),
      // malformed: garbage, truncated JSON, very deep nesting, wrong types, unknown methods, bad params
      ...[
        '\u0000\u00ff garbage',
        '{"jsonrpc":"2.0","id":1,"method":"node.status"',
        '['.repeat(200_000),
        '{"jsonrpc":"2.0","id":{},"method":"node.status"}',
        call('node.selfDestruct', {}),
        call('events.post', { text: '' }),
        call('wallet.transfer', { to: 'did:key:z6Mkbogus', amount: '-5' }),
        '[]',
      ].map(async (body) => {
        const r = await rpc(body)
        expect(r.status, body.slice(0, 40)).toBeLessThan(500)
        expect(r.code, body.slice(0, 40)).toMatch(/^(RPC_|INVALID_ARGUMENT|ECONOMICS_)/)
        count(r.code!)
      }),
      // wrong content type, wrong tokens
      (async () => {
        const r = await rpc(call('node.status', {}), api.token, 'text/plain')
        expect(r.status).toBe(415)
        count(r.code!)
      })(),
      ...Array.from({ length: 50 }, async (_, i) => {
        const r = await rpc(call('node.status', {}), i % 2 === 0 ? '' : `${api.token.slice(0, -1)}x`)
        expect(r.status).toBe(401)
        expect(r.code).toBe('RPC_UNAUTHORIZED')
        count(r.code!)
      }),
      // a WebSocket with a wrong token is refused before the upgrade
      (async () => {
        await expect(openSocket('wrong')).rejects.toThrow(/401/)
        count('WS 401')
      })(),
      // one socket pipelining far more calls than the server handles at once: the rest are told to slow down
      (async () => {
        const ws = await openSocket()
        const replies = new Map<number, string | null>()
        const done = new Promise<void>((resolve) => {
          ws.on('message', (data: Buffer) => {
            const m = JSON.parse(data.toString()) as { id?: number; error?: { data?: { code?: string } } }
            if (typeof m.id !== 'number') return
            replies.set(m.id, m.error?.data?.code ?? null)
            if (replies.size === 400) resolve()
          })
        })
        for (let i = 0; i < 400; i++) ws.send(call('node.status', {}, i))
        ws.send('{not json')
        await done
        const limited = [...replies.values()].filter((c) => c === 'RPC_RATE_LIMITED').length
        const ok = [...replies.values()].filter((c) => c === null).length
        expect(ok + limited).toBe(400)
        expect(ok).toBeGreaterThanOrEqual(64)
        for (let i = 0; i < limited; i++) count('RPC_RATE_LIMITED (ws)')
        ws.close()
      })(),
    ]

    // Slow clients: connections that send half a request and then nothing, held open during the storm.
    const { hostname, port } = new URL(api.url)
    const slow: Socket[] = await Promise.all(
      Array.from(
        { length: 40 },
        () =>
          new Promise<Socket>((resolve) => {
            const s = tcpConnect(Number(port), hostname, () => {
              s.write('POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n')
              resolve(s)
            })
            s.on('error', () => undefined)
          }),
      ),
    )

    await Promise.all([...goodClients, ...abusers])
    for (const s of slow) s.destroy()

    // The node still answers, counts every post, and did not balloon.
    const c = await connect(dir.path)
    for (const id of posted) expect((await c.call('events.get', { id })).status).toBe('applied')
    const logs = await c.call('node.logs', { limit: 1000 })
    const errors = logs.lines.filter((l) => l.level === 'error')
    expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([])
    c.close()
    const rssAfter = await rssBytes(dir.path)
    await report(
      'API abuse',
      [
        {
          name: 'well-behaved calls during the storm, p99',
          value: percentile(latencies, 99),
          unit: 'ms',
          target: '(report)',
          met: true,
        },
        {
          name: 'RSS after the storm vs before',
          value: ((rssAfter - rssBefore) / rssBefore) * 100,
          unit: '%',
          target: '(report)',
          met: true,
        },
      ],
      { refusals: Object.fromEntries(codes), posted: posted.length },
    )
    expect(posted).toHaveLength(16 * 15)
  }, 120_000)

  it('answers every call made while it shuts down with a result or a clear code, and loses nothing acknowledged', async () => {
    const c = await connect(dir.path)
    const before = await c.call('node.status')
    const acked: string[] = []
    const refusedCodes = new Set<string>()
    const storm = Array.from({ length: 120 }, async (_, i) => {
      // Spread the calls over the shutdown window.
      await new Promise((r) => setTimeout(r, i * 2))
      try {
        const r = await rpc(call('events.post', { text: `during shutdown ${i}` }))
        if (r.status === 200 && r.code === null) acked.push((r.result as { id: string }).id)
        else refusedCodes.add(`${r.status} ${r.code ?? 'none'}`)
      } catch (err) {
        // The listening socket is gone: the client sees the connection refused, which is a clear answer too.
        refusedCodes.add((err as { cause?: { code?: string } }).cause?.code ?? 'fetch failed')
      }
    })
    await new Promise((r) => setTimeout(r, 60))
    const exit = daemon.stop('SIGTERM')
    await Promise.all(storm)
    expect(await exit).toBe(0)
    c.close()
    for (const code of refusedCodes)
      expect(code).toMatch(
        /^(503 NODE_STOPPING|429 RPC_RATE_LIMITED|ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)$/,
      )

    daemon = await startDaemonProcess(dir.path, ['--no-ui'], env)
    api = await apiOf(dir.path)
    const again = await connect(dir.path)
    for (const id of acked) expect((await again.call('events.get', { id })).status).toBe('applied')
    const after = await again.call('node.status')
    // Every event is whole: the count is what was there plus what was acknowledged (an answer lost on the wire
    // can only add an event that is complete and applied).
    expect(after.events).toBeGreaterThanOrEqual(before.events + acked.length)
    expect(after.events).toBeLessThanOrEqual(before.events + 120)
    // Restarting once more gives the same state: nothing was left half-applied for the next open to repair.
    await daemon.stop()
    daemon = await startDaemonProcess(dir.path, ['--no-ui'], env)
    api = await apiOf(dir.path)
    again.close()
    const third = await connect(dir.path)
    expect(await third.call('node.status')).toMatchObject({
      events: after.events,
      stateRoot: after.stateRoot,
    })
    third.close()
    await report(
      'shutdown storm',
      [
        {
          name: 'calls acknowledged during shutdown',
          value: acked.length,
          unit: '/ 120',
          target: '(report)',
          met: true,
        },
      ],
      { refusals: [...refusedCodes] },
    )
  }, 60_000)
})
