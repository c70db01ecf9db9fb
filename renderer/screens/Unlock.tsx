/** A locked identity (after a restart or "Lock"): the passphrase, or the recovery phrase to set a new one. */
import { useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Button, ErrorNotice, Field, Ident, PageTitle, useAction } from '../components/ui'
import { client } from '../lib/client'
import { useIdentity } from '../stores/identity'
import { RecoverForm } from './Onboarding'

export function Unlock(): ReactNode {
  const { t } = useTranslation()
  const did = useIdentity((s) => s.status?.did ?? null)
  const refresh = useIdentity((s) => s.refresh)
  const [passphrase, setPassphrase] = useState('')
  const [forgot, setForgot] = useState(false)
  const action = useAction(async () => {
    await client().call('identity.unlock', { passphrase })
    setPassphrase('')
    await refresh()
  })
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    void action.run()
  }
  if (forgot) {
    return (
      <main id="main" className="onboarding narrow">
        <PageTitle>{t('unlock.forgotTitle')}</PageTitle>
        <p>{t('unlock.forgotText')}</p>
        <RecoverForm onDone={refresh} onBack={() => setForgot(false)} />
      </main>
    )
  }
  return (
    <main id="main" className="onboarding narrow">
      <PageTitle>{t('unlock.title')}</PageTitle>
      <p>{t('unlock.text')}</p>
      {did !== null ? (
        <p>
          {t('unlock.identity')} <Ident value={did} />
        </p>
      ) : null}
      <ErrorNotice error={action.error} />
      <form onSubmit={submit} noValidate>
        <Field
          label={t('passphrase.current')}
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="current-password"
        />
        <div className="actions">
          <Button type="submit" variant="primary" busy={action.busy}>
            {t('unlock.action')}
          </Button>
        </div>
      </form>
      <Button variant="link" onClick={() => setForgot(true)}>
        {t('unlock.forgot')}
      </Button>
    </main>
  )
}
