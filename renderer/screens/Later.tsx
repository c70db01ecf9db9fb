/**
 * Targets of `icn://` links whose features arrive in a later version (invites, proposals, jobs): the link is
 * understood and kept visible, and the member is told what will happen.
 */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Ident, PageTitle } from '../components/ui'
import { href } from '../lib/routes'

export function Later({ kind, id }: { kind: 'invite' | 'proposal' | 'job'; id: string }): ReactNode {
  const { t } = useTranslation()
  return (
    <div>
      <PageTitle>{t(`later.${kind}Title`)}</PageTitle>
      <p>{t(`later.${kind}Text`)}</p>
      <p>
        {t('later.reference')} <Ident value={id} />
      </p>
      <p className="hint">{t('later.keep')}</p>
      <p>
        <a href={href('/')}>{t('later.home')}</a>
      </p>
    </div>
  )
}

export function NotFound({ path }: { path: string }): ReactNode {
  const { t } = useTranslation()
  return (
    <div>
      <PageTitle>{t('notFound.title')}</PageTitle>
      <p>{t('notFound.text')}</p>
      <p>
        <code>{path}</code>
      </p>
      <p>
        <a href={href('/')}>{t('later.home')}</a>
      </p>
    </div>
  )
}
