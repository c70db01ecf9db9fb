import { expect, test, type Page } from '@playwright/test'
import { captureScreen, PASSPHRASE, startNode, type NodeHandle } from './helpers'

/**
 * Two members on two daemons, everything in the UI: A creates a cooperative and an invite link; B joins with it
 * and is admitted; A proposes a parameter change; both vote; it passes and the new value shows on both.
 */
let a: NodeHandle
let b: NodeHandle

test.beforeAll(async () => {
  ;[a, b] = await Promise.all([startNode(), startNode()])
  for (const n of [a, b]) expect((await n.cli(['id', 'create'], { ICN_PASSPHRASE: PASSPHRASE })).code).toBe(0)
})
test.afterAll(async () => {
  await Promise.all([a?.destroy(), b?.destroy()])
})

async function openProposal(page: Page, title: string): Promise<void> {
  await page.getByRole('link', { name: 'Governance', exact: true }).click()
  await page.getByRole('link', { name: title }).click()
  await expect(page.getByRole('heading', { name: title })).toBeVisible()
}

test('two members create a cooperative, admit by invite and pass a parameter change in the UI', async ({
  browser,
}) => {
  test.setTimeout(150_000)
  const pageA = await (await browser.newContext()).newPage()
  const pageB = await (await browser.newContext()).newPage()
  await pageA.goto(a.browserUrl)
  await pageA.getByRole('link', { name: 'Governance', exact: true }).click()
  await expect(pageA.getByText('You are not in a cooperative yet')).toBeVisible()
  await pageA.getByLabel('Name').fill('Bakery')
  await pageA.getByLabel('Voting period (seconds)').fill('x')
  await expect(pageA.getByText('Enter a whole number of seconds')).toBeVisible()
  await pageA.getByLabel('Voting period (seconds)').fill('15')
  await pageA.getByRole('button', { name: 'Create', exact: true }).click()
  await pageA.getByRole('button', { name: /^Bakery — 1 member$/ }).click()
  await expect(pageA.getByTestId('param-gov.votingPeriodMs')).toHaveText('15000 ms')
  await pageA.getByRole('button', { name: 'Create an invite link' }).click()
  const inviteField = pageA.getByLabel('Invite link', { exact: true }).first()
  // The link appears once the node has signed the invite; the field may exist, empty, before that.
  await expect(inviteField).toHaveValue(/^icn:\/\/invite\/[A-Za-z0-9_-]+$/, { timeout: 15_000 })
  const link = await inviteField.inputValue()
  await captureScreen(pageA, '24-governance')

  // B opens the invite as a deep link and asks to join; its node reaches A's by the invite's addresses.
  await pageB.goto(b.browserUrl)
  await expect(pageB.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await pageB.goto(`${b.url}/#/invite/${link.slice('icn://invite/'.length)}`)
  await expect(pageB.getByRole('heading', { name: 'Invitation' })).toBeVisible()
  await pageB.getByRole('button', { name: 'Ask to join' }).click()
  await expect(pageB.getByText(/^Asked to join Bakery/)).toBeVisible({ timeout: 30_000 })

  // A's node proposes the admission; A (the only member) votes for it.
  await pageA.getByLabel('Type', { exact: true }).last().selectOption('admit')
  await pageA.getByRole('table', { name: 'Proposals' }).getByRole('link').first().click()
  await pageA.getByRole('button', { name: 'Vote', exact: true }).click()
  await expect(pageA.getByTestId('proposal-result')).toHaveText('Passed', { timeout: 30_000 })

  // A proposes a parameter change; both vote yes in their UIs.
  await pageA.getByRole('link', { name: 'Back to governance' }).click()
  await pageA.getByLabel('Type', { exact: true }).first().selectOption('parameter')
  await pageA.getByRole('button', { name: 'Next' }).click()
  await pageA.getByLabel('Title', { exact: true }).fill('Longer votes')
  await pageA.getByLabel('Parameter', { exact: true }).selectOption('gov.votingPeriodMs')
  await pageA.getByLabel('New value').fill('20000')
  await pageA.getByRole('button', { name: 'Next' }).click()
  await expect(pageA.getByTestId('proposal-review')).toContainText('gov.votingPeriodMs = 20000')
  await pageA.getByRole('button', { name: 'Propose' }).click()
  await expect(pageA.getByRole('heading', { name: 'Longer votes' })).toBeVisible()
  await pageA.getByRole('button', { name: 'Vote', exact: true }).click()
  await expect(pageA.getByTestId('tally-yes')).toHaveText('1')

  await pageB.goto(b.browserUrl)
  await expect(async () => {
    await openProposal(pageB, 'Longer votes')
  }).toPass({ timeout: 30_000 })
  await pageB.getByLabel('Reason (optional)').fill('fine by me')
  await pageB.getByRole('button', { name: 'Vote', exact: true }).click()
  await expect(pageB.getByTestId('tally-yes')).toHaveText('2')
  for (const page of [pageA, pageB]) {
    await expect(page.getByTestId('proposal-result')).toHaveText('Passed', { timeout: 30_000 })
    await expect(page.getByTestId('why-not')).toContainText('GOV_')
  }
  await captureScreen(pageB, '25-proposal')
  for (const page of [pageA, pageB]) {
    await page.getByRole('link', { name: 'Back to governance' }).click()
    await page.getByRole('button', { name: /^Bakery — 2 members$/ }).click()
    await expect(page.getByTestId('param-gov.votingPeriodMs')).toHaveText('20000 ms')
  }
})
