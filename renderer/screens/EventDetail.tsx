/** One event (events.get): who wrote it, where it sits in the author's chain, its body and signature. */
import { useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { EventDetail as Detail } from '../../app/contract'
import { JsonView } from '../components/json'
import { Definition, ErrorNotice, Ident, PageTitle } from '../components/ui'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { toHex } from '../lib/files'
import { formatBytes, formatTime } from '../lib/format'
import { href } from '../lib/routes'

export function EventDetail({ id }: { id: string }): ReactNode {
  const { t, i18n } = useTranslation()
  const [event, setEvent] = useState<Detail | null>(null)
  const [error, setError] = useState<ErrorInfo | null>(null)
  useEffect(() => {
    let live = true
    setEvent(null)
    setError(null)
    client()
      .call('events.get', { id })
      .then((e) => live && setEvent(e))
      .catch((err: unknown) => live && setError(errorInfo(err)))
    return () => {
      live = false
    }
  }, [id])
  return (
    <div>
      <PageTitle>
        {event === null ? t('dag.eventTitle') : t('dag.eventTitleType', { type: event.type })}
      </PageTitle>
      <p>
        <a href={href('/dag')}>{t('dag.back')}</a>
      </p>
      <ErrorNotice error={error} />
      {event === null && error === null ? <p role="status">{t('common.loading')}</p> : null}
      {event !== null ? (
        <>
          <section className="card" aria-labelledby="event-facts">
            <h2 id="event-facts" className="visually-hidden">
              {t('dag.facts')}
            </h2>
            <dl className="defs">
              <Definition term={t('dag.eventId')}>
                <Ident value={event.id} />
              </Definition>
              <Definition term={t('dag.type')}>{event.type}</Definition>
              <Definition term={t('dag.statusCol')}>{t(`dag.status.${event.status}`)}</Definition>
              <Definition term={t('dag.author')}>
                <Ident value={event.author} />
              </Definition>
              <Definition term={t('dag.seq')}>{event.seq}</Definition>
              <Definition term={t('dag.scope')}>
                <Ident value={event.scope} />
              </Definition>
              <Definition term={t('dag.time')}>{formatTime(event.ts, i18n.language)}</Definition>
              <Definition term={t('dag.prev')}>
                {event.prev === null ? (
                  t('dag.firstInChain')
                ) : (
                  <a href={href(`/event/${event.prev}`)}>{event.prev}</a>
                )}
              </Definition>
              <Definition term={t('dag.size')}>{formatBytes(event.bytes.length, i18n.language)}</Definition>
              <Definition term={t('dag.signature')}>
                <Ident value={toHex(event.signature)} />
              </Definition>
            </dl>
            <p>
              <a href={href(`/dag/${event.id}`)}>{t('dag.rawBlock')}</a>
            </p>
          </section>
          <section aria-labelledby="event-body">
            <h2 id="event-body">{t('dag.body')}</h2>
            <JsonView value={event.body} />
          </section>
        </>
      ) : null}
    </div>
  )
}
