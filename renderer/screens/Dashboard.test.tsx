// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setClient } from '../lib/client'
import { useIdentity } from '../stores/identity'
import { useNode } from '../stores/node'
import { renderUi } from '../test/render'
import { DID, identityStatus, nodeStatus, scriptedBridge } from '../test/scripted-bridge'
import { Dashboard } from './Dashboard'

beforeEach(() => {
  useNode.getState().reset()
  useIdentity.setState({ status: identityStatus({ backedUp: false }), error: null })
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

describe('dashboard', () => {
  it('shows the node and identity, and marks itself ready once the status is in', async () => {
    renderUi(<Dashboard />, {
      bridge: scriptedBridge({ 'node.status': () => nodeStatus({ events: 1234, authors: 2 }) }),
    })
    const ready = await screen.findByText(DID)
    expect(ready).toBeTruthy()
    expect(document.querySelector('[data-ready="true"]')).not.toBeNull()
    expect(screen.getByText('1234 events from 2 members')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Not backed up — back up now' }).getAttribute('href')).toBe(
      '#/backup',
    )
    expect(performance.getEntriesByName('icn:dashboard-ready')).toHaveLength(1)
  })

  it('shows mana, peers, the proposals waiting for my vote and my jobs from the node', async () => {
    const now = Date.now()
    const proposal = (id: string, title: string, deadline: number) => ({
      id,
      scope: 'bakery',
      title,
      kind: 'text',
      method: 'yesno',
      status: 'open',
      proposer: DID,
      createdAt: now - 60_000,
      deadline,
      votes: 1,
      eligible: 3,
    })
    const bridge = scriptedBridge({
      'node.status': () => nodeStatus(),
      'wallet.balance': () => ({
        did: DID,
        scope: 'bakery',
        economy: 'bakery',
        available: '40',
        reserved: '5',
        regenerating: { ratePerHour: '50', capacity: '100', fullAt: now + 72 * 60_000 },
        full: false,
        active: true,
      }),
      'gov.list': () => ({
        proposals: [
          proposal('bafyvoted0001', 'Buy a second oven', now + 3_600_000),
          proposal('bafyopen00001', 'Paint the shop', now + 7_200_000),
        ],
        next: null,
      }),
      'gov.eligibility': (params) => {
        const voted = (params as { proposal: string }).proposal === 'bafyvoted0001'
        return { canVote: !voted, vote: voted ? { choice: 'yes', options: null, ts: now } : null }
      },
      'mesh.list': () => ({
        jobs: [{ id: 'bafyjob000001', status: 'paid', submittedAt: now - 5_000 }],
      }),
      'network.status': () => ({
        enabled: true,
        starting: false,
        running: true,
        error: null,
        peers: 3,
        sync: { active: 0, lastRun: null },
      }),
    })
    renderUi(<Dashboard />, { bridge })
    expect((await screen.findByTestId('dashboard-mana')).textContent).toBe('40 of 100 mana')
    expect(screen.getByRole('meter', { name: 'Mana available out of capacity' }).getAttribute('value')).toBe(
      '40',
    )
    expect(screen.getByText(/Full again in/).textContent).toMatch(
      /Full again in 1 hr,? 1[12] min.*5 mana reserved/,
    )
    expect((await screen.findByTestId('dashboard-peers')).textContent).toBe('3 peers connected')
    // Only the proposal I have not voted on waits for me.
    expect((await screen.findByTestId('dashboard-to-vote')).textContent).toBe('1 open proposal')
    expect(screen.getByRole('link', { name: 'Paint the shop' }).getAttribute('href')).toBe(
      '#/proposal/bafyopen00001',
    )
    expect(screen.queryByRole('link', { name: 'Buy a second oven' })).toBeNull()
    expect(screen.getByTestId('dashboard-jobs').textContent).toContain('paid')
  })

  it('says why a card is empty instead of inventing numbers', async () => {
    const bridge = scriptedBridge({
      'node.status': () => nodeStatus(),
      'gov.list': () => ({ proposals: [], next: null }),
      'mesh.list': () => ({ jobs: [] }),
    })
    renderUi(<Dashboard />, { bridge })
    expect(
      await screen.findByText('Your balance cannot be shown right now (RPC_METHOD_NOT_FOUND).'),
    ).toBeTruthy()
    expect(await screen.findByText('Nothing waits for your vote.')).toBeTruthy()
    expect(screen.getByText('You have not submitted a job yet.')).toBeTruthy()
  })
})
