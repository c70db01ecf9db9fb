/** Logs & diagnostics: recent node log lines (node.logs) and a summary a member can download and share. */
import { useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { LogLevelName, NodeStatus } from '../../app/contract'
import { Button, Definition, ErrorNotice, Ident, PageTitle } from '../components/ui'
import { saveBytes } from '../lib/files'
import { formatDuration } from '../lib/format'
import { useConnection } from '../stores/connection'
import { useLogs } from '../stores/logs'
import { useNode } from '../stores/node'

const LEVELS: LogLevelName[] = ['debug', 'info', 'warn', 'error']

export function diagnosticsText(status: NodeStatus | null, mode: string | null, lines: string[]): string {
  const rows = [
    `ICN Desktop diagnostics, ${new Date().toISOString()}`,
    `mode: ${mode ?? 'unknown'}`,
    `user agent: ${typeof navigator === 'undefined' ? '' : navigator.userAgent}`,
  ]
  if (status !== null) {
    rows.push(
      `version: ${status.version} (protocol ${status.protocolVersion})`,
      `status: ${status.status}`,
      `uptime ms: ${status.uptimeMs}`,
      `data dir: ${status.dataDir}`,
      `identity: ${status.did ?? 'none'}${status.locked ? ' (locked)' : ''}`,
      `events: ${status.events} from ${status.authors} authors, ${status.pendingEvents} pending`,
      `state root: ${status.stateRoot}`,
    )
  }
  return [...rows, '', 'recent log lines:', ...lines, ''].join('\n')
}

export function Logs(): ReactNode {
  const { t, i18n } = useTranslation()
  const lines = useLogs((s) => s.lines)
  const file = useLogs((s) => s.file)
  const dropped = useLogs((s) => s.dropped)
  const level = useLogs((s) => s.level)
  const loading = useLogs((s) => s.loading)
  const error = useLogs((s) => s.error)
  const load = useLogs((s) => s.load)
  const setLevel = useLogs((s) => s.setLevel)
  const status = useNode((s) => s.status)
  const mode = useConnection((s) => s.mode)
  const [follow, setFollow] = useState(false)
  useEffect(() => {
    void load()
  }, [load])
  useEffect(() => {
    if (!follow) return
    const timer = setInterval(() => void load(), 3000)
    return () => clearInterval(timer)
  }, [follow, load])
  const download = (): void => {
    const text = diagnosticsText(
      status,
      mode,
      lines.map((l) => JSON.stringify(l)),
    )
    saveBytes(new TextEncoder().encode(text), 'icn-diagnostics.txt', 'text/plain')
  }
  const locale = i18n.language
  return (
    <div>
      <PageTitle>{t('logs.title')}</PageTitle>
      <section className="card" aria-labelledby="diagnostics">
        <h2 id="diagnostics">{t('logs.diagnostics')}</h2>
        <dl className="defs">
          <Definition term={t('logs.mode')}>{t(`logs.mode_${mode ?? 'browser'}`)}</Definition>
          {status !== null ? (
            <>
              <Definition term={t('dashboard.version')}>
                {t('dashboard.versionValue', { version: status.version, protocol: status.protocolVersion })}
              </Definition>
              <Definition term={t('dashboard.status')}>{t(`status.${status.status}`)}</Definition>
              <Definition term={t('dashboard.uptime')}>{formatDuration(status.uptimeMs, locale)}</Definition>
              <Definition term={t('dashboard.events')}>
                {t('dashboard.eventsValue', {
                  events: t('dashboard.eventCount', { count: status.events }),
                  authors: t('dashboard.authorCount', { count: status.authors }),
                })}
              </Definition>
              <Definition term={t('settings.dataDir')}>
                <Ident value={status.dataDir} />
              </Definition>
            </>
          ) : null}
          <Definition term={t('logs.file')}>
            {file === null ? t('logs.noFile') : <Ident value={file} />}
          </Definition>
        </dl>
        <div className="actions">
          <Button onClick={download}>{t('logs.download')}</Button>
        </div>
      </section>
      <section aria-labelledby="log-lines">
        <h2 id="log-lines">{t('logs.recent')}</h2>
        <div className="toolbar">
          <div className="field field-inline">
            <label htmlFor="log-level">{t('logs.level')}</label>
            <select id="log-level" value={level} onChange={(e) => setLevel(e.target.value as LogLevelName)}>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {t(`logs.level_${l}`)}
                </option>
              ))}
            </select>
          </div>
          <Button onClick={() => void load()} busy={loading}>
            {t('logs.refresh')}
          </Button>
          <label className="checkbox">
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
            {t('logs.follow')}
          </label>
        </div>
        <ErrorNotice error={error} />
        {dropped > 0 ? <p className="hint">{t('logs.dropped', { count: dropped })}</p> : null}
        {lines.length === 0 ? (
          <p>{t('logs.none')}</p>
        ) : (
          <ol className="log-lines" aria-live={follow ? 'polite' : 'off'}>
            {lines.map((line, i) => (
              <li key={`${line.t}-${i}`} className={`log-line log-${line.level}`}>
                <span className="log-time">{line.t === '' ? '' : line.t.slice(11, 23)}</span>{' '}
                <span className="log-level">{line.level.toUpperCase()}</span>{' '}
                <span className="log-component">{line.component ?? ''}</span>{' '}
                <span className="log-msg">{line.msg}</span>
                {line.fields !== undefined ? (
                  <details className="log-fields">
                    <summary>{t('logs.details')}</summary>
                    <pre>{JSON.stringify(line.fields, null, 2)}</pre>
                  </details>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  )
}
