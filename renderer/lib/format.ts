/** Formatting helpers that follow the UI language. Intl formatters are costly to build, so they are kept. */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>()

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined
  if (f === undefined) formatters.set(key, (f = make()))
  return f
}
export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  const digits = unit === 0 ? 0 : 1
  const format = cached(
    `bytes:${locale}:${digits}`,
    () => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }),
  )
  return `${format.format(value)} ${units[unit]}`
}

export function formatTime(ms: number, locale: string): string {
  return cached(
    `time:${locale}`,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }),
  ).format(new Date(ms))
}

export function formatDuration(ms: number, locale: string): string {
  const seconds = Math.floor(ms / 1000)
  const parts: [number, Intl.RelativeTimeFormatUnit][] = [
    [Math.floor(seconds / 86400), 'day'],
    [Math.floor((seconds % 86400) / 3600), 'hour'],
    [Math.floor((seconds % 3600) / 60), 'minute'],
    [seconds % 60, 'second'],
  ]
  const shown = parts.filter(([n]) => n > 0).slice(0, 2)
  if (shown.length === 0) shown.push([0, 'second'])
  return shown
    .map(([n, unit]) =>
      new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(n),
    )
    .join(' ')
}

export function formatNumber(n: number, locale: string): string {
  return cached(`number:${locale}`, () => new Intl.NumberFormat(locale)).format(n)
}

/** did:key:z6MkhaX…Wq9 — long identifiers shortened for lists; the full value stays in the title. */
export function shorten(id: string, head = 14, tail = 6): string {
  return id.length <= head + tail + 1 ? id : `${id.slice(0, head)}…${id.slice(-tail)}`
}
