// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PendingCredit } from '../../app/contract'
import { setClient } from '../lib/client'
import { useWallet } from '../stores/wallet'
import { renderUi } from '../test/render'
import { DID, scriptedBridge } from '../test/scripted-bridge'
import { Wallet } from './Wallet'

const now = Date.now()
const credit = (n: number, amount: string, economy = 'global'): PendingCredit => ({
  credit: `bafycredit${n}:0`,
  kind: 'transfer',
  scope: economy,
  economy,
  from: 'did:key:z6Mksendersendersendersendersendersendersendersender',
  asset: 'mana',
  amount,
  ts: now,
})

function walletBridge(pending: { credits: PendingCredit[] }) {
  return scriptedBridge({
    'wallet.balance': () => ({
      did: DID,
      scope: 'global',
      economy: 'global',
      available: '500',
      reserved: '0',
      regenerating: { ratePerHour: '50', capacity: '1000', fullAt: now + 3_600_000 },
      full: false,
      opened: true,
    }),
    'wallet.history': () => ({ entries: [], next: null }),
    'wallet.pending': () => pending,
    'tokens.balances': () => ({ balances: [] }),
    'tokens.classes': () => ({ classes: [], next: null }),
  })
}

beforeEach(() => {
  useWallet.setState({
    balance: null,
    incoming: { amount: '0', count: 0 },
    entries: [],
    next: null,
    kind: '',
  })
})
afterEach(() => {
  cleanup()
  setClient(undefined)
})

describe('wallet: value on its way', () => {
  it('shows mana given to the member until its node acknowledges it, and nothing once it has', async () => {
    // Two mana credits for this member, and a token credit and one in another economy that the line leaves out.
    const pending = {
      credits: [
        credit(1, '5'),
        credit(2, '3'),
        { ...credit(3, '7'), asset: 'bafytokenclass' },
        credit(4, '9', 'did:icn:bafyfederation'),
      ],
    }
    renderUi(<Wallet />, { bridge: walletBridge(pending) })
    expect((await screen.findByTestId('wallet-incoming')).textContent).toBe(
      '8 mana in 2 payments, available when your node acknowledges them (within a second)',
    )
    expect(screen.getByText('On its way')).toBeTruthy()

    // The node's receive lands: nothing pending at the next refresh (a `wallet:balance-changed` one in the app).
    pending.credits = []
    await useWallet.getState().refresh()
    await waitFor(() => expect(screen.queryByTestId('wallet-incoming')).toBeNull())
  })

  it('refreshes on a credit for this member, not on one for someone else', async () => {
    const pending = { credits: [] as PendingCredit[] }
    const bridge = walletBridge(pending)
    renderUi(<Wallet />, { bridge })
    await screen.findByTestId('wallet-available')
    const calls = () => bridge.calls.filter((c) => c.method === 'wallet.pending').length
    const before = calls()

    pending.credits = [credit(1, '4')]
    useWallet.getState().onCredit({ to: 'did:key:z6Mksomeoneelsesomeoneelsesomeoneelsesomeoneelse' })
    await new Promise((r) => setTimeout(r, 300))
    expect(calls()).toBe(before)
    expect(screen.queryByTestId('wallet-incoming')).toBeNull()

    useWallet.getState().onCredit({ to: DID })
    expect((await screen.findByTestId('wallet-incoming')).textContent).toBe(
      '4 mana in 1 payment, available when your node acknowledges it (within a second)',
    )
    expect(calls()).toBe(before + 1)
  })
})
