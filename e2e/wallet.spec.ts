import { expect, test, type Page } from '@playwright/test'
import { captureScreen, openWallet as openWalletScreen, startConnectedPair, type NodeHandle } from './helpers'

/**
 * Two members on two daemons connected over libp2p on loopback: one sends mana in the UI, and both wallets update
 * live, without a reload.
 */
let a: NodeHandle
let b: NodeHandle
let dids: [string, string]

test.beforeAll(async () => {
  ;({ a, b, dids } = await startConnectedPair())
})
test.afterAll(async () => {
  await Promise.all([a?.destroy(), b?.destroy()])
})

async function openWallet(page: Page, node: NodeHandle): Promise<void> {
  await openWalletScreen(page, node)
  await expect(page.getByTestId('wallet-available')).toBeVisible()
}

const manaOf = async (page: Page): Promise<bigint> => {
  const text = (await page.getByTestId('wallet-available').textContent()) ?? ''
  return BigInt(/(\d+)/.exec(text)?.[1] ?? '-1')
}

test('sending mana in the UI updates both wallets live', async ({ browser }) => {
  const pageA = await (await browser.newContext()).newPage()
  const pageB = await (await browser.newContext()).newPage()
  await openWallet(pageA, a)
  await openWallet(pageB, b)
  const before = { a: await manaOf(pageA), b: await manaOf(pageB) }
  expect(before.a).toBeGreaterThan(10n)

  // Bad input is explained before anything is signed.
  await pageA.getByLabel('Amount').fill('1.5')
  await expect(pageA.getByText('Enter a whole number of mana greater than 0.')).toBeVisible()
  await pageA.getByLabel('Recipient (member DID)').fill('did:key:z6Mkbogus')
  await pageA.getByLabel('Amount').fill('7')
  await expect(pageA.getByTestId('wallet-cost')).toContainText('total')
  await pageA.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(pageA.getByRole('alert')).toContainText('ECONOMICS_INVALID_RECIPIENT')

  await pageA.getByLabel('Recipient (member DID)').fill(dids[1])
  await pageA.getByLabel('Memo').fill('for the bikes')
  await pageA.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(pageA.getByText(/^Sent 7 mana to /)).toBeVisible()

  // The sender's wallet: 7 and the fee gone; the history shows the transfer.
  await expect.poll(() => manaOf(pageA)).toBeLessThanOrEqual(before.a - 7n)
  await expect(pageA.getByRole('table', { name: 'History' })).toContainText('for the bikes')
  // The recipient's wallet, on the other daemon, without a reload: its node acknowledges the credit.
  await expect.poll(() => manaOf(pageB), { timeout: 20_000 }).toBeGreaterThanOrEqual(before.b + 7n)
  await expect(pageB.getByRole('table', { name: 'History' })).toContainText('+7 mana')
  await pageB.getByLabel('Kind').selectOption('transfer')
  await expect(pageB.getByRole('table', { name: 'History' })).toContainText('for the bikes')
  await captureScreen(pageA, '20-wallet')
})
