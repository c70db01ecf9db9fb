import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'core/**/*.test.ts',
      'app/**/*.test.ts',
      'main/**/*.test.ts',
      'renderer/**/*.test.{ts,tsx}',
      'resources/**/*.test.ts',
    ],
    exclude: ['node_modules', 'dist', 'e2e', 'app/resilience/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Multi-node tests bind real ports and write real level stores; two cores in CI.
    maxWorkers: 2,
    minWorkers: 1,
  },
})
