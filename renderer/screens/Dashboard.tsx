/**
 * The dashboard: what the node is doing and who the member is. The cooperative areas (mana, peers, proposals,
 * jobs) are reserved and filled by later features; until then they say so instead of showing numbers.
 */
import { useEffect, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Definition, ErrorNotice, Ident, PageTitle } from '../components/ui'
import { StatusPill } from '../components/status'
import { formatDuration, formatNumber } from '../lib/format'
import { href } from '../lib/routes'
import { useIdentity } from '../stores/identity'
import { useNode } from '../stores/node'

let readyMarked = false

export function Dashboard(): ReactNode {
  const { t, i18n } = useTranslation()
  const status = useNode((s) => s.status)
  const error = useNode((s) => s.error)
  const backedUp = useIdentity((s) => s.status?.backedUp)
  const did = useIdentity((s) => s.status?.did ?? null)
  const refresh = useNode((s) => s.refresh)
  const ready = status !== null
  useEffect(() => {
    void refresh()
  }, [refresh])
  useEffect(() => {
    if (ready && !readyMarked) {
      readyMarked = true
      performance.mark('icn:dashboard-ready')
    }
  }, [ready])
  const locale = i18n.language
  return (
    <div className="dashboard" data-ready={ready ? 'true' : 'false'}>
      <PageTitle>{t('dashboard.title')}</PageTitle>
      <ErrorNotice error={error} />
      {status === null ? (
        <p role="status">{t('common.loading')}</p>
      ) : (
        <div className="cards">
          <section className="card" aria-labelledby="card-node">
            <h2 id="card-node">{t('dashboard.node')}</h2>
            <dl className="defs">
              <Definition term={t('dashboard.status')}>
                <StatusPill status={status.status} />
              </Definition>
              <Definition term={t('dashboard.version')}>
                {t('dashboard.versionValue', { version: status.version, protocol: status.protocolVersion })}
              </Definition>
              <Definition term={t('dashboard.uptime')}>{formatDuration(status.uptimeMs, locale)}</Definition>
            </dl>
          </section>
          <section className="card" aria-labelledby="card-identity">
            <h2 id="card-identity">{t('dashboard.identity')}</h2>
            <dl className="defs">
              <Definition term={t('dashboard.did')}>
                {did === null ? t('dashboard.noIdentity') : <Ident value={did} />}
              </Definition>
              <Definition term={t('dashboard.backup')}>
                {backedUp === true ? (
                  t('dashboard.backedUp')
                ) : (
                  <a href={href('/backup')}>{t('dashboard.notBackedUp')}</a>
                )}
              </Definition>
            </dl>
          </section>
          <section className="card card-wide" aria-labelledby="card-state">
            <h2 id="card-state">{t('dashboard.state')}</h2>
            <dl className="defs">
              <Definition term={t('dashboard.stateRoot')}>
                <Ident value={status.stateRoot} />
              </Definition>
              <Definition term={t('dashboard.events')}>
                {t('dashboard.eventsValue', {
                  events: t('dashboard.eventCount', { count: status.events }),
                  authors: t('dashboard.authorCount', { count: status.authors }),
                })}
              </Definition>
              {status.pendingEvents > 0 ? (
                <Definition term={t('dashboard.pending')}>
                  {formatNumber(status.pendingEvents, locale)}
                </Definition>
              ) : null}
            </dl>
            <p>
              <a href={href('/dag')}>{t('dashboard.explore')}</a>
            </p>
          </section>
        </div>
      )}
      <section className="later" aria-labelledby="later-title">
        <h2 id="later-title">{t('dashboard.laterTitle')}</h2>
        <p className="hint">{t('dashboard.laterText')}</p>
        <ul className="later-list">
          <li>
            <a href={href('/wallet')}>{t('dashboard.laterMana')}</a>
          </li>
          <li>
            <a href={href('/governance')}>{t('dashboard.laterProposals')}</a>
          </li>
          <li>
            <a href={href('/jobs')}>{t('dashboard.laterJobs')}</a>
          </li>
          <li>{t('dashboard.laterPeers')}</li>
        </ul>
      </section>
    </div>
  )
}
