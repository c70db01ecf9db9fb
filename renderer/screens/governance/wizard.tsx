/** A new proposal. */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { GovParameter } from '../../../app/contract'
import { Button, ErrorNotice, Field, Select, useAction } from '../../components/ui'
import { client } from '../../lib/client'
import { useGovernance } from '../../stores/governance'
import { useRoute } from '../../stores/route'

export function NewProposal(): ReactNode {
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

