import { defineConfig } from '@playwright/test'

/**
 * End-to-end tests drive real daemons (bin/icn.js, fresh data dirs, free ports) and Debian's Chromium.
 * Never `npx playwright install`: the browser comes from the system (apt-get install chromium).
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter:
    process.env['CI'] === 'true'
      ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]]
      : 'list',
  outputDir: 'test-results',
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env['ICN_CHROMIUM'] ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
})
