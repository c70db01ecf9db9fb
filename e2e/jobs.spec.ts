import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { REPO } from '../app/test/cli-process'
import { captureScreen, PASSPHRASE, startNode, type NodeHandle } from './helpers'

/**
 * A job submitted from one member's UI runs on the other member's daemon: the receipt, the output and the payment
 * show in the submitter's UI, and the executor's Contribute screen counts the job and what it earned.
 */
let a: NodeHandle
let b: NodeHandle

test.beforeAll(async () => {
  ;[a, b] = await Promise.all([startNode(), startNode()])
  for (const n of [a, b]) expect((await n.cli(['id', 'create'], { ICN_PASSPHRASE: PASSPHRASE })).code).toBe(0)
  const status = JSON.parse((await a.cli(['--json', 'status'])).stdout) as { listenAddrs: string[] }
  const addr = status.listenAddrs.find((x) => x.includes('/tcp/') && !x.includes('/ws'))
  const connected = await b.cli(['connect', addr!])
  expect(connected.code, connected.stderr).toBe(0)
})
test.afterAll(async () => {
  await Promise.all([a?.destroy(), b?.destroy()])
})

test('a job submitted in the UI runs on the other daemon; receipt, output and payment show', async ({
  browser,
}) => {
  const pageA = await (await browser.newContext()).newPage()
  const pageB = await (await browser.newContext()).newPage()
  await pageB.goto(b.browserUrl)
  await pageB.getByRole('link', { name: 'Contribute', exact: true }).click()
  await expect(pageB.getByTestId('contribute-accepting')).toHaveText('Yes')
  await expect(pageB.getByTestId('contribute-completed')).toHaveText('0')

  await pageA.goto(a.browserUrl)
  await pageA.getByRole('link', { name: 'Jobs', exact: true }).click()
  await expect(pageA.getByRole('heading', { name: 'Jobs', exact: true })).toBeVisible()
  await pageA
    .getByLabel('WebAssembly module (.wasm)')
    .setInputFiles(join(REPO, 'resources/jobs/wat/hello.wasm'))
  await pageA.getByLabel('Max price (mana)').fill('abc')
  await expect(pageA.getByText('Enter a whole number of mana greater than 0.')).toBeVisible()
  await pageA.getByLabel('Max price (mana)').fill('10')
  await pageA.getByRole('button', { name: 'Preview cost' }).click()
  await expect(pageA.getByTestId('jobs-cost')).toContainText('Escrow 10')
  await captureScreen(pageA, '21-jobs')
  await pageA.getByRole('button', { name: 'Submit', exact: true }).click()

  // The detail follows the job live: bids, assignment, receipt, verification, settlement.
  await expect(pageA).toHaveURL(/#\/job\/b[a-z2-7]+$/)
  await expect(pageA.getByTestId('job-detail-status')).toHaveText('paid', { timeout: 30_000 })
  await expect(pageA.getByTestId('job-settlement')).toContainText('paid')
  await expect(pageA.getByTestId('job-stdout')).toHaveText('Hello from an ICN job!\n')
  await expect(pageA.getByText('Verified (reexecuted)')).toBeVisible()
  const download = pageA.waitForEvent('download')
  await pageA.getByRole('button', { name: 'Download output' }).click()
  expect((await download).suggestedFilename()).toMatch(/stdout\.txt$/)
  await captureScreen(pageA, '22-job-detail')

  // The executor's screen counts the job and its earnings without a reload.
  await expect(pageB.getByTestId('contribute-completed')).toHaveText('1', { timeout: 20_000 })
  await expect(pageB.getByTestId('contribute-earned')).not.toHaveText('0 mana', { timeout: 20_000 })
  await captureScreen(pageB, '23-contribute')
  // The payment is in the submitter's wallet history.
  await pageA.getByRole('link', { name: 'Wallet', exact: true }).click()
  await pageA.getByLabel('Kind').selectOption('settlement')
  await expect(pageA.getByRole('table', { name: 'History' })).toContainText('settlement')
})
