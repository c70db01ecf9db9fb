/**
 * Desktop UI: time from page load to an interactive dashboard in browser mode, against a real daemon
 * (`icn node start`, identity created and unlocked), measured in Debian Chromium with Playwright. The page marks
 * `icn:dashboard-ready` (performance.mark) when the dashboard has the node's status; the figure is that mark's
 * time since navigation start. Cold loads use a fresh browser context each (empty HTTP and code caches, as on a
 * first visit); warm loads reload one page (a member coming back to the tab).
 *
 * Then the governance list with 10,000 proposals (made through the daemon's API): every page loaded by scrolling,
 * then scroll jumps and title searches timed in the page from the input to the next frame after React rendered,
 * and a kind filter (a round trip to the node) timed from the change to the new list.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from '@playwright/test'
import { createClient, httpTransport } from '../app/client'
import { icn, startDaemonProcess } from '../app/test/cli-process'
import { atMost, percentile, round, type BenchSuite, type Figure } from './harness'

const LOADS = 7
const TARGET_MS = 1000
const PROPOSALS = 10_000
const LIST_TARGET_MS = 50
const INTERACTIONS = 20

export const desktopBench: BenchSuite = {
  name: 'Desktop UI (browser mode)',
  async run(): Promise<Figure[]> {
    const dir = await mkdtemp(join(tmpdir(), 'icn-bench-ui-'))
    const daemon = await startDaemonProcess(dir)
    const browser = await chromium.launch({
      executablePath: process.env['ICN_CHROMIUM'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    })
    try {
      const created = await icn(['--data', dir, 'id', 'create'], { ICN_PASSPHRASE: 'bench passphrase' })
      if (created.code !== 0) throw new Error(`icn id create failed: ${created.stderr}`)
      const token = (await readFile(join(dir, 'rpc-token'), 'utf8')).trim()
      const url = `${daemon.url}/#token=${token}`
      const samples: number[] = []
      // One unmeasured load first: the browser's own first-context start-up is not the page's cost.
      for (let i = -1; i < LOADS; i++) {
        const context = await browser.newContext()
        const page = await context.newPage()
        await page.goto(url)
        await page.locator('[data-ready="true"]').waitFor({ timeout: 15_000 })
        const ms = await page.evaluate(
          () => performance.getEntriesByName('icn:dashboard-ready')[0]?.startTime ?? NaN,
        )
        if (!Number.isFinite(ms)) throw new Error('the dashboard did not mark itself ready')
        if (i >= 0) samples.push(ms)
        await context.close()
      }
      const warm: number[] = []
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.goto(url)
      await page.locator('[data-ready="true"]').waitFor({ timeout: 15_000 })
      for (let i = 0; i < LOADS; i++) {
        await page.reload()
        await page.locator('[data-ready="true"]').waitFor({ timeout: 15_000 })
        warm.push(
          await page.evaluate(() => performance.getEntriesByName('icn:dashboard-ready')[0]?.startTime ?? NaN),
        )
      }
      await context.close()
      const median = percentile(samples, 50)
      const warmMedian = percentile(warm, 50)
      const slowest = Math.max(...samples)
      const governance = await governanceList(browser, daemon.url, token)
      return [
        {
          name: `page load → interactive dashboard, median of ${LOADS} cold loads`,
          value: round(median, 0),
          unit: 'ms',
          target: `< ${TARGET_MS}`,
          pass: atMost(median, TARGET_MS - 1),
        },
        {
          name: `page reload → interactive dashboard, median of ${LOADS} warm loads`,
          value: round(warmMedian, 0),
          unit: 'ms',
          target: `< ${TARGET_MS}`,
          pass: atMost(warmMedian, TARGET_MS - 1),
        },
        {
          name: `page load → interactive dashboard, slowest of ${LOADS} cold loads (spread; shared 2-core machines vary)`,
          value: round(slowest, 0),
          unit: 'ms',
          target: `< ${TARGET_MS} (informational)`,
        },
        ...governance,
      ]
    } finally {
      await browser.close()
      await daemon.stop()
      await rm(dir, { recursive: true, force: true })
    }
  },
}

/** What the in-page functions use of the browser (this file compiles without the DOM library). */
interface Page {
  requestAnimationFrame(cb: () => void): number
  HTMLInputElement: { prototype: object }
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null }
}

/** Creates PROPOSALS proposals through the API (32 in flight), then measures the list in the browser. */
async function governanceList(browser: Browser, url: string, token: string): Promise<Figure[]> {
  const client = createClient(httpTransport({ url, token, reconnect: false }))
  try {
    const scope = await client.call('gov.createScope', {
      kind: 'cooperative',
      name: 'Bench cooperative',
      params: { 'cost.propose': '0' },
    })
    const topics = ['bread ovens', 'delivery bikes', 'solar panels', 'roof repair', 'member fees']
    let made = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (made < PROPOSALS) {
          const n = made++
          await client.call('gov.propose', {
            scope: scope.scope,
            title: `Proposal ${String(n).padStart(5, '0')}: ${topics[n % topics.length]!}`,
            action: { kind: 'text' },
          })
        }
      }),
    )
    const createSeconds = (performance.now() - started) / 1000

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    // tsx compiles this file with esbuild's keepNames: functions passed to evaluate() call its `__name` helper.
    await context.addInitScript({ content: 'globalThis.__name = (f) => f' })
    const page = await context.newPage()
    await page.goto(`${url}/#token=${token}`)
    await page.locator('[data-ready="true"]').waitFor({ timeout: 15_000 })
    await page.goto(`${url}/#/governance`)
    const list = page.getByTestId('gov-list')
    await list.waitFor({ timeout: 15_000 })
    // Load every page the way a member does: scrolling to the end fetches the next one.
    const loadStarted = performance.now()
    for (;;) {
      const rows = Number(await list.getAttribute('data-rows'))
      if (rows >= PROPOSALS) break
      if (performance.now() - loadStarted > 120_000) throw new Error(`only ${rows} proposals loaded`)
      await list.evaluate((el) => {
        el.scrollTop = el.scrollHeight
        el.dispatchEvent(new Event('scroll'))
      })
      await page.waitForTimeout(50)
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000

    // Scroll jumps: set scrollTop, then wait for the frame after the window moved there.
    const scrolls = await list.evaluate(async (el, count) => {
      const frame = (): Promise<void> =>
        new Promise((r) => (globalThis as unknown as Page).requestAnimationFrame(() => r()))
      const task = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
      const out: number[] = []
      const rows = Number(el.getAttribute('data-rows'))
      for (let i = 0; i < count; i++) {
        const target = Math.floor((((i * 7919) % 97) / 97) * rows)
        const t0 = performance.now()
        el.scrollTop = target * 44
        el.dispatchEvent(new Event('scroll'))
        // React renders a scroll update in a task of its own: poll between tasks, then wait for the paint.
        while (Math.abs(Number(el.getAttribute('data-first')) - Math.max(0, target - 8)) > 1) await task()
        await frame()
        out.push(performance.now() - t0)
      }
      return out
    }, INTERACTIONS)

    // Title searches over the 10,000 loaded rows: type, wait for the frame after the list changed.
    const search = page.getByLabel('Search titles')
    const searches = await search.evaluate(async (input, count) => {
      const page = globalThis as unknown as Page
      const el = input as unknown as { value: string; dispatchEvent: (e: Event) => boolean }
      const frame = (): Promise<void> => new Promise((r) => page.requestAnimationFrame(() => r()))
      const task = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
      const descriptor = Object.getOwnPropertyDescriptor(page.HTMLInputElement.prototype, 'value')
      const setValue = (v: string): void => descriptor?.set?.call(el, v)
      // The list renders the search it shows (data-query) in the same commit as its rows.
      const shownQuery = (): string | null =>
        page.document.querySelector('[data-testid="gov-list"]')?.getAttribute('data-query') ?? null
      const queries = ['solar', 'bikes', '0042', 'roof repair', '9', 'member', 'ovens', '']
      const out: number[] = []
      for (let i = 0; i < count; i++) {
        const q = queries[i % queries.length]!
        const t0 = performance.now()
        setValue(q)
        el.dispatchEvent(new Event('input', { bubbles: true }))
        while (shownQuery() !== q.trim().toLowerCase()) await task()
        await frame()
        out.push(performance.now() - t0)
      }
      setValue('')
      el.dispatchEvent(new Event('input', { bubbles: true }))
      return out
    }, INTERACTIONS)

    // A kind filter asks the node again (first page of the filtered list).
    const filters: number[] = []
    const kind = page.locator('.filters').getByLabel('Type', { exact: true })
    for (let i = 0; i < 6; i++) {
      const value = i % 2 === 0 ? 'parameter' : ''
      const t0 = performance.now()
      await kind.selectOption(value)
      if (value === 'parameter') await page.getByText('No proposals match.').waitFor()
      else await list.waitFor()
      filters.push(performance.now() - t0)
    }
    await context.close()

    if (process.env['ICN_BENCH_DEBUG'] === '1') console.log({ scrolls, searches })
    const scrollP95 = percentile(scrolls, 95)
    const searchP95 = percentile(searches, 95)
    return [
      {
        name: `governance list with ${PROPOSALS.toLocaleString('en')} proposals: scroll jump, p95 of ${INTERACTIONS} (input → next frame after render)`,
        value: round(scrollP95, 1),
        unit: 'ms',
        target: `< ${LIST_TARGET_MS}`,
        pass: atMost(scrollP95, LIST_TARGET_MS),
        baseline: { name: 'median', value: round(percentile(scrolls, 50), 1), unit: 'ms' },
      },
      {
        name: `same list: title search over all loaded rows, p95 of ${INTERACTIONS}`,
        value: round(searchP95, 1),
        unit: 'ms',
        target: `< ${LIST_TARGET_MS}`,
        pass: atMost(searchP95, LIST_TARGET_MS),
        baseline: { name: 'median', value: round(percentile(searches, 50), 1), unit: 'ms' },
      },
      {
        name: 'same list: kind filter (a round trip to the node, first page), median of 6 via Playwright',
        value: round(percentile(filters, 50), 0),
        unit: 'ms',
        target: 'informational',
      },
      {
        name: `loading all ${PROPOSALS.toLocaleString('en')} proposals into the list by scrolling (pages of 500)`,
        value: round(loadSeconds, 1),
        unit: 's',
        target: 'informational',
      },
      {
        name: `creating the ${PROPOSALS.toLocaleString('en')} proposals through the API (32 in flight)`,
        value: round(PROPOSALS / createSeconds, 0),
        unit: 'proposals/s',
        target: 'informational',
      },
    ]
  } finally {
    client.close()
  }
}
