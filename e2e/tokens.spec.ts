import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { captureScreen, openWallet as openWalletScreen, startConnectedPair, type NodeHandle } from './helpers'

/**
 * Tokens in the wallet, two members on two daemons connected over libp2p on loopback (the global scope counts
 * every DID as a member): A creates a class, mints, sends some to B and burns a little, all in the UI; both
 * wallets show the new balances live, without a reload.
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
  await expect(page.getByRole('region', { name: 'Tokens', exact: true })).toBeVisible()
}

test('create a token class, mint, send to another member and burn: both wallets update live', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const pageA = await (await browser.newContext()).newPage()
  const pageB = await (await browser.newContext()).newPage()
  await openWallet(pageA, a)
  await openWallet(pageB, b)
  await expect(pageB.getByText('You hold no tokens yet.')).toBeVisible()

  // Create a fungible class with two decimals; bad symbols are caught before anything is signed.
  const create = pageA.getByRole('region', { name: 'Create a token class' })
  await create.getByLabel('Symbol').fill('mana')
  await expect(create.getByText('Use 1 to 12 letters and digits (not “mana”).')).toBeVisible()
  await expect(create.getByRole('button', { name: 'Create class' })).toBeDisabled()
  await create.getByLabel('Symbol').fill('BREAD')
  await create.getByLabel('Name').fill('Bakery credit')
  await create.getByLabel('Decimals').fill('2')
  await expect(create.getByTestId('token-create-cost')).toContainText('Fee')
  await create.getByRole('button', { name: 'Create class' }).click()
  await expect(create.getByText('Created the token class BREAD.')).toBeVisible()
  await expect(pageA.getByRole('table', { name: 'Token classes' })).toContainText('Bakery credit')
  // The same symbol twice from the same issuer: the node's code and message.
  await create.getByLabel('Symbol').fill('bread')
  await create.getByRole('button', { name: 'Create class' }).click()
  await expect(create.getByRole('alert')).toContainText('ECONOMICS_TOKEN_CLASS_EXISTS')

  // Mint 12.5 to oneself (the issuer sees "Mint"); amounts are typed in display units.
  const use = pageA.getByRole('region', { name: 'Mint, send or burn' })
  await use.getByRole('radio', { name: 'Mint' }).check()
  await use.getByLabel('Quantity of BREAD').fill('1.234')
  await expect(use.getByText('at most 2 decimal places')).toBeVisible()
  await use.getByLabel('Quantity of BREAD').fill('12.5')
  await expect(use.getByTestId('token-action-cost')).toContainText('Fee')
  await use.getByRole('button', { name: 'Mint tokens' }).click()
  await expect(use.getByText('Minted 12.5 BREAD to you.')).toBeVisible()
  await expect(pageA.getByTestId('token-held-BREAD')).toHaveText('12.5')
  await expect(pageA.getByRole('table', { name: 'History' })).toContainText('+12.5 BREAD')

  // Sending to a DID that is not a member: the node's code.
  await use.getByRole('radio', { name: 'Send' }).check()
  await use.getByLabel('Recipient of the tokens (member DID)').fill('did:key:z6Mkbogus')
  await use.getByLabel('Quantity of BREAD').fill('2.25')
  await use.getByRole('button', { name: 'Send tokens' }).click()
  await expect(use.getByRole('alert')).toContainText('ECONOMICS_')

  await use.getByLabel('Recipient of the tokens (member DID)').fill(dids[1])
  await use.getByLabel('Note for the recipient').fill('for the rye')
  await use.getByRole('button', { name: 'Send tokens' }).click()
  await expect(use.getByText(/^Sent 2\.25 BREAD to /)).toBeVisible()
  await expect(pageA.getByTestId('token-held-BREAD')).toHaveText('10.25')
  // B's wallet on the other daemon, without a reload: its node receives the credit.
  await expect(pageB.getByTestId('token-held-BREAD')).toHaveText('2.25', { timeout: 30_000 })

  // B may send it on (transferable) or burn it, but not mint: only the issuer sees "Mint".
  const useB = pageB.getByRole('region', { name: 'Mint, send or burn' })
  await expect(useB.getByRole('radio', { name: 'Send' })).toBeVisible()
  await expect(useB.getByRole('radio', { name: 'Mint' })).toHaveCount(0)

  await use.getByRole('radio', { name: 'Burn' }).check()
  await use.getByLabel('Quantity of BREAD').fill('0.25')
  await use.getByRole('button', { name: 'Burn tokens' }).click()
  await expect(use.getByText('Burned 0.25 BREAD.')).toBeVisible()
  await expect(pageA.getByTestId('token-held-BREAD')).toHaveText('10')

  // A non-fungible class: items by id.
  await create.getByLabel('Symbol').fill('SEAT')
  await create.getByLabel('Name').fill('Assembly seats')
  await create.getByLabel(/^Fungible/).uncheck()
  await expect(create.getByLabel('Decimals')).toHaveCount(0)
  await create.getByRole('button', { name: 'Create class' }).click()
  await expect(create.getByText('Created the token class SEAT.')).toBeVisible()
  await use.getByLabel('Token', { exact: true }).selectOption({ label: 'SEAT' })
  await use.getByRole('radio', { name: 'Mint' }).check()
  // The recipient typed for the transfer is still there; empty means "to me".
  await use.getByLabel('Recipient (optional)').fill('')
  await use.getByLabel('Token ids').fill('seat-1, seat/2')
  await expect(use.getByText(/Use up to 64 distinct ids/)).toBeVisible()
  await use.getByLabel('Token ids').fill('seat-1 seat-2')
  // The items' metadata: a record stored in the DAG, linked from the balance.
  const file = join(a.dir, 'seats.json')
  await writeFile(file, '{"room": "assembly hall"}\n')
  const metadata = (await a.cli(['dag', 'put', file])).stdout.trim()
  await use.getByLabel('Metadata CID for these items (optional)').fill(metadata)
  await use.getByRole('button', { name: 'Mint tokens' }).click()
  await expect(use.getByText('Minted SEAT seat-1, seat-2 to you.')).toBeVisible()
  await expect(pageA.getByTestId('token-held-SEAT')).toContainText('seat-1')
  await expect(pageA.getByTestId('token-held-SEAT')).toContainText('seat-2')
  await expect(pageA.getByRole('link', { name: 'metadata of seat-1' })).toHaveAttribute(
    'href',
    `#/dag/${metadata}`,
  )

  await captureScreen(pageA, '21-wallet-tokens')
  await captureScreen(pageB, '21-wallet-tokens-recipient')
})
