import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, type TempDir } from '../core/test/helpers'
import { createAppProtocolHandler, resolveAppPath } from './protocol'
import { CONTENT_SECURITY_POLICY } from './security'

let dir: TempDir
let root: string
const SECRET = 'the private key that must never be served'

beforeAll(async () => {
  dir = await tempDir('icn-protocol-')
  root = join(dir.path, 'renderer')
  await mkdir(join(root, 'assets'), { recursive: true })
  await writeFile(join(root, 'index.html'), '<!doctype html><title>ICN</title>')
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)')
  await writeFile(join(dir.path, 'secret.txt'), SECRET)
  await mkdir(join(dir.path, 'renderer-evil'))
  await writeFile(join(dir.path, 'renderer-evil', 'x.txt'), SECRET)
})
afterAll(() => dir.cleanup())

const get = (url: string, method = 'GET'): Promise<Response> =>
  createAppProtocolHandler({
    root,
    virtualPages: () => new Map([['/startup-error.html', { body: '<p>failed</p>', type: 'text/html' }]]),
  })(new Request(url, { method }))

describe('app:// protocol handler', () => {
  it('serves the bundle with the CSP header and the right type', async () => {
    const res = await get('app://bundle/index.html')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await res.text()).toContain('<title>ICN</title>')
    const js = await get('app://bundle/assets/app.js')
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(js.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })

  it('falls back to the app shell for routes, but not for missing assets', async () => {
    expect((await get('app://bundle/')).status).toBe(200)
    expect(await (await get('app://bundle/dag/bafyabc')).text()).toContain('<title>ICN</title>')
    expect((await get('app://bundle/assets/missing.js')).status).toBe(404)
  })

  it.each([
    'app://bundle/../secret.txt',
    'app://bundle/../../../../etc/passwd',
    'app://bundle/%2e%2e/secret.txt',
    'app://bundle/%2E%2E/%2E%2E/etc/passwd',
    'app://bundle/..%2fsecret.txt',
    'app://bundle/assets/..%2f..%2fsecret.txt',
    'app://bundle/..%5csecret.txt',
    'app://bundle/%2fetc%2fpasswd',
    'app://bundle/..%2f..%2f..%2f..%2fetc%2fpasswd',
    'app://bundle/../renderer-evil/x.txt',
    'app://bundle/..%2frenderer-evil%2fx.txt',
    'app://bundle/index.html%00.txt',
    'app://bundle/%E0%A4%A',
    'app://evil/index.html',
    'app://bundle:99/index.html',
    'https://bundle/index.html',
  ])('answers 404 to %s and never serves a file outside the bundle', async (url) => {
    const res = await get(url)
    const body = await res.text()
    expect(body).not.toContain(SECRET)
    expect(body).not.toMatch(/root:x:0:0/)
    // A path that normalises back inside the bundle may show the app shell; nothing else is served.
    if (res.status === 200) expect(body).toContain('<title>ICN</title>')
    else expect(res.status).toBe(404)
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })

  it('resolveAppPath refuses escapes outright', () => {
    expect(resolveAppPath(root, 'app://bundle/..%2fsecret.txt')).toBeUndefined()
    expect(resolveAppPath(root, 'app://bundle/..%2f..%2f..%2fetc%2fpasswd')).toBeUndefined()
    expect(resolveAppPath(root, 'app://bundle/a%00b')).toBeUndefined()
    expect(resolveAppPath(root, 'app://bundle/a%5c..%5c..%5cb')).toBeUndefined()
    expect(resolveAppPath(root, 'app://other/index.html')).toBeUndefined()
    expect(resolveAppPath(root, 'app://user:pw@bundle/index.html')).toBeUndefined()
    expect(resolveAppPath(root, 'not a url')).toBeUndefined()
    expect(resolveAppPath(root, 'app://bundle/assets/app.js')).toBe(join(root, 'assets', 'app.js'))
  })

  it('serves in-memory pages and refuses writes', async () => {
    const page = await get('app://bundle/startup-error.html')
    expect(await page.text()).toBe('<p>failed</p>')
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect((await get('app://bundle/index.html', 'POST')).status).toBe(405)
  })
})
