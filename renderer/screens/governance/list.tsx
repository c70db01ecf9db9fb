/** The governance page: my cooperatives, forms, and the filtered, windowed proposal list. */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Button, ErrorNotice, Field, PageTitle, Select } from '../../components/ui'
import { Spacer, useVirtualRows } from '../../components/virtual'
import { formatTime } from '../../lib/format'
import { href } from '../../lib/routes'
import { useGovernance, type ProposalStatusFilter, type ProposalTypeFilter } from '../../stores/governance'
import { CreateCooperative, JoinForm, ScopeDetail } from './scopes'
import { NewProposal } from './wizard'

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
  'capability',
]

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
              options={STATUSES.map((v) => ({
                value: v,
                label: v === '' ? t('gov.any') : t(`gov.statuses.${v}`),
              }))}
            />
            <Select
              label={t('gov.kind')}
              value={filters.type}
              onChange={(type) => void setFilters({ type })}
              options={TYPES.map((v) => ({ value: v, label: v === '' ? t('gov.any') : t(`gov.kinds.${v}`) }))}
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
                  <td>{t(`gov.kinds.${p.kind}`)}</td>
                  <td>{t(`gov.statuses.${p.status}`)}</td>
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
