import { expect, test, type Page } from '@playwright/test'
import { captureScreen, PASSPHRASE, startNode, type NodeHandle } from './helpers'

/**
 * One member on a real daemon, everything through the proposal wizard: admit a member (with a role), a budget
 * grant of mana, a ranked choice among three options (its rounds and winner after the deadline), delegating my vote
 * to the new member and revoking it, then removing that member again — each proposal voted on and executed by the
 * node. Then the checks a member meets: charter bounds, and CCL compile errors from the node.
 */
let node: NodeHandle
// A did:key nobody runs a node for: admission only needs the DID, and the tally counts its silence.
const NEWCOMER = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'

test.beforeAll(async () => {
  node = await startNode()
  expect((await node.cli(['id', 'create'], { ICN_PASSPHRASE: PASSPHRASE })).code).toBe(0)
})
test.afterAll(async () => {
  await node?.destroy()
})

async function proposeFromReview(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page.getByRole('heading', { name: 'Review and propose' })).toBeVisible()
  await page.getByRole('button', { name: 'Propose' }).click()
  await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible()
}

test('the proposal wizard admits and removes a member, grants mana, runs a ranked vote and delegates, on a real node', async ({
  page,
}) => {
  test.setTimeout(180_000)
  await page.goto(node.browserUrl)
  await page.getByRole('link', { name: 'Governance', exact: true }).click()
  await page.getByLabel('Name').fill('Mill')
  await page.getByLabel('Voting period (seconds)').fill('8')
  await page.getByRole('button', { name: 'Create', exact: true }).click()
  await expect(page.getByRole('button', { name: /^Mill — 1 member$/ })).toBeVisible()

  // Admit: the details step checks the DID before anything reaches the node.
  await page.getByLabel('Type', { exact: true }).first().selectOption('admit')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('Title', { exact: true }).fill('Admit the miller')
  await page.getByLabel('Member DID').fill('did:key:nope')
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page.getByText('Some fields need attention')).toBeVisible()
  await expect(page.getByLabel('Member DID')).toHaveAttribute('aria-invalid', 'true')
  await page.getByLabel('Member DID').fill(NEWCOMER)
  await page.getByLabel('Roles (optional)').fill('miller')
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page.getByTestId('proposal-review')).toContainText(`${NEWCOMER} (miller)`)
  await expect(page.getByTestId('propose-cost')).toContainText('Proposing costs')
  await captureScreen(page, '26-proposal-wizard-review')
  await page.getByRole('button', { name: 'Propose' }).click()
  await expect(page.getByRole('heading', { name: 'Admit the miller', level: 1 })).toBeVisible()
  await page.getByRole('button', { name: 'Vote', exact: true }).click()
  await expect(page.getByTestId('my-vote')).toHaveText('You voted Yes; you can change it until the deadline.')

  // A budget grant of the cooperative's mana (a top-level cooperative is its own economy).
  await page.getByRole('link', { name: 'Back to governance' }).click()
  await page.getByLabel('Type', { exact: true }).first().selectOption('budget')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('Title', { exact: true }).fill('Millstones')
  await page.getByLabel('Recipient DID').fill(NEWCOMER)
  await page.getByLabel('Amount').fill('0')
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page.getByText('Enter a whole number greater than 0.')).toBeVisible()
  await page.getByLabel('Amount').fill('250')
  await page.getByLabel('Memo (optional)').fill('new millstones')
  await proposeFromReview(page, 'Millstones')
  await page.getByRole('button', { name: 'Vote', exact: true }).click()
  await expect(page.getByTestId('my-vote')).toBeVisible()

  // A ranked choice among three options; my ballot puts Oats first.
  await page.getByRole('link', { name: 'Back to governance' }).click()
  await page.getByLabel('Voting method').selectOption('ranked')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('Title', { exact: true }).fill('Which flour')
  await page.getByLabel('Options').fill('Rye')
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page.getByText('Give at least 2 options, one a line.')).toBeVisible()
  await page.getByLabel('Options').fill('Rye\nSpelt\nOats')
  await proposeFromReview(page, 'Which flour')
  await page.getByRole('button', { name: 'Move Oats up' }).click()
  await page.keyboard.press('Enter')
  await expect(page.getByText('Oats is now number 1.')).toBeAttached()
  await page.getByRole('button', { name: 'Vote', exact: true }).click()
  await expect(page.getByTestId('my-vote')).toHaveText(
    'You voted Oats > Rye > Spelt; you can change it until the deadline.',
  )
  await expect(page.getByTestId('proposal-result')).toHaveText('Passed', { timeout: 40_000 })
  const rounds = page.getByTestId('rounds')
  await expect(rounds).toContainText('Oats wins')
  await expect(page.getByTestId('tally-winner')).toHaveText('Oats')
  await captureScreen(page, '27-ranked-rounds')

  // The grant has passed by now, and the page says what its execution did: the ledger credited it.
  await page.getByRole('link', { name: 'Back to governance' }).click()
  await page.getByRole('link', { name: 'Millstones' }).click()
  await expect(page.getByTestId('proposal-result')).toHaveText('Passed', { timeout: 30_000 })
  await expect(page.getByTestId('proposal-execution')).toHaveText(/^250 mana granted to did:key:/)

  // The admission has passed by now too: the miller is a member, and my vote can go to them.
  await page.getByRole('link', { name: 'Back to governance' }).click()
  await page.getByRole('link', { name: 'Admit the miller' }).click()
  await expect(page.getByTestId('proposal-result')).toHaveText('Passed', { timeout: 30_000 })
  await expect(page.getByTestId('proposal-execution')).toContainText(NEWCOMER)
  await page.getByRole('link', { name: 'Back to governance' }).click()
  await page.getByRole('button', { name: /^Mill — 2 members$/ }).click()
  await page.getByLabel('Delegate to').selectOption(NEWCOMER)
  await page.getByRole('button', { name: 'Delegate', exact: true }).click()
  await expect(page.getByTestId('delegation-status')).toHaveText(
    `Your votes in Mill now go to ${NEWCOMER} when you do not vote yourself.`,
  )
  await page.getByRole('button', { name: 'Revoke my delegation' }).click()
  await expect(page.getByTestId('delegation-status')).toHaveText(
    'Delegation revoked: only your own votes count for you in Mill.',
  )

  // Remove the miller again: the member comes from the cooperative's list.
  await page.getByLabel('Type', { exact: true }).first().selectOption('remove')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('Title', { exact: true }).fill('Goodbye miller')
  await page.getByLabel('Member to remove').selectOption(NEWCOMER)
  await proposeFromReview(page, 'Goodbye miller')
  await page.getByRole('button', { name: 'Vote', exact: true }).click()
  await expect(page.getByTestId('quorum-text')).toContainText('1 of 2 voted')
  await expect(page.getByTestId('proposal-result')).toHaveText('Passed', { timeout: 40_000 })
  await page.getByRole('link', { name: 'Back to governance' }).click()
  await expect(page.getByRole('button', { name: /^Mill — 1 member$/ })).toBeVisible({ timeout: 15_000 })
})

test('a parameter outside the charter bounds is stopped in the wizard', async ({ page }) => {
  await page.goto(node.browserUrl)
  await page.getByRole('link', { name: 'Governance', exact: true }).click()
  await page.getByLabel('Name').fill('Granary')
  await page.getByRole('button', { name: 'Create', exact: true }).click()
  // The wizard appears once my cooperatives are in (it is for members).
  await expect(page.getByRole('heading', { name: 'New proposal' })).toBeVisible()
  await page.getByLabel('Cooperative', { exact: true }).first().selectOption({ label: 'Granary' })
  await page.getByLabel('Type', { exact: true }).first().selectOption('parameter')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('Title', { exact: true }).fill('Everyone must vote')
  await page.getByLabel('Parameter', { exact: true }).selectOption('gov.quorum')
  await page.getByLabel('New value').fill('101')
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page.getByText('The charter allows 0 to 100.')).toBeVisible()

  // A policy: the node checks the CCL source before the review and shows where it is wrong.
  await page.getByRole('button', { name: 'Back' }).click()
  await page.getByLabel('Type', { exact: true }).first().selectOption('policy')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('Title', { exact: true }).fill('Members only')
  await page
    .getByLabel('CCL source')
    .fill('fn can_propose(proposer: Did, kind: String) -> Bool {\n  return 1;\n}\n')
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page.getByTestId('ccl-diagnostics')).toContainText('can_propose.ccl:2:')
  await expect(page.getByRole('heading', { name: 'Details' })).toBeVisible()
  await page
    .getByLabel('CCL source')
    .fill('fn can_propose(proposer: Did, kind: String) -> Bool {\n  return is_member(proposer);\n}\n')
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(page.getByTestId('proposal-review')).toContainText('Activate can_propose from the source')
  await page.getByRole('button', { name: 'Propose' }).click()
  await expect(page.getByRole('heading', { name: 'Members only', level: 1 })).toBeVisible()
  await expect(page.getByText(/^Activate can_propose from the source — Module/)).toBeVisible()
})
