import type { Migration } from './index'

/**
 * Schema migrations, oldest first. Version 1 is the initial layout; a migration is added here (never edited)
 * when a sublevel's layout changes, and its test opens a copy of the previous layout.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    describe: 'initial layout: meta, blocks, events, chains, heads, pending, state',
    async migrate() {
      // Nothing to transform: a fresh database starts at version 1.
    },
  },
]
