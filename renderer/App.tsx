/** Chooses the screen: connect (browser mode without token) → onboarding → unlock → the app with its routes. */
import { lazy, Suspense, useEffect, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { ConnectionBanner, Shell, SkipLink } from './components/shell'
import { ErrorNotice } from './components/ui'
import type { Bridge } from './lib/bridge'
import { applyTheme } from './lib/theme'
import { Dashboard } from './screens/Dashboard'
import { useConnection } from './stores/connection'
import { useIdentity } from './stores/identity'
import { useOnboarding } from './stores/onboarding'
import { useRoute } from './stores/route'
import { useSettings } from './stores/settings'
import type { Route } from './lib/routes'

// The dashboard is the first screen most of the time; the others load on demand (a smaller first script).
const Backup = lazy(() => import('./screens/Backup').then((m) => ({ default: m.Backup })))
const Block = lazy(() => import('./screens/Block').then((m) => ({ default: m.Block })))
const Credentials = lazy(() => import('./screens/Credentials').then((m) => ({ default: m.Credentials })))
const Connect = lazy(() => import('./screens/Connect').then((m) => ({ default: m.Connect })))
const Dag = lazy(() => import('./screens/Dag').then((m) => ({ default: m.Dag })))
const EventDetail = lazy(() => import('./screens/EventDetail').then((m) => ({ default: m.EventDetail })))
const Logs = lazy(() => import('./screens/Logs').then((m) => ({ default: m.Logs })))
const Onboarding = lazy(() => import('./screens/Onboarding').then((m) => ({ default: m.Onboarding })))
const Settings = lazy(() => import('./screens/Settings').then((m) => ({ default: m.Settings })))
const Unlock = lazy(() => import('./screens/Unlock').then((m) => ({ default: m.Unlock })))
const Wallet = lazy(() => import('./screens/Wallet').then((m) => ({ default: m.Wallet })))
const Jobs = lazy(() => import('./screens/Jobs').then((m) => ({ default: m.Jobs })))
const JobDetail = lazy(() => import('./screens/Jobs').then((m) => ({ default: m.JobDetail })))
const Contribute = lazy(() => import('./screens/Jobs').then((m) => ({ default: m.Contribute })))
const Governance = lazy(() => import('./screens/Governance').then((m) => ({ default: m.Governance })))
const Proposal = lazy(() => import('./screens/Governance').then((m) => ({ default: m.Proposal })))
const Invite = lazy(() => import('./screens/Governance').then((m) => ({ default: m.Invite })))
const Network = lazy(() => import('./screens/Network').then((m) => ({ default: m.Network })))
const NotFound = lazy(() => import('./screens/Later').then((m) => ({ default: m.NotFound })))

function Screen({ route }: { route: Route }): ReactNode {
  switch (route.name) {
    case 'dashboard':
      return <Dashboard />
    case 'dag':
      return <Dag />
    case 'block':
      return <Block key={route.cid} cid={route.cid} />
    case 'event':
      return <EventDetail key={route.id} id={route.id} />
    case 'settings':
      return <Settings />
    case 'logs':
      return <Logs />
    case 'wallet':
      return <Wallet />
    case 'credentials':
      return <Credentials />
    case 'jobs':
      return <Jobs />
    case 'governance':
      return <Governance />
    case 'contribute':
      return <Contribute />
    case 'network':
      return <Network />
    case 'job':
      return <JobDetail key={route.id} id={route.id} />
    case 'backup':
      return <Backup />
    case 'invite':
      return <Invite key={route.code} code={route.code} />
    case 'proposal':
      return <Proposal key={route.id} id={route.id} />
    case 'not-found':
      return <NotFound path={route.path} />
  }
}

export function App({ bridge }: { bridge: Bridge }): ReactNode {
  const { t, i18n } = useTranslation()
  const theme = useSettings((s) => s.theme)
  const language = useSettings((s) => s.language)
  const state = useConnection((s) => s.state)
  const identity = useIdentity((s) => s.status)
  const identityError = useIdentity((s) => s.error)
  const onboarding = useOnboarding((s) => s.active)
  const route = useRoute((s) => s.route)
  const sync = useRoute((s) => s.sync)

  useEffect(() => applyTheme(theme), [theme])
  useEffect(() => {
    void i18n.changeLanguage(language)
    document.documentElement.lang = language
  }, [i18n, language])
  useEffect(() => {
    document.title = t('app.name')
  }, [t, language])
  useEffect(() => {
    const onHash = (): void => {
      bridge.checkHashToken()
      sync()
    }
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [bridge, sync])

  const loading = <p role="status">{t('common.loading')}</p>
  if (state === 'no-token' || state === 'unauthorized') {
    return (
      <Suspense fallback={loading}>
        <Connect unauthorized={state === 'unauthorized'} onToken={(token) => void bridge.useToken(token)} />
      </Suspense>
    )
  }
  if (identity === null) {
    return (
      <main id="main" className="onboarding narrow">
        <SkipLink />
        <ConnectionBanner />
        {identityError !== null ? (
          <ErrorNotice error={identityError} />
        ) : (
          <p role="status">{t('common.connecting')}</p>
        )}
      </main>
    )
  }
  if (!identity.exists || onboarding) {
    return (
      <Suspense fallback={loading}>
        <ConnectionBanner />
        <Onboarding />
      </Suspense>
    )
  }
  if (identity.locked) {
    return (
      <Suspense fallback={loading}>
        <ConnectionBanner />
        <Unlock />
      </Suspense>
    )
  }
  return (
    <Shell route={route}>
      <Suspense fallback={loading}>
        <Screen key={route.name} route={route} />
      </Suspense>
    </Shell>
  )
}
