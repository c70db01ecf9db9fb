/**
 * First run: create an identity (passphrase → recovery phrase shown once → a few words asked back → encrypted
 * backup file), or bring one back from a backup file or the recovery phrase. Secrets live only in this
 * component's state and are gone when it unmounts.
 */
import { useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { NewPassphraseForm } from '../components/passphrase'
import { PhraseConfirm, PhraseList } from '../components/phrase'
import { Button, ErrorNotice, Field, PageTitle, useAction } from '../components/ui'
import { client } from '../lib/client'
import { readFileBytes, saveBytes } from '../lib/files'
import { useIdentity } from '../stores/identity'
import { useOnboarding } from '../stores/onboarding'

type Step = 'welcome' | 'create' | 'phrase' | 'confirm' | 'file' | 'import' | 'recover'

export function Onboarding(): ReactNode {
  const [step, setStep] = useState<Step>('welcome')
  const [words, setWords] = useState<string[]>([])
  const [passphrase, setPassphrase] = useState('')
  const setActive = useOnboarding((s) => s.setActive)
  const refresh = useIdentity((s) => s.refresh)

  const finish = async (): Promise<void> => {
    setWords([])
    setPassphrase('')
    await refresh()
    setActive(false)
  }

  switch (step) {
    case 'welcome':
      return <Welcome onChoose={setStep} />
    case 'create':
      return (
        <CreateStep
          onBack={() => setStep('welcome')}
          onCreated={(phrase, pass) => {
            setWords(phrase.split(' '))
            setPassphrase(pass)
            setStep('phrase')
          }}
        />
      )
    case 'phrase':
      return <PhraseStep words={words} onWritten={() => setStep('confirm')} onSkip={() => setStep('file')} />
    case 'confirm':
      return <ConfirmStep words={words} onBack={() => setStep('phrase')} onDone={() => setStep('file')} />
    case 'file':
      return <FileStep passphrase={passphrase} onFinish={finish} />
    case 'import':
      return <ImportStep onBack={() => setStep('welcome')} onDone={finish} />
    case 'recover':
      return <RecoverStep onBack={() => setStep('welcome')} onDone={finish} />
  }
}

function Steps({ current }: { current: number }): ReactNode {
  const { t } = useTranslation()
  return (
    <p className="steps">
      {[1, 2, 3, 4].map((n) => (
        <span
          key={n}
          className={n === current ? 'step step-current' : n < current ? 'step step-done' : 'step'}
          aria-hidden="true"
        />
      ))}
      <span className="steps-text">{t('onboarding.stepOf', { n: current, total: 4 })}</span>
    </p>
  )
}

function Welcome({ onChoose }: { onChoose: (step: Step) => void }): ReactNode {
  const { t } = useTranslation()
  return (
    <main id="main" className="onboarding">
      <PageTitle>{t('onboarding.welcomeTitle')}</PageTitle>
      <p className="lead">{t('onboarding.welcomeLead')}</p>
      <div className="choices">
        <section className="choice" aria-labelledby="choice-create">
          <h2 id="choice-create">{t('onboarding.createTitle')}</h2>
          <p>{t('onboarding.createText')}</p>
          <Button variant="primary" onClick={() => onChoose('create')}>
            {t('onboarding.createAction')}
          </Button>
        </section>
        <section className="choice" aria-labelledby="choice-import">
          <h2 id="choice-import">{t('onboarding.importTitle')}</h2>
          <p>{t('onboarding.importText')}</p>
          <Button onClick={() => onChoose('import')}>{t('onboarding.importAction')}</Button>
        </section>
        <section className="choice" aria-labelledby="choice-recover">
          <h2 id="choice-recover">{t('onboarding.recoverTitle')}</h2>
          <p>{t('onboarding.recoverText')}</p>
          <Button onClick={() => onChoose('recover')}>{t('onboarding.recoverAction')}</Button>
        </section>
      </div>
    </main>
  )
}

function CreateStep(props: {
  onBack: () => void
  onCreated: (phrase: string, passphrase: string) => void
}): ReactNode {
  const { t } = useTranslation()
  const setActive = useOnboarding((s) => s.setActive)
  const action = useAction(async (passphrase: string) => {
    setActive(true)
    try {
      const { phrase } = await client().call('identity.create', { passphrase })
      props.onCreated(phrase, passphrase)
    } catch (err) {
      setActive(false)
      throw err
    }
  })
  return (
    <main id="main" className="onboarding narrow">
      <Steps current={1} />
      <PageTitle>{t('onboarding.passphraseTitle')}</PageTitle>
      <p>{t('onboarding.passphraseText')}</p>
      <ErrorNotice error={action.error} />
      <NewPassphraseForm
        submitLabel={t('onboarding.createAction')}
        busy={action.busy}
        onSubmit={(p) => void action.run(p)}
      />
      <Button variant="link" onClick={props.onBack}>
        {t('common.back')}
      </Button>
    </main>
  )
}

function PhraseStep(props: { words: string[]; onWritten: () => void; onSkip: () => void }): ReactNode {
  const { t } = useTranslation()
  return (
    <main id="main" className="onboarding">
      <Steps current={2} />
      <PageTitle>{t('onboarding.phraseTitle')}</PageTitle>
      <p>{t('onboarding.phraseText')}</p>
      <div className="notice notice-warning">
        <p>{t('onboarding.phraseWarning')}</p>
      </div>
      <PhraseList words={props.words} />
      <div className="actions">
        <Button onClick={props.onSkip}>{t('onboarding.later')}</Button>
        <Button variant="primary" onClick={props.onWritten}>
          {t('onboarding.written')}
        </Button>
      </div>
    </main>
  )
}

function ConfirmStep(props: { words: string[]; onBack: () => void; onDone: () => void }): ReactNode {
  const { t } = useTranslation()
  const setStatus = useIdentity((s) => s.setStatus)
  const action = useAction(async () => {
    setStatus(await client().call('identity.confirmBackup'))
    props.onDone()
  })
  return (
    <main id="main" className="onboarding narrow">
      <Steps current={3} />
      <PageTitle>{t('onboarding.confirmTitle')}</PageTitle>
      <ErrorNotice error={action.error} />
      <PhraseConfirm
        words={props.words}
        onBack={props.onBack}
        onConfirmed={() => action.run()}
        busy={action.busy}
      />
    </main>
  )
}

/** Downloads the encrypted backup file (identity.exportBackup) under a passphrase. */
export function BackupFileDownload(props: {
  passphrase?: string
  onSaved: () => void
  saved: boolean
}): ReactNode {
  const { t } = useTranslation()
  const [typed, setTyped] = useState('')
  const action = useAction(async () => {
    const passphrase = props.passphrase ?? typed
    const { backup, fileName } = await client().call('identity.exportBackup', { passphrase })
    saveBytes(backup, fileName, 'application/json')
    props.onSaved()
  })
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    void action.run()
  }
  return (
    <form onSubmit={submit} noValidate>
      {props.passphrase === undefined ? (
        <Field
          label={t('passphrase.current')}
          type="password"
          value={typed}
          onChange={setTyped}
          autoComplete="current-password"
        />
      ) : null}
      <ErrorNotice error={action.error} />
      <div className="actions">
        <Button type="submit" variant={props.saved ? 'secondary' : 'primary'} busy={action.busy}>
          {props.saved ? t('backup.downloadAgain') : t('backup.download')}
        </Button>
      </div>
      {props.saved ? (
        <p className="notice notice-success" role="status">
          {t('backup.downloaded')}
        </p>
      ) : null}
    </form>
  )
}

function FileStep(props: { passphrase: string; onFinish: () => Promise<void> }): ReactNode {
  const { t } = useTranslation()
  const [saved, setSaved] = useState(false)
  const backedUp = useIdentity((s) => s.status?.backedUp === true)
  const setStatus = useIdentity((s) => s.setStatus)
  const finish = useAction(async (confirmFile: boolean) => {
    if (confirmFile && !backedUp) setStatus(await client().call('identity.confirmBackup'))
    await props.onFinish()
  })
  return (
    <main id="main" className="onboarding narrow">
      <Steps current={4} />
      <PageTitle>{t('onboarding.fileTitle')}</PageTitle>
      <p>{t('onboarding.fileText')}</p>
      <BackupFileDownload passphrase={props.passphrase} saved={saved} onSaved={() => setSaved(true)} />
      <ErrorNotice error={finish.error} />
      <div className="actions">
        {saved && !backedUp ? (
          <Button variant="primary" busy={finish.busy} onClick={() => void finish.run(true)}>
            {t('onboarding.fileStored')}
          </Button>
        ) : (
          <Button
            variant={saved ? 'primary' : 'secondary'}
            busy={finish.busy}
            onClick={() => void finish.run(false)}
          >
            {t('onboarding.finish')}
          </Button>
        )}
      </div>
      {!backedUp ? <p className="hint">{t('onboarding.reminderLater')}</p> : null}
    </main>
  )
}

function ImportStep(props: { onBack: () => void; onDone: () => Promise<void> }): ReactNode {
  const { t } = useTranslation()
  const [file, setFile] = useState<File | null>(null)
  const [passphrase, setPassphrase] = useState('')
  const [missingFile, setMissingFile] = useState(false)
  const setActive = useOnboarding((s) => s.setActive)
  const action = useAction(async () => {
    if (file === null) {
      setMissingFile(true)
      return
    }
    setActive(true)
    try {
      await client().call('identity.importBackup', { backup: await readFileBytes(file), passphrase })
    } catch (err) {
      setActive(false)
      throw err
    }
    await props.onDone()
  })
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    void action.run()
  }
  return (
    <main id="main" className="onboarding narrow">
      <PageTitle>{t('onboarding.importTitle')}</PageTitle>
      <p>{t('onboarding.importText')}</p>
      <ErrorNotice error={action.error} />
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="backup-file">{t('onboarding.backupFile')}</label>
          <input
            id="backup-file"
            type="file"
            accept=".icnkey,.json,application/json"
            aria-invalid={missingFile ? true : undefined}
            aria-describedby={missingFile ? 'backup-file-error' : undefined}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null)
              setMissingFile(false)
            }}
          />
          {missingFile ? (
            <p id="backup-file-error" className="field-error">
              {t('onboarding.chooseFile')}
            </p>
          ) : null}
        </div>
        <Field
          label={t('passphrase.ofBackup')}
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="current-password"
        />
        <div className="actions">
          <Button onClick={props.onBack}>{t('common.back')}</Button>
          <Button type="submit" variant="primary" busy={action.busy}>
            {t('onboarding.importAction')}
          </Button>
        </div>
      </form>
    </main>
  )
}

export function RecoverForm(props: { onDone: () => Promise<void>; onBack?: () => void }): ReactNode {
  const { t } = useTranslation()
  const [phrase, setPhrase] = useState('')
  const setActive = useOnboarding((s) => s.setActive)
  const action = useAction(async (passphrase: string) => {
    setActive(true)
    try {
      await client().call('identity.recover', {
        phrase: phrase.trim().toLowerCase().split(/\s+/).join(' '),
        passphrase,
      })
    } catch (err) {
      setActive(false)
      throw err
    }
    await props.onDone()
  })
  return (
    <>
      <ErrorNotice error={action.error} />
      <NewPassphraseForm
        submitLabel={t('onboarding.recoverAction')}
        busy={action.busy}
        onSubmit={(p) => void action.run(p)}
      >
        <Field
          label={t('onboarding.phraseLabel')}
          value={phrase}
          onChange={setPhrase}
          multiline
          hint={t('onboarding.phraseHint')}
        />
      </NewPassphraseForm>
      {props.onBack !== undefined ? (
        <Button variant="link" onClick={props.onBack}>
          {t('common.back')}
        </Button>
      ) : null}
    </>
  )
}

function RecoverStep(props: { onBack: () => void; onDone: () => Promise<void> }): ReactNode {
  const { t } = useTranslation()
  return (
    <main id="main" className="onboarding narrow">
      <PageTitle>{t('onboarding.recoverTitle')}</PageTitle>
      <p>{t('onboarding.recoverText')}</p>
      <RecoverForm onDone={props.onDone} onBack={props.onBack} />
    </main>
  )
}
