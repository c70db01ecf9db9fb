import { IcnError } from '../errors'
import { isDidKey } from '../identity'

/**
 * Executor settings: node-local choices of the member who runs the node (not DAG state, never gossiped except
 * as the summary in the status beacon). Persisted in the mesh's sublevel.
 */
export interface ExecutorSettings {
  /** Contribute compute at all. */
  enabled: boolean
  /** Share of the runtime's worker pool jobs may use (1–100 %); at least one job runs when enabled. */
  cpuSharePercent: number
  /** Hours of the day (local time) when the node bids: [startHour, endHour), wrapping past midnight; null = always. */
  schedule: { startHour: number; endHour: number } | null
  /** No new bids until this time (ms); null = not paused. */
  pausedUntil: number | null
  /** Lowest price this node bids (mana base units); it bids exactly this. */
  minPrice: bigint
  /** Only these submitters (empty = everyone). */
  allow: string[]
  /** Never these submitters. */
  deny: string[]
  /** Run `engine: 'wasmer'` jobs (no fuel or memory limit, only wall clock and output caps). */
  wasmer: boolean
}

export const DEFAULT_SETTINGS: ExecutorSettings = {
  enabled: true,
  cpuSharePercent: 50,
  schedule: null,
  pausedUntil: null,
  minPrice: 1n,
  allow: [],
  deny: [],
  wasmer: false,
}

export const MAX_LIST = 1000
/** Longest pause one call can set (a week); pausing longer is switching off. */
export const MAX_PAUSE_HOURS = 24 * 7

/** What `executor.setSettings` may change; `pauseHours` sets `pausedUntil` (0 resumes). */
export interface SettingsPatch {
  enabled?: boolean
  cpuSharePercent?: number
  schedule?: { startHour: number; endHour: number } | null
  pauseHours?: number
  minPrice?: bigint | number | string
  allow?: string[]
  deny?: string[]
  wasmer?: boolean
}

function bad(message: string): IcnError {
  return new IcnError('INVALID_ARGUMENT', message)
}

function checkList(list: unknown, what: string): string[] {
  if (!Array.isArray(list) || list.length > MAX_LIST)
    throw bad(`${what} is a list of at most ${MAX_LIST} DIDs.`)
  for (const did of list)
    if (!isDidKey(did))
      throw bad(`${what}: "${String(did).slice(0, 80)}" is not a member DID (did:key:z6Mk…).`)
  return [...new Set(list as string[])].sort()
}

export function applyPatch(current: ExecutorSettings, patch: SettingsPatch, now: number): ExecutorSettings {
  const next: ExecutorSettings = { ...current }
  if (patch.enabled !== undefined) next.enabled = patch.enabled
  if (patch.cpuSharePercent !== undefined) {
    const v = patch.cpuSharePercent
    if (!Number.isInteger(v) || v < 1 || v > 100)
      throw bad('cpuSharePercent must be a whole percent from 1 to 100.')
    next.cpuSharePercent = v
  }
  if (patch.schedule !== undefined) {
    const s = patch.schedule
    if (s !== null) {
      const hour = (h: unknown, max: number): boolean =>
        Number.isInteger(h) && (h as number) >= 0 && (h as number) <= max
      if (!hour(s.startHour, 23) || !hour(s.endHour, 24) || s.startHour === s.endHour % 24)
        throw bad('A schedule is startHour 0–23 and endHour 0–24 (local time), and they must differ.')
      next.schedule = { startHour: s.startHour, endHour: s.endHour }
    } else next.schedule = null
  }
  if (patch.pauseHours !== undefined) {
    const h = patch.pauseHours
    if (typeof h !== 'number' || !Number.isFinite(h) || h < 0 || h > MAX_PAUSE_HOURS)
      throw bad(`Pause for 0 to ${MAX_PAUSE_HOURS} hours (0 resumes now).`)
    next.pausedUntil = h === 0 ? null : now + Math.round(h * 3_600_000)
  }
  if (patch.minPrice !== undefined) {
    let v: bigint
    try {
      v = BigInt(patch.minPrice)
    } catch {
      throw bad('minPrice must be a whole number of mana base units.')
    }
    if (v < 0n || v > 10n ** 15n) throw bad('minPrice must be from 0 to 10^15.')
    next.minPrice = v
  }
  if (patch.allow !== undefined) next.allow = checkList(patch.allow, 'allow')
  if (patch.deny !== undefined) next.deny = checkList(patch.deny, 'deny')
  if (patch.wasmer !== undefined) next.wasmer = patch.wasmer
  return next
}

/** Settings from storage (JSON): anything unreadable falls back to the default of that field. */
export function fromStored(raw: unknown): ExecutorSettings {
  const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  try {
    return applyPatch(
      {
        ...DEFAULT_SETTINGS,
        enabled: typeof s['enabled'] === 'boolean' ? s['enabled'] : DEFAULT_SETTINGS.enabled,
        pausedUntil: typeof s['pausedUntil'] === 'number' ? s['pausedUntil'] : null,
      },
      {
        ...(typeof s['cpuSharePercent'] === 'number' ? { cpuSharePercent: s['cpuSharePercent'] } : {}),
        ...(s['schedule'] !== undefined ? { schedule: s['schedule'] as ExecutorSettings['schedule'] } : {}),
        ...(typeof s['minPrice'] === 'string' ? { minPrice: s['minPrice'] } : {}),
        ...(Array.isArray(s['allow']) ? { allow: s['allow'] as string[] } : {}),
        ...(Array.isArray(s['deny']) ? { deny: s['deny'] as string[] } : {}),
        ...(typeof s['wasmer'] === 'boolean' ? { wasmer: s['wasmer'] } : {}),
      },
      0,
    )
  } catch {
    return { ...DEFAULT_SETTINGS }
  }
}

export function toStored(s: ExecutorSettings): Record<string, unknown> {
  return { ...s, minPrice: s.minPrice.toString() }
}

/** Concurrent jobs allowed by the CPU share: at least one, at most the pool. */
export function slotsFor(settings: ExecutorSettings, poolSize: number): number {
  return Math.max(1, Math.min(poolSize, Math.floor((poolSize * settings.cpuSharePercent) / 100)))
}

export function inSchedule(schedule: ExecutorSettings['schedule'], now: number): boolean {
  if (schedule === null) return true
  const hour = new Date(now).getHours()
  const { startHour, endHour } = schedule
  return startHour < endHour ? hour >= startHour && hour < endHour : hour >= startHour || hour < endHour
}

/** The next time (ms) the schedule opens, for "outside its hours until …". */
export function nextScheduleStart(schedule: { startHour: number }, now: number): number {
  const d = new Date(now)
  d.setMinutes(0, 0, 0)
  for (let i = 0; i < 25; i++) {
    d.setHours(d.getHours() + 1)
    if (d.getHours() === schedule.startHour) return d.getTime()
  }
  return now
}

export type AvailabilityReason = 'disabled' | 'paused' | 'schedule' | 'busy' | 'locked'

export interface Availability {
  accepting: boolean
  reason: AvailabilityReason | null
  until: number | null
}

/** Whether the node bids on anything right now, and if not, why (in the order a contributor would fix them). */
export function availability(
  settings: ExecutorSettings,
  state: { now: number; running: number; slots: number; unlocked: boolean },
): Availability {
  if (!settings.enabled) return { accepting: false, reason: 'disabled', until: null }
  if (!state.unlocked) return { accepting: false, reason: 'locked', until: null }
  if (settings.pausedUntil !== null && settings.pausedUntil > state.now)
    return { accepting: false, reason: 'paused', until: settings.pausedUntil }
  if (!inSchedule(settings.schedule, state.now)) {
    return {
      accepting: false,
      reason: 'schedule',
      until: nextScheduleStart(settings.schedule as { startHour: number }, state.now),
    }
  }
  if (state.running >= state.slots) return { accepting: false, reason: 'busy', until: null }
  return { accepting: true, reason: null, until: null }
}

/** Why this node does not bid on one job (or null: it bids). */
export type DeclineReason =
  AvailabilityReason | 'min-price' | 'denied' | 'not-allowed' | 'reputation' | 'engine' | 'own-job'

export function declineReason(
  settings: ExecutorSettings,
  availabilityNow: Availability,
  job: { submitter: string; maxPrice: bigint; minReputation: number; engine: string },
  me: { did: string; reputation: number },
): DeclineReason | null {
  if (job.submitter === me.did) return 'own-job'
  if (!availabilityNow.accepting) return availabilityNow.reason
  if (settings.deny.includes(job.submitter)) return 'denied'
  if (settings.allow.length > 0 && !settings.allow.includes(job.submitter)) return 'not-allowed'
  if (job.engine === 'wasmer' && !settings.wasmer) return 'engine'
  if (job.maxPrice < settings.minPrice) return 'min-price'
  if (me.reputation < job.minReputation) return 'reputation'
  return null
}
