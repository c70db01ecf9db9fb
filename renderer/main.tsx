import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nextProvider } from 'react-i18next'
import { App } from './App'
import { createI18n } from './i18n'
import { browserEnv, startBridge } from './lib/bridge'
import { useSettings } from './stores/settings'
import './styles.css'

const i18n = createI18n(useSettings.getState().language)
const bridge = startBridge(browserEnv())
const root = document.getElementById('root')
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <App bridge={bridge} />
      </I18nextProvider>
    </StrictMode>,
  )
}
