import { expect, test } from '@playwright/test'
import { captureScreen, expectAccessible, PASSPHRASE, startNode, type NodeHandle } from './helpers'

/**
 * The Network screen against two real daemons on loopback (mDNS off): a member pastes the other node's address,
 * the peer shows with its member DID, an event made on the other node arrives through "Sync now"/gossip, the
 * dashboard counts the peer, and disconnecting removes it. A bad address gets its stable code and a next step.
 */
let a: NodeHandle
let b: NodeHandle
let didB: string

test.beforeAll(async () => {
  ;[a, b] = await Promise.all([startNode(), startNode()])
  for (const n of [a, b]) expect((await n.cli(['id', 'create'], { ICN_PASSPHRASE: PASSPHRASE })).code).toBe(0)
  didB = (JSON.parse((await b.cli(['--json', 'id', 'show'])).stdout) as { did: string }).did
})
test.afterAll(async () => {
  await Promise.all([a?.destroy(), b?.destroy()])
})

test('connect to a peer by address, see it, replicate from it and disconnect', async ({ page }) => {
  test.setTimeout(90_000)
  const status = JSON.parse((await b.cli(['--json', 'status'])).stdout) as {
    peerId: string
    listenAddrs: string[]
  }
  const addrB = status.listenAddrs.find((x) => x.includes('/tcp/') && !x.includes('/ws'))
  expect(addrB).toBeDefined()

  await page.goto(a.browserUrl)
  await page.getByRole('link', { name: 'Network', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Network', level: 1 })).toBeVisible()
  await expect(page.getByText('No peers yet.', { exact: false })).toBeVisible()
  await expect(page.getByTestId('net-listen')).toContainText('/tcp/')

  // A malformed address: the stable code and what to do, nothing dialled.
  await page.getByLabel('Peer address (multiaddr)').fill('/ip4/127.0.0.1/tcp/notaport')
  await page.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByRole('alert')).toContainText('NETWORK_INVALID_MULTIADDR')
  await expect(page.getByRole('alert')).toContainText('Copy the whole address')

  await page.getByLabel('Peer address (multiaddr)').fill(addrB!)
  await page.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByText(/^Connected to /)).toBeVisible()
  const peers = page.getByTestId('net-peers')
  await expect(peers).toContainText('Outbound')
  // The signed DID → peer record arrives over identify/the DHT: the member shows without a reload.
  await expect(peers.getByTitle(didB)).toBeVisible({ timeout: 30_000 })
  await expect(page.getByRole('heading', { name: 'Connected peers (1)' })).toBeVisible()
  await expectAccessible(page, 'network')
  await captureScreen(page, '16-network')

  // History made on B reaches A; "Sync now" reports the run.
  const posted = await b.cli(['events', 'post', 'Bread for the assembly.'])
  expect(posted.code, posted.stderr).toBe(0)
  await page.getByRole('button', { name: 'Sync now' }).click()
  await expect(page.getByText(/^Synced with 1 peers: \d+ new events, 0 failed\.$/)).toBeVisible()
  await expect(page.getByTestId('net-last-sync')).toContainText('events from')
  const id = posted.stdout.trim()
  await expect
    .poll(
      async () => {
        const listed = await a.cli(['--json', 'events', 'list', '--author', didB])
        return (JSON.parse(listed.stdout) as { events: { id: string }[] }).events.map((e) => e.id)
      },
      { timeout: 20_000 },
    )
    .toContain(id)

  // The dashboard counts the peer.
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click()
  await expect(page.getByTestId('dashboard-peers')).toHaveText('1 peer connected')
  await expect(page.getByTestId('dashboard-mana')).toContainText('mana')

  await page.getByRole('link', { name: 'Network', exact: true }).click()
  await page.getByRole('button', { name: /^Disconnect/ }).click()
  await expect(page.getByText('No peers yet.', { exact: false })).toBeVisible()
})
