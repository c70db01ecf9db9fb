import { describe, expect, it } from 'vitest'
import { escapeHtml, formatLogTail, startupErrorPage } from './startup-error'

describe('startup-error page', () => {
  const hostile = JSON.stringify({
    t: '2025-01-01T00:00:00.000Z',
    level: 'error',
    msg: '<script>alert(1)</script>',
    component: 'dag',
    err: { code: 'STORAGE_LOCKED', message: 'locked by <img src=x onerror=alert(1)>' },
  })

  it('shows the code, the next step, the log file and readable log lines, all escaped', () => {
    const page = startupErrorPage({
      code: 'NODE_START_FAILED',
      message: 'The database is in use by another ICN node. Quit it, then start again.',
      logFile: '/home/a/.config/ICN/logs/main.log',
      logTail: hostile + '\nnot json <b>\n',
      locale: 'en',
    })
    expect(page).toContain('<code>NODE_START_FAILED</code>')
    expect(page).toContain('Quit it, then start again.')
    expect(page).toContain('/home/a/.config/ICN/logs/main.log')
    expect(page).toContain(
      'ERROR dag: &lt;script&gt;alert(1)&lt;/script&gt; — [STORAGE_LOCKED] locked by &lt;img',
    )
    expect(page).toContain('not json &lt;b&gt;')
    // Only the page's own elements exist: every '<' from the log was escaped.
    const tags = new Set([...page.matchAll(/<\/?([a-z0-9!]+)/gi)].map((m) => (m[1] as string).toLowerCase()))
    expect([...tags].sort()).toEqual([
      '!doctype',
      'body',
      'code',
      'h1',
      'h2',
      'head',
      'html',
      'link',
      'main',
      'meta',
      'p',
      'pre',
      'section',
      'title',
    ])
    expect(page).not.toMatch(/\sstyle=/i)
  })

  it('is in Spanish for Spanish systems', () => {
    const page = startupErrorPage({ code: 'X', message: 'm', logFile: 'f', logTail: '', locale: 'es' })
    expect(page).toContain('<html lang="es">')
    expect(page).toContain('ICN no pudo arrancar')
  })

  it('escapes every HTML-significant character and keeps only the last lines', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    )
    const many = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n')
    const out = formatLogTail(many, 10).split('\n')
    expect(out).toHaveLength(10)
    expect(out[9]).toBe('line 99')
  })
})
