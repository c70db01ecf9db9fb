import { describe, expect, it } from 'vitest'
import { trayMenu, trayTooltip, type TrayItem, type TrayState } from './tray'

const state: TrayState = {
  status: 'running',
  peers: null,
  mana: null,
  pauseContributing: false,
  locale: 'en',
}

function labels(items: TrayItem[]): string[] {
  return items.map((i) => (i.type === 'separator' ? '---' : i.label))
}

describe('tray menu', () => {
  it('shows status and peers, then open, pause contributing and quit', () => {
    const menu = trayMenu(state, { open() {}, togglePause() {}, quit() {} })
    expect(labels(menu)).toEqual([
      'Node: running',
      'Peers: —',
      '---',
      'Open ICN',
      'Pause contributing',
      '---',
      'Quit ICN',
    ])
    expect(menu[0]).toMatchObject({ enabled: false })
  })

  it('shows mana only once the wallet reports it, and speaks Spanish', () => {
    const menu = trayMenu(
      { ...state, peers: 3, mana: '1200', locale: 'es', status: 'stopping' },
      {
        open() {},
        togglePause() {},
        quit() {},
      },
    )
    expect(labels(menu).slice(0, 3)).toEqual(['Nodo: deteniéndose', 'Pares: 3', 'Maná: 1200'])
  })

  it('toggles pause contributing and quits through the actions', () => {
    const calls: string[] = []
    const menu = trayMenu(
      { ...state, pauseContributing: true },
      {
        open: () => calls.push('open'),
        togglePause: (p) => calls.push(`pause ${p}`),
        quit: () => calls.push('quit'),
      },
    )
    const pause = menu.find((i) => i.type === 'checkbox')
    expect(pause).toMatchObject({ checked: true })
    for (const item of menu) if (item.type !== 'separator' && item.click !== undefined) item.click()
    expect(calls).toEqual(['open', 'pause false', 'quit'])
  })

  it('names the state in the tooltip', () => {
    expect(trayTooltip({ ...state, status: 'failed' })).toBe('ICN Desktop — failed')
  })
})
