/**
 * My cooperatives: create one, join by invite link, and a cooperative's members and parameters, with an invite
 * link and the delegation of my vote.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { GovMember, GovParameter } from '../../../app/contract'
import { Button, ErrorNotice, Field, PageTitle, Select, useAction } from '../../components/ui'
import { client } from '../../lib/client'
import { inviteCode, parsePeriodSeconds, useGovernance } from '../../stores/governance'
import { useIdentity } from '../../stores/identity'

export function CreateCooperative(): ReactNode {
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

export function ScopeDetail({ scope }: { scope: string }): ReactNode {
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
      {info?.isMember === true ? <DelegateForm scope={scope} name={info.name} members={members} /> : null}
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

/**
 * Delegates my vote in a cooperative to another member (every proposal, until revoked), or revokes it. The node
 * reports the delegation that applies per proposal (`gov.eligibility`), which the proposal page shows; here the
 * answer to my last change is shown.
 */
function DelegateForm({
  scope,
  name,
  members,
}: {
  scope: string
  name: string
  members: GovMember[]
}): ReactNode {
  const { t } = useTranslation()
  const me = useIdentity((s) => s.status?.did ?? null)
  const others = members.filter((m) => m.did !== me)
  const [to, setTo] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const chosen = to === '' ? (others[0]?.did ?? '') : to
  const delegate = useAction(async (target: string | null) => {
    const d = await client().call('gov.delegate', { scope, to: target })
    setDone(
      d.to === null
        ? t('gov.delegationRevoked', { scope: name })
        : t('gov.delegatedNow', { scope: name, to: d.to }),
    )
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void delegate.run(chosen)
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`delegate-${scope}`}>
      <h3 id={`delegate-${scope}`}>{t('gov.delegate')}</h3>
      <p className="hint">{t('gov.delegateHint')}</p>
      {others.length === 0 ? (
        <p className="hint">{t('gov.noOneToDelegate')}</p>
      ) : (
        <Select
          label={t('gov.delegateTo')}
          value={chosen}
          onChange={setTo}
          options={others.map((m) => ({ value: m.did, label: m.did }))}
        />
      )}
      <ErrorNotice error={delegate.error} />
      {done !== null ? (
        <p className="notice notice-success" role="status" data-testid="delegation-status">
          {done}
        </p>
      ) : null}
      <div className="actions">
        <Button type="submit" variant="primary" busy={delegate.busy} disabled={chosen === ''}>
          {t('gov.delegateAction')}
        </Button>
        <Button onClick={() => void delegate.run(null)} busy={delegate.busy}>
          {t('gov.revoke')}
        </Button>
      </div>
    </form>
  )
}
