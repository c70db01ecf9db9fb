/**
 * Governance: my cooperatives (create one, invite, join by link), their members and parameters; proposals with
 * filters; a proposal with its live tally and quorum progress, voting with a reason, and why one cannot vote;
 * new text and parameter-change proposals. Everything follows `gov:*` events live.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { GovEligibility, GovMember, GovParameter } from '../../app/contract'
import { Button, Definition, ErrorNotice, Field, Ident, PageTitle, Select, useAction } from '../components/ui'
import { Spacer, useVirtualRows } from '../components/virtual'
import { client } from '../lib/client'
import { formatTime, shorten } from '../lib/format'
import { href } from '../lib/routes'
import {
  inviteCode,
  parsePeriodSeconds,
  useGovernance,
  type ProposalStatusFilter,
  type ProposalTypeFilter,
} from '../stores/governance'
import { useRoute } from '../stores/route'

const STATUSES: ProposalStatusFilter[] = ['', 'open', 'passed', 'failed', 'closed', 'void']
const TYPES: ProposalTypeFilter[] = [
  '',
  'text',
  'parameter',
  'admit',
  'remove',
  'budget',
  'policy',
  'federation',
]

function CreateCooperative(): ReactNode {
  const { t } = useTranslation()
  const loadScopes = useGovernance((s) => s.loadScopes)
  const [name, setName] = useState('')
  const [period, setPeriod] = useState('')
  const periodMs = period.trim() === '' ? undefined : parsePeriodSeconds(period)
  const create = useAction(async () => {
    await client().call('gov.createScope', {
      kind: 'cooperative',
      name: name.trim(),
      ...(periodMs === undefined || periodMs === null
        ? {}
        : {
            params: { 'gov.votingPeriodMs': String(periodMs) },
            bounds: { 'gov.votingPeriodMs': { min: String(Math.min(periodMs, 1000)), max: '2592000000' } },
          }),
    })
    setName('')
    await loadScopes()
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void create.run()
  }
  return (
    <section className="card" aria-labelledby="gov-create">
      <h2 id="gov-create">{t('gov.create')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <Field label={t('gov.name')} value={name} onChange={setName} required />
        <Field
          label={t('gov.period')}
          value={period}
          onChange={setPeriod}
          hint={t('gov.periodHint')}
          error={periodMs === null ? t('gov.periodInvalid') : undefined}
        />
        <ErrorNotice error={create.error} />
        <Button
          type="submit"
          variant="primary"
          busy={create.busy}
          disabled={name.trim() === '' || periodMs === null}
        >
          {t('gov.createAction')}
        </Button>
      </form>
    </section>
  )
}

export function JoinForm({ initial = '' }: { initial?: string }): ReactNode {
  const { t } = useTranslation()
  const loadScopes = useGovernance((s) => s.loadScopes)
  const [link, setLink] = useState(initial)
  const [message, setMessage] = useState('')
  const [joined, setJoined] = useState<string | null>(null)
  const code = inviteCode(link)
  const join = useAction(async () => {
    const r = await client().call('gov.join', {
      invite: `icn://invite/${code as string}`,
      ...(message === '' ? {} : { message }),
    })
    setJoined(t('gov.joined', { name: r.name }))
    await loadScopes()
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void join.run()
  }
  return (
    <section className="card" aria-labelledby="gov-join">
      <h2 id="gov-join">{t('gov.join')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <Field
          label={t('gov.inviteLink')}
          value={link}
          onChange={setLink}
          error={link !== '' && code === null ? t('gov.inviteInvalid') : undefined}
        />
        <Field label={t('gov.message')} value={message} onChange={setMessage} />
        <ErrorNotice error={join.error} />
        {joined !== null ? (
          <p className="notice notice-success" role="status">
            {joined}
          </p>
        ) : null}
        <Button type="submit" variant="primary" busy={join.busy} disabled={code === null}>
          {t('gov.joinAction')}
        </Button>
      </form>
    </section>
  )
}

function ScopeDetail({ scope }: { scope: string }): ReactNode {
  const { t } = useTranslation()
  const [members, setMembers] = useState<GovMember[]>([])
  const [params, setParams] = useState<GovParameter[]>([])
  const [link, setLink] = useState<string | null>(null)
  const scopes = useGovernance((s) => s.scopes)
  const info = scopes.find((s) => s.scope === scope)
  const head = info?.head
  useEffect(() => {
    let live = true
    void Promise.all([client().call('gov.members', { scope }), client().call('gov.parameters', { scope })])
      .then(([m, p]) => {
        if (!live) return
        setMembers(m.members)
        setParams(p.parameters)
      })
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [scope, head])
  const invite = useAction(async () => {
    setLink((await client().call('gov.invite', { scope })).link)
  })
  return (
    <div className="scope-detail">
      <h3>{t('gov.members', { count: members.length })}</h3>
      <ul aria-label={t('gov.memberList')}>
        {members.map((m) => (
          <li key={m.did}>
            <code className="ident">{m.did}</code>
          </li>
        ))}
      </ul>
      <h3>{t('gov.parameters')}</h3>
      <table className="table" aria-label={t('gov.parameters')}>
        <thead>
          <tr>
            <th scope="col">{t('gov.parameter')}</th>
            <th scope="col">{t('gov.value')}</th>
            <th scope="col">{t('gov.bounds')}</th>
          </tr>
        </thead>
        <tbody>
          {params.map((p) => (
            <tr key={p.name}>
              <td>{p.name}</td>
              <td data-testid={`param-${p.name}`}>{`${p.value} ${p.unit}`.trim()}</td>
              <td>{`${p.min}..${p.max}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {info?.isMember === true ? (
        <p>
          <Button onClick={() => void invite.run()} busy={invite.busy}>
            {t('gov.invite')}
          </Button>
        </p>
      ) : null}
      <ErrorNotice error={invite.error} />
      {link !== null ? (
        <div className="field">
          <label htmlFor="gov-invite-link">{t('gov.inviteLink')}</label>
          <input id="gov-invite-link" readOnly value={link} onFocus={(e) => e.target.select()} />
          <p className="hint">{t('gov.inviteHint')}</p>
        </div>
      ) : null}
    </div>
  )
}

function NewProposal(): ReactNode {
  const { t } = useTranslation()
  const navigate = useRoute((s) => s.navigate)
  const scopes = useGovernance((s) => s.scopes).filter((s) => s.isMember)
  const [scope, setScope] = useState('')
  const [kind, setKind] = useState<'text' | 'parameter'>('text')
  const [title, setTitle] = useState('')
  const [summary, setSummary] = useState('')
  const [param, setParam] = useState('')
  const [value, setValue] = useState('')
  const [params, setParams] = useState<GovParameter[]>([])
  const chosen = scope === '' ? (scopes[0]?.scope ?? '') : scope
  useEffect(() => {
    if (chosen === '' || kind !== 'parameter') return
    void client()
      .call('gov.parameters', { scope: chosen })
      .then((p) => setParams(p.parameters))
      .catch(() => setParams([]))
  }, [chosen, kind])
  const valueOk = /^-?\d{1,40}$/.test(value.trim())
  const propose = useAction(async () => {
    const p = await client().call('gov.propose', {
      scope: chosen,
      title: title.trim(),
      ...(summary === '' ? {} : { summary }),
      action:
        kind === 'text'
          ? { kind: 'text' }
          : { kind: 'parameter', changes: [{ name: param || (params[0]?.name ?? ''), value: value.trim() }] },
    })
    navigate(`/proposal/${p.id}`)
  })
  if (scopes.length === 0) return null
  const ready = title.trim() !== '' && (kind === 'text' || valueOk)
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void propose.run()
  }
  return (
    <section className="card card-wide" aria-labelledby="gov-new">
      <h2 id="gov-new">{t('gov.newProposal')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <Select
          label={t('gov.scope')}
          value={chosen}
          onChange={setScope}
          options={scopes.map((x) => ({ value: x.scope, label: x.name }))}
        />
        <Select
          label={t('gov.kind')}
          value={kind}
          onChange={setKind}
          options={[
            { value: 'text', label: t('gov.kindText') },
            { value: 'parameter', label: t('gov.kindParameter') },
          ]}
        />
        <Field label={t('gov.proposalTitle')} value={title} onChange={setTitle} required />
        <Field label={t('gov.summary')} value={summary} onChange={setSummary} multiline />
        {kind === 'parameter' ? (
          <>
            <Select
              label={t('gov.parameter')}
              value={param || (params[0]?.name ?? '')}
              onChange={setParam}
              options={params.map((p) => ({ value: p.name, label: `${p.name} (${p.value} ${p.unit})` }))}
            />
            <Field
              label={t('gov.newValue')}
              value={value}
              onChange={setValue}
              error={value !== '' && !valueOk ? t('gov.valueInvalid') : undefined}
            />
          </>
        ) : null}
        <ErrorNotice error={propose.error} />
        <Button type="submit" variant="primary" busy={propose.busy} disabled={!ready}>
          {t('gov.proposeAction')}
        </Button>
      </form>
    </section>
  )
}

export function Governance(): ReactNode {
  const { t } = useTranslation()
  const scopes = useGovernance((s) => s.scopes)
  const filters = useGovernance((s) => s.filters)
  const error = useGovernance((s) => s.error)
  const { loadScopes, loadProposals, setFilters } = useGovernance.getState()
  const [open, setOpen] = useState<string | null>(null)
  useEffect(() => {
    void loadScopes()
    void loadProposals()
  }, [loadScopes, loadProposals])
  return (
    <div>
      <PageTitle>{t('gov.title')}</PageTitle>
      <ErrorNotice error={error} />
      <div className="cards">
        <section className="card card-wide" aria-labelledby="gov-scopes">
          <h2 id="gov-scopes">{t('gov.scopes')}</h2>
          {scopes.length === 0 ? <p className="hint">{t('gov.noScopes')}</p> : null}
          <ul className="scope-list">
            {scopes.map((s) => (
              <li key={s.scope}>
                <Button variant="link" onClick={() => setOpen(open === s.scope ? null : s.scope)}>
                  {`${s.name} — ${t('gov.memberCount', { count: s.members })}${s.isMember ? '' : ` (${t('gov.notMember')})`}`}
                </Button>
                {open === s.scope ? <ScopeDetail scope={s.scope} /> : null}
              </li>
            ))}
          </ul>
        </section>
        <CreateCooperative />
        <JoinForm />
        <NewProposal />
        <section className="card card-wide" aria-labelledby="gov-proposals">
          <h2 id="gov-proposals">{t('gov.proposals')}</h2>
          <div className="filters">
            <Select
              label={t('gov.status')}
              value={filters.status}
              onChange={(status) => void setFilters({ status })}
              options={STATUSES.map((v) => ({ value: v, label: v === '' ? t('gov.any') : v }))}
            />
            <Select
              label={t('gov.kind')}
              value={filters.type}
              onChange={(type) => void setFilters({ type })}
              options={TYPES.map((v) => ({ value: v, label: v === '' ? t('gov.any') : v }))}
            />
            <Select
              label={t('gov.scope')}
              value={filters.scope}
              onChange={(scope) => void setFilters({ scope })}
              options={[
                { value: '', label: t('gov.any') },
                ...scopes.map((x) => ({ value: x.scope, label: x.name })),
              ]}
            />
          </div>
          <ProposalList />
        </section>
      </div>
    </div>
  )
}

/** Row height of the proposal list in px; `.virtual-row` in styles.css has the same. */
const ROW_PX = 44

/**
 * The proposal list: windowed (only the rows in view are rendered), the next page fetched as the member scrolls
 * near the end, and a title search over the loaded proposals.
 */
function ProposalList(): ReactNode {
  const { t, i18n } = useTranslation()
  const proposals = useGovernance((s) => s.proposals)
  const next = useGovernance((s) => s.next)
  const loadingMore = useGovernance((s) => s.loadingMore)
  const more = useGovernance((s) => s.more)
  const [search, setSearch] = useState('')
  const needle = search.trim().toLowerCase()
  // Lower-cased once per list, not once per keystroke: a search over 10,000 titles is then one pass of includes().
  const titles = useMemo(() => proposals.map((p) => p.title.toLowerCase()), [proposals])
  const shown = useMemo(
    () => (needle === '' ? proposals : proposals.filter((_, i) => titles[i]!.includes(needle))),
    [proposals, titles, needle],
  )
  const nearEnd = useCallback(() => void more(), [more])
  const {
    ref,
    window: w,
    onScroll,
  } = useVirtualRows(shown.length, ROW_PX, next !== null ? nearEnd : undefined)
  const locale = i18n.language
  return (
    <>
      <Field
        label={t('gov.search')}
        value={search}
        onChange={setSearch}
        hint={next !== null ? t('gov.searchLoaded', { count: proposals.length }) : undefined}
      />
      {shown.length === 0 ? (
        <p className="hint">{proposals.length === 0 ? t('gov.noProposals') : t('gov.noMatch')}</p>
      ) : (
        <div
          className="virtual-scroll"
          ref={ref}
          onScroll={onScroll}
          data-testid="gov-list"
          data-rows={shown.length}
          data-query={needle}
          data-first={w.start}
          tabIndex={0}
          role="region"
          aria-label={t('gov.proposals')}
        >
          <table className="table" aria-label={t('gov.proposals')} aria-rowcount={shown.length + 1}>
            <thead>
              <tr aria-rowindex={1}>
                <th scope="col">{t('gov.proposalTitle')}</th>
                <th scope="col">{t('gov.kind')}</th>
                <th scope="col">{t('gov.status')}</th>
                <th scope="col">{t('gov.votes')}</th>
                <th scope="col">{t('gov.deadline')}</th>
              </tr>
            </thead>
            <tbody>
              <Spacer height={w.padTop} columns={5} />
              {shown.slice(w.start, w.end).map((p, i) => (
                <tr key={p.id} className="virtual-row" aria-rowindex={w.start + i + 2}>
                  <td>
                    <a href={href(`/proposal/${p.id}`)}>{p.title}</a>
                  </td>
                  <td>{p.kind}</td>
                  <td>{p.status}</td>
                  <td>{`${p.votes}/${p.eligible}`}</td>
                  <td>{formatTime(p.deadline, locale)}</td>
                </tr>
              ))}
              <Spacer height={w.padBottom} columns={5} />
            </tbody>
          </table>
        </div>
      )}
      <p className="hint" role="status">
        {t('gov.listCount', { count: shown.length, loaded: proposals.length })}
        {loadingMore ? ' ' + t('common.loading') : ''}
      </p>
      {next !== null ? (
        <Button onClick={() => void more()} busy={loadingMore}>
          {t('gov.more')}
        </Button>
      ) : null}
    </>
  )
}

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

export function Invite({ code }: { code: string }): ReactNode {
  const { t } = useTranslation()
  return (
    <div>
      <PageTitle>{t('gov.inviteTitle')}</PageTitle>
      <p>{t('gov.inviteText')}</p>
      <JoinForm initial={`icn://invite/${code}`} />
    </div>
  )
}
