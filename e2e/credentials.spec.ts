import { expect, test } from '@playwright/test'
import { captureScreen, PASSPHRASE, startNode, type NodeHandle } from './helpers'

/**
 * Credentials on two daemons: A founds a cooperative, B joins by invite and A's vote admits B; the admission
 * issues B's membership credential automatically (docs/credentials.md), and B's credentials screen, open all
 * along, lists it without a reload. B presents it and checks it; a pasted copy with one character changed is
 * reported invalid with its code, in plain words.
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

async function json<T>(node: NodeHandle, args: string[]): Promise<T> {
  const r = await node.cli(['--json', ...args])
  expect(r.code, `icn ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return JSON.parse(r.stdout) as T
}

test('an admission issues a membership credential that the screen lists, presents and verifies', async ({
  browser,
}) => {
  test.setTimeout(240_000)
  const page = await (await browser.newContext()).newPage()
  await page.goto(b.browserUrl)
  await page.getByRole('link', { name: 'Credentials', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Credentials', level: 1 })).toBeVisible()
  await expect(page.getByText('No credentials yet.', { exact: false })).toBeVisible()

  // A founds the cooperative (20 s votes: room for a loaded machine) and invites; B joins; A's vote admits B.
  const { scope } = await json<{ scope: string }>(a, [
    'gov',
    'init',
    '--name',
    'Bakery',
    '--param',
    'gov.votingPeriodMs=20000',
    '--bound',
    'gov.votingPeriodMs=1000:600000',
  ])
  const { link } = await json<{ link: string }>(a, ['gov', 'invite', scope])
  const joined = await b.cli(['gov', 'join', link])
  expect(joined.code, joined.stderr).toBe(0)
  let proposal = ''
  await expect
    .poll(
      async () => {
        const list = await json<{ proposals: { id: string }[] }>(a, [
          'gov',
          'list',
          '--scope',
          scope,
          '--type',
          'admit',
        ])
        proposal = list.proposals[0]?.id ?? ''
        return proposal
      },
      { timeout: 30_000 },
    )
    .not.toBe('')
  const vote = await a.cli(['gov', 'vote', proposal, 'yes'])
  expect(vote.code, vote.stderr).toBe(0)

  // B's screen follows cred:issued once B's node has the cooperative's new events.
  const row = page.getByTestId('credential-membership')
  await expect(row).toBeVisible({ timeout: 90_000 })
  await expect(row).toContainText('Membership')
  await expect(row).toContainText('No expiry')
  await expect(row).toContainText('Valid')

  await row.getByRole('button', { name: 'Show Membership' }).click()
  await expect(page.getByRole('heading', { name: 'Membership', level: 2 })).toBeFocused()
  await expect(page.locator('.json')).toContainText('IcnMembershipCredential')
  await captureScreen(page, '26-credentials')

  // A presentation signed by B, checked by B's node.
  await page.getByRole('button', { name: 'Create presentation' }).click()
  const presentation = await page.getByLabel('Presentation (JSON)', { exact: true }).inputValue()
  expect(JSON.parse(presentation)).toMatchObject({ type: ['VerifiablePresentation'] })
  const pasted = page.getByLabel('Credential or presentation (JSON)')
  await pasted.fill(presentation)
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  await expect(page.getByTestId('cred-verdict')).toContainText('Valid presentation')

  // The credential itself, as the member would paste it, then with one character changed.
  const { credentials } = await json<{ credentials: { id: string; kind: string }[] }>(b, ['cred', 'list'])
  const id = credentials.find((c) => c.kind === 'membership')!.id
  const shown = await json<{ credential: unknown }>(b, ['cred', 'show', id])
  const text = JSON.stringify(shown.credential, null, 2)
  await pasted.fill('{ "type": [')
  await expect(page.getByText('This is not valid JSON.', { exact: false })).toBeVisible()
  await pasted.fill(text)
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  await expect(page.getByTestId('cred-verdict')).toContainText('Valid credential')

  // One digit of validFrom's milliseconds changed: still a date, no longer what was signed.
  const tampered = text.replace(
    /("validFrom": "[^"]*?)(\d)(Z")/,
    (_m, head: string, d: string, tail: string) => `${head}${d === '0' ? '1' : '0'}${tail}`,
  )
  expect(tampered).not.toBe(text)
  await pasted.fill(tampered)
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  const verdict = page.getByTestId('cred-verdict')
  await expect(verdict).toContainText('Not a valid credential')
  await expect(verdict).toContainText('CRED_BAD_SIGNATURE')
  await expect(verdict).toContainText('changed after signing')
  await captureScreen(page, '27-credentials-verify')

  // A signed it for the cooperative, so A's screen lists it apart and may revoke it; B's screen follows live.
  const pageA = await (await browser.newContext()).newPage()
  await pageA.goto(a.browserUrl)
  await pageA.getByRole('link', { name: 'Credentials', exact: true }).click()
  const signed = pageA
    .getByRole('table', { name: 'Credentials I signed' })
    .getByTestId('credential-membership')
  await expect(signed).toContainText('Valid')
  await signed.getByRole('button', { name: 'Show Membership' }).click()
  await pageA.getByLabel('Reason (optional)').fill('issued by mistake')
  await pageA.getByRole('button', { name: 'Revoke credential' }).click()
  await expect(signed).toContainText('Revoked')
  await expect(pageA.getByRole('listitem').filter({ hasText: 'issued by mistake' })).toBeVisible()
  await expect(row).toContainText('Revoked', { timeout: 60_000 })
})
