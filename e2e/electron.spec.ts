/**
 * The desktop shell itself (Playwright's _electron): start, security settings, navigation and window.open
 * denied, app:// path escapes, deep links, and the quit handshake. These run only where an Electron binary
 * exists; elsewhere this file prints one skip line and defines no tests.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test'
import { REPO } from '../app/test/cli-process'
import { electronBinary, electronSkipReason } from './electron-binary'
import { PASSPHRASE, startNode } from './helpers'

const MAIN = join(REPO, 'dist/node/main.js')
const CID = 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const skip = electronSkipReason()

if (skip !== undefined) {
  console.log(`electron e2e: skipped — ${skip}`)
} else {
  const executablePath = electronBinary() as string

  async function launch(
    userData: string,
    args: string[] = [],
  ): Promise<{ app: ElectronApplication; page: Page }> {
    const app = await electron.launch({
      executablePath,
      args: [MAIN, ...args],
      env: { ...process.env, ICN_USER_DATA_DIR: userData, ICN_LOG_LEVEL: 'info' },
    })
    const page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
    return { app, page }
  }

  test.describe('Electron shell', () => {
    let userData: string
    test.beforeEach(async () => {
      userData = await mkdtemp(join(tmpdir(), 'icn-electron-'))
    })
    test.afterEach(async () => {
      await rm(userData, { recursive: true, force: true })
    })

    test('starts on app:// with an isolated, sandboxed renderer that sees only invoke and on', async () => {
      const { app, page } = await launch(userData)
      try {
        expect(page.url()).toMatch(/^app:\/\/bundle\/index\.html/)
        await expect(page.getByRole('heading', { name: 'Welcome to ICN' })).toBeVisible()
        // getLastWebPreferences() exists at run time but is missing from electron.d.ts.
        const prefs = await app.evaluate(({ BrowserWindow }) =>
          BrowserWindow.getAllWindows().map((w) =>
            (
              w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> }
            ).getLastWebPreferences(),
          ),
        )
        for (const p of prefs) {
          expect(p).toMatchObject({
            contextIsolation: true,
            sandbox: true,
            nodeIntegration: false,
            nodeIntegrationInWorker: false,
            webSecurity: true,
            webviewTag: false,
          })
        }
        const page_ = await page.evaluate(() => ({
          require: typeof (globalThis as { require?: unknown }).require,
          process: typeof (globalThis as { process?: unknown }).process,
          bridge: Object.keys((globalThis as unknown as { icn: object }).icn).sort(),
        }))
        expect(page_).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'on'] })
        // The contract works over IPC.
        const status = await page.evaluate(() =>
          (globalThis as unknown as { icn: { invoke(m: string, p: unknown): Promise<unknown> } }).icn.invoke(
            'node.status',
            {},
          ),
        )
        expect(status).toMatchObject({ ok: true, value: { status: 'running' } })
      } finally {
        await app.close()
      }
    })

    test('refuses navigation, new windows, path escapes and inline scripts', async () => {
      const { app, page } = await launch(userData)
      try {
        const before = page.url()
        await page.evaluate(`location.href = 'file:///etc/passwd'`)
        await page.waitForTimeout(500)
        expect(page.url()).toBe(before)
        const opened = await page.evaluate<boolean>(`window.open('file:///etc/passwd') === null`)
        expect(opened).toBe(true)
        expect(app.windows()).toHaveLength(1)
        const escape = await page.evaluate<number>(
          `fetch('app://bundle/..%2f..%2f..%2f..%2fetc%2fpasswd').then((r) => r.status)`,
        )
        expect(escape).toBe(404)
        const outcome = await page.evaluate<{ violations: string[]; pwned: boolean }>(`(async () => {
          const violations = []
          document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective))
          const s = document.createElement('script')
          s.textContent = 'window.pwned = true'
          document.body.append(s)
          await new Promise((r) => setTimeout(r, 200))
          return { violations, pwned: window.pwned === true }
        })()`)
        expect(outcome).toEqual({ violations: ['script-src-elem'], pwned: false })
      } finally {
        await app.close()
      }
    })

    test('opens icn:// deep links at start and from a second instance', async () => {
      const { app, page } = await launch(userData, [`icn://job/${CID}`])
      try {
        await expect(page).toHaveURL(new RegExp(`#/job/${CID}$`))
        // A second launch hands its link to the running app and exits (single-instance lock).
        const second = spawn(executablePath, [MAIN, `icn://proposal/${CID}`, 'icn://proposal/../../etc'], {
          env: { ...process.env, ICN_USER_DATA_DIR: userData },
          stdio: 'ignore',
        })
        const code = await new Promise<number | null>((r) => second.once('exit', r))
        expect(code).toBe(0)
        await expect(page).toHaveURL(new RegExp(`#/proposal/${CID}$`))
        await expect(page.getByRole('heading', { name: /Proposal|Unlock|Welcome/ })).toBeVisible()
      } finally {
        await app.close()
      }
    })

    test('quitting stops the node first: the identity is on disk and the database is free', async () => {
      const { app, page } = await launch(userData)
      const created = await page.evaluate(
        (passphrase) =>
          (globalThis as unknown as { icn: { invoke(m: string, p: unknown): Promise<unknown> } }).icn.invoke(
            'identity.create',
            { passphrase },
          ),
        PASSPHRASE,
      )
      expect(created).toMatchObject({ ok: true })
      await app.close()
      const log = await readFile(join(userData, 'logs', 'main.log'), 'utf8')
      const stopped = log.indexOf('quit: node stopped')
      expect(stopped).toBeGreaterThan(-1)
      expect(log.indexOf('"msg":"exit"', stopped)).toBeGreaterThan(stopped)
      // The LevelDB lock is released: a headless node opens the same data and finds the identity.
      const daemon = await startNode(join(userData, 'node'))
      try {
        const status = JSON.parse((await daemon.cli(['--json', 'status'])).stdout)
        expect(status.did).toMatch(/^did:key:z6Mk/)
      } finally {
        await daemon.stop()
      }
    })
  })
}
