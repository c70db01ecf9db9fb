import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { PASSPHRASE, startNode, type NodeHandle } from './helpers'

let node: NodeHandle
test.beforeAll(async () => {
  node = await startNode()
  expect((await node.cli(['id', 'create'], { ICN_PASSPHRASE: PASSPHRASE })).code).toBe(0)
})
test.afterAll(async () => {
  await node.destroy()
})

test('a file put with the CLI opens by its CID in the explorer, with its content and a download', async ({
  page,
}) => {
  const content = 'Minutes of the general assembly\n\n1. The bakery cooperative joins the federation.\n'
  const file = join(node.dir, 'minutes.txt')
  await writeFile(file, content)
  const put = await node.cli(['dag', 'put', file])
  expect(put.code).toBe(0)
  const cid = put.stdout.trim()

  await page.goto(node.browserUrl)
  await page.getByRole('link', { name: 'DAG explorer' }).click()
  await expect(page.getByRole('heading', { name: 'DAG explorer' })).toBeVisible()
  await page.getByLabel('CID', { exact: true }).fill('not a cid!')
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await expect(page.getByText('A CID has only letters and digits')).toBeVisible()
  await page.getByLabel('CID', { exact: true }).fill(cid)
  await page.getByRole('button', { name: 'Open', exact: true }).click()

  await expect(page).toHaveURL(new RegExp(`#/dag/${cid}$`))
  await expect(page.getByRole('heading', { name: 'Block' })).toBeVisible()
  await expect(page.getByText('raw', { exact: true })).toBeVisible()
  await expect(page.getByRole('region', { name: 'File content' }).locator('pre')).toHaveText(content)
  const downloadPromise = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download' }).click()
  expect((await downloadPromise).suggestedFilename()).toBe(cid)

  // A file larger than one block: a dag-cbor root linking its chunks; the content loads on request.
  const big = 'The cooperative keeps its minutes here. '.repeat(40_000)
  const bigFile = join(node.dir, 'archive.txt')
  await writeFile(bigFile, big)
  const bigCid = (await node.cli(['dag', 'put', bigFile])).stdout.trim()
  await page.getByRole('link', { name: 'Back to the explorer' }).click()
  await page.getByLabel('CID', { exact: true }).fill(bigCid)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await expect(page.getByText('dag-cbor')).toBeVisible()
  await expect(page.getByRole('region', { name: 'Links' }).getByRole('link')).toHaveCount(2)
  await page.getByRole('button', { name: 'Show the content' }).click()
  await expect(page.getByText('Only the beginning is shown')).toBeVisible()
  const bigDownload = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download' }).click()
  expect(await readFile(await (await bigDownload).path(), 'utf8')).toBe(big)

  // An unknown CID says what is wrong and what to do.
  await page.goto(`${node.url}/#/dag/bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`)
  await expect(page.getByRole('alert')).toContainText(
    /DAG_BLOCK_NOT_FOUND|INVALID_ARGUMENT|DAG_DECODE_FAILED/,
  )
})

test('events appear live in the explorer and open with their chain and raw block', async ({ page }) => {
  await page.goto(`${node.browserUrl}`)
  await page.getByRole('link', { name: 'DAG explorer' }).click()
  const table = page.getByRole('table')
  const first = await node.cli(['events', 'post', 'first note from the CLI'])
  expect(first.code).toBe(0)
  await expect(table.getByRole('link', { name: 'note' })).toHaveCount(1)
  const second = await node.cli(['events', 'post', 'second note'])
  const secondId = second.stdout.trim()
  // No reload: the list follows dag:event-applied.
  await expect(table.getByRole('link', { name: 'note' })).toHaveCount(2)

  await page.locator(`a[href="#/event/${secondId}"]`).click()
  await expect(page.getByRole('heading', { name: 'Event: note' })).toBeVisible()
  await expect(page.getByText('second note')).toBeVisible()
  await page.getByRole('link', { name: first.stdout.trim() }).click()
  await expect(page.getByText('first note from the CLI')).toBeVisible()
  await expect(page.getByText('None (the author’s first event)')).toBeVisible()
  await page.getByRole('link', { name: 'View the raw block' }).click()
  await expect(page.getByRole('heading', { name: 'Block' })).toBeVisible()
  await expect(page.getByText('dag-cbor')).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Decoded value' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Open as an event' })).toBeVisible()
})
