/**
 * Small accessible building blocks: every input has a label, errors are announced and tied to their field,
 * buttons say when they are busy. Styling is by class only (the CSP forbids inline styles).
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorInfo } from '../lib/client'

export function Button(props: {
  children: ReactNode
  onClick?: () => void
  type?: 'button' | 'submit'
  variant?: 'primary' | 'secondary' | 'danger' | 'link'
  busy?: boolean
  disabled?: boolean
  describedBy?: string
}): ReactNode {
  const { t } = useTranslation()
  return (
    <button
      type={props.type ?? 'button'}
      className={`btn btn-${props.variant ?? 'secondary'}`}
      onClick={props.onClick}
      disabled={props.disabled === true || props.busy === true}
      aria-busy={props.busy === true ? true : undefined}
      aria-describedby={props.describedBy}
    >
      {props.children}
      {props.busy === true ? <span className="visually-hidden"> {t('common.working')}</span> : null}
      {props.busy === true ? <span className="spinner" aria-hidden="true" /> : null}
    </button>
  )
}

export function Field(props: {
  label: string
  value: string
  onChange: (value: string) => void
  type?: 'text' | 'password'
  hint?: string
  error?: string | undefined
  autoComplete?: string
  autoFocus?: boolean
  name?: string
  multiline?: boolean
  spellCheck?: boolean
  required?: boolean
  inputMode?: 'text' | 'none'
}): ReactNode {
  const id = useId()
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const described = [props.hint !== undefined ? hintId : '', props.error !== undefined ? errorId : '']
    .filter((s) => s !== '')
    .join(' ')
  const common = {
    id,
    name: props.name,
    value: props.value,
    autoComplete: props.autoComplete ?? 'off',
    autoFocus: props.autoFocus,
    spellCheck: props.spellCheck ?? false,
    required: props.required,
    'aria-invalid': props.error !== undefined ? true : undefined,
    'aria-describedby': described === '' ? undefined : described,
  }
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline === true ? (
        <textarea {...common} rows={4} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          inputMode={props.inputMode}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {props.hint !== undefined ? (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      ) : null}
      {props.error !== undefined ? (
        <p id={errorId} className="field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  )
}

/** A labelled drop-down: every choice has a value and the text shown for it. */
export function Select<V extends string>(props: {
  label: string
  value: V
  onChange: (value: V) => void
  options: readonly { value: V; label: string }[]
}): ReactNode {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value as V)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  )
}

/** A node error: its stable code, the node's message, and what to do next in the member's language. */
export function ErrorNotice({
  error,
  title,
}: {
  error: ErrorInfo | null | undefined
  title?: string
}): ReactNode {
  const { t, i18n } = useTranslation()
  if (error === null || error === undefined) return null
  const hintKey = `errors.${error.code}`
  const hint = i18n.exists(hintKey) ? t(hintKey) : t('errors.generic')
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">
        {title ?? t('errors.title')} <code className="error-code">{error.code}</code>
      </p>
      <p>{error.message}</p>
      <p className="notice-next">
        <strong>{t('errors.next')}</strong> {hint}
      </p>
    </div>
  )
}

/** The page's heading, focused when the page opens so screen readers and keyboards start there. */
export function PageTitle({ children }: { children: ReactNode }): ReactNode {
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [])
  return (
    <h1 ref={ref} tabIndex={-1} className="page-title">
      {children}
    </h1>
  )
}

/** A long identifier (DID, CID, state root) shown whole and easy to select. */
export function Ident({ value, label }: { value: string; label?: string }): ReactNode {
  return (
    <code className="ident" aria-label={label}>
      {value}
    </code>
  )
}

export function Definition({ term, children }: { term: string; children: ReactNode }): ReactNode {
  return (
    <div className="def">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  )
}

/** Runs an async action with busy and error state, for forms and buttons. */
export function useAction<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): { run: (...args: A) => Promise<void>; busy: boolean; error: ErrorInfo | null; clear: () => void } {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorInfo | null>(null)
  const mounted = useRef(true)
  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
    }
  }, [])
  return {
    busy,
    error,
    clear: () => setError(null),
    async run(...args) {
      setBusy(true)
      setError(null)
      try {
        await action(...args)
      } catch (err) {
        const e = err as { code?: unknown; message?: unknown }
        if (mounted.current) {
          setError({
            code: typeof e.code === 'string' ? e.code : 'INTERNAL',
            message: typeof e.message === 'string' ? e.message : String(err),
          })
        }
      } finally {
        if (mounted.current) setBusy(false)
      }
    },
  }
}
