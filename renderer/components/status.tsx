import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { NodeStatusName } from '../../app/contract'

export function StatusPill({ status }: { status: NodeStatusName }): ReactNode {
  const { t } = useTranslation()
  return <span className={`pill pill-${status}`}>{t(`status.${status}`)}</span>
}
