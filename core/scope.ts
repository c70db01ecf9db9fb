import type { StateView } from './dag'
import { GLOBAL_SCOPE } from './dag/event'
import { defaultParams, type ParamValues } from './params'

/**
 * Scope state (federations, cooperatives) is written by governance and read by every service through these
 * helpers, so key layout lives in one place. The implicit `global` scope has default parameters and counts
 * every DID as a member.
 */
export const scopeKeys = {
  info: (scope: string): string => `scope/${scope}/info`,
  params: (scope: string): string => `scope/${scope}/params`,
  member: (scope: string, did: string): string => `scope/${scope}/member/${did}`,
  memberPrefix: (scope: string): string => `scope/${scope}/member/`,
  memberCount: (scope: string): string => `scope/${scope}/member-count`,
}

export type ScopeKind = 'federation' | 'cooperative'

export interface ScopeInfo {
  kind: ScopeKind
  name: string
  /** The federation a cooperative belongs to, or null. */
  parent: string | null
  /** Event id of the genesis event; the scope DID is did:icn:<genesis>. */
  genesis: string
  createdAt: number
  /** Validator DIDs named in the charter. */
  validators: string[]
}

export interface MemberRecord {
  /** ts (ms) of the event that made the DID a member (genesis or the admitting proposal's execution). */
  since: number
  roles: string[]
  /** 'genesis' or the id of the proposal that admitted the member. */
  admittedBy: string
}

export async function readScopeInfo(view: StateView, scope: string): Promise<ScopeInfo | undefined> {
  if (scope === GLOBAL_SCOPE) return undefined
  return view.get<ScopeInfo>(scopeKeys.info(scope))
}

/** The scope's parameters: stored values over defaults. */
export async function readParams(view: StateView, scope: string): Promise<ParamValues> {
  const params = defaultParams()
  if (scope === GLOBAL_SCOPE) return params
  const stored = await view.get<Partial<Record<string, bigint | number>>>(scopeKeys.params(scope))
  if (stored !== undefined) {
    for (const [name, value] of Object.entries(stored)) {
      if (name in params && value !== undefined) params[name as keyof ParamValues] = BigInt(value)
    }
  }
  return params
}

export async function readMember(
  view: StateView,
  scope: string,
  did: string,
): Promise<MemberRecord | undefined> {
  if (scope === GLOBAL_SCOPE) return { since: 0, roles: [], admittedBy: 'genesis' }
  return view.get<MemberRecord>(scopeKeys.member(scope, did))
}

export async function isMember(view: StateView, scope: string, did: string): Promise<boolean> {
  return (await readMember(view, scope, did)) !== undefined
}
