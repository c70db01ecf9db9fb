import { readFile, stat } from 'node:fs/promises'
import { request } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createClient, httpTransport, type IcnClient, type WebSocketConstructor } from '../client'
import { parse, stringify } from '../wire'
import { startTestDaemon, type TestDaemon } from '../test/daemon'

let t: TestDaemon
let client: IcnClient

async function rpc(
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const res = await fetch(t.daemon.url + '/rpc', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.daemon.token}`, ...headers },
    body,
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? undefined : parse(text) }
}

beforeEach(async () => {
  t = await startTestDaemon()
  client = createClient(
    httpTransport({
      url: t.daemon.url,
      token: t.daemon.token,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    }),
  )
})
afterEach(async () => {
  client.close()
  await t.destroy()
})

describe('daemon files', () => {
  it('writes api.json and a 0600 token in the data dir', async () => {
    const api = JSON.parse(await readFile(t.daemon.apiFile, 'utf8'))
    expect(api.url).toBe(t.daemon.url)
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect((await readFile(api.tokenFile, 'utf8')).trim()).toBe(t.daemon.token)
    if (process.platform !== 'win32') expect((await stat(api.tokenFile)).mode & 0o777).toBe(0o600)
  })
})

describe('JSON-RPC', () => {
  it('round-trips a file through dag.put and dag.cat with the typed client', async () => {
    await client.call('identity.create', { passphrase: 'a good passphrase' })
    const bytes = new TextEncoder().encode('cooperatives all the way down')
    const put = await client.call('dag.put', { bytes })
    expect(put.cid).toMatch(/^bafkrei/)
    expect((await client.call('dag.cat', { cid: put.cid })).bytes).toEqual(bytes)
    const status = await client.call('node.status')
    expect(status).toMatchObject({
      status: 'running',
      locked: false,
      did: expect.stringMatching(/^did:key:z6Mk/),
    })
  })

  it('refuses requests without the right bearer token', async () => {
    for (const headers of [
      { authorization: '' },
      { authorization: 'Bearer nope' },
      { authorization: `Basic ${t.daemon.token}` },
    ]) {
      const { status, json } = await rpc(stringify({ jsonrpc: '2.0', id: 1, method: 'node.status' }), headers)
      expect(status).toBe(401)
      expect(json.error.data.code).toBe('RPC_UNAUTHORIZED')
    }
  })

  it('answers malformed JSON, bad requests, unknown methods and bad params with stable codes', async () => {
    expect((await rpc('{nope')).json.error).toMatchObject({ code: -32700, data: { code: 'RPC_PARSE_ERROR' } })
    expect((await rpc('{"jsonrpc":"1.0","method":"x","id":1}')).json.error).toMatchObject({
      code: -32600,
      data: { code: 'RPC_INVALID_REQUEST' },
    })
    expect((await rpc('[]')).json.error.data.code).toBe('RPC_INVALID_REQUEST')
    const unknown = await rpc(stringify({ jsonrpc: '2.0', id: 7, method: 'wallet.steal' }))
    expect(unknown.json).toMatchObject({
      id: 7,
      error: { code: -32601, data: { code: 'RPC_METHOD_NOT_FOUND' } },
    })
    const badParams = await rpc(stringify({ jsonrpc: '2.0', id: 8, method: 'dag.get', params: { cid: 42 } }))
    expect(badParams.json.error).toMatchObject({ code: -32602, data: { code: 'INVALID_ARGUMENT' } })
    expect(badParams.json.error.message).toContain('cid')
    const extra = await rpc(
      stringify({ jsonrpc: '2.0', id: 9, method: 'node.status', params: { sneaky: true } }),
    )
    expect(extra.json.error.message).toContain('sneaky')
    const wrongPass = await rpc(
      stringify({ jsonrpc: '2.0', id: 10, method: 'identity.unlock', params: { passphrase: 'whatever' } }),
    )
    expect(wrongPass.json.error.data.code).toBe('IDENTITY_NOT_FOUND')
  })

  it('refuses oversized bodies with 413 and keeps serving', async () => {
    const big = 'x'.repeat(17 * 1024 * 1024)
    const res = await fetch(t.daemon.url + '/rpc', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.daemon.token}` },
      body: big,
    })
    expect(res.status).toBe(413)
    expect(parse(await res.text())).toMatchObject({ error: { data: { code: 'RPC_PAYLOAD_TOO_LARGE' } } })
    expect((await client.call('node.status')).status).toBe('running')
  })

  it('handles batches and notifications', async () => {
    const { json } = await rpc(
      stringify([
        { jsonrpc: '2.0', id: 1, method: 'identity.get' },
        { jsonrpc: '2.0', method: 'identity.get' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
      ]),
    )
    expect(json).toHaveLength(2)
    expect(json[0]).toMatchObject({ id: 1, result: { exists: false } })
    expect(json[1]).toMatchObject({ id: 2, error: { data: { code: 'RPC_METHOD_NOT_FOUND' } } })
  })

  it('rejects a foreign Host header (DNS rebinding)', async () => {
    const port = new URL(t.daemon.url).port
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/rpc',
          method: 'POST',
          headers: {
            host: `evil.example:${port}`,
            authorization: `Bearer ${t.daemon.token}`,
            'content-type': 'application/json',
          },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.end('{}')
    })
    expect(status).toBe(403)
  })

  it('reports health without a token and nothing secret', async () => {
    const res = await fetch(t.daemon.url + '/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'running', version: expect.any(String) })
  })
})

describe('metrics', () => {
  it('serves Prometheus text with event and API figures, only with the token', async () => {
    expect((await fetch(t.daemon.url + '/metrics')).status).toBe(401)
    await client.call('identity.create', { passphrase: 'a good passphrase' })
    await client.call('events.post', { text: 'counted' })
    const coop = await client.call('gov.createScope', { kind: 'cooperative', name: 'Metrics' })
    await client.call('gov.propose', { scope: coop.scope, title: 'Counted', action: { kind: 'text' } })
    await client.call('node.status')
    await rpc(stringify({ jsonrpc: '2.0', id: 1, method: 'no.such.method' }))
    const res = await fetch(t.daemon.url + '/metrics', {
      headers: { authorization: `Bearer ${t.daemon.token}` },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(text).toMatch(/icn_events_applied_total\{type="note",origin="local"\} 1/)
    expect(text).toMatch(/icn_dag\{what="events"\} [3-9]/)
    expect(text).toMatch(/icn_rpc_requests_total\{method="node.status",code="OK"\} \d+/)
    expect(text).toMatch(/icn_rpc_requests_total\{method="unknown",code="RPC_METHOD_NOT_FOUND"\} 1/)
    expect(text).toContain('icn_rpc_duration_seconds_bucket')
    expect(text).toContain('icn_process_resident_memory_bytes')
    expect(text).toMatch(/^icn_heap_after_major_gc_bytes \d+$/m)
    expect(text).toMatch(/icn_proposal_updates_total\{status="open"\} 1/)
    expect(text).toMatch(/icn_peers\{what="peers"\} 0/)
    expect(text).toMatch(/icn_runtime\{what="fuel_used"\} 0/)
    expect(text).toContain('# TYPE icn_job_updates_total counter')
    expect(text).toContain('# TYPE icn_ledger_credits_total counter')
  })
})

describe('event stream', () => {
  it('delivers node events to an authenticated WebSocket client', async () => {
    const seen: string[] = []
    const got = new Promise<void>((resolve) => {
      client.on('identity:changed', (e) => {
        seen.push(e.did ?? '')
        resolve()
      })
    })
    await new Promise((r) => setTimeout(r, 100))
    const { did } = await client.call('identity.create', { passphrase: 'a good passphrase' })
    await got
    expect(seen).toContain(did)
  })

  it('refuses a WebSocket without the token or from a foreign origin', async () => {
    const wsUrl = t.daemon.url.replace('http', 'ws') + '/events'
    const attempt = (protocols: string[], headers: Record<string, string> = {}): Promise<string> =>
      new Promise((resolve) => {
        const ws = new WebSocket(wsUrl, protocols, { headers })
        ws.on('open', () => {
          ws.close()
          resolve('open')
        })
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
        ws.on('error', () => resolve('error'))
      })
    expect(await attempt(['icn-events'])).toBe('401')
    expect(await attempt(['icn-events', 'icn.bearer.wrong'])).toBe('401')
    expect(
      await attempt(['icn-events', `icn.bearer.${t.daemon.token}`], { origin: 'https://evil.example' }),
    ).toBe('403')
    expect(await attempt(['icn-events', `icn.bearer.${t.daemon.token}`])).toBe('open')
  })
})
