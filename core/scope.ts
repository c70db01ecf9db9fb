import type { StateView } from './dag'
import { GLOBAL_SCOPE } from './dag/event'
import {
  defaultParams,
  frozenDefaultParams,
  PARAMS,
  type ParamBounds,
  type ParamName,
  type ParamValues,
} from './params'

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
  /** Charter bounds: `{ [param]: { min, max } }` for the parameters the charter narrows; fixed at genesis. */
  charter: (scope: string): string => `scope/${scope}/charter`,
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
/**
 * A scope's parameters: the defaults overlaid with its stored values. Read on every charged event; the global
 * scope's are the frozen defaults themselves (no copy), so callers must not modify the result.
 */
export async function readParams(view: StateView, scope: string): Promise<Readonly<ParamValues>> {
  if (scope === GLOBAL_SCOPE) return frozenDefaultParams()
  const params = defaultParams()
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

export async function readMemberCount(view: StateView, scope: string): Promise<number> {
  if (scope === GLOBAL_SCOPE) return 0
  return Number((await view.get<number>(scopeKeys.memberCount(scope))) ?? 0)
}

/**
 * Effective bounds of every parameter in a scope: the absolute bounds of core/params.ts narrowed by the
 * scope's charter. Parameter changes outside them are refused (GOV_BELOW_CHARTER_BOUNDS).
 */
export async function readCharterBounds(
  view: StateView,
  scope: string,
): Promise<Record<ParamName, ParamBounds>> {
  const stored =
    scope === GLOBAL_SCOPE
      ? undefined
      : await view.get<Partial<Record<string, { min: bigint | number; max: bigint | number }>>>(
          scopeKeys.charter(scope),
        )
  const out = {} as Record<ParamName, ParamBounds>
  for (const [name, spec] of Object.entries(PARAMS) as [ParamName, { min: bigint; max: bigint }][]) {
    const narrowed = stored?.[name]
    out[name] =
      narrowed === undefined
        ? { min: spec.min, max: spec.max }
        : { min: BigInt(narrowed.min), max: BigInt(narrowed.max) }
  }
  return out
}
