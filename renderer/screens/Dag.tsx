/** The DAG explorer's start page: open any CID, add a file, and browse the newest events. */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Button, ErrorNotice, Field, PageTitle, useAction } from '../components/ui'
import { client } from '../lib/client'
import { readFileBytes } from '../lib/files'
import { formatTime, shorten } from '../lib/format'
import { href } from '../lib/routes'
import { useEvents } from '../stores/events'
import { useRoute } from '../stores/route'

const CID_INPUT = /^[A-Za-z0-9]{8,200}$/

export function Dag(): ReactNode {
  const { t } = useTranslation()
  return (
    <div>
      <PageTitle>{t('dag.title')}</PageTitle>
      <p className="lead">{t('dag.lead')}</p>
      <div className="cards">
        <OpenCid />
        <AddFile />
      </div>
      <RecentEvents />
    </div>
  )
}

function OpenCid(): ReactNode {
  const { t } = useTranslation()
  const navigate = useRoute((s) => s.navigate)
  const [cid, setCid] = useState('')
  const [invalid, setInvalid] = useState(false)
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    const value = cid.trim()
    const ok = CID_INPUT.test(value)
    setInvalid(!ok)
    if (ok) navigate(`/dag/${value}`)
  }
  return (
    <section className="card" aria-labelledby="open-cid">
      <h2 id="open-cid">{t('dag.openTitle')}</h2>
      <form onSubmit={submit} noValidate>
        <Field
          label={t('dag.cid')}
          value={cid}
          onChange={setCid}
          error={invalid ? t('dag.cidInvalid') : undefined}
        />
        <div className="actions">
          <Button type="submit" variant="primary">
            {t('dag.open')}
          </Button>
        </div>
      </form>
    </section>
  )
}

function AddFile(): ReactNode {
  const { t } = useTranslation()
  const navigate = useRoute((s) => s.navigate)
  const [file, setFile] = useState<File | null>(null)
  const action = useAction(async () => {
    if (file === null) return
    const { cid } = await client().call('dag.put', { bytes: await readFileBytes(file) })
    navigate(`/dag/${cid}`)
  })
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    void action.run()
  }
  return (
    <section className="card" aria-labelledby="add-file">
      <h2 id="add-file">{t('dag.addTitle')}</h2>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="dag-file">{t('dag.file')}</label>
          <input
            id="dag-file"
            type="file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            aria-describedby="dag-file-hint"
          />
          <p id="dag-file-hint" className="hint">
            {t('dag.fileHint')}
          </p>
        </div>
        <ErrorNotice error={action.error} />
        <div className="actions">
          <Button type="submit" busy={action.busy} disabled={file === null}>
            {t('dag.add')}
          </Button>
        </div>
      </form>
    </section>
  )
}

function RecentEvents(): ReactNode {
  const { t, i18n } = useTranslation()
  const events = useEvents((s) => s.events)
  const loading = useEvents((s) => s.loading)
  const error = useEvents((s) => s.error)
  const next = useEvents((s) => s.next)
  const hasNewer = useEvents((s) => s.newer.length > 0)
  const unseen = useEvents((s) => s.unseen)
  const load = useEvents((s) => s.load)
  const older = useEvents((s) => s.older)
  const newerPage = useEvents((s) => s.newerPage)
  useEffect(() => {
    void load(undefined)
  }, [load])
  return (
    <section aria-labelledby="recent-events" className="recent">
      <h2 id="recent-events">{t('dag.recentTitle')}</h2>
      <ErrorNotice error={error} />
      {unseen > 0 ? (
        <p role="status" className="notice">
          {t('dag.unseen', { count: unseen })}{' '}
          <Button variant="link" onClick={() => void load(undefined)}>
            {t('dag.showNewest')}
          </Button>
        </p>
      ) : null}
      {events.length === 0 && !loading ? (
        <p>{t('dag.noEvents')}</p>
      ) : (
        <table className="table" aria-busy={loading}>
          <caption className="visually-hidden">{t('dag.recentTitle')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('dag.type')}</th>
              <th scope="col">{t('dag.author')}</th>
              <th scope="col">{t('dag.seq')}</th>
              <th scope="col">{t('dag.time')}</th>
              <th scope="col">{t('dag.statusCol')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={href(`/event/${e.id}`)} title={e.id}>
                    {e.type}
                  </a>
                </td>
                <td>
                  <code title={e.author}>{shorten(e.author)}</code>
                </td>
                <td>{e.seq}</td>
                <td>{formatTime(e.ts, i18n.language)}</td>
                <td>{t(`dag.status.${e.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <Button onClick={() => void newerPage()} disabled={!hasNewer || loading}>
          {t('dag.newer')}
        </Button>
        <Button onClick={() => void older()} disabled={next === null || loading}>
          {t('dag.older')}
        </Button>
      </div>
    </section>
  )
}
