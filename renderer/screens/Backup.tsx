/** Backing up an existing identity: the recovery phrase (asked back) or the encrypted backup file. */
import { useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { PhraseConfirm, PhraseList } from '../components/phrase'
import { Button, ErrorNotice, Field, PageTitle, useAction } from '../components/ui'
import { client } from '../lib/client'
import { useIdentity } from '../stores/identity'
import { BackupFileDownload } from './Onboarding'

export function Backup(): ReactNode {
  const { t } = useTranslation()
  const backedUp = useIdentity((s) => s.status?.backedUp === true)
  return (
    <div>
      <PageTitle>{t('backup.title')}</PageTitle>
      <p className={backedUp ? 'notice notice-success' : 'notice notice-warning'}>
        {backedUp ? t('backup.done') : t('backup.notYet')}
      </p>
      <div className="cards">
        <PhraseBackup />
        <FileBackup />
      </div>
    </div>
  )
}

function PhraseBackup(): ReactNode {
  const { t } = useTranslation()
  const setStatus = useIdentity((s) => s.setStatus)
  const [passphrase, setPassphrase] = useState('')
  const [words, setWords] = useState<string[] | null>(null)
  const [asking, setAsking] = useState(false)
  const [confirmed, setConfirmed] = useState(false)
  const reveal = useAction(async () => {
    const { phrase } = await client().call('identity.revealPhrase', { passphrase })
    setPassphrase('')
    setWords(phrase.split(' '))
  })
  const confirm = useAction(async () => {
    setStatus(await client().call('identity.confirmBackup'))
    setWords(null)
    setAsking(false)
    setConfirmed(true)
  })
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    void reveal.run()
  }
  return (
    <section className="card" aria-labelledby="backup-phrase">
      <h2 id="backup-phrase">{t('backup.phraseTitle')}</h2>
      <p>{t('backup.phraseText')}</p>
      {confirmed ? (
        <p className="notice notice-success" role="status">
          {t('backup.phraseConfirmed')}
        </p>
      ) : words === null ? (
        <form onSubmit={submit} noValidate>
          <Field
            label={t('passphrase.current')}
            type="password"
            value={passphrase}
            onChange={setPassphrase}
            autoComplete="current-password"
          />
          <ErrorNotice error={reveal.error} />
          <div className="actions">
            <Button type="submit" busy={reveal.busy}>
              {t('backup.reveal')}
            </Button>
          </div>
        </form>
      ) : asking ? (
        <>
          <ErrorNotice error={confirm.error} />
          <PhraseConfirm
            words={words}
            onBack={() => setAsking(false)}
            onConfirmed={() => confirm.run()}
            busy={confirm.busy}
          />
        </>
      ) : (
        <>
          <p className="notice notice-warning">{t('onboarding.phraseWarning')}</p>
          <PhraseList words={words} />
          <div className="actions">
            <Button onClick={() => setWords(null)}>{t('backup.hide')}</Button>
            <Button variant="primary" onClick={() => setAsking(true)}>
              {t('onboarding.written')}
            </Button>
          </div>
        </>
      )}
    </section>
  )
}

function FileBackup(): ReactNode {
  const { t } = useTranslation()
  const backedUp = useIdentity((s) => s.status?.backedUp === true)
  const setStatus = useIdentity((s) => s.setStatus)
  const [saved, setSaved] = useState(false)
  const confirm = useAction(async () => {
    setStatus(await client().call('identity.confirmBackup'))
  })
  return (
    <section className="card" aria-labelledby="backup-file">
      <h2 id="backup-file">{t('backup.fileTitle')}</h2>
      <p>{t('onboarding.fileText')}</p>
      <BackupFileDownload saved={saved} onSaved={() => setSaved(true)} />
      <ErrorNotice error={confirm.error} />
      {saved && !backedUp ? (
        <div className="actions">
          <Button variant="primary" onClick={() => void confirm.run()} busy={confirm.busy}>
            {t('onboarding.fileStored')}
          </Button>
        </div>
      ) : null}
    </section>
  )
}
