// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { GovEligibility, GovProposal } from '../../../app/contract'
import { setClient } from '../../lib/client'
import { useGovernance } from '../../stores/governance'
import { renderUi } from '../../test/render'
import { DID, scriptedBridge } from '../../test/scripted-bridge'
import { move, Proposal, rankingFrom } from './proposal'

const ID = 'bafyrankedproposal'
const OTHER = 'did:key:z6MkotherMemberOfTheBakeryCooperative000000000'

function ranked(overrides: Partial<GovProposal> = {}): GovProposal {
  return {
    id: ID,
    scope: 'did:icn:bafybakery',
    scopeName: 'Bakery',
    title: 'Which flour',
    kind: 'text',
    method: 'ranked',
    status: 'passed',
    proposer: DID,
    createdAt: 0,
    deadline: 1,
    votes: 3,
    eligible: 3,
    summary: '',
    action: { kind: 'text' },
    options: ['Rye', 'Spelt', 'Oats'],
    quorum: 50,
    threshold: 50,
    finalizeBy: 2,
    basis: 'bafybasis',
    basisN: 0,
    tally: {
      method: 'ranked',
      eligible: 3,
      participants: 3,
      direct: 3,
      delegated: 0,
      quorum: 50,
      threshold: 50,
      quorumNeeded: 2,
      quorumMet: true,
      yes: 0,
      no: 0,
      abstain: 0,
      options: [
        { option: 'Rye', votes: 2 },
        { option: 'Spelt', votes: 1 },
      ],
      rounds: [
        {
          tallies: [
            { option: 'Rye', votes: 1 },
            { option: 'Spelt', votes: 1 },
            { option: 'Oats', votes: 1 },
          ],
          exhausted: 0,
          eliminated: 'Oats',
        },
        {
          tallies: [
            { option: 'Rye', votes: 2 },
            { option: 'Spelt', votes: 1 },
          ],
          exhausted: 0,
          eliminated: null,
        },
      ],
      winner: 'Rye',
      passed: true,
    },
    live: false,
    quorumProgress: { eligible: 3, participants: 3, direct: 3, delegated: 0, needed: 2, met: true },
    result: null,
    voidReason: null,
    ...overrides,
  }
}

const eligibility = (e: Partial<GovEligibility> = {}): GovEligibility => ({
  proposal: ID,
  did: DID,
  canVote: true,
  code: null,
  reason: 'You can vote until the deadline.',
  eligible: true,
  deadline: 1,
  delegatedTo: null,
  delegators: [],
  vote: null,
  cost: '1',
  ...e,
})

beforeEach(() => {
  useGovernance.setState({ detail: null, shown: null, error: null })
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

describe('ranking helpers', () => {
  it('starts from my previous ranking and keeps the options it left out', () => {
    expect(rankingFrom(['a', 'b', 'c'], ['c', 'a'])).toEqual(['c', 'a', 'b'])
    expect(rankingFrom(['a', 'b'], null)).toEqual(['a', 'b'])
    expect(rankingFrom(['a', 'b'], ['gone', 'b'])).toEqual(['b', 'a'])
  })
  it('moves one place and not past either end', () => {
    expect(move(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b'])
    expect(move(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c'])
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c'])
  })
})

describe('ranked proposal', () => {
  it('shows the instant-runoff rounds and the winner', async () => {
    renderUi(<Proposal id={ID} />, {
      bridge: scriptedBridge({
        'gov.get': () => ranked(),
        'gov.eligibility': () =>
          eligibility({ canVote: false, code: 'GOV_PROPOSAL_CLOSED', reason: 'closed' }),
      }),
    })
    const rounds = await screen.findByTestId('rounds')
    const rows = within(rounds).getAllByRole('row')
    expect(rows.map((r) => r.textContent)).toEqual([
      'RoundRyeSpeltOatsExhausted ballotsOutcome',
      '11110Oats eliminated',
      '221—0Rye wins',
    ])
    expect(screen.getByTestId('tally-winner').textContent).toBe('Rye')
    expect(screen.getByTestId('quorum-text').textContent).toContain('quorum reached')
  })

  it('shows a capability grant in words', async () => {
    renderUi(<Proposal id={ID} />, {
      bridge: scriptedBridge({
        'gov.get': () =>
          ranked({
            title: 'Treasury signing',
            kind: 'capability',
            method: 'yesno',
            options: [],
            tally: null,
            quorumProgress: null,
            action: { kind: 'capability', member: OTHER, capability: 'treasury.sign', note: 'for the ovens' },
          }),
        'gov.eligibility': () =>
          eligibility({ canVote: false, code: 'GOV_PROPOSAL_CLOSED', reason: 'closed' }),
      }),
    })
    const term = await screen.findByText('Grants capability')
    const value = term.nextElementSibling?.textContent ?? ''
    expect(value).toContain('treasury.sign')
    expect(value).toContain('for the ovens')
    expect(screen.getByText('Grant a capability')).toBeTruthy()
  })

  it('orders a ballot by keyboard, keeps focus on the moved option and sends the ranking', async () => {
    const bridge = scriptedBridge({
      'gov.get': () => ranked({ status: 'open', tally: null, live: true }),
      'gov.eligibility': () =>
        eligibility({ vote: { choice: null, options: ['Spelt', 'Rye'], ts: 5 }, delegatedTo: OTHER }),
      'gov.vote': (p) => ({
        id: 'v',
        proposal: ID,
        voter: DID,
        choice: null,
        options: p,
        reason: null,
        ts: 6,
      }),
      'gov.delegate': () => ({ id: 'd', scope: 'x', delegator: DID, to: null, proposal: null, ts: 7 }),
    })
    renderUi(<Proposal id={ID} />, { bridge })
    expect((await screen.findByTestId('my-vote')).textContent).toBe(
      'You voted Spelt > Rye; you can change it until the deadline.',
    )
    expect(screen.getByTestId('delegated-to').textContent).toContain(OTHER)
    const list = screen.getByTestId('ranking')
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.querySelector('.option')?.textContent),
    ).toEqual(['Spelt', 'Rye', 'Oats'])
    const up = screen.getByRole('button', { name: 'Move Oats up' })
    up.focus()
    fireEvent.click(up)
    fireEvent.click(screen.getByRole('button', { name: 'Move Oats up' }))
    await waitFor(() => expect(document.activeElement?.getAttribute('aria-label')).toBe('Move Oats down'))
    expect(screen.getByText('Oats is now number 1.')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Change my vote' }))
    await waitFor(() => expect(bridge.calls.some((c) => c.method === 'gov.vote')).toBe(true))
    expect(bridge.calls.find((c) => c.method === 'gov.vote')?.params).toEqual({
      proposal: ID,
      options: ['Oats', 'Spelt', 'Rye'],
    })
    fireEvent.click(screen.getByRole('button', { name: 'Revoke my delegation' }))
    await waitFor(() => expect(bridge.calls.some((c) => c.method === 'gov.delegate')).toBe(true))
    expect(bridge.calls.find((c) => c.method === 'gov.delegate')?.params).toEqual({
      scope: 'did:icn:bafybakery',
      to: null,
    })
  })

  it('asks an approval ballot for at least one option', async () => {
    const bridge = scriptedBridge({
      'gov.get': () => ranked({ method: 'approval', status: 'open', tally: null }),
      'gov.eligibility': () => eligibility(),
    })
    renderUi(<Proposal id={ID} />, { bridge })
    fireEvent.click(await screen.findByRole('button', { name: 'Vote' }))
    expect(screen.getByText('Approve at least one option, or abstain.')).toBeTruthy()
    expect(bridge.calls.some((c) => c.method === 'gov.vote')).toBe(false)
  })
})
