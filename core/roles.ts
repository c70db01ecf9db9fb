/**
 * What a node does for its cooperative (docs/roles.md): a full node stores every event and may execute jobs; a
 * light node applies every event but stores whole only its member's chain, governance and job events and what it
 * views, and never executes; a validator behaves as a full node (a scope charter lists its member).
 */
export type NodeRole = 'full' | 'light' | 'validator'
export const NODE_ROLES: readonly NodeRole[] = ['full', 'light', 'validator']
