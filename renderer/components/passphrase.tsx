/** Choosing a passphrase: typed twice, at least 8 characters, checked before anything reaches the node. */
import { useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Button, Field } from './ui'

export const MIN_PASSPHRASE = 8

export function validatePassphrase(passphrase: string, repeat: string): 'short' | 'mismatch' | null {
  if ([...passphrase].length < MIN_PASSPHRASE) return 'short'
  if (passphrase !== repeat) return 'mismatch'
  return null
}

export function NewPassphraseForm(props: {
  submitLabel: string
  busy: boolean
  onSubmit: (passphrase: string) => void
  children?: ReactNode
}): ReactNode {
  const { t } = useTranslation()
  const [passphrase, setPassphrase] = useState('')
  const [repeat, setRepeat] = useState('')
  const [problem, setProblem] = useState<'short' | 'mismatch' | null>(null)
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    const issue = validatePassphrase(passphrase, repeat)
    setProblem(issue)
    if (issue === null) props.onSubmit(passphrase)
  }
  return (
    <form onSubmit={submit} noValidate>
      {props.children}
      <Field
        label={t('passphrase.new')}
        type="password"
        value={passphrase}
        onChange={setPassphrase}
        autoComplete="new-password"
        hint={t('passphrase.hint', { n: MIN_PASSPHRASE })}
        error={problem === 'short' ? t('passphrase.short', { n: MIN_PASSPHRASE }) : undefined}
      />
      <Field
        label={t('passphrase.repeat')}
        type="password"
        value={repeat}
        onChange={setRepeat}
        autoComplete="new-password"
        error={problem === 'mismatch' ? t('passphrase.mismatch') : undefined}
      />
      <div className="actions">
        <Button type="submit" variant="primary" busy={props.busy}>
          {props.submitLabel}
        </Button>
      </div>
    </form>
  )
}
