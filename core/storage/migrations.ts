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
  {
    to: 2,
    describe: 'received credits leave the state (econ/recv/ is gone): the state is rebuilt from the events',
    async migrate(db) {
      // A store that received a credit holds `econ/recv/` rows and the received credits; the new rules leave
      // neither in the state, so its root would differ from other nodes'. The DAG's durable refold marker makes
      // the next start rebuild state and index from the stored events (the path an interrupted refold takes).
      const state = db.sublevel<string, Uint8Array>('state', { valueEncoding: 'view' })
      for await (const _key of state.keys({ gte: 'econ/recv/', lt: 'econ/recv/\uffff', limit: 1 })) {
        await db.sublevel<string, unknown>('refold', { valueEncoding: 'json' }).put('pending', {
          startedAt: Date.now(),
          reason: 'storage schema 2: received credits leave the state; rebuilding the state from the events',
        })
      }
    },
  },
]
