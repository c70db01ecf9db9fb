/**
 * Jobs: submit a WASM module with limits and a max price (cost preview first), follow my jobs live, and open one
 * to see its bids, why it still waits, the receipt, the verification, the settlement, the output and its dispute
 * (the validators' verdicts; its submitter or executor can open one).
 * Contribute: this node as an executor — on/off, CPU share, minimum price, pause, earnings and why no jobs come.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { MeshCostPreview, MeshDisputeInfo, MeshJobDetail } from '../../app/contract'
import { Button, Definition, ErrorNotice, Field, Ident, PageTitle, useAction } from '../components/ui'
import { client } from '../lib/client'
import { readFileBytes, saveBytes } from '../lib/files'
import { formatTime, shorten } from '../lib/format'
import { href } from '../lib/routes'
import { parseArgs, useJobs } from '../stores/jobs'
import { parseManaAmount } from '../stores/wallet'
import { useRoute } from '../stores/route'

function SubmitForm(): ReactNode {
  const { t } = useTranslation()
  const navigate = useRoute((s) => s.navigate)
  const [file, setFile] = useState<File | null>(null)
  const [args, setArgs] = useState('')
  const [maxPrice, setMaxPrice] = useState('10')
  const [timeout, setTimeoutText] = useState('30000')
  const [verify, setVerify] = useState(true)
  const [cost, setCost] = useState<MeshCostPreview | null>(null)
  const price = parseManaAmount(maxPrice)
  const timeoutMs = /^\d{1,8}$/.test(timeout.trim()) ? Number(timeout.trim()) : null
  const build = async () => ({
    module: await readFileBytes(file as File),
    args: parseArgs(args),
    maxPrice: price as string,
    limits: { timeoutMs: timeoutMs as number },
    verification: verify ? ('reexecute' as const) : ('none' as const),
  })
  const preview = useAction(async () => {
    const r = await client().call('mesh.submit', { ...(await build()), preview: true })
    setCost(r.cost)
  })
  const submit = useAction(async () => {
    const r = await client().call('mesh.submit', await build())
    if (r.job !== null) navigate(`/job/${r.job}`)
  })
  const ready = file !== null && price !== null && timeoutMs !== null && timeoutMs > 0
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void submit.run()
  }
  return (
    <section className="card card-wide" aria-labelledby="jobs-submit">
      <h2 id="jobs-submit">{t('jobs.submit')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <div className="field">
          <label htmlFor="jobs-module">{t('jobs.module')}</label>
          <input
            id="jobs-module"
            type="file"
            accept=".wasm,application/wasm"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null)
              setCost(null)
            }}
          />
        </div>
        <Field label={t('jobs.args')} value={args} onChange={setArgs} multiline hint={t('jobs.argsHint')} />
        <Field
          label={t('jobs.maxPrice')}
          value={maxPrice}
          onChange={(v) => {
            setMaxPrice(v)
            setCost(null)
          }}
          error={maxPrice !== '' && price === null ? t('wallet.amountInvalid') : undefined}
        />
        <Field
          label={t('jobs.timeout')}
          value={timeout}
          onChange={setTimeoutText}
          error={timeoutMs === null ? t('jobs.timeoutInvalid') : undefined}
        />
        <div className="field">
          <label>
            <input type="checkbox" checked={verify} onChange={(e) => setVerify(e.target.checked)} />{' '}
            {t('jobs.verify')}
          </label>
        </div>
        {cost !== null ? (
          <p className="hint" role="status" data-testid="jobs-cost">
            {cost.covered === false
              ? t('jobs.costShort', { total: cost.total, shortfall: cost.shortfall })
              : t('jobs.cost', { escrow: cost.escrow, fee: cost.fee, total: cost.total })}
          </p>
        ) : null}
        <ErrorNotice error={preview.error ?? submit.error} />
        <p>
          <Button onClick={() => void preview.run()} busy={preview.busy} disabled={!ready}>
            {t('jobs.preview')}
          </Button>{' '}
          <Button type="submit" variant="primary" busy={submit.busy} disabled={!ready}>
            {t('jobs.submitAction')}
          </Button>
        </p>
      </form>
    </section>
  )
}

export function Jobs(): ReactNode {
  const { t, i18n } = useTranslation()
  const jobs = useJobs((s) => s.jobs)
  const error = useJobs((s) => s.error)
  const loadList = useJobs((s) => s.loadList)
  useEffect(() => {
    void loadList()
  }, [loadList])
  return (
    <div>
      <PageTitle>{t('jobs.title')}</PageTitle>
      <ErrorNotice error={error} />
      <div className="cards">
        <SubmitForm />
        <section className="card card-wide" aria-labelledby="jobs-mine">
          <h2 id="jobs-mine">{t('jobs.mine')}</h2>
          {jobs.length === 0 ? (
            <p className="hint">{t('jobs.none')}</p>
          ) : (
            <table className="table" aria-label={t('jobs.mine')}>
              <thead>
                <tr>
                  <th scope="col">{t('jobs.job')}</th>
                  <th scope="col">{t('jobs.role')}</th>
                  <th scope="col">{t('jobs.status')}</th>
                  <th scope="col">{t('jobs.price')}</th>
                  <th scope="col">{t('jobs.submitted')}</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <a href={href(`/job/${j.id}`)}>{shorten(j.id)}</a>
                    </td>
                    <td>{j.role}</td>
                    <td data-testid="job-status">{j.status}</td>
                    <td>{j.price ?? j.maxPrice}</td>
                    <td>{formatTime(j.submittedAt, i18n.language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  )
}

function DisputeStatusText({ d }: { d: MeshDisputeInfo }): ReactNode {
  const { t } = useTranslation()
  if (d.status === 'confirmed') return t('jobs.disputeConfirmed')
  if (d.status === 'reversed') return t('jobs.disputeReversed')
  return t('jobs.disputeOpen', { given: d.verdicts.length, total: d.validators.length, quorum: d.quorum })
}

function DisputeView({ d }: { d: MeshDisputeInfo }): ReactNode {
  const { t, i18n } = useTranslation()
  return (
    <div data-testid="job-dispute">
      <dl className="defs">
        <Definition term={t('jobs.disputeStatus')}>
          <span data-testid="job-dispute-status">
            <DisputeStatusText d={d} />
          </span>
        </Definition>
        <Definition term={t('jobs.disputeOpener')}>
          <Ident value={d.opener} />
        </Definition>
        <Definition term={t('jobs.disputeOpenedAt')}>{formatTime(d.openedAt, i18n.language)}</Definition>
        <Definition term={t('jobs.disputeReason')}>{d.reason}</Definition>
      </dl>
      {d.debt !== null ? (
        <p className="hint">
          {t('jobs.disputeDebt', {
            debtor: shorten(d.debt.debtor),
            creditor: shorten(d.debt.creditor),
            amount: d.debt.amount,
          })}
        </p>
      ) : null}
      <h3>{t('jobs.verdicts')}</h3>
      {d.verdicts.length === 0 ? (
        <p className="hint">{t('jobs.verdictNone')}</p>
      ) : (
        <table className="table" aria-label={t('jobs.verdicts')}>
          <thead>
            <tr>
              <th scope="col">{t('jobs.validator')}</th>
              <th scope="col">{t('jobs.verdictResult')}</th>
              <th scope="col">{t('jobs.verdictRun')}</th>
              <th scope="col">{t('jobs.verdictTime')}</th>
            </tr>
          </thead>
          <tbody>
            {d.verdicts.map((v) => (
              <tr key={v.id} data-testid="job-verdict">
                <td>
                  <code className="ident">{shorten(v.validator)}</code>
                </td>
                <td>{v.result === 'confirm' ? t('jobs.verdictConfirm') : t('jobs.verdictReverse')}</td>
                <td>
                  {v.matches
                    ? t('jobs.verdictMatches')
                    : t('jobs.verdictDiffers', { exit: v.exit, fuel: v.fuelUsed })}
                </td>
                <td>{formatTime(v.ts, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

/** The job's dispute and its verdicts, or, for its submitter or executor after a settlement, a way to open one. */
function Disputes({ detail, disputes }: { detail: MeshJobDetail; disputes: MeshDisputeInfo[] }): ReactNode {
  const { t } = useTranslation()
  const loadDetail = useJobs((s) => s.loadDetail)
  const [reason, setReason] = useState('')
  const open = useAction(async () => {
    await client().call('mesh.dispute', { job: detail.id, reason: reason.trim() })
    setReason('')
    await loadDetail(detail.id)
  })
  const party = detail.role === 'submitter' || detail.role === 'executor'
  const settled = detail.status === 'paid' || detail.status === 'rejected'
  if (disputes.length === 0 && !(party && settled)) return null
  const reasonOk = reason.trim().length > 0 && reason.length <= 1000
  return (
    <section className="card card-wide" aria-labelledby="job-disputes">
      <h2 id="job-disputes">{t('jobs.disputes')}</h2>
      {disputes.map((d) => (
        <DisputeView key={d.id} d={d} />
      ))}
      {disputes.length === 0 ? (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault()
            if (reasonOk) void open.run()
          }}
          noValidate
        >
          <p className="hint">{t('jobs.disputeNone')}</p>
          <h3>{t('jobs.openDispute')}</h3>
          <Field
            label={t('jobs.disputeReasonLabel')}
            value={reason}
            onChange={setReason}
            multiline
            hint={t('jobs.disputeReasonHint')}
            error={reason !== '' && !reasonOk ? t('jobs.disputeReasonMissing') : undefined}
          />
          <ErrorNotice error={open.error} />
          <Button type="submit" variant="danger" busy={open.busy} disabled={!reasonOk}>
            {t('jobs.openDisputeAction')}
          </Button>
        </form>
      ) : null}
    </section>
  )
}

export function JobDetail({ id }: { id: string }): ReactNode {
  const { t, i18n } = useTranslation()
  const detail = useJobs((s) => (s.detail?.id === id ? s.detail : null))
  const disputes = useJobs((s) => s.disputes)
  const error = useJobs((s) => s.error)
  const loadDetail = useJobs((s) => s.loadDetail)
  useEffect(() => {
    void loadDetail(id)
  }, [id, loadDetail])
  const cancel = useAction(async () => {
    await client().call('mesh.cancel', { job: id })
    await loadDetail(id)
  })
  const download = useAction(async () => {
    const out = await client().call('mesh.output', { job: id })
    saveBytes(new Uint8Array(out.stdout), `job-${shorten(id, 10, 0)}-stdout.txt`, 'text/plain')
  })
  const receipt = detail?.receipts.find((r) => r.current) ?? null
  const receiptId = receipt?.id ?? null
  const [stdout, setStdout] = useState<string | null>(null)
  useEffect(() => {
    if (receiptId === null) return
    let live = true
    // The receipt names its output by CID; the node fetches the bytes (from the executor if needed).
    client()
      .call('mesh.output', { job: id })
      .then((out) => {
        if (!live) return
        const bytes = new Uint8Array(out.stdout)
        const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 64 * 1024))
        setStdout(bytes.length > 64 * 1024 ? `${text}\n…` : text)
      })
      .catch(() => live && setStdout(null))
    return () => {
      live = false
    }
  }, [id, receiptId])
  if (detail === null)
    return (
      <div>
        <PageTitle>{t('jobs.detail')}</PageTitle>
        <ErrorNotice error={error} />
        {error === null ? <p role="status">{t('common.loading')}</p> : null}
      </div>
    )
  return (
    <div>
      <PageTitle>{t('jobs.detail')}</PageTitle>
      <div className="cards">
        <section className="card card-wide" aria-labelledby="job-summary">
          <h2 id="job-summary">{t('jobs.summary')}</h2>
          <dl className="defs">
            <Definition term={t('jobs.job')}>
              <Ident value={detail.id} />
            </Definition>
            <Definition term={t('jobs.status')}>
              <span data-testid="job-detail-status">{detail.status}</span>
              {detail.reason !== null ? ` (${detail.reason})` : ''}
            </Definition>
            <Definition term={t('jobs.role')}>{detail.role}</Definition>
            <Definition term={t('jobs.maxPrice')}>{detail.maxPrice}</Definition>
            <Definition term={t('jobs.executor')}>
              {detail.executor === null ? '—' : <Ident value={detail.executor} />}
            </Definition>
            {detail.settlement !== null ? (
              <Definition term={t('jobs.settlement')}>
                <span data-testid="job-settlement">
                  {t('jobs.settled', {
                    kind: detail.settlement.kind,
                    reason: detail.settlement.reason,
                    price: detail.settlement.price,
                  })}
                </span>
                {detail.settlement.attestations.length > 0 ? (
                  <span className="hint" data-testid="job-attested">
                    {' — '}
                    {t('jobs.attested', { count: detail.settlement.attestations.length })}
                  </span>
                ) : null}
              </Definition>
            ) : null}
          </dl>
          {detail.status === 'bidding' ? (
            <Button variant="danger" onClick={() => void cancel.run()} busy={cancel.busy}>
              {t('jobs.cancel')}
            </Button>
          ) : null}
          <ErrorNotice error={cancel.error} />
        </section>
        {detail.waiting.length > 0 ? (
          <section className="card card-wide" aria-labelledby="job-waiting">
            <h2 id="job-waiting">{t('jobs.waiting')}</h2>
            <ul>
              {detail.waiting.map((w) => (
                <li key={w.executor}>
                  <code className="ident">{shorten(w.executor)}</code>: {w.message}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {detail.bids.length > 0 ? (
          <section className="card card-wide" aria-labelledby="job-bids">
            <h2 id="job-bids">{t('jobs.bids')}</h2>
            <table className="table" aria-label={t('jobs.bids')}>
              <thead>
                <tr>
                  <th scope="col">{t('jobs.executor')}</th>
                  <th scope="col">{t('jobs.price')}</th>
                  <th scope="col">{t('jobs.reputation')}</th>
                  <th scope="col">{t('jobs.state')}</th>
                </tr>
              </thead>
              <tbody>
                {detail.bids.map((b) => (
                  <tr key={b.executor}>
                    <td>
                      <code className="ident">{shorten(b.executor)}</code>
                    </td>
                    <td>{b.price}</td>
                    <td>{b.reputation}</td>
                    <td>{b.state}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
        {receipt !== null ? (
          <section className="card card-wide" aria-labelledby="job-receipt">
            <h2 id="job-receipt">{t('jobs.receipt')}</h2>
            <dl className="defs">
              <Definition term={t('jobs.exit')}>{receipt.exit}</Definition>
              <Definition term={t('jobs.fuel')}>{receipt.fuelUsed}</Definition>
              <Definition term={t('jobs.finished')}>
                {formatTime(receipt.finishedAt, i18n.language)}
              </Definition>
              {receipt.error !== null ? (
                <Definition term={t('jobs.error')}>
                  <code className="error-code">{receipt.error.code}</code> {receipt.error.message}
                </Definition>
              ) : null}
              {detail.verification !== null ? (
                <Definition term={t('jobs.verification')}>
                  {detail.verification.ok
                    ? t('jobs.verified', { method: detail.verification.method })
                    : t('jobs.notVerified', { reason: detail.verification.reason ?? '' })}
                </Definition>
              ) : null}
            </dl>
            <h3>{t('jobs.stdout')}</h3>
            <pre className="output" data-testid="job-stdout">
              {stdout ?? t('common.loading')}
            </pre>
            <Button onClick={() => void download.run()} busy={download.busy}>
              {t('jobs.download')}
            </Button>
            <ErrorNotice error={download.error} />
          </section>
        ) : null}
        <Disputes detail={detail} disputes={disputes.filter((d) => d.job === id)} />
      </div>
      <p>
        <a href={href('/jobs')}>{t('jobs.back')}</a>
      </p>
    </div>
  )
}

export function Contribute(): ReactNode {
  const { t, i18n } = useTranslation()
  const stats = useJobs((s) => s.stats)
  const error = useJobs((s) => s.error)
  const loadStats = useJobs((s) => s.loadStats)
  const [share, setShare] = useState<string | null>(null)
  const [minPrice, setMinPrice] = useState<string | null>(null)
  const [pause, setPause] = useState('1')
  useEffect(() => {
    void loadStats()
  }, [loadStats])
  const save = useAction(async (change: Parameters<typeof setSettings>[0]) => {
    await setSettings(change)
    await loadStats()
  })
  if (stats === null)
    return (
      <div>
        <PageTitle>{t('contribute.title')}</PageTitle>
        <ErrorNotice error={error} />
        <p role="status">{t('common.loading')}</p>
      </div>
    )
  const s = stats.settings
  const shareValue = share ?? String(s.cpuSharePercent)
  const minValue = minPrice ?? s.minPrice
  const shareOk = /^\d{1,3}$/.test(shareValue) && Number(shareValue) >= 1 && Number(shareValue) <= 100
  const minOk = /^\d{1,16}$/.test(minValue)
  const pauseOk = /^\d{1,3}$/.test(pause) && Number(pause) > 0 && Number(pause) <= 168
  return (
    <div>
      <PageTitle>{t('contribute.title')}</PageTitle>
      <ErrorNotice error={error ?? save.error} />
      <div className="cards">
        <section className="card" aria-labelledby="contribute-status">
          <h2 id="contribute-status">{t('contribute.status')}</h2>
          <dl className="defs">
            <Definition term={t('contribute.accepting')}>
              <span data-testid="contribute-accepting">
                {stats.accepting ? t('contribute.yes') : t('contribute.no', { reason: stats.reason ?? '' })}
              </span>
              {stats.until !== null ? ` — ${formatTime(stats.until, i18n.language)}` : ''}
            </Definition>
            <Definition term={t('contribute.completed')}>
              <span data-testid="contribute-completed">{stats.completed}</span>
            </Definition>
            <Definition term={t('contribute.failed')}>{stats.failed}</Definition>
            <Definition term={t('contribute.earned')}>
              <span data-testid="contribute-earned">{t('wallet.mana', { amount: stats.earned })}</span>
            </Definition>
            <Definition term={t('jobs.reputation')}>{stats.reputation}</Definition>
            <Definition term={t('contribute.running')}>{stats.running.length}</Definition>
          </dl>
          {stats.explanations.length > 0 ? (
            <>
              <h3>{t('contribute.why')}</h3>
              <ul>
                {stats.explanations.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
        <section className="card" aria-labelledby="contribute-settings">
          <h2 id="contribute-settings">{t('contribute.settings')}</h2>
          <div className="field">
            <label>
              <input
                type="checkbox"
                checked={s.enabled}
                onChange={(e) => void save.run({ enabled: e.target.checked })}
              />{' '}
              {t('contribute.enabled')}
            </label>
          </div>
          <Field
            label={t('contribute.share')}
            value={shareValue}
            onChange={setShare}
            error={shareOk ? undefined : t('contribute.shareInvalid')}
          />
          <Field
            label={t('contribute.minPrice')}
            value={minValue}
            onChange={setMinPrice}
            error={minOk ? undefined : t('wallet.amountInvalid')}
          />
          <Button
            variant="primary"
            disabled={!shareOk || !minOk}
            busy={save.busy}
            onClick={() => void save.run({ cpuSharePercent: Number(shareValue), minPrice: minValue })}
          >
            {t('contribute.save')}
          </Button>
          <Field label={t('contribute.pauseHours')} value={pause} onChange={setPause} />
          <p>
            <Button disabled={!pauseOk} onClick={() => void save.run({ pauseHours: Number(pause) })}>
              {t('contribute.pause')}
            </Button>{' '}
            {s.pausedUntil !== null ? (
              <Button onClick={() => void save.run({ pauseHours: 0 })}>{t('contribute.resume')}</Button>
            ) : null}
          </p>
        </section>
      </div>
    </div>
  )
}

async function setSettings(change: {
  enabled?: boolean
  cpuSharePercent?: number
  minPrice?: string
  pauseHours?: number
}): Promise<void> {
  await client().call('executor.setSettings', change)
}
