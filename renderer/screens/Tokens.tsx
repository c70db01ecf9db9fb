/**
 * Tokens in the wallet: what the member holds (amounts in the class's display units, non-fungible items with
 * their metadata), the classes they can see, and forms to create a class and to mint, send or burn. Balances
 * follow `wallet:balance-changed` through the tokens store, so a mint or a transfer from another node shows
 * without reload. The node re-checks everything; the forms only catch what can be caught before signing.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { TokenClass, WalletCost } from '../../app/contract'
import { Button, ErrorNotice, Field, Ident, Select, useAction } from '../components/ui'
import { client } from '../lib/client'
import { shorten } from '../lib/format'
import { href } from '../lib/routes'
import { formatUnits, isValidSymbol, parseTokenIds, parseUnits } from '../lib/units'
import { useIdentity } from '../stores/identity'
import { useTokens } from '../stores/tokens'
import { useWallet } from '../stores/wallet'

const CID = /^[A-Za-z0-9]{8,200}$/

type TokenAction = 'mint' | 'transfer' | 'burn'

/** The fee of an action, quoted by the node as the form changes (null while unknown or not applicable). */
function useCost(action: string | null): WalletCost | null {
  const [cost, setCost] = useState<WalletCost | null>(null)
  const balance = useWallet((s) => s.balance)
  useEffect(() => {
    if (action === null) {
      setCost(null)
      return
    }
    let live = true
    const timer = setTimeout(() => {
      client()
        .call('wallet.cost', { action })
        .then((c) => live && setCost(c))
        .catch(() => live && setCost(null))
    }, 150)
    return () => {
      live = false
      clearTimeout(timer)
    }
    // The available mana changes the quote's "covered"; refetch when it moves.
  }, [action, balance?.available])
  return cost
}

function CostLine({ cost, testId }: { cost: WalletCost | null; testId: string }): ReactNode {
  const { t } = useTranslation()
  if (cost === null) return null
  return (
    <p className="hint" role="status" data-testid={testId}>
      {cost.covered
        ? t('wallet.tokenFee', { fee: cost.fee, available: cost.available })
        : t('wallet.tokenFeeShort', { fee: cost.fee, shortfall: cost.shortfall })}
    </p>
  )
}

function Checkbox(props: { label: string; checked: boolean; onChange: (v: boolean) => void }): ReactNode {
  return (
    <label className="checkbox">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
      {props.label}
    </label>
  )
}

function kindOf(c: TokenClass, t: (key: string, o?: Record<string, unknown>) => string): string {
  return c.fungible ? t('wallet.fungible', { decimals: c.decimals }) : t('wallet.nonFungible')
}

function Balances(): ReactNode {
  const { t } = useTranslation()
  const balances = useTokens((s) => s.balances)
  if (balances === null) return <p role="status">{t('common.loading')}</p>
  const held = balances.filter((b) => b.amount !== '0' || b.items.length > 0)
  if (held.length === 0) return <p className="hint">{t('wallet.noTokens')}</p>
  return (
    <table className="table" aria-label={t('wallet.myTokens')}>
      <thead>
        <tr>
          <th scope="col">{t('wallet.symbol')}</th>
          <th scope="col">{t('wallet.tokenName')}</th>
          <th scope="col">{t('wallet.held')}</th>
        </tr>
      </thead>
      <tbody>
        {held.map((b) => (
          <tr key={b.class.id}>
            <td>{b.class.symbol}</td>
            <td>{b.class.name === '' ? '—' : b.class.name}</td>
            <td data-testid={`token-held-${b.class.symbol}`}>
              {b.class.fungible ? (
                formatUnits(b.amount, b.class.decimals)
              ) : (
                <ul className="plain-list">
                  {b.items.map((item) => (
                    <li key={item.id}>
                      <code>{item.id}</code>
                      {item.metadata !== null ? (
                        <>
                          {' — '}
                          <a href={href(`/dag/${item.metadata}`)}>
                            {t('wallet.metadataOf', { id: item.id })}
                          </a>
                        </>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function Classes(): ReactNode {
  const { t } = useTranslation()
  const classes = useTokens((s) => s.classes)
  const me = useIdentity((s) => s.status?.did ?? null)
  if (classes.length === 0) return <p className="hint">{t('wallet.noClasses')}</p>
  return (
    <table className="table" aria-label={t('wallet.classes')}>
      <thead>
        <tr>
          <th scope="col">{t('wallet.symbol')}</th>
          <th scope="col">{t('wallet.tokenName')}</th>
          <th scope="col">{t('wallet.tokenKind')}</th>
          <th scope="col">{t('wallet.issuer')}</th>
          <th scope="col">{t('wallet.classId')}</th>
        </tr>
      </thead>
      <tbody>
        {classes.map((c) => (
          <tr key={c.id}>
            <td>{c.symbol}</td>
            <td>{c.name === '' ? '—' : c.name}</td>
            <td>
              {kindOf(c, t)}
              {c.transferable ? '' : `, ${t('wallet.notTransferable')}`}
            </td>
            <td>
              {c.issuer === me ? t('wallet.you') : <Ident value={shorten(c.issuer)} label={c.issuer} />}
            </td>
            <td>
              <a href={href(`/event/${c.id}`)} aria-label={t('wallet.classEvent', { symbol: c.symbol })}>
                {shorten(c.id, 10, 6)}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function CreateClassForm(): ReactNode {
  const { t } = useTranslation()
  const refresh = useTokens((s) => s.refresh)
  const [symbol, setSymbol] = useState('')
  const [name, setName] = useState('')
  const [decimalsText, setDecimalsText] = useState('0')
  const [fungible, setFungible] = useState(true)
  const [transferable, setTransferable] = useState(true)
  const [metadata, setMetadata] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const cost = useCost('create-class')
  const decimals = fungible ? (/^\d{1,2}$/.test(decimalsText) ? Number(decimalsText) : NaN) : 0
  const symbolError = symbol !== '' && !isValidSymbol(symbol) ? t('wallet.symbolInvalid') : undefined
  const decimalsError =
    fungible && !(Number.isInteger(decimals) && decimals <= 18) ? t('wallet.decimalsInvalid') : undefined
  const metadataError =
    metadata.trim() !== '' && !CID.test(metadata.trim()) ? t('wallet.cidInvalid') : undefined
  const valid =
    symbol !== '' && symbolError === undefined && decimalsError === undefined && metadataError === undefined
  const create = useAction(async () => {
    setDone(null)
    const made = await client().call('tokens.createClass', {
      symbol,
      fungible,
      transferable,
      decimals,
      ...(name.trim() === '' ? {} : { name: name.trim() }),
      ...(metadata.trim() === '' ? {} : { metadata: metadata.trim() }),
    })
    setDone(t('wallet.classCreated', { symbol: made.symbol }))
    setSymbol('')
    setName('')
    setMetadata('')
    await refresh()
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    if (valid) void create.run()
  }
  return (
    <section className="card" aria-labelledby="tokens-create">
      <h2 id="tokens-create">{t('wallet.createClass')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <Field
          label={t('wallet.symbol')}
          value={symbol}
          onChange={setSymbol}
          hint={t('wallet.symbolHint')}
          error={symbolError}
          required
        />
        <Field label={t('wallet.tokenName')} value={name} onChange={setName} />
        <Checkbox label={t('wallet.fungibleLabel')} checked={fungible} onChange={setFungible} />
        {fungible ? (
          <Field
            label={t('wallet.decimals')}
            value={decimalsText}
            onChange={setDecimalsText}
            hint={t('wallet.decimalsHint')}
            error={decimalsError}
          />
        ) : null}
        <Checkbox label={t('wallet.transferableLabel')} checked={transferable} onChange={setTransferable} />
        <Field
          label={t('wallet.metadata')}
          value={metadata}
          onChange={setMetadata}
          hint={t('wallet.metadataHint')}
          error={metadataError}
        />
        <CostLine cost={cost} testId="token-create-cost" />
        <ErrorNotice error={create.error} />
        {done !== null ? (
          <p className="notice notice-success" role="status">
            {done}
          </p>
        ) : null}
        <Button type="submit" variant="primary" busy={create.busy} disabled={!valid}>
          {t('wallet.createAction')}
        </Button>
      </form>
    </section>
  )
}

const COST_ACTION: Record<TokenAction, string> = {
  mint: 'mint',
  transfer: 'token/transfer',
  burn: 'token/burn',
}

function TokenActionForm(): ReactNode {
  const { t } = useTranslation()
  const refresh = useTokens((s) => s.refresh)
  const classes = useTokens((s) => s.classes)
  const balances = useTokens((s) => s.balances)
  const me = useIdentity((s) => s.status?.did ?? null)
  // Classes the member can act on: their own (mint) and the ones they hold (send, burn).
  const usable = classes.filter((c) => c.issuer === me || (balances ?? []).some((b) => b.class.id === c.id))
  for (const b of balances ?? []) if (!usable.some((c) => c.id === b.class.id)) usable.push(b.class)
  const [classId, setClassId] = useState('')
  const [action, setAction] = useState<TokenAction>('transfer')
  const [to, setTo] = useState('')
  const [amountText, setAmountText] = useState('')
  const [idsText, setIdsText] = useState('')
  const [metadata, setMetadata] = useState('')
  const [memo, setMemo] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const chosen = usable.find((c) => c.id === classId) ?? usable[0]
  const isIssuer = chosen !== undefined && chosen.issuer === me
  const actions: TokenAction[] = isIssuer ? ['mint', 'transfer', 'burn'] : ['transfer', 'burn']
  const current = actions.includes(action) ? action : 'transfer'
  const cost = useCost(chosen === undefined ? null : COST_ACTION[current])

  const fungible = chosen?.fungible ?? true
  const decimals = chosen?.decimals ?? 0
  const amount = fungible ? parseUnits(amountText, decimals) : null
  const ids = fungible ? null : parseTokenIds(idsText)
  const needsTo = current === 'transfer'
  const amountError =
    fungible && amountText !== '' && amount === null
      ? t('wallet.tokenAmountInvalid', { decimals })
      : undefined
  const idsError = !fungible && idsText !== '' && ids === null ? t('wallet.idsInvalid') : undefined
  const metadataError =
    metadata.trim() !== '' && !CID.test(metadata.trim()) ? t('wallet.cidInvalid') : undefined
  const valid =
    chosen !== undefined &&
    (fungible ? amount !== null : ids !== null) &&
    (!needsTo || to.trim() !== '') &&
    metadataError === undefined

  const run = useAction(async () => {
    if (chosen === undefined) return
    setDone(null)
    const value = chosen.fungible ? { amount: amount as string } : null
    if (current === 'mint') {
      await client().call('tokens.mint', {
        class: chosen.id,
        ...(to.trim() === '' ? {} : { to: to.trim() }),
        ...(value ?? {
          items: (ids ?? []).map((id) => ({
            id,
            ...(metadata.trim() === '' ? {} : { metadata: metadata.trim() }),
          })),
        }),
      })
    } else if (current === 'transfer') {
      await client().call('tokens.transfer', {
        class: chosen.id,
        to: to.trim(),
        ...(value ?? { ids: ids ?? [] }),
        ...(memo === '' ? {} : { memo }),
      })
    } else {
      await client().call('tokens.burn', { class: chosen.id, ...(value ?? { ids: ids ?? [] }) })
    }
    const what = chosen.fungible
      ? `${formatUnits(amount as string, chosen.decimals)} ${chosen.symbol}`
      : `${chosen.symbol} ${(ids ?? []).join(', ')}`
    setDone(
      t(`wallet.done_${current}`, { what, to: to.trim() === '' ? t('wallet.toYou') : shorten(to.trim()) }),
    )
    setAmountText('')
    setIdsText('')
    setMemo('')
    await refresh()
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    if (valid) void run.run()
  }
  if (chosen === undefined) {
    return (
      <section className="card" aria-labelledby="tokens-use">
        <h2 id="tokens-use">{t('wallet.useTokens')}</h2>
        <p className="hint">{t('wallet.nothingToUse')}</p>
      </section>
    )
  }
  return (
    <section className="card" aria-labelledby="tokens-use">
      <h2 id="tokens-use">{t('wallet.useTokens')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <Select
          label={t('wallet.tokenClass')}
          value={chosen.id}
          onChange={setClassId}
          options={usable.map((c) => ({
            value: c.id,
            label: `${c.symbol}${c.issuer === me ? '' : ` (${shorten(c.issuer)})`}`,
          }))}
        />
        <fieldset className="radio-group">
          <legend>{t('wallet.tokenAction')}</legend>
          {actions.map((a) => (
            <label key={a} className="radio">
              <input
                type="radio"
                name="token-action"
                value={a}
                checked={current === a}
                onChange={() => setAction(a)}
              />
              {t(`wallet.action_${a}`)}
            </label>
          ))}
        </fieldset>
        {current !== 'burn' ? (
          <Field
            label={current === 'mint' ? t('wallet.mintTo') : t('wallet.tokenTo')}
            value={to}
            onChange={setTo}
            hint={current === 'mint' ? t('wallet.mintToHint') : t('wallet.toHint')}
            required={needsTo}
          />
        ) : null}
        {chosen.fungible ? (
          <Field
            label={t('wallet.tokenAmount', { symbol: chosen.symbol })}
            value={amountText}
            onChange={setAmountText}
            hint={t('wallet.tokenAmountHint', { decimals: chosen.decimals })}
            error={amountError}
            required
          />
        ) : (
          <Field
            label={t('wallet.tokenIds')}
            value={idsText}
            onChange={setIdsText}
            hint={t('wallet.tokenIdsHint')}
            error={idsError}
            required
          />
        )}
        {current === 'mint' && !chosen.fungible ? (
          <Field
            label={t('wallet.itemMetadata')}
            value={metadata}
            onChange={setMetadata}
            hint={t('wallet.metadataHint')}
            error={metadataError}
          />
        ) : null}
        {current === 'transfer' ? (
          <Field label={t('wallet.tokenMemo')} value={memo} onChange={setMemo} />
        ) : null}
        <CostLine cost={cost} testId="token-action-cost" />
        <ErrorNotice error={run.error} />
        {done !== null ? (
          <p className="notice notice-success" role="status">
            {done}
          </p>
        ) : null}
        <Button type="submit" variant="primary" busy={run.busy} disabled={!valid}>
          {t(`wallet.submit_${current}`)}
        </Button>
      </form>
    </section>
  )
}

export function TokensSection(): ReactNode {
  const { t } = useTranslation()
  const refresh = useTokens((s) => s.refresh)
  const error = useTokens((s) => s.error)
  useEffect(() => {
    void refresh()
  }, [refresh])
  return (
    <>
      <section className="card card-wide" aria-labelledby="tokens-title">
        <h2 id="tokens-title">{t('wallet.tokens')}</h2>
        <ErrorNotice error={error} />
        <h3>{t('wallet.myTokens')}</h3>
        <Balances />
        <h3>{t('wallet.classes')}</h3>
        <Classes />
      </section>
      <CreateClassForm />
      <TokenActionForm />
    </>
  )
}
