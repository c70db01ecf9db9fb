import { readFile } from 'node:fs/promises'
import { expect, test } from '@playwright/test'
import { createIdentityInUi, PASSPHRASE, startNode, type NodeHandle } from './helpers'

let node: NodeHandle
test.beforeEach(async () => {
  node = await startNode()
})
test.afterEach(async () => {
  await node.destroy()
})

test('a new member creates an identity, confirms the phrase, saves the backup, and unlocks after a reload', async ({
  page,
}) => {
  await page.goto(node.browserUrl)
  // The token leaves the visible URL at once.
  await expect(page).toHaveURL(/#\/$/)
  expect(page.url()).not.toContain(node.token)
  await expect(page.getByRole('heading', { name: 'Welcome to ICN' })).toBeVisible()

  // A mismatched passphrase is caught before anything reaches the node.
  await page.getByRole('button', { name: 'Create my identity' }).click()
  await page.getByLabel('New passphrase').fill('short')
  await page.getByLabel('Repeat the passphrase').fill('short')
  await page.getByRole('button', { name: 'Create my identity' }).click()
  await expect(page.getByText('The passphrase needs at least 8 characters.')).toBeVisible()
  expect((await node.cli(['id', 'show', '--json'])).stdout).not.toContain('did:key')
  await page.getByRole('button', { name: 'Back' }).click()

  const words = await createIdentityInUi(page)
  const status = JSON.parse((await node.cli(['--json', 'status'])).stdout)
  expect(status.did).toMatch(/^did:key:z6Mk/)

  // The backup file is the node's encrypted keystore backup.
  const downloadPromise = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download the backup file' }).click()
  const download = await downloadPromise
  expect(download.suggestedFilename()).toMatch(/^icn-identity-\w+\.icnkey$/)
  const file = JSON.parse(await readFile(await download.path(), 'utf8'))
  expect(file.format).toBe('icn-keystore-backup')
  expect(file.did).toBe(status.did)
  expect(JSON.stringify(file)).not.toContain(words.join(' '))
  await expect(page.getByText('The backup file was saved to your downloads.')).toBeVisible()
  await page.getByRole('button', { name: 'Continue to ICN' }).click()

  // Confirming the phrase counted as a backup: no reminder.
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await expect(page.locator('[data-ready="true"]')).toBeVisible()
  await expect(page.getByText(status.did).first()).toBeVisible()
  await expect(page.getByText('Back up your identity.')).toHaveCount(0)

  // Lock, reload (the token survives in this tab's session), unlock with the passphrase.
  await page.getByRole('banner').getByRole('button', { name: 'Lock' }).click()
  await expect(page.getByRole('heading', { name: 'Unlock your identity' })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Unlock your identity' })).toBeVisible()
  await page.getByLabel('Your passphrase').fill('not my passphrase')
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByRole('alert')).toContainText('IDENTITY_WRONG_PASSPHRASE')
  await expect(page.getByRole('alert')).toContainText('Check the passphrase')
  await page.getByLabel('Your passphrase').fill(PASSPHRASE)
  await page.getByRole('button', { name: 'Unlock' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
})

test('skipping the phrase leaves a reminder until a backup is confirmed', async ({ page }) => {
  await page.goto(node.browserUrl)
  await page.getByRole('button', { name: 'Create my identity' }).click()
  await page.getByLabel('New passphrase').fill(PASSPHRASE)
  await page.getByLabel('Repeat the passphrase').fill(PASSPHRASE)
  await page.getByRole('button', { name: 'Create my identity' }).click()
  await page.getByRole('button', { name: 'Skip for now' }).click()
  await page.getByRole('button', { name: 'Continue to ICN' }).click()
  await expect(page.getByText('Back up your identity.')).toBeVisible()

  await page.getByRole('link', { name: 'Back up now', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Back up your identity' })).toBeVisible()
  const downloadPromise = page.waitForEvent('download')
  const fileCard = page.getByRole('region', { name: 'Backup file' })
  await fileCard.getByLabel('Your passphrase').fill(PASSPHRASE)
  await fileCard.getByRole('button', { name: 'Download the backup file' }).click()
  await downloadPromise
  await page.getByRole('button', { name: 'I stored the file safely — continue' }).click()
  await expect(page.getByText('Back up your identity.')).toHaveCount(0)
  await expect(page.getByText('Your identity is backed up.')).toBeVisible()
})

test('an identity comes back from its backup file on a fresh node', async ({ page, browser }) => {
  await page.goto(node.browserUrl)
  await createIdentityInUi(page)
  const downloadPromise = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download the backup file' }).click()
  const backupPath = await (await downloadPromise).path()
  const did = JSON.parse((await node.cli(['--json', 'status'])).stdout).did

  const fresh = await startNode()
  try {
    const other = await browser.newPage()
    await other.goto(fresh.browserUrl)
    await other.getByRole('button', { name: 'Restore from file' }).click()
    await other.getByLabel('Backup file (.icnkey)').setInputFiles(backupPath)
    await other.getByLabel('Passphrase of the backup').fill(PASSPHRASE)
    await other.getByRole('button', { name: 'Restore from file' }).click()
    await expect(other.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
    await expect(other.getByText(did).first()).toBeVisible()
    await other.close()
  } finally {
    await fresh.destroy()
  }
})

test('the page shows when the node stops, and how to get it back', async ({ page }) => {
  await page.goto(node.browserUrl)
  await expect(page.getByRole('heading', { name: 'Welcome to ICN' })).toBeVisible()
  await node.stop()
  await expect(page.getByRole('alert')).toContainText(/The node (is not answering|is stopping|has stopped)/)
})
