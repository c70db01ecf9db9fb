/**
 * The new-proposal wizard: (1) cooperative, kind and voting method; (2) the details of that kind; (3) a review with
 * the mana it costs, then `gov.propose`. Each step is checked before the next (draft.ts); a policy's CCL source is
 * checked by the node (`ccl.check`) before the review, so compile errors show where they are.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import {
  CCL_POLICY_ENTRIES,
  type CclDiagnostic,
  type GovMember,
  type GovParameter,
  type WalletCost,
} from '../../../app/contract'
import { Button, Definition, ErrorNotice, Field, Select, useAction } from '../../components/ui'
import { client } from '../../lib/client'
import { useGovernance } from '../../stores/governance'
import { useRoute } from '../../stores/route'
import {
  EMPTY_DRAFT,
  hasErrors,
  optionList,
  PROPOSAL_KINDS,
  proposeParams,
  roleList,
  validateStep,
  WIZARD_STEPS,
  type DraftError,
  type DraftErrors,
  type ProposalDraft,
  type WizardStep,
} from './draft'

/** The message for a field's problem, in the member's language. */
function useErrorText(): (e: DraftError | undefined) => string | undefined {
  const { t } = useTranslation()
  return (e) => (e === undefined ? undefined : t(`gov.err.${e.key}`, e.values ?? {}))
}

export function NewProposal(): ReactNode {
  const { t } = useTranslation()
  const navigate = useRoute((s) => s.navigate)
  const allScopes = useGovernance((s) => s.scopes)
  const scopes = allScopes.filter((s) => s.isMember)
  const [draft, setDraft] = useState<ProposalDraft>(EMPTY_DRAFT)
  const [step, setStep] = useState<WizardStep>('kind')
  /** Failed attempts to leave this step; each one moves focus to the first field in error. */
  const [attempts, setAttempts] = useState(0)
  const tried = attempts > 0
  const form = useRef<HTMLFormElement>(null)
  const [params, setParams] = useState<GovParameter[]>([])
  const [members, setMembers] = useState<GovMember[]>([])
  const [diagnostics, setDiagnostics] = useState<CclDiagnostic[]>([])
  const heading = useRef<HTMLHeadingElement>(null)
  const moved = useRef(false)
  const scope = draft.scope === '' ? (scopes[0]?.scope ?? '') : draft.scope
  const d: ProposalDraft = {
    ...draft,
    scope,
    param: draft.param === '' ? (params[0]?.name ?? '') : draft.param,
    // Removals and capability grants pick a current member from the list: the first one until another is chosen.
    member:
      (draft.kind === 'remove' || draft.kind === 'capability') && !members.some((m) => m.did === draft.member)
        ? (members[0]?.did ?? '')
        : draft.member,
  }
  const set = <K extends keyof ProposalDraft>(key: K) => {
    return (value: ProposalDraft[K]): void => {
      // Another cooperative has other members; an edited source has not been checked yet.
      if (key === 'scope') setDraft((x) => ({ ...x, member: '' }))
      if (key === 'source' || key === 'policy') setDiagnostics([])
      setDraft((x) => ({ ...x, [key]: value }))
    }
  }
  useEffect(() => {
    if (scope === '') return
    let live = true
    void Promise.all([client().call('gov.parameters', { scope }), client().call('gov.members', { scope })])
      .then(([p, m]) => {
        if (!live) return
        setParams(p.parameters)
        setMembers(m.members)
      })
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [scope])
  useEffect(() => {
    // Focus follows the step (not on first render: the page title has it then).
    if (moved.current) heading.current?.focus()
  }, [step])
  useEffect(() => {
    if (attempts > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
  }, [attempts])
  const errors: DraftErrors = validateStep(step, d, { params })
  const shown = tried ? errors : {}
  const check = useAction(async () => {
    const r = await client().call('ccl.check', { source: d.source, file: `${d.policy}.ccl` })
    setDiagnostics(r.diagnostics)
    if (r.ok) go('review')
  })
  const propose = useAction(async () => {
    const p = await client().call('gov.propose', proposeParams(d))
    setDraft(EMPTY_DRAFT)
    navigate(`/proposal/${p.id}`)
  })
  if (scopes.length === 0) return null
  const index = WIZARD_STEPS.indexOf(step)
  function go(next: WizardStep): void {
    moved.current = true
    setAttempts(0)
    setStep(next)
  }
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    if (hasErrors(errors)) {
      setAttempts((n) => n + 1)
      return
    }
    if (step === 'review') void propose.run()
    else if (step === 'details' && d.kind === 'policy' && !d.deactivate) void check.run()
    else go(WIZARD_STEPS[index + 1] as WizardStep)
  }
  const federations = allScopes.filter((s) => s.kind === 'federation')
  return (
    <section className="card card-wide" aria-labelledby="gov-new">
      <h2 id="gov-new">{t('gov.newProposal')}</h2>
      <ol className="wizard-steps" aria-label={t('gov.steps')}>
        {WIZARD_STEPS.map((s, i) => (
          <li key={s} aria-current={s === step ? 'step' : undefined}>
            {t('gov.stepOf', { n: i + 1, total: WIZARD_STEPS.length, name: t(`gov.step.${s}`) })}
          </li>
        ))}
      </ol>
      <form ref={form} onSubmit={onSubmit} noValidate aria-labelledby="gov-step">
        <h3 id="gov-step" ref={heading} tabIndex={-1}>
          {t(`gov.step.${step}`)}
        </h3>
        {tried && hasErrors(errors) ? (
          <p className="notice notice-error" role="alert">
            {t('gov.fixFields')}
          </p>
        ) : null}
        {step === 'kind' ? (
          <KindStep d={d} set={set} scopes={scopes.map((x) => ({ value: x.scope, label: x.name }))} />
        ) : null}
        {step === 'details' ? (
          <DetailsStep
            d={d}
            set={set}
            errors={shown}
            params={params}
            members={members}
            federations={federations.map((f) => ({ value: f.scope, label: f.name }))}
          />
        ) : null}
        {step === 'details' && d.kind === 'policy' ? <Diagnostics diagnostics={diagnostics} /> : null}
        {step === 'review' ? (
          <Review d={d} scopeName={scopes.find((s) => s.scope === scope)?.name ?? scope} />
        ) : null}
        <ErrorNotice error={check.error ?? propose.error} />
        <div className="actions">
          {index > 0 ? (
            <Button onClick={() => go(WIZARD_STEPS[index - 1] as WizardStep)}>{t('gov.previous')}</Button>
          ) : null}
          <Button type="submit" variant="primary" busy={check.busy || propose.busy}>
            {step === 'review' ? t('gov.proposeAction') : t('gov.next')}
          </Button>
        </div>
      </form>
    </section>
  )
}

type Setter = <K extends keyof ProposalDraft>(key: K) => (value: ProposalDraft[K]) => void

function KindStep({
  d,
  set,
  scopes,
}: {
  d: ProposalDraft
  set: Setter
  scopes: { value: string; label: string }[]
}): ReactNode {
  const { t } = useTranslation()
  return (
    <>
      <Select label={t('gov.scope')} value={d.scope} onChange={set('scope')} options={scopes} />
      <Select
        label={t('gov.kind')}
        value={d.kind}
        onChange={set('kind')}
        options={PROPOSAL_KINDS.map((k) => ({ value: k, label: t(`gov.kinds.${k}`) }))}
      />
      <p className="hint">{t(`gov.kindHints.${d.kind}`)}</p>
      {d.kind === 'text' ? (
        <Select
          label={t('gov.method')}
          value={d.method}
          onChange={set('method')}
          options={(['yesno', 'approval', 'ranked'] as const).map((m) => ({
            value: m,
            label: t(`gov.methods.${m}`),
          }))}
        />
      ) : null}
    </>
  )
}

function DetailsStep({
  d,
  set,
  errors,
  params,
  members,
  federations,
}: {
  d: ProposalDraft
  set: Setter
  errors: DraftErrors
  params: GovParameter[]
  members: GovMember[]
  federations: { value: string; label: string }[]
}): ReactNode {
  const { t } = useTranslation()
  const text = useErrorText()
  const chosen = params.find((p) => p.name === d.param)
  return (
    <>
      <Field
        label={t('gov.proposalTitle')}
        value={d.title}
        onChange={set('title')}
        required
        error={text(errors.title)}
      />
      <Field
        label={t('gov.summary')}
        value={d.summary}
        onChange={set('summary')}
        multiline
        error={text(errors.summary)}
      />
      {d.kind === 'text' && d.method !== 'yesno' ? (
        <Field
          label={t('gov.options')}
          value={d.options}
          onChange={set('options')}
          multiline
          hint={t('gov.optionsHint')}
          error={text(errors.options)}
        />
      ) : null}
      {d.kind === 'parameter' ? (
        <>
          <Select
            label={t('gov.parameter')}
            value={d.param}
            onChange={set('param')}
            options={params.map((p) => ({ value: p.name, label: `${p.name} (${p.value} ${p.unit})`.trim() }))}
          />
          <Field
            label={t('gov.newValue')}
            value={d.value}
            onChange={set('value')}
            hint={
              chosen === undefined
                ? undefined
                : t('gov.valueHint', { min: chosen.min, max: chosen.max, doc: chosen.doc })
            }
            error={text(errors.value)}
          />
        </>
      ) : null}
      {d.kind === 'admit' ? (
        <>
          <Field
            label={t('gov.memberDid')}
            value={d.member}
            onChange={set('member')}
            hint={t('gov.memberDidHint')}
            error={text(errors.member)}
          />
          <Field
            label={t('gov.roles')}
            value={d.roles}
            onChange={set('roles')}
            hint={t('gov.rolesHint')}
            error={text(errors.roles)}
          />
        </>
      ) : null}
      {d.kind === 'remove' ? (
        members.length === 0 ? (
          <p className="field-error">{text({ key: 'memberRequired' })}</p>
        ) : (
          <Select
            label={t('gov.memberToRemove')}
            value={d.member}
            onChange={set('member')}
            options={members.map((m) => ({
              value: m.did,
              label: m.roles.length === 0 ? m.did : `${m.did} (${m.roles.join(', ')})`,
            }))}
          />
        )
      ) : null}
      {d.kind === 'capability' ? (
        <>
          {members.length === 0 ? (
            <p className="field-error">{text({ key: 'memberRequired' })}</p>
          ) : (
            <Select
              label={t('gov.memberToGrant')}
              value={d.member}
              onChange={set('member')}
              options={members.map((m) => ({
                value: m.did,
                label: m.roles.length === 0 ? m.did : `${m.did} (${m.roles.join(', ')})`,
              }))}
            />
          )}
          <Field
            label={t('gov.capabilityName')}
            value={d.capability}
            onChange={set('capability')}
            hint={t('gov.capabilityHint')}
            error={text(errors.capability)}
          />
          <Field label={t('gov.note')} value={d.note} onChange={set('note')} error={text(errors.note)} />
        </>
      ) : null}
      {d.kind === 'budget' ? (
        <>
          <Select
            label={t('gov.asset')}
            value={d.asset}
            onChange={set('asset')}
            options={[
              { value: 'mana', label: t('gov.assetMana') },
              { value: 'token', label: t('gov.assetToken') },
            ]}
          />
          <Field
            label={t('gov.recipient')}
            value={d.to}
            onChange={set('to')}
            hint={t('gov.memberDidHint')}
            error={text(errors.to)}
          />
          <Field
            label={t('gov.amount')}
            value={d.amount}
            onChange={set('amount')}
            hint={t('gov.amountHint')}
            error={text(errors.amount)}
          />
          {d.asset === 'token' ? (
            <Field
              label={t('gov.tokenClass')}
              value={d.token}
              onChange={set('token')}
              error={text(errors.token)}
            />
          ) : null}
          <Field label={t('gov.memo')} value={d.memo} onChange={set('memo')} error={text(errors.memo)} />
        </>
      ) : null}
      {d.kind === 'policy' ? (
        <>
          <Select
            label={t('gov.policyEntry')}
            value={d.policy}
            onChange={set('policy')}
            options={CCL_POLICY_ENTRIES.map((p) => ({ value: p, label: p }))}
          />
          <label className="checkbox">
            <input
              type="checkbox"
              checked={d.deactivate}
              onChange={(e) => set('deactivate')(e.target.checked)}
            />{' '}
            {t('gov.deactivate')}
          </label>
          {d.deactivate ? null : (
            <Field
              label={t('gov.source')}
              value={d.source}
              onChange={set('source')}
              multiline
              hint={t('gov.sourceHint')}
              error={text(errors.source)}
            />
          )}
        </>
      ) : null}
      {d.kind === 'federation' ? (
        <>
          <Select
            label={t('gov.federationOp')}
            value={d.federationOp}
            onChange={set('federationOp')}
            options={[
              { value: 'join', label: t('gov.federationJoin') },
              { value: 'leave', label: t('gov.federationLeave') },
            ]}
          />
          {federations.length > 0 ? (
            <Select
              label={t('gov.federation')}
              value={d.federation}
              onChange={set('federation')}
              options={[{ value: '', label: t('gov.pick') }, ...federations]}
            />
          ) : (
            <Field
              label={t('gov.federation')}
              value={d.federation}
              onChange={(v) => set('federation')(v.trim())}
              hint={t('gov.federationHint')}
              error={text(errors.federation)}
            />
          )}
          {federations.length > 0 && errors.federation !== undefined ? (
            <p className="field-error">{text(errors.federation)}</p>
          ) : null}
        </>
      ) : null}
    </>
  )
}

/** The node's CCL diagnostics, as the CLI prints them. */
function Diagnostics({ diagnostics }: { diagnostics: CclDiagnostic[] }): ReactNode {
  const { t } = useTranslation()
  if (diagnostics.length === 0) return null
  const errors = diagnostics.filter((x) => x.severity === 'error').length
  return (
    <div
      className={errors > 0 ? 'notice notice-error' : 'notice notice-warning'}
      role="alert"
      data-testid="ccl-diagnostics"
    >
      <p className="notice-title">{t('gov.diagnostics', { count: diagnostics.length })}</p>
      {diagnostics.map((x, i) => (
        <pre key={i} className="diagnostic">
          {x.formatted}
        </pre>
      ))}
    </div>
  )
}

/** What will be proposed, in words, and what it costs. */
function Review({ d, scopeName }: { d: ProposalDraft; scopeName: string }): ReactNode {
  const { t } = useTranslation()
  const [cost, setCost] = useState<WalletCost | null>(null)
  const scope = d.scope
  useEffect(() => {
    let live = true
    void client()
      .call('wallet.cost', { action: 'propose', scope })
      .then((c) => live && setCost(c))
      .catch(() => live && setCost(null))
    return () => {
      live = false
    }
  }, [scope])
  return (
    <>
      <dl className="defs" data-testid="proposal-review">
        <Definition term={t('gov.scope')}>{scopeName}</Definition>
        <Definition term={t('gov.kind')}>{t(`gov.kinds.${d.kind}`)}</Definition>
        <Definition term={t('gov.proposalTitle')}>{d.title.trim()}</Definition>
        {d.kind === 'text' ? (
          <Definition term={t('gov.method')}>{t(`gov.methods.${d.method}`)}</Definition>
        ) : null}
        {d.kind === 'text' && d.method !== 'yesno' ? (
          <Definition term={t('gov.options')}>{optionList(d.options).join(' · ')}</Definition>
        ) : null}
        {d.kind === 'parameter' ? (
          <Definition term={t('gov.changes')}>{`${d.param} = ${d.value.trim()}`}</Definition>
        ) : null}
        {d.kind === 'admit' ? (
          <Definition term={t('gov.admits')}>
            <code className="ident">{d.member.trim()}</code>
            {roleList(d.roles).length > 0 ? ` (${roleList(d.roles).join(', ')})` : ''}
          </Definition>
        ) : null}
        {d.kind === 'remove' ? (
          <Definition term={t('gov.removes')}>
            <code className="ident">{d.member}</code>
          </Definition>
        ) : null}
        {d.kind === 'capability' ? (
          <Definition term={t('gov.grantsCapability')}>
            {t('gov.capabilityText', { capability: d.capability.trim(), member: d.member })}
            {d.note.trim() === '' ? '' : ` — ${d.note.trim()}`}
          </Definition>
        ) : null}
        {d.kind === 'budget' ? (
          <Definition term={t('gov.grant')}>
            {t('gov.grantText', {
              amount: d.amount.trim(),
              asset: d.asset === 'mana' ? t('gov.assetMana') : d.token.trim(),
              to: d.to.trim(),
            })}
            {d.memo.trim() === '' ? '' : ` — ${d.memo.trim()}`}
          </Definition>
        ) : null}
        {d.kind === 'policy' ? (
          <Definition term={t('gov.policyEntry')}>
            {d.deactivate
              ? t('gov.policyOff', { policy: d.policy })
              : t('gov.policyOn', { policy: d.policy })}
          </Definition>
        ) : null}
        {d.kind === 'federation' ? (
          <Definition term={t('gov.federation')}>
            {`${d.federationOp === 'join' ? t('gov.federationJoin') : t('gov.federationLeave')}: ${d.federation}`}
          </Definition>
        ) : null}
      </dl>
      {cost !== null ? (
        <p
          className={cost.covered ? 'hint' : 'notice notice-warning'}
          role="status"
          data-testid="propose-cost"
        >
          {cost.covered
            ? t('gov.costCovered', { fee: cost.fee, available: cost.available })
            : t('gov.costShort', { fee: cost.fee, shortfall: cost.shortfall })}
        </p>
      ) : null}
    </>
  )
}
