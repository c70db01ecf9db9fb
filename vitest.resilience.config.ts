import { defineConfig } from 'vitest/config'

// The resilience suite (app/resilience): real daemon processes killed, restarted, soaked and abused. One file at
// a time so its timings are not skewed by the other tests; `npm run test:resilience`, and a step of `npm test`.
export default defineConfig({
  test: {
    include: ['app/resilience/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    minWorkers: 1,
    fileParallelism: false,
  },
})
