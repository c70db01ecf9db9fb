/**
 * The wallet: mana available, reserved and regenerating; send mana with a live cost preview; the history with a
 * kind filter, paging and CSV export; then tokens (Tokens.tsx). Balances follow `wallet:*` events, so a payment
 * shows without reload.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { WalletCost, WalletHistoryKind } from '../../app/contract'
import { Button, Definition, ErrorNotice, Field, Ident, PageTitle, Select, useAction } from '../components/ui'
import { client } from '../lib/client'
import { saveBytes } from '../lib/files'
import { formatTime, shorten } from '../lib/format'
import { formatUnits } from '../lib/units'
import { useTokens } from '../stores/tokens'
import { exportHistoryCsv, parseManaAmount, useWallet } from '../stores/wallet'
import { TokensSection } from './Tokens'

const KINDS: (WalletHistoryKind | '')[] = [
  '',
  'transfer',
  'settlement',
  'opening',
  'fee',
  'reserve',
  'release',
  'grant',
  'refund',
  'mint',
  'burn',
]

function BalanceCard(): ReactNode {
  const { t, i18n } = useTranslation()
  const balance = useWallet((s) => s.balance)
  const incoming = useWallet((s) => s.incoming)
  if (balance === null) return <p role="status">{t('common.loading')}</p>
  const { regenerating } = balance
  return (
    <section className="card" aria-labelledby="wallet-balance">
      <h2 id="wallet-balance">{t('wallet.balance')}</h2>
      <dl className="defs">
        <Definition term={t('wallet.available')}>
          <span data-testid="wallet-available">{t('wallet.mana', { amount: balance.available })}</span>
        </Definition>
        <Definition term={t('wallet.reserved')}>
          <span data-testid="wallet-reserved">{t('wallet.mana', { amount: balance.reserved })}</span>
        </Definition>
        {incoming.count > 0 && (
          <Definition term={t('wallet.incoming')}>
            <span data-testid="wallet-incoming">
              {t('wallet.incomingValue', { amount: incoming.amount, count: incoming.count })}
            </span>
          </Definition>
        )}
        <Definition term={t('wallet.regenerating')}>
          {t('wallet.rate', { rate: regenerating.ratePerHour, capacity: regenerating.capacity })}
        </Definition>
        <Definition term={t('wallet.fullAt')}>
          {regenerating.fullAt === null ? t('wallet.full') : formatTime(regenerating.fullAt, i18n.language)}
        </Definition>
      </dl>
    </section>
  )
}

function SendForm(): ReactNode {
  const { t } = useTranslation()
  const refresh = useWallet((s) => s.refresh)
  const [to, setTo] = useState('')
  const [amountText, setAmountText] = useState('')
  const [memo, setMemo] = useState('')
  const [cost, setCost] = useState<WalletCost | null>(null)
  const [sent, setSent] = useState<string | null>(null)
  const amount = parseManaAmount(amountText)
  useEffect(() => {
    if (amount === null) {
      setCost(null)
      return
    }
    let live = true
    const timer = setTimeout(() => {
      client()
        .call('wallet.cost', { action: 'transfer', amount })
        .then((c) => live && setCost(c))
        .catch(() => live && setCost(null))
    }, 150)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [amount])
  const send = useAction(async () => {
    if (amount === null) return
    setSent(null)
    await client().call('wallet.transfer', { to: to.trim(), amount, ...(memo === '' ? {} : { memo }) })
    setSent(t('wallet.sent', { amount, to: shorten(to.trim()) }))
    setAmountText('')
    setMemo('')
    await refresh()
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void send.run()
  }
  const amountError = amountText !== '' && amount === null ? t('wallet.amountInvalid') : undefined
  return (
    <section className="card card-wide" aria-labelledby="wallet-send">
      <h2 id="wallet-send">{t('wallet.send')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <Field label={t('wallet.to')} value={to} onChange={setTo} hint={t('wallet.toHint')} required />
        <Field
          label={t('wallet.amount')}
          value={amountText}
          onChange={setAmountText}
          error={amountError}
          required
        />
        <Field label={t('wallet.memo')} value={memo} onChange={setMemo} />
        {cost !== null ? (
          <p className="hint" role="status" data-testid="wallet-cost">
            {cost.covered
              ? t('wallet.costCovered', { fee: cost.fee, total: cost.total, available: cost.available })
              : t('wallet.costShort', { total: cost.total, shortfall: cost.shortfall })}
          </p>
        ) : null}
        <ErrorNotice error={send.error} />
        {sent !== null ? (
          <p className="notice notice-success" role="status">
            {sent}
          </p>
        ) : null}
        <Button
          type="submit"
          variant="primary"
          busy={send.busy}
          disabled={amount === null || to.trim() === ''}
        >
          {t('wallet.sendAction')}
        </Button>
      </form>
    </section>
  )
}

function History(): ReactNode {
  const { t, i18n } = useTranslation()
  const entries = useWallet((s) => s.entries)
  const next = useWallet((s) => s.next)
  const kind = useWallet((s) => s.kind)
  const setKind = useWallet((s) => s.setKind)
  const more = useWallet((s) => s.more)
  const classes = useTokens((s) => s.classes)
  const balances = useTokens((s) => s.balances)
  // Token entries carry base units; show them with their class's decimals once the class is known.
  const decimalsOf = (asset: string): number => {
    const c = classes.find((x) => x.id === asset) ?? balances?.find((b) => b.class.id === asset)?.class
    return c?.decimals ?? 0
  }
  const exporting = useAction(async () => {
    const csv = await exportHistoryCsv(kind)
    saveBytes(new TextEncoder().encode(csv), 'icn-wallet-history.csv', 'text/csv')
  })
  return (
    <section className="card card-wide" aria-labelledby="wallet-history">
      <h2 id="wallet-history">{t('wallet.history')}</h2>
      <Select
        label={t('wallet.kind')}
        value={kind}
        onChange={(k) => void setKind(k)}
        options={KINDS.map((k) => ({ value: k, label: k === '' ? t('wallet.allKinds') : k }))}
      />
      {entries.length === 0 ? (
        <p className="hint">{t('wallet.empty')}</p>
      ) : (
        <table className="table" aria-label={t('wallet.history')}>
          <thead>
            <tr>
              <th scope="col">{t('wallet.when')}</th>
              <th scope="col">{t('wallet.kind')}</th>
              <th scope="col">{t('wallet.amount')}</th>
              <th scope="col">{t('wallet.counterparty')}</th>
              <th scope="col">{t('wallet.memo')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={`${e.event}-${i}`}>
                <td>{formatTime(e.ts, i18n.language)}</td>
                <td>{e.kind}</td>
                <td className={e.direction === 'in' ? 'amount-in' : 'amount-out'}>
                  {`${e.direction === 'in' ? '+' : '−'}${e.asset === 'mana' ? e.amount : formatUnits(e.amount, decimalsOf(e.asset))} ${e.symbol}`}
                </td>
                <td>{e.counterparty === null ? '—' : <Ident value={shorten(e.counterparty)} />}</td>
                <td>{e.memo}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNotice error={exporting.error} />
      <p>
        {next !== null ? <Button onClick={() => void more()}>{t('wallet.more')}</Button> : null}{' '}
        <Button onClick={() => void exporting.run()} busy={exporting.busy}>
          {t('wallet.export')}
        </Button>
      </p>
    </section>
  )
}

export function Wallet(): ReactNode {
  const { t } = useTranslation()
  const refresh = useWallet((s) => s.refresh)
  const error = useWallet((s) => s.error)
  useEffect(() => {
    void refresh()
  }, [refresh])
  return (
    <div>
      <PageTitle>{t('wallet.title')}</PageTitle>
      <ErrorNotice error={error} />
      <div className="cards">
        <BalanceCard />
        <SendForm />
        <TokensSection />
        <History />
      </div>
    </div>
  )
}
