/** The frame around every screen once the member is in: header, navigation, banners, progress. */
import { useEffect, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import logo from '../../resources/icons/icon.svg'
import { href, type Route } from '../lib/routes'
import { useConnection } from '../stores/connection'
import { useIdentity } from '../stores/identity'
import { useNode } from '../stores/node'
import { useProgress } from '../stores/progress'
import { StatusPill } from './status'
import { Button, useAction } from './ui'

const NAV: { path: string; key: string; matches: Route['name'][] }[] = [
  { path: '/', key: 'nav.dashboard', matches: ['dashboard'] },
  { path: '/wallet', key: 'nav.wallet', matches: ['wallet'] },
  { path: '/credentials', key: 'nav.credentials', matches: ['credentials'] },
  { path: '/governance', key: 'nav.governance', matches: ['governance', 'proposal', 'invite'] },
  { path: '/jobs', key: 'nav.jobs', matches: ['jobs', 'job'] },
  { path: '/contribute', key: 'nav.contribute', matches: ['contribute'] },
  { path: '/network', key: 'nav.network', matches: ['network'] },
  { path: '/dag', key: 'nav.dag', matches: ['dag', 'block', 'event'] },
  { path: '/settings', key: 'nav.settings', matches: ['settings', 'backup'] },
  { path: '/logs', key: 'nav.logs', matches: ['logs'] },
]

export function SkipLink(): ReactNode {
  const { t } = useTranslation()
  // A button, not href="#main": the fragment is the router's.
  return (
    <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
      {t('nav.skip')}
    </button>
  )
}

export function Shell({ route, children }: { route: Route; children: ReactNode }): ReactNode {
  const { t } = useTranslation()
  const lifecycle = useNode((s) => s.lifecycle)
  const lock = useIdentity((s) => s.lock)
  const lockAction = useAction(lock)
  const mainRef = useRef<HTMLElement>(null)
  return (
    <div className="app">
      <SkipLink />
      <header className="topbar">
        <span className="brand">
          <img src={logo} alt="" width="28" height="28" />
          <span>{t('app.name')}</span>
        </span>
        <span className="topbar-status">
          {lifecycle !== null ? (
            <>
              <span className="visually-hidden">{t('dashboard.status')}: </span>
              <StatusPill status={lifecycle} />
            </>
          ) : null}
          <Button onClick={() => void lockAction.run()} busy={lockAction.busy}>
            {t('settings.lock')}
          </Button>
        </span>
      </header>
      <nav className="sidebar" aria-label={t('nav.label')}>
        <ul>
          {NAV.map((item) => (
            <li key={item.path}>
              <a href={href(item.path)} aria-current={item.matches.includes(route.name) ? 'page' : undefined}>
                {t(item.key)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={mainRef} tabIndex={-1} className="content">
        <Banners />
        {children}
      </main>
      <ProgressDock />
    </div>
  )
}

/** Connection and backup banners; the connection one also shows on onboarding screens. */
export function ConnectionBanner(): ReactNode {
  const { t } = useTranslation()
  const state = useConnection((s) => s.state)
  const mode = useConnection((s) => s.mode)
  const lifecycle = useNode((s) => s.lifecycle)
  const lifecycleError = useNode((s) => s.lifecycleError)
  if (state === 'closed') {
    return (
      <div className="banner banner-error" role="alert">
        <strong>{t('connection.lostTitle')}</strong>{' '}
        {mode === 'electron' ? t('connection.lostApp') : t('connection.lostBrowser')}
      </div>
    )
  }
  if (lifecycle === 'stopping' || lifecycle === 'stopped' || lifecycle === 'failed') {
    return (
      <div className="banner banner-error" role="alert">
        <strong>{t(`connection.node_${lifecycle}`)}</strong>{' '}
        {lifecycleError !== null ? (
          <>
            <code className="error-code">{lifecycleError.code}</code> {lifecycleError.message}
          </>
        ) : (
          t('connection.nodeNext')
        )}
      </div>
    )
  }
  return null
}

function Banners(): ReactNode {
  const { t } = useTranslation()
  const identity = useIdentity((s) => s.status)
  return (
    <>
      <ConnectionBanner />
      {identity !== null && identity.exists && !identity.backedUp ? (
        <div className="banner banner-warning" role="note">
          <strong>{t('backup.reminderTitle')}</strong> {t('backup.reminderText')}{' '}
          <a href={href('/backup')}>{t('backup.reminderAction')}</a>
        </div>
      ) : null}
    </>
  )
}

export function ProgressDock(): ReactNode {
  const { t, i18n } = useTranslation()
  const items = useProgress((s) => s.items)
  const prune = useProgress((s) => s.prune)
  useEffect(() => {
    const timer = setInterval(() => prune(), 500)
    return () => clearInterval(timer)
  }, [prune])
  return (
    <div className="progress-dock" aria-live="polite">
      {items.map((item) => {
        const key = `progress.${item.operation}`
        const label = i18n.exists(key) ? t(key) : item.operation
        return (
          <div key={item.key} className="progress-item">
            <span className="progress-label">{item.message ?? label}</span>
            {item.total !== undefined && item.total > 0 ? (
              <progress value={item.done} max={item.total} aria-label={label} />
            ) : (
              <progress aria-label={label} />
            )}
          </div>
        )
      })}
    </div>
  )
}
