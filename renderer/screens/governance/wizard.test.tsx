// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { GovScope } from '../../../app/contract'
import { setClient } from '../../lib/client'
import { useGovernance } from '../../stores/governance'
import { renderUi } from '../../test/render'
import { DID, ScriptedError, scriptedBridge, type Script } from '../../test/scripted-bridge'
import { NewProposal } from './wizard'

const SCOPE = 'did:icn:bafybakery'
const bakery: GovScope = {
  scope: SCOPE,
  kind: 'cooperative',
  name: 'Bakery',
  parent: null,
  federation: null,
  genesis: 'bafygenesis',
  createdAt: 0,
  validators: [],
  members: 2,
  head: 0,
  isMember: true,
  children: [],
}
const OTHER = 'did:key:z6MkotherMemberOfTheBakeryCooperative000000000'

function script(extra: Script = {}): Script {
  return {
    'gov.parameters': () => ({
      scope: SCOPE,
      parameters: [
        { name: 'gov.quorum', value: '50', default: '50', min: '1', max: '100', unit: '%', doc: 'Quorum.' },
      ],
    }),
    'gov.members': () => ({
      scope: SCOPE,
      count: 2,
      members: [
        { did: DID, since: 0, roles: [], admittedBy: DID },
        { did: OTHER, since: 1, roles: ['baker'], admittedBy: DID },
      ],
    }),
    'wallet.cost': () => ({
      type: 'gov/propose',
      scope: SCOPE,
      economy: 'global',
      fee: '10',
      amount: '0',
      total: '10',
      available: '90',
      covered: true,
      shortfall: '0',
      availableAt: null,
    }),
    ...extra,
  }
}

beforeEach(() => {
  useGovernance.setState({ scopes: [bakery] })
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

const next = () => fireEvent.click(screen.getByRole('button', { name: 'Next' }))

describe('new proposal wizard', () => {
  it('walks a budget grant through its steps, checking each, and shows the node’s error code', async () => {
    const bridge = scriptedBridge(
      script({
        'gov.propose': () => {
          throw new ScriptedError('ECONOMICS_INSUFFICIENT_MANA', 'You need 10 mana to propose.')
        },
      }),
    )
    renderUi(<NewProposal />, { bridge })
    expect(screen.getByText('Step 1 of 3: Kind').getAttribute('aria-current')).toBe('step')
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'budget' } })
    next()
    expect(await screen.findByRole('heading', { name: 'Details' })).toBe(document.activeElement)
    next()
    expect(screen.getByRole('alert').textContent).toContain('Some fields need attention')
    expect(screen.getByText('Give the proposal a title.')).toBeTruthy()
    expect(document.activeElement).toBe(screen.getByLabelText('Title'))
    expect(screen.getByText(/^Enter a DID/)).toBeTruthy()
    expect(screen.getByLabelText('Amount').getAttribute('aria-invalid')).toBe('true')
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Ovens' } })
    fireEvent.change(screen.getByLabelText('Recipient DID'), { target: { value: OTHER } })
    fireEvent.change(screen.getByLabelText('Amount'), { target: { value: '250' } })
    expect(screen.queryByText('Give the proposal a title.')).toBeNull()
    next()
    const review = await screen.findByTestId('proposal-review')
    expect(review.textContent).toContain(`250 mana to ${OTHER}`)
    expect((await screen.findByTestId('propose-cost')).textContent).toBe(
      'Proposing costs 10 mana; you have 90.',
    )
    fireEvent.click(screen.getByRole('button', { name: 'Propose' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('ECONOMICS_INSUFFICIENT_MANA')
    expect(alert.textContent).toContain('You need 10 mana to propose.')
    expect(bridge.calls.find((c) => c.method === 'gov.propose')?.params).toEqual({
      scope: SCOPE,
      title: 'Ovens',
      action: { kind: 'budget', asset: 'mana', to: OTHER, amount: '250' },
    })
  })

  it('offers the members to remove and asks ranked votes for options', async () => {
    renderUi(<NewProposal />, { bridge: scriptedBridge(script()) })
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'remove' } })
    next()
    const select = await screen.findByLabelText('Member to remove')
    await within(select).findByText(`${OTHER} (baker)`)
    fireEvent.click(screen.getByRole('button', { name: 'Back' }))
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'text' } })
    fireEvent.change(screen.getByLabelText('Voting method'), { target: { value: 'ranked' } })
    next()
    fireEvent.change(await screen.findByLabelText('Title'), { target: { value: 'Flour' } })
    fireEvent.change(screen.getByLabelText('Options'), { target: { value: 'Rye' } })
    next()
    expect(screen.getByText('Give at least 2 options, one a line.')).toBeTruthy()
  })

  it('grants a capability to a member picked from the list, checking the name before the review', async () => {
    const bridge = scriptedBridge(
      script({
        'gov.propose': () => {
          throw new ScriptedError('GOV_NOT_A_MEMBER', 'Not a member.')
        },
      }),
    )
    renderUi(<NewProposal />, { bridge })
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'capability' } })
    expect(screen.getByText(/capability credential/)).toBeTruthy()
    next()
    const select = await screen.findByLabelText('Member who receives it')
    await within(select).findByText(`${OTHER} (baker)`)
    fireEvent.change(select, { target: { value: OTHER } })
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Treasury signing' } })
    fireEvent.change(screen.getByLabelText('Capability'), { target: { value: 'Treasury Sign' } })
    next()
    expect(screen.getByText(/^A capability is 1 to 64/)).toBeTruthy()
    expect(screen.getByLabelText('Capability').getAttribute('aria-invalid')).toBe('true')
    fireEvent.change(screen.getByLabelText('Capability'), { target: { value: 'treasury.sign' } })
    fireEvent.change(screen.getByLabelText('Note (optional)'), { target: { value: 'for the ovens fund' } })
    next()
    const review = await screen.findByTestId('proposal-review')
    expect(review.textContent).toContain('Grant a capability')
    expect(review.textContent).toContain(`treasury.sign to ${OTHER} — for the ovens fund`)
    fireEvent.click(screen.getByRole('button', { name: 'Propose' }))
    expect((await screen.findByRole('alert')).textContent).toContain('GOV_NOT_A_MEMBER')
    expect(bridge.calls.find((c) => c.method === 'gov.propose')?.params).toEqual({
      scope: SCOPE,
      title: 'Treasury signing',
      action: { kind: 'capability', member: OTHER, capability: 'treasury.sign', note: 'for the ovens fund' },
    })
  })

  it('shows the node’s CCL diagnostics and stays on the details step', async () => {
    const formatted = 'can_propose.ccl:1:4: error[CCL_PARSE]: expected a name\n fn (\n    ^'
    renderUi(<NewProposal />, {
      bridge: scriptedBridge(
        script({
          'ccl.check': () => ({
            ok: false,
            diagnostics: [
              {
                code: 'CCL_PARSE',
                severity: 'error',
                message: 'expected a name',
                file: 'can_propose.ccl',
                line: 1,
                column: 4,
                endLine: 1,
                endColumn: 5,
                excerpt: 'fn (',
                formatted,
              },
            ],
          }),
        }),
      ),
    })
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'policy' } })
    next()
    fireEvent.change(await screen.findByLabelText('Title'), { target: { value: 'Stricter proposals' } })
    fireEvent.change(screen.getByLabelText('CCL source'), { target: { value: 'fn (' } })
    next()
    const box = await screen.findByTestId('ccl-diagnostics')
    expect(box.textContent).toContain('error[CCL_PARSE]: expected a name')
    expect(screen.getByRole('heading', { name: 'Details' })).toBeTruthy()
  })
})
