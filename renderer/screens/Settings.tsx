/** Appearance, language, where the node keeps its data and listens, and (in the desktop app) shell settings. */
import type { ReactNode } from 'react'
import type { NodeRoleName } from '../../app/contract'
import { client } from '../lib/client'
import { useTranslation } from 'react-i18next'
import { Button, Definition, ErrorNotice, Ident, PageTitle, useAction } from '../components/ui'
import { href } from '../lib/routes'
import type { ThemePreference } from '../lib/theme'
import { useConnection } from '../stores/connection'
import { useIdentity } from '../stores/identity'
import { useNode } from '../stores/node'
import { useSettings, type Language } from '../stores/settings'

const THEMES: ThemePreference[] = ['system', 'light', 'dark']
const ROLES: NodeRoleName[] = ['full', 'light', 'validator']
const LANGUAGES: { value: Language; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'es', label: 'Español' },
]

export function Settings(): ReactNode {
  const { t } = useTranslation()
  const theme = useSettings((s) => s.theme)
  const setTheme = useSettings((s) => s.setTheme)
  const language = useSettings((s) => s.language)
  const setLanguage = useSettings((s) => s.setLanguage)
  const mode = useConnection((s) => s.mode)
  const apiOrigin = useConnection((s) => s.apiOrigin)
  const status = useNode((s) => s.status)
  const lock = useIdentity((s) => s.lock)
  const lockAction = useAction(lock)
  return (
    <div>
      <PageTitle>{t('settings.title')}</PageTitle>
      <section className="card" aria-labelledby="settings-appearance">
        <h2 id="settings-appearance">{t('settings.appearance')}</h2>
        <fieldset className="radio-group">
          <legend>{t('settings.theme')}</legend>
          {THEMES.map((value) => (
            <label key={value} className="radio">
              <input
                type="radio"
                name="theme"
                value={value}
                checked={theme === value}
                onChange={() => setTheme(value)}
              />
              {t(`settings.theme_${value}`)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="language">{t('settings.language')}</label>
          <select id="language" value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l.value} value={l.value} lang={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
      </section>
      {mode === 'electron' ? <ShellSettings /> : null}
      <section className="card" aria-labelledby="settings-node">
        <h2 id="settings-node">{t('settings.node')}</h2>
        <p className="hint">{t('settings.readOnly')}</p>
        <dl className="defs">
          <Definition term={t('settings.dataDir')}>
            {status === null ? '…' : <Ident value={status.dataDir} />}
          </Definition>
          <Definition term={t('settings.api')}>
            {mode === 'electron' ? (
              t('settings.apiInApp')
            ) : apiOrigin === null ? (
              '…'
            ) : (
              <Ident value={apiOrigin} />
            )}
          </Definition>
          <Definition term={t('settings.p2p')}>
            {status === null || status.listenAddrs.length === 0 ? (
              t('settings.p2pNone')
            ) : (
              <ul className="plain-list">
                {status.listenAddrs.map((a) => (
                  <li key={a}>
                    <Ident value={a} />
                  </li>
                ))}
              </ul>
            )}
          </Definition>
        </dl>
      </section>
      <RoleSettings />
      <section className="card" aria-labelledby="settings-identity">
        <h2 id="settings-identity">{t('settings.identity')}</h2>
        <p>{t('settings.lockText')}</p>
        <ErrorNotice error={lockAction.error} />
        <div className="actions">
          <a className="btn btn-secondary" href={href('/backup')}>
            {t('settings.backup')}
          </a>
          <Button onClick={() => void lockAction.run()} busy={lockAction.busy}>
            {t('settings.lock')}
          </Button>
        </div>
      </section>
    </div>
  )
}

function ShellSettings(): ReactNode {
  const { t } = useTranslation()
  const node = useSettings((s) => s.node)
  const error = useSettings((s) => s.error)
  const update = useSettings((s) => s.updateNode)
  if (node === null) return null
  return (
    <section className="card" aria-labelledby="settings-desktop">
      <h2 id="settings-desktop">{t('settings.desktop')}</h2>
      <ErrorNotice error={error} />
      {node.autostart !== null ? (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={node.autostart}
            onChange={(e) => void update({ autostart: e.target.checked })}
            aria-describedby="autostart-hint"
          />
          {t('settings.autostart')}
        </label>
      ) : null}
      <p id="autostart-hint" className="hint">
        {t('settings.autostartHint')}
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={node.pauseContributing}
          onChange={(e) => void update({ pauseContributing: e.target.checked })}
          aria-describedby="pause-hint"
        />
        {t('settings.pause')}
      </label>
      <p id="pause-hint" className="hint">
        {t('settings.pauseHint')}
      </p>
    </section>
  )
}

/** The node's role (docs/roles.md): written to the node's config file, in force from the next start. */
function RoleSettings(): ReactNode {
  const { t } = useTranslation()
  const status = useNode((s) => s.status)
  const refresh = useNode((s) => s.refresh)
  const choose = useAction(async (role: NodeRoleName) => {
    await client().call('node.setRole', { role })
    await refresh()
  })
  if (status === null) return null
  const next = status.nextRole ?? status.role
  return (
    <section className="card" aria-labelledby="settings-role">
      <h2 id="settings-role">{t('settings.role')}</h2>
      <p>
        {t('settings.roleNow', { role: t(`settings.role_${status.role}`) })}{' '}
        {status.role === 'light' ? t('settings.roleLightNow') : null}
        {status.role === 'validator'
          ? status.validatorOf.length > 0
            ? t('settings.roleValidatorListed', { scopes: status.validatorOf.join(', ') })
            : t('settings.roleValidatorUnlisted')
          : null}
      </p>
      <ErrorNotice error={choose.error} />
      <fieldset className="radio-group" aria-describedby="role-hint">
        <legend>{t('settings.roleNext')}</legend>
        {ROLES.map((value) => (
          <label key={value} className="radio">
            <input
              type="radio"
              name="role"
              value={value}
              checked={next === value}
              disabled={choose.busy}
              onChange={() => void choose.run(value)}
            />
            {t(`settings.role_${value}`)} — {t(`settings.roleHint_${value}`)}
          </label>
        ))}
      </fieldset>
      <p id="role-hint" className="hint">
        {next !== status.role ? t('settings.roleRestartPending') : t('settings.roleRestart')}
      </p>
    </section>
  )
}
