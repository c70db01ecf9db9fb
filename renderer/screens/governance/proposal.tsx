/** A proposal: what it does, its live or final tally, the result, and my vote. */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { GovEligibility } from '../../../app/contract'
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
  const [choice, setChoice] = useState<'yes' | 'no' | 'abstain'>('yes')
  const [reason, setReason] = useState('')
  const [eligibility, setEligibility] = useState<GovEligibility | null>(null)
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
  }, [id, votes, detail?.status])
  const vote = useAction(async () => {
    await client().call('gov.vote', { proposal: id, choice, ...(reason === '' ? {} : { reason }) })
    await loadDetail(id)
  })
  if (detail === null)
    return (
      <div>
        <PageTitle>{t('gov.proposal')}</PageTitle>
        <ErrorNotice error={error} />
        {error === null ? <p role="status">{t('common.loading')}</p> : null}
      </div>
    )
  const tally = detail.tally
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void vote.run()
  }
  return (
    <div>
      <PageTitle>{detail.title}</PageTitle>
      <div className="cards">
        <section className="card card-wide" aria-labelledby="prop-summary">
          <h2 id="prop-summary">{t('gov.proposal')}</h2>
          <dl className="defs">
            <Definition term={t('gov.scope')}>{detail.scopeName}</Definition>
            <Definition term={t('gov.kind')}>{detail.kind}</Definition>
            <Definition term={t('gov.status')}>
              <span data-testid="proposal-status">{detail.status}</span>
            </Definition>
            <Definition term={t('gov.proposer')}>
              <Ident value={shorten(detail.proposer)} />
            </Definition>
            <Definition term={t('gov.deadline')}>{formatTime(detail.deadline, i18n.language)}</Definition>
            {detail.action.kind === 'parameter' ? (
              <Definition term={t('gov.changes')}>
                {detail.action.changes.map((c) => `${c.name} = ${c.value}`).join(', ')}
              </Definition>
            ) : null}
            {detail.action.kind === 'admit' ? (
              <Definition term={t('gov.admits')}>
                <Ident value={detail.action.member} />
              </Definition>
            ) : null}
          </dl>
          {detail.summary !== '' ? <p>{detail.summary}</p> : null}
        </section>
        {tally !== null ? (
          <section className="card" aria-labelledby="prop-tally">
            <h2 id="prop-tally">{detail.live ? t('gov.liveTally') : t('gov.finalTally')}</h2>
            <dl className="defs">
              <Definition term={t('gov.yes')}>
                <span data-testid="tally-yes">{tally.yes}</span>
              </Definition>
              <Definition term={t('gov.no')}>
                <span data-testid="tally-no">{tally.no}</span>
              </Definition>
              <Definition term={t('gov.abstain')}>{tally.abstain}</Definition>
              <Definition term={t('gov.quorum')}>
                {t('gov.quorumProgress', {
                  participants: tally.participants,
                  eligible: tally.eligible,
                  needed: tally.quorumNeeded,
                })}
              </Definition>
            </dl>
            <progress
              max={Math.max(1, tally.quorumNeeded)}
              value={Math.min(tally.participants, tally.quorumNeeded)}
              aria-label={t('gov.quorum')}
            />
            {tally.rounds.length > 0 ? (
              <ol aria-label={t('gov.rounds')}>
                {tally.rounds.map((r, i) => (
                  <li key={i}>
                    {r.tallies.map((x) => `${x.option}: ${x.votes}`).join(', ')}
                    {r.eliminated !== null ? ` — ${t('gov.eliminated', { option: r.eliminated })}` : ''}
                  </li>
                ))}
              </ol>
            ) : null}
          </section>
        ) : null}
        {detail.result !== null ? (
          <section className="card" aria-labelledby="prop-result">
            <h2 id="prop-result">{t('gov.result')}</h2>
            <p data-testid="proposal-result">{detail.result.passed ? t('gov.passed') : t('gov.failed')}</p>
            <p className="hint">{detail.result.execution.message}</p>
          </section>
        ) : null}
        <section className="card" aria-labelledby="prop-vote">
          <h2 id="prop-vote">{t('gov.vote')}</h2>
          {eligibility !== null && !eligibility.canVote ? (
            <p className="notice notice-warning" data-testid="why-not">
              {t('gov.cannotVote')} <code className="error-code">{eligibility.code}</code>{' '}
              {eligibility.reason}
            </p>
          ) : (
            <form onSubmit={onSubmit} noValidate>
              <fieldset>
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
              <Field label={t('gov.reason')} value={reason} onChange={setReason} />
              {eligibility?.vote !== null && eligibility?.vote !== undefined ? (
                <p className="hint">{t('gov.youVoted', { choice: eligibility.vote.choice ?? '' })}</p>
              ) : null}
              <ErrorNotice error={vote.error} />
              <Button type="submit" variant="primary" busy={vote.busy}>
                {eligibility?.vote !== null && eligibility?.vote !== undefined
                  ? t('gov.changeVote')
                  : t('gov.voteAction')}
              </Button>
            </form>
          )}
        </section>
      </div>
      <p>
        <a href={href('/governance')}>{t('gov.back')}</a>
      </p>
    </div>
  )
}
