/**
 * The startup-error window's page: the error code, what to do next, where the log is and its last lines. Served
 * from memory through app:// under the same CSP, so it has no script and no inline style; every dynamic string
 * is HTML-escaped (log lines may carry peer-supplied text).
 */
import { parseLine } from '../app/log-ring'
import { translate, type Locale } from './strings'

export const STARTUP_ERROR_PATH = '/startup-error.html'
export const STARTUP_ERROR_CSS_PATH = '/startup-error.css'

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  )
}

/** JSON log lines as `time level component: message [code]`, one per line. */
export function formatLogTail(tail: string, maxLines = 60): string {
  const lines = tail.split('\n').filter((l) => l.trim() !== '')
  return lines
    .slice(-maxLines)
    .map((raw) => {
      const line = parseLine(raw)
      if (line.t === '') return raw
      const err = line.fields?.['err'] as { code?: unknown; message?: unknown } | undefined
      const detail =
        err !== undefined && typeof err === 'object' && err !== null
          ? ` — ${typeof err.code === 'string' ? `[${err.code}] ` : ''}${typeof err.message === 'string' ? err.message : ''}`
          : ''
      return `${line.t} ${line.level.toUpperCase()} ${line.component ?? 'app'}: ${line.msg}${detail}`
    })
    .join('\n')
}

export interface StartupErrorInit {
  code: string
  message: string
  logFile: string
  logTail: string
  locale: Locale
}

export function startupErrorPage(init: StartupErrorInit): string {
  const t = (key: Parameters<typeof translate>[1], values?: Record<string, string>): string =>
    escapeHtml(translate(init.locale, key, values))
  return `<!doctype html>
<html lang="${init.locale}">
<head>
<meta charset="utf-8">
<title>${t('startupTitle')}</title>
<link rel="stylesheet" href="${STARTUP_ERROR_CSS_PATH.slice(1)}">
</head>
<body>
<main>
<h1>${t('startupTitle')}</h1>
<p>${t('startupIntro')}</p>
<section aria-labelledby="next">
<h2 id="next">${t('startupNext')}</h2>
<p class="error"><code>${escapeHtml(init.code)}</code> ${escapeHtml(init.message)}</p>
<p>${t('startupLogFile', { file: init.logFile })}</p>
</section>
<section aria-labelledby="tail">
<h2 id="tail">${t('startupLogTail')}</h2>
<pre tabindex="0">${escapeHtml(formatLogTail(init.logTail))}</pre>
</section>
<p>${t('startupClose')}</p>
</main>
</body>
</html>
`
}

export const STARTUP_ERROR_CSS = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; background: Canvas; color: CanvasText; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; }
h2 { font-size: 1.1rem; margin-top: 1.5rem; }
.error code { font-weight: 700; margin-right: 0.5rem; }
pre { white-space: pre-wrap; word-break: break-word; max-height: 16rem; overflow: auto; padding: 0.75rem;
  border: 1px solid GrayText; border-radius: 4px; font-size: 0.8rem; }
pre:focus-visible { outline: 3px solid Highlight; outline-offset: 2px; }
`
