/**
 * The tray menu as plain data (Electron's MenuItemConstructorOptions subset), built from the node's state, so
 * its content is tested without Electron. main.ts turns it into a Menu and rebuilds it when the state changes.
 */
import type { NodeStatusName } from '../app/contract'
import { translate, type Locale } from './strings'

export interface TrayState {
  status: NodeStatusName
  /** Connected peers; null until the network service reports them. */
  peers: number | null
  /** Available mana (integer string, base units); null until the wallet reports it. */
  mana: string | null
  pauseContributing: boolean
  locale: Locale
}

export interface TrayActions {
  open: () => void
  togglePause: (paused: boolean) => void
  quit: () => void
}

export type TrayItem =
  | { type: 'normal'; label: string; enabled: boolean; click?: () => void }
  | { type: 'checkbox'; label: string; checked: boolean; click: () => void }
  | { type: 'separator' }

export function trayMenu(state: TrayState, actions: TrayActions): TrayItem[] {
  const t = (key: Parameters<typeof translate>[1], values?: Record<string, string | number>): string =>
    translate(state.locale, key, values)
  const items: TrayItem[] = [
    { type: 'normal', label: t('status', { status: t(`status.${state.status}`) }), enabled: false },
    {
      type: 'normal',
      label: t('peers', { peers: state.peers === null ? t('unknown') : state.peers }),
      enabled: false,
    },
  ]
  if (state.mana !== null)
    items.push({ type: 'normal', label: t('mana', { mana: state.mana }), enabled: false })
  items.push(
    { type: 'separator' },
    { type: 'normal', label: t('open'), enabled: true, click: actions.open },
    {
      type: 'checkbox',
      label: t('pause'),
      checked: state.pauseContributing,
      click: () => actions.togglePause(!state.pauseContributing),
    },
    { type: 'separator' },
    { type: 'normal', label: t('quit'), enabled: true, click: actions.quit },
  )
  return items
}

export function trayTooltip(state: TrayState): string {
  const status = translate(state.locale, `status.${state.status}`)
  return `${translate(state.locale, 'appName')} — ${status}`
}
