// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setClient } from '../lib/client'
import { useIdentity } from '../stores/identity'
import { useOnboarding } from '../stores/onboarding'
import { renderUi } from '../test/render'
import { DID, identityStatus, scriptedBridge, ScriptedError } from '../test/scripted-bridge'
import { Onboarding } from './Onboarding'

const PHRASE =
  'abandon ability able about above absent absorb abstract absurd abuse access accident account accuse achieve acid acoustic acquire across act action actor actress actual'

beforeEach(() => {
  useOnboarding.setState({ active: false })
  useIdentity.setState({ status: identityStatus({ exists: false, did: null, backedUp: false }), error: null })
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

describe('onboarding', () => {
  it('creates an identity, shows the phrase, checks three words and confirms the backup', async () => {
    let backedUp = false
    const node = scriptedBridge({
      'identity.create': () => ({ did: DID, phrase: PHRASE }),
      'identity.confirmBackup': () => {
        backedUp = true
        return identityStatus({ backedUp: true })
      },
      'identity.get': () => identityStatus({ backedUp }),
    })
    renderUi(<Onboarding />, { bridge: node })
    fireEvent.click(screen.getByRole('button', { name: 'Create my identity' }))
    fireEvent.change(screen.getByLabelText('New passphrase'), { target: { value: 'a long passphrase' } })
    fireEvent.change(screen.getByLabelText('Repeat the passphrase'), {
      target: { value: 'a long passphrase' },
    })
    fireEvent.click(screen.getByRole('button', { name: 'Create my identity' }))
    const list = await screen.findByRole('list', { name: 'Recovery phrase, 24 words in order' })
    expect(list.querySelectorAll('li')).toHaveLength(24)
    // The screen stays on onboarding although the identity now exists.
    expect(useOnboarding.getState().active).toBe(true)
    expect(node.calls[0]).toEqual({ method: 'identity.create', params: { passphrase: 'a long passphrase' } })

    fireEvent.click(screen.getByRole('button', { name: 'I have written them down' }))
    const words = PHRASE.split(' ')
    for (const input of screen.getAllByLabelText(/^Word number \d+$/)) {
      const n = Number(
        /(\d+)/.exec(document.querySelector(`label[for="${input.id}"]`)?.textContent ?? '')?.[1],
      )
      fireEvent.change(input, { target: { value: words[n - 1] } })
    }
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }))
    await screen.findByRole('heading', { name: 'Save a backup file' })
    expect(backedUp).toBe(true)
    fireEvent.click(screen.getByRole('button', { name: 'Continue to ICN' }))
    await waitFor(() => expect(useOnboarding.getState().active).toBe(false))
  })

  it('shows the node’s error with its code when creation fails, and stays put', async () => {
    const node = scriptedBridge({
      'identity.create': () => {
        throw new ScriptedError('IDENTITY_EXISTS', 'An identity already exists in this node.')
      },
    })
    renderUi(<Onboarding />, { bridge: node })
    fireEvent.click(screen.getByRole('button', { name: 'Create my identity' }))
    fireEvent.change(screen.getByLabelText('New passphrase'), { target: { value: 'a long passphrase' } })
    fireEvent.change(screen.getByLabelText('Repeat the passphrase'), {
      target: { value: 'a long passphrase' },
    })
    fireEvent.click(screen.getByRole('button', { name: 'Create my identity' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('IDENTITY_EXISTS')
    expect(alert.textContent).toContain('Unlock it instead')
    expect(useOnboarding.getState().active).toBe(false)
  })

  it('recovers from the phrase, normalising spaces and case', async () => {
    const node = scriptedBridge({
      'identity.recover': () => ({ did: DID }),
      'identity.get': () => identityStatus(),
    })
    renderUi(<Onboarding />, { bridge: node })
    fireEvent.click(screen.getByRole('button', { name: 'Recover my identity' }))
    fireEvent.change(screen.getByLabelText('Recovery phrase (24 words)'), {
      target: { value: `  ${PHRASE.toUpperCase().split(' ').join('   ')}\n` },
    })
    fireEvent.change(screen.getByLabelText('New passphrase'), { target: { value: 'a new passphrase' } })
    fireEvent.change(screen.getByLabelText('Repeat the passphrase'), {
      target: { value: 'a new passphrase' },
    })
    fireEvent.click(screen.getByRole('button', { name: 'Recover my identity' }))
    await waitFor(() =>
      expect(node.calls[0]).toEqual({
        method: 'identity.recover',
        params: { phrase: PHRASE, passphrase: 'a new passphrase' },
      }),
    )
  })
})
