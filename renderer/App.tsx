/** Chooses the screen: connect (browser mode without token) → onboarding → unlock → the app with its routes. */
import { useEffect, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { ConnectionBanner, Shell, SkipLink } from './components/shell'
import { ErrorNotice } from './components/ui'
import type { Bridge } from './lib/bridge'
import { applyTheme } from './lib/theme'
import { Backup } from './screens/Backup'
import { Block } from './screens/Block'
import { Connect } from './screens/Connect'
import { Dag } from './screens/Dag'
import { Dashboard } from './screens/Dashboard'
import { EventDetail } from './screens/EventDetail'
import { Later, NotFound } from './screens/Later'
import { Logs } from './screens/Logs'
import { Onboarding } from './screens/Onboarding'
import { Settings } from './screens/Settings'
import { Unlock } from './screens/Unlock'
import { useConnection } from './stores/connection'
import { useIdentity } from './stores/identity'
import { useOnboarding } from './stores/onboarding'
import { useRoute } from './stores/route'
import { useSettings } from './stores/settings'
import type { Route } from './lib/routes'

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
    case 'backup':
      return <Backup />
    case 'invite':
      return <Later kind="invite" id={route.code} />
    case 'proposal':
    case 'job':
      return <Later key={route.id} kind={route.name} id={route.id} />
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

  if (state === 'no-token' || state === 'unauthorized') {
    return (
      <Connect unauthorized={state === 'unauthorized'} onToken={(token) => void bridge.useToken(token)} />
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
      <>
        <ConnectionBanner />
        <Onboarding />
      </>
    )
  }
  if (identity.locked) {
    return (
      <>
        <ConnectionBanner />
        <Unlock />
      </>
    )
  }
  return (
    <Shell route={route}>
      <Screen key={route.name} route={route} />
    </Shell>
  )
}
