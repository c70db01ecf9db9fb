/** Browser mode without a usable token: how to get the link, and a field to paste it. */
import { useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Button, Field, PageTitle } from '../components/ui'
import { tokenFromInput } from '../lib/token'

export function Connect(props: { unauthorized: boolean; onToken: (token: string) => void }): ReactNode {
  const { t } = useTranslation()
  const [text, setText] = useState('')
  const [invalid, setInvalid] = useState(false)
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    const token = tokenFromInput(text)
    setInvalid(token === null)
    if (token !== null) props.onToken(token)
  }
  return (
    <main id="main" className="onboarding narrow">
      <PageTitle>{props.unauthorized ? t('connect.unauthorizedTitle') : t('connect.title')}</PageTitle>
      <p>{props.unauthorized ? t('connect.unauthorizedText') : t('connect.text')}</p>
      <pre className="command">icn node start</pre>
      <p>{t('connect.lookFor')}</p>
      <form onSubmit={submit} noValidate>
        <Field
          label={t('connect.paste')}
          value={text}
          onChange={setText}
          error={invalid ? t('connect.invalid') : undefined}
        />
        <div className="actions">
          <Button type="submit" variant="primary">
            {t('connect.action')}
          </Button>
        </div>
      </form>
    </main>
  )
}
