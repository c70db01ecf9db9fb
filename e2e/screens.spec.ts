/**
 * Every screen, in light and dark: an axe scan (no serious or critical violation) and a screenshot kept under
 * test-results/screenshots as an artifact.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { captureScreen, createIdentityInUi, PASSPHRASE, startNode, type NodeHandle } from './helpers'

let node: NodeHandle
test.beforeAll(async () => {
  node = await startNode()
})
test.afterAll(async () => {
  await node.destroy()
})

test('every screen is accessible in light and dark, and photographed', async ({ page }) => {
  test.setTimeout(180_000)
  // Browser mode without the token.
  await page.goto(node.url + '/')
  await expect(page.getByRole('heading', { name: 'Open ICN with your access link' })).toBeVisible()
  await captureScreen(page, '00-connect')

  await page.goto(node.browserUrl)
  await expect(page.getByRole('heading', { name: 'Welcome to ICN' })).toBeVisible()
  await captureScreen(page, '01-onboarding-welcome')
  await createIdentityInUi(page, PASSPHRASE, true)
  await captureScreen(page, '05-onboarding-backup-file')
  await page.getByRole('button', { name: 'Continue to ICN' }).click()

  // Give the explorer something to show.
  const file = join(node.dir, 'budget.txt')
  await writeFile(file, 'Budget 2025: bread ovens, delivery bikes, solar panels.\n')
  const cid = (await node.cli(['dag', 'put', file])).stdout.trim()
  const eventId = (await node.cli(['events', 'post', 'The assembly meets on Thursday.'])).stdout.trim()

  await expect(page.locator('[data-ready="true"]')).toBeVisible()
  await expect(page.getByText(/1 events? from 1 members?/)).toBeVisible()
  await captureScreen(page, '06-dashboard')

  await page.getByRole('link', { name: 'DAG explorer' }).click()
  await expect(page.getByRole('table').getByRole('link', { name: 'note' })).toBeVisible()
  await captureScreen(page, '07-dag-explorer')

  await page.goto(`${node.url}/#/dag/${cid}`)
  await expect(page.getByRole('region', { name: 'File content' }).locator('pre')).toContainText(
    'solar panels',
  )
  await captureScreen(page, '08-dag-file')

  await page.goto(`${node.url}/#/event/${eventId}`)
  await expect(page.getByText('The assembly meets on Thursday.')).toBeVisible()
  await captureScreen(page, '09-dag-event')

  await page.goto(`${node.url}/#/dag/${eventId}`)
  await expect(page.getByRole('heading', { name: 'Decoded value' })).toBeVisible()
  await captureScreen(page, '10-dag-block')

  await page.getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
  await captureScreen(page, '11-settings')

  await page.getByRole('link', { name: 'Logs & diagnostics' }).click()
  await expect(page.getByRole('heading', { name: 'Logs & diagnostics' })).toBeVisible()
  await expect(page.locator('.log-line').first()).toBeVisible()
  await captureScreen(page, '12-logs')

  await page.getByRole('link', { name: 'Credentials' }).click()
  await expect(page.getByRole('heading', { name: 'Credentials', level: 1 })).toBeVisible()
  await expect(page.getByText('No credentials yet.', { exact: false })).toBeVisible()
  await captureScreen(page, '19-credentials')

  await page.goto(`${node.url}/#/backup`)
  await expect(page.getByRole('heading', { name: 'Back up your identity' })).toBeVisible()
  await captureScreen(page, '13-backup')

  await page.goto(`${node.url}/#/proposal/${eventId}`)
  await expect(page.getByRole('heading', { name: 'Proposal' })).toBeVisible()
  await captureScreen(page, '14-deep-link-proposal')

  await page.goto(`${node.url}/#/nowhere/at/all`)
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
  await captureScreen(page, '15-not-found')

  // Spanish, from the settings.
  await page.goto(`${node.url}/#/settings`)
  await page.getByLabel('Language').selectOption('es')
  await expect(page.getByRole('heading', { name: 'Ajustes' })).toBeVisible()
  await expect(page.locator('html')).toHaveAttribute('lang', 'es')
  await page.getByRole('link', { name: 'Panel' }).click()
  await expect(page.getByRole('heading', { name: 'Panel' })).toBeVisible()
  await captureScreen(page, '16-dashboard-es')
  await page.getByRole('link', { name: 'Ajustes' }).click()
  await page.getByLabel('Idioma').selectOption('en')

  await page.getByRole('banner').getByRole('button', { name: 'Lock' }).click()
  await expect(page.getByRole('heading', { name: 'Unlock your identity' })).toBeVisible()
  await captureScreen(page, '17-unlock')

  await page.getByRole('button', { name: 'Forgot your passphrase?' }).click()
  await expect(page.getByRole('heading', { name: 'Set a new passphrase' })).toBeVisible()
  await captureScreen(page, '18-unlock-recover')
})

test('the theme setting overrides the system and persists', async ({ page }) => {
  const status = JSON.parse((await node.cli(['--json', 'status'])).stdout)
  const env = { ICN_PASSPHRASE: PASSPHRASE }
  expect((await node.cli(['id', status.did === null ? 'create' : 'unlock'], env)).code).toBe(0)
  await page.emulateMedia({ colorScheme: 'light' })
  await page.goto(node.browserUrl)
  await page.goto(`${node.url}/#/settings`)
  await page.getByRole('radio', { name: 'Dark' }).check()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await page.reload()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await page.getByRole('radio', { name: 'Same as the system' }).check()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light')
})
