/**
 * Which published update the app may install. A release declares the ICN protocol version it speaks in its
 * metadata (`protocolVersion`, set by the release build from core/version.ts); a node installs only a release that
 * speaks the same protocol — a newer protocol could fork it from its cooperative until every member upgrades.
 * Pure, so it is unit-tested without Electron; main wires it into electron-updater's `update-available`.
 */
export interface ReleaseInfo {
  version: string
  protocolVersion?: unknown
}

export type UpdateDecision =
  | { install: true }
  | { install: false; reason: 'not-newer' | 'protocol-unknown' | 'protocol-incompatible' | 'bad-version' }

const SEMVER = /^(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:-([0-9A-Za-z.-]{1,64}))?$/

function parse(v: string): [number, number, number, string | null] | null {
  const m = SEMVER.exec(v.trim().replace(/^v/, ''))
  if (m === null) return null
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? null]
}

/** -1, 0 or 1; a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number | null {
  const x = parse(a)
  const y = parse(b)
  if (x === null || y === null) return null
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) < (y[i] as number) ? -1 : 1
  if (x[3] === y[3]) return 0
  if (x[3] === null) return 1
  if (y[3] === null) return -1
  return x[3] < y[3] ? -1 : 1
}

export function updateDecision(
  current: { version: string; protocolVersion: number },
  release: ReleaseInfo,
): UpdateDecision {
  const order = compareVersions(release.version, current.version)
  if (order === null) return { install: false, reason: 'bad-version' }
  if (order <= 0) return { install: false, reason: 'not-newer' }
  if (typeof release.protocolVersion !== 'number' || !Number.isInteger(release.protocolVersion))
    return { install: false, reason: 'protocol-unknown' }
  if (release.protocolVersion !== current.protocolVersion)
    return { install: false, reason: 'protocol-incompatible' }
  return { install: true }
}
