import { render, type RenderResult } from '@testing-library/react'
import type { ReactNode } from 'react'
import { I18nextProvider } from 'react-i18next'
import { createClient } from '../../app/client'
import { createI18n } from '../i18n'
import { setClient } from '../lib/client'
import { ipcTransport } from '../lib/transport-ipc'
import type { ScriptedBridge } from './scripted-bridge'

/** Renders with translations and, when given, a client over a scripted bridge. */
export function renderUi(
  ui: ReactNode,
  options: { bridge?: ScriptedBridge; language?: string } = {},
): RenderResult {
  if (options.bridge !== undefined) setClient(createClient(ipcTransport(options.bridge)))
  return render(<I18nextProvider i18n={createI18n(options.language ?? 'en')}>{ui}</I18nextProvider>)
}
