/**
 * A proposal: what it does, its live or final tally (option totals and instant-runoff rounds for ranked choice),
 * quorum progress, the result, my delegation, and my vote — yes/no, approved options or a ranking — with a reason,
 * which I may change until the deadline.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { GovEligibility, GovProposal, GovTally } from '../../../app/contract'
import { Button, Definition, ErrorNotice, Field, Ident, PageTitle, useAction } from '../../components/ui'
import { client } from '../../lib/client'
import { formatTime, shorten } from '../../lib/format'
import { href } from '../../lib/routes'
import { useGovernance } from '../../stores/governance'

export function Proposal({ id }: { id: string }): ReactNode {
  const { t, i18n } = useTranslation()
  const detail = useGovernance((s) => (s.detail?.id === id ? s.detail : null))
  const error = useGovernance((s) => s.error)
  const loadDetail = useGovernance((s) => s.loadDetail)
  const [eligibility, setEligibility] = useState<GovEligibility | null>(null)
  const [asked, setAsked] = useState(0)
  const votes = detail?.votes
  useEffect(() => {
    void loadDetail(id)
  }, [id, loadDetail])
  useEffect(() => {
    let live = true
    void client()
      .call('gov.eligibility', { proposal: id })
      .then((e) => live && setEligibility(e))
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [id, votes, detail?.status, asked])
  if (detail === null)
    return (
      <div>
        <PageTitle>{t('gov.proposal')}</PageTitle>
        <ErrorNotice error={error} />
        {error === null ? <p role="status">{t('common.loading')}</p> : null}
      </div>
    )
  const refresh = async (): Promise<void> => {
    await loadDetail(id)
    setAsked((n) => n + 1)
  }
  return (
    <div>
      <PageTitle>{detail.title}</PageTitle>
      <div className="cards">
        <section className="card card-wide" aria-labelledby="prop-summary">
          <h2 id="prop-summary">{t('gov.proposal')}</h2>
          <dl className="defs">
            <Definition term={t('gov.scope')}>{detail.scopeName}</Definition>
            <Definition term={t('gov.kind')}>{t(`gov.kinds.${detail.kind}`)}</Definition>
            <Definition term={t('gov.method')}>{t(`gov.methods.${detail.method}`)}</Definition>
            <Definition term={t('gov.status')}>
              <span data-testid="proposal-status">{t(`gov.statuses.${detail.status}`)}</span>
            </Definition>
            <Definition term={t('gov.proposer')}>
              <Ident value={shorten(detail.proposer)} />
            </Definition>
            <Definition term={t('gov.deadline')}>{formatTime(detail.deadline, i18n.language)}</Definition>
            <ActionTerms detail={detail} />
          </dl>
          {detail.summary !== '' ? <p>{detail.summary}</p> : null}
        </section>
        <TallyCard detail={detail} />
        {detail.result !== null ? (
          <section className="card" aria-labelledby="prop-result">
            <h2 id="prop-result">{t('gov.result')}</h2>
            <p data-testid="proposal-result">{detail.result.passed ? t('gov.passed') : t('gov.failed')}</p>
            <p className="hint" data-testid="proposal-execution">
              {detail.result.execution.message}
            </p>
          </section>
        ) : null}
        <section className="card" aria-labelledby="prop-vote">
          <h2 id="prop-vote">{t('gov.vote')}</h2>
          {eligibility !== null ? (
            <Delegation eligibility={eligibility} scope={detail.scope} onChange={refresh} />
          ) : null}
          {eligibility !== null && !eligibility.canVote ? (
            <p className="notice notice-warning" data-testid="why-not">
              {t('gov.cannotVote')} <code className="error-code">{eligibility.code}</code>{' '}
              {eligibility.reason}
            </p>
          ) : (
            <VoteForm
              key={eligibility?.vote?.ts ?? 0}
              detail={detail}
              eligibility={eligibility}
              onVoted={refresh}
            />
          )}
        </section>
      </div>
      <p>
        <a href={href('/governance')}>{t('gov.back')}</a>
      </p>
    </div>
  )
}

/** What the proposal does when it passes, in words. */
function ActionTerms({ detail }: { detail: GovProposal }): ReactNode {
  const { t } = useTranslation()
  const a = detail.action
  switch (a.kind) {
    case 'parameter':
      return (
        <Definition term={t('gov.changes')}>
          {a.changes.map((c) => `${c.name} = ${c.value}`).join(', ')}
        </Definition>
      )
    case 'admit':
      return (
        <Definition term={t('gov.admits')}>
          <Ident value={a.member} />
          {a.roles.length > 0 ? ` (${a.roles.join(', ')})` : ''}
        </Definition>
      )
    case 'remove':
      return (
        <Definition term={t('gov.removes')}>
          <Ident value={a.member} />
        </Definition>
      )
    case 'budget':
      return (
        <Definition term={t('gov.grant')}>
          {t('gov.grantText', {
            amount: a.amount,
            asset: a.asset === 'mana' ? t('gov.assetMana') : (a.token ?? ''),
            to: a.to,
          })}
          {a.memo === '' ? '' : ` — ${a.memo}`}
        </Definition>
      )
    case 'policy':
      return (
        <Definition term={t('gov.policyEntry')}>
          {a.module === null
            ? t('gov.policyOff', { policy: a.policy })
            : t('gov.policyOn', { policy: a.policy })}
          {a.module === null ? null : (
            <>
              {' — '}
              {t('gov.module')} <Ident value={a.module} />
            </>
          )}
        </Definition>
      )
    case 'federation':
      return (
        <Definition term={t('gov.federation')}>
          {`${a.op === 'join' ? t('gov.federationJoin') : t('gov.federationLeave')}: ${a.federation}`}
        </Definition>
      )
    case 'capability':
      return (
        <Definition term={t('gov.grantsCapability')}>
          <code className="ident">{a.capability}</code> → <Ident value={a.member} />
          {a.note === '' ? '' : ` — ${a.note}`}
        </Definition>
      )
    default:
      return detail.options.length > 0 ? (
        <Definition term={t('gov.options')}>{detail.options.join(' · ')}</Definition>
      ) : null
  }
}

function TallyCard({ detail }: { detail: GovProposal }): ReactNode {
  const { t } = useTranslation()
  const tally = detail.tally
  const q = detail.quorumProgress
  if (tally === null && q === null) return null
  const needed = q?.needed ?? tally?.quorumNeeded ?? 0
  const participants = q?.participants ?? tally?.participants ?? 0
  const eligible = q?.eligible ?? tally?.eligible ?? 0
  const met = q?.met ?? tally?.quorumMet ?? false
  return (
    <section
      className={tally !== null && tally.rounds.length > 0 ? 'card card-wide' : 'card'}
      aria-labelledby="prop-tally"
    >
      <h2 id="prop-tally">{detail.live ? t('gov.liveTally') : t('gov.finalTally')}</h2>
      <dl className="defs">
        {detail.method === 'yesno' && tally !== null ? (
          <>
            <Definition term={t('gov.yes')}>
              <span data-testid="tally-yes">{tally.yes}</span>
            </Definition>
            <Definition term={t('gov.no')}>
              <span data-testid="tally-no">{tally.no}</span>
            </Definition>
            <Definition term={t('gov.abstain')}>{tally.abstain}</Definition>
          </>
        ) : null}
        {detail.method !== 'yesno' && tally !== null ? (
          <>
            {tally.options.map((o) => (
              <Definition key={o.option} term={o.option}>
                {o.votes}
              </Definition>
            ))}
            <Definition term={t('gov.abstain')}>{tally.abstain}</Definition>
            <Definition term={t('gov.leader')}>
              <span data-testid="tally-winner">{tally.winner ?? t('gov.noWinner')}</span>
            </Definition>
          </>
        ) : null}
        <Definition term={t('gov.quorum')}>
          <span data-testid="quorum-text">
            {t('gov.quorumProgress', { participants, eligible, needed })}{' '}
            {met ? t('gov.quorumMet') : t('gov.quorumShort', { count: Math.max(0, needed - participants) })}
          </span>
        </Definition>
        {q !== null && q.delegated > 0 ? (
          <Definition term={t('gov.delegatedVotes')}>{q.delegated}</Definition>
        ) : null}
        <Definition term={t('gov.threshold')}>{`${detail.threshold}%`}</Definition>
      </dl>
      <progress
        max={Math.max(1, needed)}
        value={Math.min(participants, needed)}
        aria-label={t('gov.quorum')}
      />
      {tally !== null && tally.rounds.length > 0 ? <Rounds tally={tally} options={detail.options} /> : null}
    </section>
  )
}

/** Instant-runoff rounds as a table: an option's votes per round, the exhausted ballots and who went out. */
function Rounds({ tally, options }: { tally: GovTally; options: string[] }): ReactNode {
  const { t } = useTranslation()
  return (
    // Many options make the table wider than its card: it scrolls, and takes focus so keyboards can scroll it.
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t('gov.rounds')}>
      <table className="table" data-testid="rounds">
        <caption>{t('gov.rounds')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('gov.round')}</th>
            {options.map((o) => (
              <th key={o} scope="col">
                {o}
              </th>
            ))}
            <th scope="col">{t('gov.exhausted')}</th>
            <th scope="col">{t('gov.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {tally.rounds.map((r, i) => (
            <tr key={i}>
              <th scope="row">{i + 1}</th>
              {options.map((o) => (
                <td key={o}>{r.tallies.find((x) => x.option === o)?.votes ?? '—'}</td>
              ))}
              <td>{r.exhausted}</td>
              <td>
                {r.eliminated !== null
                  ? t('gov.eliminated', { option: r.eliminated })
                  : tally.winner !== null
                    ? t('gov.wins', { option: tally.winner })
                    : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** Whom my vote goes to on this proposal when I do not vote, and who counts on mine. */
function Delegation({
  eligibility,
  scope,
  onChange,
}: {
  eligibility: GovEligibility
  scope: string
  onChange: () => Promise<void>
}): ReactNode {
  const { t } = useTranslation()
  const revoke = useAction(async () => {
    await client().call('gov.delegate', { scope, to: null })
    await onChange()
  })
  return (
    <>
      {eligibility.delegatedTo !== null ? (
        <div className="notice" data-testid="delegated-to">
          <p>
            {t('gov.delegatedHere')} <Ident value={eligibility.delegatedTo} />
          </p>
          <p className="hint">{t('gov.delegatedOverride')}</p>
          {eligibility.canVote ? (
            <Button onClick={() => void revoke.run()} busy={revoke.busy}>
              {t('gov.revoke')}
            </Button>
          ) : null}
          <ErrorNotice error={revoke.error} />
        </div>
      ) : null}
      {eligibility.delegators.length > 0 ? (
        <p className="hint">{t('gov.delegators', { count: eligibility.delegators.length })}</p>
      ) : null}
    </>
  )
}

/** My ballot: yes/no/abstain, the options I approve, or my ranking — started from my current vote. */
function VoteForm({
  detail,
  eligibility,
  onVoted,
}: {
  detail: GovProposal
  eligibility: GovEligibility | null
  onVoted: () => Promise<void>
}): ReactNode {
  const { t } = useTranslation()
  const mine = eligibility?.vote ?? null
  const [choice, setChoice] = useState<'yes' | 'no' | 'abstain'>(mine?.choice ?? 'yes')
  const [approved, setApproved] = useState<string[]>(
    detail.method === 'approval' ? (mine?.options ?? []) : [],
  )
  const [ranking, setRanking] = useState<string[]>(() =>
    rankingFrom(detail.options, detail.method === 'ranked' ? mine?.options : null),
  )
  const [abstain, setAbstain] = useState(detail.method !== 'yesno' && mine?.choice === 'abstain')
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const vote = useAction(async () => {
    const ballot =
      detail.method === 'yesno'
        ? { choice }
        : abstain
          ? { choice: 'abstain' as const }
          : {
              options:
                detail.method === 'approval' ? detail.options.filter((o) => approved.includes(o)) : ranking,
            }
    await client().call('gov.vote', { proposal: detail.id, ...ballot, ...(reason === '' ? {} : { reason }) })
    await onVoted()
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    if (detail.method === 'approval' && !abstain && approved.length === 0) {
      setProblem(t('gov.approveNone'))
      return
    }
    setProblem(null)
    void vote.run()
  }
  return (
    <form onSubmit={onSubmit} noValidate>
      {mine !== null ? (
        <p className="hint" data-testid="my-vote">
          {mine.choice !== null
            ? t('gov.youVoted', { choice: t(`gov.${mine.choice}`) })
            : t('gov.youVoted', {
                choice: (mine.options ?? []).join(detail.method === 'ranked' ? ' > ' : ', '),
              })}
        </p>
      ) : null}
      {detail.method === 'yesno' ? (
        <fieldset className="radio-group">
          <legend>{t('gov.choice')}</legend>
          {(['yes', 'no', 'abstain'] as const).map((c) => (
            <label key={c} className="radio">
              <input
                type="radio"
                name="choice"
                value={c}
                checked={choice === c}
                onChange={() => setChoice(c)}
              />{' '}
              {t(`gov.${c}`)}
            </label>
          ))}
        </fieldset>
      ) : null}
      {detail.method === 'approval' ? (
        <fieldset className="radio-group" disabled={abstain}>
          <legend>{t('gov.approveLegend')}</legend>
          {detail.options.map((o) => (
            <label key={o} className="checkbox">
              <input
                type="checkbox"
                checked={approved.includes(o)}
                onChange={(e) =>
                  setApproved((a) => (e.target.checked ? [...a, o] : a.filter((x) => x !== o)))
                }
              />{' '}
              {o}
            </label>
          ))}
        </fieldset>
      ) : null}
      {detail.method === 'ranked' ? (
        <RankedBallot ranking={ranking} onChange={setRanking} disabled={abstain} />
      ) : null}
      {detail.method !== 'yesno' ? (
        <label className="checkbox">
          <input type="checkbox" checked={abstain} onChange={(e) => setAbstain(e.target.checked)} />{' '}
          {t('gov.abstainInstead')}
        </label>
      ) : null}
      <Field label={t('gov.reason')} value={reason} onChange={setReason} />
      {problem !== null ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <ErrorNotice error={vote.error} />
      <Button type="submit" variant="primary" busy={vote.busy}>
        {mine !== null ? t('gov.changeVote') : t('gov.voteAction')}
      </Button>
    </form>
  )
}

/** My previous ranking first (in its order), then the options it left out, in the proposal's order. */
export function rankingFrom(
  options: readonly string[],
  previous: readonly string[] | null | undefined,
): string[] {
  const kept = (previous ?? []).filter((o) => options.includes(o))
  return [...kept, ...options.filter((o) => !kept.includes(o))]
}

/** Moves the option at `from` by one place up (-1) or down (+1); out of range leaves the ranking as it is. */
export function move(ranking: readonly string[], from: number, by: -1 | 1): string[] {
  const to = from + by
  if (from < 0 || from >= ranking.length || to < 0 || to >= ranking.length) return [...ranking]
  const out = [...ranking]
  ;[out[from], out[to]] = [out[to] as string, out[from] as string]
  return out
}

/**
 * A ranking by keyboard or pointer: each option has "move up" and "move down" buttons; focus stays with the
 * moved option and the new position is announced.
 */
function RankedBallot({
  ranking,
  onChange,
  disabled,
}: {
  ranking: string[]
  onChange: (r: string[]) => void
  disabled: boolean
}): ReactNode {
  const { t } = useTranslation()
  const buttons = useRef(new Map<string, HTMLButtonElement>())
  const [moved, setMoved] = useState<{ option: string; by: -1 | 1 } | null>(null)
  useEffect(() => {
    if (moved === null) return
    const same = buttons.current.get(`${moved.option}:${moved.by}`)
    const other = buttons.current.get(`${moved.option}:${-moved.by}`)
    ;(same !== undefined && !same.disabled ? same : other)?.focus()
  }, [moved, ranking])
  const shift = (i: number, by: -1 | 1): void => {
    setMoved({ option: ranking[i] as string, by })
    onChange(move(ranking, i, by))
  }
  const position = moved === null ? -1 : ranking.indexOf(moved.option)
  return (
    <fieldset className="radio-group" disabled={disabled}>
      <legend>{t('gov.rankLegend')}</legend>
      <p className="hint">{t('gov.rankHint')}</p>
      <ol className="ranking" aria-label={t('gov.ranking')} data-testid="ranking">
        {ranking.map((o, i) => (
          <li key={o}>
            <span className="option">{o}</span>
            {([-1, 1] as const).map((by) => (
              <button
                key={by}
                type="button"
                className="btn btn-secondary"
                ref={(el) => {
                  if (el === null) buttons.current.delete(`${o}:${by}`)
                  else buttons.current.set(`${o}:${by}`, el)
                }}
                disabled={by === -1 ? i === 0 : i === ranking.length - 1}
                aria-label={t(by === -1 ? 'gov.moveUp' : 'gov.moveDown', { option: o })}
                onClick={() => shift(i, by)}
              >
                {by === -1 ? '↑' : '↓'}
              </button>
            ))}
          </li>
        ))}
      </ol>
      <p className="visually-hidden" role="status">
        {moved !== null && position >= 0
          ? t('gov.movedTo', { option: moved.option, position: position + 1 })
          : ''}
      </p>
    </fieldset>
  )
}
