import type { HistoryEntry } from './types'

export const HISTORY_CSV_COLUMNS = [
  'time',
  'ts',
  'event',
  'kind',
  'direction',
  'asset',
  'symbol',
  'amount',
  'counterparty',
  'balance',
  'memo',
  'scope',
  'items',
] as const

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-leading text is defused. */
function field(value: string): string {
  // Spreadsheets execute cells starting with = + - @ (CSV injection); memos come from other members.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function historyCsvHeader(): string {
  return HISTORY_CSV_COLUMNS.join(',') + '\r\n'
}

/** History entries as CSV rows (amounts in base units; direction says in or out). */
export function historyCsvRows(entries: readonly HistoryEntry[]): string {
  let out = ''
  for (const e of entries) {
    out +=
      [
        new Date(e.ts).toISOString(),
        String(e.ts),
        e.event,
        e.kind,
        e.direction,
        e.asset,
        e.symbol,
        e.amount.toString(),
        e.counterparty ?? '',
        e.balance === null ? '' : e.balance.toString(),
        e.memo,
        e.scope,
        (e.items ?? []).join(' '),
      ]
        .map(field)
        .join(',') + '\r\n'
  }
  return out
}
