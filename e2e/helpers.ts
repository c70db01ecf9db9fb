/**
 * End-to-end helpers: real daemons (`bin/icn.js node start` on a fresh data dir and a free port, found through
 * api.json), the browser-mode URL with the token, axe scans and screenshots in both themes.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'
import { icn, REPO, startDaemonProcess, type CliResult, type DaemonProcess } from '../app/test/cli-process'

export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots')
export const PASSPHRASE = 'correct horse battery staple'

export interface NodeHandle {
  dir: string
  url: string
  token: string
  /** The "Browser UI:" link: daemon URL with the token in the fragment. */
  browserUrl: string
  process: DaemonProcess
  /** Runs the real `icn` CLI against this node. */
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>
  stop(): Promise<void>
  /** Stops and deletes the data dir. */
  destroy(): Promise<void>
}

export async function startNode(existingDir?: string): Promise<NodeHandle> {
  const dir = existingDir ?? (await mkdtemp(join(tmpdir(), 'icn-e2e-')))
  const process = await startDaemonProcess(dir)
  const token = (await readFile(join(dir, 'rpc-token'), 'utf8')).trim()
  let stopped = false
  const handle: NodeHandle = {
    dir,
    url: process.url,
    token,
    browserUrl: `${process.url}/#token=${token}`,
    process,
    cli: (args, env = {}) => icn(['--data', dir, ...args], env),
    async stop() {
      if (stopped) return
      stopped = true
      await process.stop()
    },
    async destroy() {
      await handle.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return handle
}

/**
 * Two daemons with an identity each (`icn id create`), B connected to A over libp2p on loopback: the setup of the
 * two-member specs. Returns the nodes and their DIDs.
 */
export async function startConnectedPair(): Promise<{
  a: NodeHandle
  b: NodeHandle
  dids: [string, string]
}> {
  const [a, b] = await Promise.all([startNode(), startNode()])
  const dids: string[] = []
  for (const n of [a, b]) {
    expect((await n.cli(['id', 'create'], { ICN_PASSPHRASE: PASSPHRASE })).code).toBe(0)
    dids.push((JSON.parse((await n.cli(['--json', 'id', 'show'])).stdout) as { did: string }).did)
  }
  const status = JSON.parse((await a.cli(['--json', 'status'])).stdout) as { listenAddrs: string[] }
  const addr = status.listenAddrs.find((x) => x.includes('/tcp/') && !x.includes('/ws'))
  expect(addr).toBeDefined()
  const connected = await b.cli(['connect', addr!])
  expect(connected.code, connected.stderr).toBe(0)
  return { a, b, dids: [dids[0]!, dids[1]!] }
}

/** Opens the node's browser UI on the Wallet screen. */
export async function openWallet(page: Page, node: NodeHandle): Promise<void> {
  await page.goto(node.browserUrl)
  await page.getByRole('link', { name: 'Wallet', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Wallet' })).toBeVisible()
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  // Legacy mode runs axe in the page itself instead of opening a helper page per scan (3 s → 0.6 s here);
  // it only matters for cross-origin iframes, and the app has no frames at all (frame-src 'none').
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .setLegacyMode(true)
    .analyze()
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  const summary = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  )
  expect(summary, `accessibility violations on ${screen}`).toEqual([])
}

/**
 * Scans and photographs the current screen in light and dark (the app follows the system theme by default),
 * leaving the page in light. Screenshots go to test-results/screenshots/<name>-<theme>.png.
 */
export async function captureScreen(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true })
  for (const theme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: theme })
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
    await expectAccessible(page, `${name} (${theme})`)
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${theme}.png`), fullPage: true })
  }
}

/** Creates an identity through the UI, confirming the phrase; returns the 24 words. Ends on the backup-file step. */
export async function createIdentityInUi(
  page: Page,
  passphrase = PASSPHRASE,
  capture = false,
): Promise<string[]> {
  await page.getByRole('button', { name: 'Create my identity' }).click()
  await expect(page.getByRole('heading', { name: 'Choose a passphrase' })).toBeVisible()
  if (capture) await captureScreen(page, '02-onboarding-passphrase')
  await page.getByLabel('New passphrase').fill(passphrase)
  await page.getByLabel('Repeat the passphrase').fill(passphrase)
  await page.getByRole('button', { name: 'Create my identity' }).click()
  const list = page.getByRole('list', { name: 'Recovery phrase, 24 words in order' })
  await expect(list).toBeVisible()
  const words = (await list.locator('.phrase-text').allTextContents()).map((w) => w.trim())
  expect(words).toHaveLength(24)
  if (capture) await captureScreen(page, '03-onboarding-phrase')
  await page.getByRole('button', { name: 'I have written them down' }).click()
  await expect(page.getByRole('heading', { name: 'Check your recovery phrase' })).toBeVisible()
  const fields = page.getByLabel(/^Word number \d+$/)
  await expect(fields).toHaveCount(3)
  if (capture) await captureScreen(page, '04-onboarding-confirm')
  for (const field of await fields.all()) {
    const id = await field.getAttribute('id')
    const label = (await page.locator(`label[for="${id}"]`).textContent()) ?? ''
    const n = Number(/(\d+)/.exec(label)?.[1])
    await field.fill(words[n - 1] as string)
  }
  await page.getByRole('button', { name: 'Confirm' }).click()
  await expect(page.getByRole('heading', { name: 'Save a backup file' })).toBeVisible()
  return words
}
