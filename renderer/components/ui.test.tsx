// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderUi } from '../test/render'
import { validatePassphrase, NewPassphraseForm } from './passphrase'
import { PhraseConfirm, pickPositions } from './phrase'
import { ErrorNotice, Field } from './ui'

afterEach(cleanup)

const WORDS =
  'abandon ability able about above absent absorb abstract absurd abuse access accident account accuse achieve acid acoustic acquire across act action actor actress actual'.split(
    ' ',
  )

describe('ErrorNotice', () => {
  it('shows the code, the node’s message and what to do next', () => {
    renderUi(
      <ErrorNotice
        error={{
          code: 'IDENTITY_WRONG_PASSPHRASE',
          message: 'That passphrase does not unlock this identity.',
        }}
      />,
    )
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain('IDENTITY_WRONG_PASSPHRASE')
    expect(alert.textContent).toContain('That passphrase does not unlock this identity.')
    expect(alert.textContent).toContain('Check the passphrase')
  })

  it('gives the generic next step for codes without a hint, in Spanish too', () => {
    renderUi(<ErrorNotice error={{ code: 'GOV_NOT_ELIGIBLE', message: 'x' }} />, { language: 'es' })
    expect(screen.getByRole('alert').textContent).toContain('Inténtalo de nuevo')
  })
})

describe('Field', () => {
  it('labels the input and ties hint and error to it', () => {
    renderUi(
      <Field label="Passphrase" value="" onChange={() => undefined} hint="8 or more" error="Too short" />,
    )
    const input = screen.getByLabelText('Passphrase')
    expect(input.getAttribute('aria-invalid')).toBe('true')
    const described = (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent)
    expect(described).toEqual(['8 or more', 'Too short'])
  })
})

describe('passphrase form', () => {
  it('checks length and repetition before submitting', () => {
    expect(validatePassphrase('short', 'short')).toBe('short')
    expect(validatePassphrase('long enough', 'long enougH')).toBe('mismatch')
    expect(validatePassphrase('long enough', 'long enough')).toBeNull()
    const onSubmit = vi.fn()
    renderUi(<NewPassphraseForm submitLabel="Create" busy={false} onSubmit={onSubmit} />)
    fireEvent.change(screen.getByLabelText('New passphrase'), { target: { value: 'long enough' } })
    fireEvent.change(screen.getByLabelText('Repeat the passphrase'), { target: { value: 'different' } })
    fireEvent.click(screen.getByRole('button', { name: 'Create' }))
    expect(screen.getByText('The two passphrases are different.')).toBeTruthy()
    expect(onSubmit).not.toHaveBeenCalled()
    fireEvent.change(screen.getByLabelText('Repeat the passphrase'), { target: { value: 'long enough' } })
    fireEvent.click(screen.getByRole('button', { name: 'Create' }))
    expect(onSubmit).toHaveBeenCalledWith('long enough')
  })
})

describe('recovery phrase confirmation', () => {
  it('asks three distinct positions', () => {
    const picks = pickPositions(24, 3)
    expect(new Set(picks).size).toBe(3)
    for (const p of picks) expect(p).toBeGreaterThanOrEqual(0)
    let i = 0
    const fixed = [0.1, 0.1, 0.5, 0.9]
    expect(pickPositions(24, 3, () => fixed[i++] as number)).toEqual([2, 12, 21])
  })

  it('accepts the right words (any case, spaces trimmed) and flags the wrong one', () => {
    const onConfirmed = vi.fn()
    renderUi(
      <PhraseConfirm
        words={WORDS}
        positions={[1, 9, 23]}
        onConfirmed={onConfirmed}
        onBack={() => undefined}
      />,
    )
    fireEvent.change(screen.getByLabelText('Word number 2'), { target: { value: ' Ability ' } })
    fireEvent.change(screen.getByLabelText('Word number 10'), { target: { value: 'abuse' } })
    fireEvent.change(screen.getByLabelText('Word number 24'), { target: { value: 'actor' } })
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }))
    expect(screen.getByText('Word number 24 does not match. Check what you wrote down.')).toBeTruthy()
    expect(onConfirmed).not.toHaveBeenCalled()
    fireEvent.change(screen.getByLabelText('Word number 24'), { target: { value: 'actual' } })
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }))
    expect(onConfirmed).toHaveBeenCalledOnce()
  })
})
