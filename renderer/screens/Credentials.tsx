/**
 * Verifiable credentials (docs/credentials.md): the member's membership, role and capability credentials with
 * their issuer, dates and revocation; one credential's W3C JSON, a signed presentation of it to copy or download,
 * and a verifier for a pasted credential or presentation that says in plain words why one fails. The list follows
 * `cred:*` events through the credentials store.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { CredentialInfo, CredentialSummaryInfo, CredentialVerification } from '../../app/contract'
import { JsonView } from '../components/json'
import { Button, Definition, ErrorNotice, Field, Ident, PageTitle, useAction } from '../components/ui'
import { client } from '../lib/client'
import { saveBytes } from '../lib/files'
import { formatTime, shorten } from '../lib/format'
import { href } from '../lib/routes'
import { readPastedDocument, useCredentials } from '../stores/credentials'
import { useIdentity } from '../stores/identity'

type T = (key: string, options?: Record<string, unknown>) => string

function typeOf(c: CredentialSummaryInfo, t: T): string {
  switch (c.kind) {
    case 'membership':
      return t('cred.membership')
    case 'role':
      return t('cred.role', { role: c.role ?? '' })
    case 'capability':
      return t('cred.capability', { capability: c.capability ?? '' })
  }
}

function validUntil(c: CredentialSummaryInfo, t: T, locale: string): string {
  if (c.validUntil === null) return t('cred.noExpiry')
  const ms = Date.parse(c.validUntil)
  return Number.isNaN(ms) ? c.validUntil : formatTime(ms, locale)
}

function StatusText({ c }: { c: CredentialSummaryInfo }): ReactNode {
  const { t, i18n } = useTranslation()
  if (c.revoked) {
    return (
      <span className="pill pill-failed">
        {c.revokedAt === null
          ? t('cred.revoked')
          : t('cred.revokedAt', { when: formatTime(c.revokedAt, i18n.language) })}
      </span>
    )
  }
  if (c.validUntil !== null && Date.parse(c.validUntil) < Date.now())
    return <span className="pill pill-failed">{t('cred.expired')}</span>
  return <span className="pill pill-running">{t('cred.active')}</span>
}

/** Copies text to the clipboard and says so; the download button beside it covers browsers that refuse. */
function CopyButton({ text, label }: { text: string; label: string }): ReactNode {
  const { t } = useTranslation()
  const [copied, setCopied] = useState(false)
  const copy = useAction(async () => {
    await navigator.clipboard.writeText(text)
    setCopied(true)
  })
  return (
    <>
      <Button onClick={() => void copy.run()} busy={copy.busy}>
        {label}
      </Button>
      {copied ? (
        <span role="status" className="hint">
          {' '}
          {t('cred.copied')}
        </span>
      ) : null}
      <ErrorNotice error={copy.error} />
    </>
  )
}

function fileName(id: string, suffix: string): string {
  return `${id
    .replace(/^urn:icn:credential:/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 80)}${suffix}`
}

function List({
  items,
  label,
  withSubject,
  selected,
  onSelect,
}: {
  items: CredentialSummaryInfo[]
  label: string
  withSubject: boolean
  selected: string | null
  onSelect: (id: string) => void
}): ReactNode {
  const { t, i18n } = useTranslation()
  return (
    <div className="table-scroll">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">{t('cred.type')}</th>
            {withSubject ? <th scope="col">{t('cred.subject')}</th> : null}
            <th scope="col">{t('cred.issuer')}</th>
            <th scope="col">{t('cred.issued')}</th>
            <th scope="col">{t('cred.expires')}</th>
            <th scope="col">{t('cred.status')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('cred.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} data-testid={`credential-${c.kind}`}>
              <td>{typeOf(c, t)}</td>
              {withSubject ? (
                <td>
                  <Ident value={shorten(c.subject)} label={c.subject} />
                </td>
              ) : null}
              <td>
                <Ident value={shorten(c.scope, 16, 6)} label={c.scope} />
              </td>
              <td>{formatTime(c.issuedAt, i18n.language)}</td>
              <td>{validUntil(c, t, i18n.language)}</td>
              <td>
                <StatusText c={c} />
              </td>
              <td>
                <Button onClick={() => onSelect(c.id)} variant="link">
                  {selected === c.id ? t('cred.shown') : t('cred.show', { type: typeOf(c, t) })}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Present({ id }: { id: string }): ReactNode {
  const { t } = useTranslation()
  const [audience, setAudience] = useState('')
  const [challenge, setChallenge] = useState('')
  const [presentation, setPresentation] = useState<string | null>(null)
  const present = useAction(async () => {
    setPresentation(null)
    const vp = await client().call('identity.present', {
      id,
      ...(audience.trim() === '' ? {} : { audience: audience.trim() }),
      ...(challenge.trim() === '' ? {} : { challenge: challenge.trim() }),
    })
    setPresentation(JSON.stringify(vp, null, 2))
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void present.run()
  }
  return (
    <section aria-labelledby="cred-present">
      <h3 id="cred-present">{t('cred.present')}</h3>
      <p className="hint">{t('cred.presentText')}</p>
      <form onSubmit={onSubmit} noValidate>
        <Field
          label={t('cred.audience')}
          value={audience}
          onChange={setAudience}
          hint={t('cred.audienceHint')}
        />
        <Field
          label={t('cred.challenge')}
          value={challenge}
          onChange={setChallenge}
          hint={t('cred.challengeHint')}
        />
        <ErrorNotice error={present.error} />
        <Button type="submit" busy={present.busy}>
          {t('cred.presentAction')}
        </Button>
      </form>
      {presentation !== null ? (
        <>
          <div className="field">
            <label htmlFor="cred-presentation">{t('cred.presentation')}</label>
            <textarea id="cred-presentation" readOnly rows={8} value={presentation} spellCheck={false} />
          </div>
          <p className="actions">
            <CopyButton text={presentation} label={t('cred.copyPresentation')} />
            <Button
              onClick={() =>
                saveBytes(
                  new TextEncoder().encode(presentation),
                  fileName(id, '-presentation.json'),
                  'application/json',
                )
              }
            >
              {t('cred.downloadPresentation')}
            </Button>
          </p>
        </>
      ) : null}
    </section>
  )
}

function Revoke({ id, onDone }: { id: string; onDone: () => Promise<void> }): ReactNode {
  const { t } = useTranslation()
  const [reason, setReason] = useState('')
  const revoke = useAction(async () => {
    await client().call('identity.revokeCredential', {
      id,
      ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
    })
    await onDone()
  })
  return (
    <section aria-labelledby="cred-revoke">
      <h3 id="cred-revoke">{t('cred.revoke')}</h3>
      <p className="hint">{t('cred.revokeText')}</p>
      <Field label={t('cred.reason')} value={reason} onChange={setReason} />
      <ErrorNotice error={revoke.error} />
      <Button variant="danger" onClick={() => void revoke.run()} busy={revoke.busy}>
        {t('cred.revokeAction')}
      </Button>
    </section>
  )
}

function Detail({ id }: { id: string }): ReactNode {
  const { t, i18n } = useTranslation()
  const me = useIdentity((s) => s.status?.did ?? null)
  const refreshList = useCredentials((s) => s.refresh)
  // Re-read the detail when the list changes (a revocation arrives).
  const listed = useCredentials(
    (s) => s.credentials?.find((c) => c.id === id) ?? s.signed.find((c) => c.id === id),
  )
  const [info, setInfo] = useState<CredentialInfo | null>(null)
  const load = useAction(async () => {
    setInfo(await client().call('identity.credential', { id }))
  })
  const { run } = load
  useEffect(() => {
    // `run` is a new function every render; the id and the listed revocation state are what matter.
    void run()
  }, [id, listed?.revoked])
  const loaded = info !== null
  useEffect(() => {
    // Opening a credential moves focus to it, so keyboard and screen-reader users land on what they chose.
    if (loaded) document.getElementById('cred-detail')?.focus()
  }, [loaded])
  if (info === null)
    return load.error !== null ? (
      <ErrorNotice error={load.error} />
    ) : (
      <p role="status">{t('common.loading')}</p>
    )
  const json = JSON.stringify(info.credential, null, 2)
  return (
    <section className="card card-wide" aria-labelledby="cred-detail">
      <h2 id="cred-detail" tabIndex={-1}>
        {typeOf(info, t)}
      </h2>
      <dl className="defs">
        <Definition term={t('cred.id')}>
          <Ident value={info.id} />
        </Definition>
        <Definition term={t('cred.issuer')}>
          <Ident value={info.scope} />
        </Definition>
        <Definition term={t('cred.subject')}>
          <Ident value={info.subject} />
        </Definition>
        <Definition term={t('cred.signer')}>
          <Ident value={info.signer} />
        </Definition>
        <Definition term={t('cred.decision')}>
          <a href={href(`/proposal/${info.proposal}`)}>{shorten(info.proposal, 12, 6)}</a>
        </Definition>
        <Definition term={t('cred.anchor')}>
          <a href={href(`/event/${info.event}`)}>{shorten(info.event, 12, 6)}</a>
        </Definition>
        <Definition term={t('cred.status')}>
          <StatusText c={info} />
        </Definition>
      </dl>
      {info.revocations.length > 0 ? (
        <>
          <h3>{t('cred.revocations')}</h3>
          <ul className="plain-list">
            {info.revocations.map((r) => (
              <li key={r.event}>
                {t('cred.revocation', {
                  when: formatTime(r.ts, i18n.language),
                  by: shorten(r.author),
                  reason: r.reason === '' ? '—' : r.reason,
                })}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>{t('cred.json')}</h3>
      <JsonView value={info.credential} />
      <p className="actions">
        <CopyButton text={json} label={t('cred.copyJson')} />
        <Button
          onClick={() => saveBytes(new TextEncoder().encode(json), fileName(id, '.json'), 'application/json')}
        >
          {t('cred.downloadJson')}
        </Button>
      </p>
      {!info.revoked && info.subject === me ? <Present id={id} /> : null}
      {!info.revoked && info.signer === me ? (
        <Revoke
          id={id}
          onDone={async () => {
            await Promise.all([refreshList(), run()])
          }}
        />
      ) : null}
    </section>
  )
}

/** A check's failure code in plain words, falling back to the node's message for codes we do not know. */
function explain(code: string, message: string, t: T, exists: (key: string) => boolean): string {
  const key = `cred.why_${code}`
  return exists(key) ? t(key) : message
}

function Verify(): ReactNode {
  const { t, i18n } = useTranslation()
  const [text, setText] = useState('')
  const [result, setResult] = useState<CredentialVerification | null>(null)
  const pasted = text.trim() === '' ? null : readPastedDocument(text)
  const inputError =
    pasted?.kind === 'error'
      ? pasted.reason === 'json'
        ? t('cred.notJson')
        : t('cred.notObject')
      : undefined
  const verify = useAction(async () => {
    if (pasted === null || pasted.kind === 'error') return
    setResult(null)
    setResult(
      await client().call(
        'identity.verifyCredential',
        pasted.kind === 'presentation' ? { presentation: pasted.value } : { credential: pasted.value },
      ),
    )
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void verify.run()
  }
  const exists = (key: string): boolean => i18n.exists(key)
  return (
    <section className="card card-wide" aria-labelledby="cred-verify">
      <h2 id="cred-verify">{t('cred.verify')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <Field
          label={t('cred.paste')}
          value={text}
          onChange={(v) => {
            setText(v)
            setResult(null)
          }}
          hint={t('cred.pasteHint')}
          error={inputError}
          multiline
        />
        <ErrorNotice error={verify.error} />
        <Button
          type="submit"
          variant="primary"
          busy={verify.busy}
          disabled={pasted === null || pasted.kind === 'error'}
        >
          {t('cred.verifyAction')}
        </Button>
      </form>
      {result !== null ? (
        <div
          className={`notice ${result.valid ? 'notice-success' : 'notice-error'}`}
          role="status"
          data-testid="cred-verdict"
        >
          <p className="notice-title">
            {result.valid
              ? t(result.kind === 'presentation' ? 'cred.validPresentation' : 'cred.validCredential')
              : t(result.kind === 'presentation' ? 'cred.invalidPresentation' : 'cred.invalidCredential')}
            {result.error !== undefined ? (
              <>
                {' '}
                <code className="error-code">{result.error.code}</code>
              </>
            ) : null}
          </p>
          {result.error !== undefined ? (
            <p>{explain(result.error.code, result.error.message, t, exists)}</p>
          ) : null}
          <ul className="plain-list" aria-label={t('cred.checks')}>
            {result.checks.map((c, i) => (
              <li key={`${c.check}-${i}`}>
                {t(`cred.check_${c.status}`)} — {t(`cred.checkName_${c.check}`)}
                {c.status === 'passed'
                  ? ''
                  : `: ${c.code !== undefined ? explain(c.code, c.message, t, exists) : c.message}`}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  )
}

export function Credentials(): ReactNode {
  const { t } = useTranslation()
  const refresh = useCredentials((s) => s.refresh)
  const error = useCredentials((s) => s.error)
  const credentials = useCredentials((s) => s.credentials)
  const signed = useCredentials((s) => s.signed)
  const [selected, setSelected] = useState<string | null>(null)
  useEffect(() => {
    void refresh()
  }, [refresh])
  return (
    <div>
      <PageTitle>{t('cred.title')}</PageTitle>
      <p className="hint">{t('cred.intro')}</p>
      <ErrorNotice error={error} />
      <div className="cards">
        <section className="card card-wide" aria-labelledby="cred-mine">
          <h2 id="cred-mine">{t('cred.mine')}</h2>
          {credentials === null ? (
            <p role="status">{t('common.loading')}</p>
          ) : credentials.length === 0 ? (
            <p className="hint">{t('cred.none')}</p>
          ) : (
            <List
              items={credentials}
              label={t('cred.mine')}
              withSubject={false}
              selected={selected}
              onSelect={setSelected}
            />
          )}
        </section>
        {signed.length > 0 ? (
          <section className="card card-wide" aria-labelledby="cred-signed">
            <h2 id="cred-signed">{t('cred.signed')}</h2>
            <p className="hint">{t('cred.signedText')}</p>
            <List
              items={signed}
              label={t('cred.signed')}
              withSubject
              selected={selected}
              onSelect={setSelected}
            />
          </section>
        ) : null}
        {selected !== null ? <Detail key={selected} id={selected} /> : null}
        <Verify />
      </div>
    </div>
  )
}
