/**
 * The dashboard: what the node is doing and who the member is, then the cooperative at a glance: mana with a
 * gauge and the time until full, peers, the open proposals waiting for my vote, and my latest jobs. The cards
 * follow wallet, governance, mesh and network events while the dashboard is open.
 */
import { useEffect, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Definition, ErrorNotice, Ident, PageTitle } from '../components/ui'
import { StatusPill } from '../components/status'
import { formatDuration, formatNumber, formatTime, shorten } from '../lib/format'
import { href } from '../lib/routes'
import { DASHBOARD_ROWS, useDashboard } from '../stores/dashboard'
import { useIdentity } from '../stores/identity'
import { useNetwork } from '../stores/network'
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
      {status !== null ? <Cooperative /> : null}
    </div>
  )
}

function Cooperative(): ReactNode {
  const { t } = useTranslation()
  const refresh = useDashboard((s) => s.refresh)
  const setActive = useDashboard((s) => s.setActive)
  const refreshNetwork = useNetwork((s) => s.refresh)
  useEffect(() => {
    setActive(true)
    void refresh()
    void refreshNetwork()
    return () => setActive(false)
  }, [refresh, refreshNetwork, setActive])
  return (
    <section aria-labelledby="coop-title">
      <h2 id="coop-title" className="section-title">
        {t('dashboard.coopTitle')}
      </h2>
      <div className="cards">
        <ManaCard />
        <PeersCard />
        <VoteCard />
        <JobsCard />
      </div>
    </section>
  )
}

function ManaCard(): ReactNode {
  const { t, i18n } = useTranslation()
  const balance = useDashboard((s) => s.balance)
  const error = useDashboard((s) => s.balanceError)
  const loaded = useDashboard((s) => s.loaded)
  const locale = i18n.language
  let body: ReactNode
  if (balance !== null) {
    const available = Number(balance.available)
    const capacity = Number(balance.regenerating.capacity)
    const fullAt = balance.regenerating.fullAt
    body = (
      <>
        <p className="figure" data-testid="dashboard-mana">
          {t('dashboard.manaValue', {
            available: balance.available,
            capacity: balance.regenerating.capacity,
          })}
        </p>
        {capacity > 0 ? (
          <meter
            min={0}
            max={capacity}
            value={Math.min(available, capacity)}
            low={capacity * 0.25}
            optimum={capacity}
            aria-label={t('dashboard.manaGauge')}
          />
        ) : null}
        <p className="hint">
          {fullAt === null
            ? t('dashboard.manaFull')
            : t('dashboard.manaFullIn', {
                duration: formatDuration(Math.max(0, fullAt - Date.now()), locale),
                rate: balance.regenerating.ratePerHour,
              })}
          {balance.reserved !== '0' ? ' ' + t('dashboard.manaReserved', { reserved: balance.reserved }) : ''}
        </p>
      </>
    )
  } else if (error !== null) {
    body = <p className="hint">{t('dashboard.manaUnavailable', { code: error.code })}</p>
  } else {
    body = <p role="status">{loaded ? '—' : t('common.loading')}</p>
  }
  return (
    <section className="card" aria-labelledby="card-mana">
      <h2 id="card-mana">{t('dashboard.mana')}</h2>
      {body}
      <p>
        <a href={href('/wallet')}>{t('dashboard.openWallet')}</a>
      </p>
    </section>
  )
}

function PeersCard(): ReactNode {
  const { t, i18n } = useTranslation()
  const status = useNetwork((s) => s.status)
  let text: string
  if (status === null) text = t('common.loading')
  else if (!status.enabled) text = t('dashboard.peersOff')
  else if (status.error !== null) text = t('dashboard.peersFailed', { code: status.error.code })
  else if (status.starting) text = t('network.starting')
  else
    text = t('dashboard.peersValue', {
      count: status.peers,
      formatted: formatNumber(status.peers, i18n.language),
    })
  const last = status?.sync.lastRun ?? null
  return (
    <section className="card" aria-labelledby="card-peers">
      <h2 id="card-peers">{t('dashboard.peers')}</h2>
      <p className="figure" data-testid="dashboard-peers">
        {text}
      </p>
      {last !== null ? (
        <p className="hint">
          {t('dashboard.lastSync', { when: formatTime(last.finishedAt, i18n.language) })}
        </p>
      ) : null}
      <p>
        <a href={href('/network')}>{t('dashboard.openNetwork')}</a>
      </p>
    </section>
  )
}

function VoteCard(): ReactNode {
  const { t, i18n } = useTranslation()
  const toVote = useDashboard((s) => s.toVote)
  const moreOpen = useDashboard((s) => s.moreOpen)
  const error = useDashboard((s) => s.proposalsError)
  const loaded = useDashboard((s) => s.loaded)
  return (
    <section className="card" aria-labelledby="card-vote">
      <h2 id="card-vote">{t('dashboard.toVote')}</h2>
      {!loaded ? (
        <p role="status">{t('common.loading')}</p>
      ) : error !== null ? (
        <p className="hint">{t('dashboard.toVoteUnavailable', { code: error.code })}</p>
      ) : toVote.length === 0 ? (
        <p data-testid="dashboard-to-vote">{t('dashboard.toVoteNone')}</p>
      ) : (
        <>
          <p className="figure" data-testid="dashboard-to-vote">
            {t('dashboard.toVoteCount', { count: toVote.length })}
          </p>
          <ul className="plain-list">
            {toVote.slice(0, DASHBOARD_ROWS).map((p) => (
              <li key={p.id}>
                <a href={href(`/proposal/${p.id}`)}>{p.title}</a>{' '}
                <span className="hint">
                  {t('dashboard.closes', { when: formatTime(p.deadline, i18n.language) })}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {moreOpen ? <p className="hint">{t('dashboard.moreOpen')}</p> : null}
      <p>
        <a href={href('/governance')}>{t('dashboard.openGovernance')}</a>
      </p>
    </section>
  )
}

function JobsCard(): ReactNode {
  const { t, i18n } = useTranslation()
  const jobs = useDashboard((s) => s.jobs)
  const error = useDashboard((s) => s.jobsError)
  const loaded = useDashboard((s) => s.loaded)
  return (
    <section className="card" aria-labelledby="card-jobs">
      <h2 id="card-jobs">{t('dashboard.myJobs')}</h2>
      {!loaded ? (
        <p role="status">{t('common.loading')}</p>
      ) : error !== null ? (
        <p className="hint">{t('dashboard.jobsUnavailable', { code: error.code })}</p>
      ) : jobs.length === 0 ? (
        <p>{t('dashboard.jobsNone')}</p>
      ) : (
        <ul className="plain-list" data-testid="dashboard-jobs">
          {jobs.map((j) => (
            <li key={j.id}>
              <a href={href(`/job/${j.id}`)}>{shorten(j.id)}</a> {j.status}{' '}
              <span className="hint">{formatTime(j.submittedAt, i18n.language)}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={href('/jobs')}>{t('dashboard.openJobs')}</a>
      </p>
    </section>
  )
}
