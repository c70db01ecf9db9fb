/**
 * A dag-json value as nested lists: links ({"/": cid}) become links into the explorer, bytes show their size,
 * long strings wrap. Depth and width are bounded so a hostile block cannot freeze the page.
 */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { href } from '../lib/routes'

const MAX_DEPTH = 12
const MAX_ITEMS = 200

export function linkOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const keys = Object.keys(value)
  const slash = (value as Record<string, unknown>)['/']
  return keys.length === 1 && typeof slash === 'string' ? slash : undefined
}

export function JsonView({ value }: { value: unknown }): ReactNode {
  return (
    <div className="json">
      <JsonNode value={value} depth={0} />
    </div>
  )
}

function JsonNode({ value, depth }: { value: unknown; depth: number }): ReactNode {
  const { t } = useTranslation()
  if (value === null) return <span className="json-null">null</span>
  if (typeof value === 'string') return <span className="json-string">{JSON.stringify(value)}</span>
  if (typeof value === 'number' || typeof value === 'boolean')
    return <span className="json-number">{String(value)}</span>
  if (value instanceof Uint8Array)
    return <span className="json-bytes">{t('dag.bytes', { count: value.length })}</span>
  const link = linkOf(value)
  if (link !== undefined) {
    return (
      <a className="json-link" href={href(`/dag/${link}`)}>
        {link}
      </a>
    )
  }
  if (depth >= MAX_DEPTH) return <span className="json-more">…</span>
  if (Array.isArray(value)) {
    const items = value as unknown[]
    if (items.length === 0) return <span className="json-punct">[]</span>
    return (
      <ol className="json-array" start={0}>
        {items.slice(0, MAX_ITEMS).map((item, i) => (
          <li key={i}>
            <JsonNode value={item} depth={depth + 1} />
          </li>
        ))}
        {items.length > MAX_ITEMS ? (
          <li className="json-more">{t('dag.more', { count: items.length - MAX_ITEMS })}</li>
        ) : null}
      </ol>
    )
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.length === 0) return <span className="json-punct">{'{}'}</span>
    return (
      <dl className="json-object">
        {entries.slice(0, MAX_ITEMS).map(([key, item]) => (
          <div key={key} className="json-entry">
            <dt>{key}</dt>
            <dd>
              <JsonNode value={item} depth={depth + 1} />
            </dd>
          </div>
        ))}
      </dl>
    )
  }
  return <span>{typeof value === 'bigint' ? value.toString() : typeof value}</span>
}
