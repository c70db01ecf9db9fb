import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { IcnClient } from '../client'
import type { WalletBalance, WalletHistoryEntry, WalletHistoryKind } from '../contract'
import { formatUnits } from '../../core/economics/amounts'
import { UsageError, type CliContext } from './index'
import { short, tokenCommands } from './token'

const KINDS: WalletHistoryKind[] = [
  'transfer',
  'settlement',
  'grant',
  'refund',
  'mint',
  'opening',
  'fee',
  'reserve',
  'release',
  'burn',
]

/** "2h 5m", "3 d 4 h": time until a moment, for people. */
export function until(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((ms - now) / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h} h ${m % 60} min`
  return `${Math.floor(h / 24)} d ${h % 24} h`
}

/** An ISO date/time or milliseconds since the epoch. */
export function parseTime(text: string, option: string): number {
  const ms = /^[0-9]+$/.test(text) ? Number(text) : Date.parse(text)
  if (!Number.isFinite(ms))
    throw new UsageError(`${option} takes a date (2025-01-31, 2025-01-31T12:00Z) or ms.`)
  return ms
}

export function parseLimit(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError('--limit is 1–10000.')
  return n
}

function formatBalance(b: WalletBalance): string {
  const { capacity, ratePerHour, fullAt } = b.regenerating
  const regen =
    b.full || fullAt === null
      ? b.full
        ? 'full'
        : 'not regenerating'
      : `full in ${until(fullAt)} (${new Date(fullAt).toISOString()})`
  return [
    `available    ${b.available} mana${b.opened ? '' : ' (opening balance; no activity yet)'}`,
    `reserved     ${b.reserved} mana`,
    `regenerating ${ratePerHour}/h up to ${capacity}: ${regen}`,
    `account      ${b.did}`,
    `economy      ${b.economy}${b.scope === b.economy ? '' : ` (for ${b.scope})`}`,
  ].join('\n')
}

/** Amounts in display units: tokens with their class's decimals (looked up once per class). */
function assetFormatter(client: IcnClient): (asset: string, amount: string) => Promise<string> {
  const classes = new Map<string, Promise<{ symbol: string; decimals: number }>>()
  return async (asset, amount) => {
    if (asset === 'mana') return `${amount} mana`
    let klass = classes.get(asset)
    if (klass === undefined) {
      klass = client
        .call('tokens.class', { id: asset })
        .catch(() => ({ symbol: asset.slice(0, 12), decimals: 0 }))
      classes.set(asset, klass)
    }
    const { symbol, decimals } = await klass
    return `${formatUnits(amount, decimals)} ${symbol}`
  }
}

function formatEntry(e: WalletHistoryEntry, shown: string): string {
  const amount = `${e.direction === 'in' ? '+' : '-'}${shown}`
  const who =
    e.counterparty === null ? '' : `${e.direction === 'in' ? 'from' : 'to'} ${short(e.counterparty)}`
  return [
    new Date(e.ts).toISOString().replace('.000Z', 'Z'),
    e.kind.padEnd(10),
    amount.padStart(18),
    who.padEnd(28),
    e.balance === null ? ''.padEnd(8) : `= ${e.balance}`.padEnd(8),
    e.memo,
  ]
    .join('  ')
    .trimEnd()
}

async function writeCsv(
  client: IcnClient,
  file: string,
  query: Record<string, unknown>,
  report: (done: number) => void,
): Promise<number> {
  let csv = ''
  let cursor: string | undefined
  let rows = 0
  for (;;) {
    const page = await client.call('wallet.history', {
      ...query,
      format: 'csv',
      limit: 10_000,
      ...(cursor === undefined ? {} : { cursor }),
    })
    const text = page.csv ?? ''
    csv += text
    rows += text.split('\r\n').length - 1 - (cursor === undefined ? 1 : 0)
    report(rows)
    if (page.next === null) break
    cursor = page.next
  }
  await writeFile(file, csv)
  return rows
}

/** `icn wallet …` (mana) and `icn token …` (tokens). */
export function walletCommands(ctx: CliContext): void {
  const { io, program, connect, print } = ctx
  const wallet = program.command('wallet').description('mana: balance, history, sending, costs')

  wallet
    .command('balance')
    .description('available, reserved and regenerating mana')
    .option('--did <did>', 'whose balance (default: yours)')
    .option('--scope <scope>', 'cooperative or federation DID, or "global"', 'global')
    .action(async (options: { did?: string; scope: string }) => {
      const client = await connect()
      const b = await client.call('wallet.balance', {
        scope: options.scope,
        ...(options.did === undefined ? {} : { did: options.did }),
      })
      print(b, () => formatBalance(b))
    })

  wallet
    .command('history')
    .description('what moved in and out, newest first (or all of it as CSV with --csv)')
    .option('--did <did>', 'whose history (default: yours)')
    .option('--scope <scope>', 'cooperative or federation DID, or "global"', 'global')
    .option('--kind <kind>', `only one kind: ${KINDS.join(', ')}`)
    .option('--with <did>', 'only entries with this counterparty')
    .option('--since <time>', 'from this date/time (ISO) or ms')
    .option('--until <time>', 'up to this date/time (ISO) or ms')
    .option('--limit <n>', 'entries per page', '20')
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--csv <file>', 'write every matching entry to a CSV file')
    .action(
      async (options: {
        did?: string
        scope: string
        kind?: string
        with?: string
        since?: string
        until?: string
        limit: string
        cursor?: string
        csv?: string
      }) => {
        if (options.kind !== undefined && !KINDS.includes(options.kind as WalletHistoryKind))
          throw new UsageError(`--kind is one of ${KINDS.join(', ')}.`)
        const query = {
          scope: options.scope,
          ...(options.did === undefined ? {} : { did: options.did }),
          ...(options.kind === undefined ? {} : { kind: options.kind as WalletHistoryKind }),
          ...(options.with === undefined ? {} : { counterparty: options.with }),
          ...(options.since === undefined ? {} : { since: parseTime(options.since, '--since') }),
          ...(options.until === undefined ? {} : { until: parseTime(options.until, '--until') }),
        }
        const client = await connect()
        if (options.csv !== undefined) {
          const file = resolve(options.csv)
          const rows = await writeCsv(client, file, query, (done) => {
            if (io.isTTY) process.stderr.write(`\rexporting… ${done} entries`)
          })
          if (io.isTTY) process.stderr.write('\n')
          print({ file, entries: rows }, () => `${rows} entries → ${file}`)
          return
        }
        const page = await client.call('wallet.history', {
          ...query,
          limit: parseLimit(options.limit),
          ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
        })
        const format = assetFormatter(client)
        const amounts = await Promise.all(page.entries.map((e) => format(e.asset, e.amount)))
        print(page, () => {
          if (page.entries.length === 0) return 'no entries'
          const lines = page.entries.map((e, i) => formatEntry(e, amounts[i]!))
          if (page.next !== null) lines.push(`more: icn wallet history --cursor '${page.next}'`)
          return lines.join('\n')
        })
      },
    )

  wallet
    .command('send')
    .description('send mana to a member; it arrives when their node acknowledges it')
    .argument('<to>', 'recipient DID (did:key:…)')
    .argument('<amount>', 'whole mana units')
    .option('--memo <text>', 'a note for the recipient (≤ 280 characters)')
    .option('--scope <scope>', 'cooperative or federation DID, or "global"', 'global')
    .action(async (to: string, amount: string, options: { memo?: string; scope: string }) => {
      const client = await connect()
      const result = await client.call('wallet.transfer', {
        to,
        amount,
        scope: options.scope,
        ...(options.memo === undefined ? {} : { memo: options.memo }),
      })
      print(result, () => `Sent ${amount} mana to ${to} (event ${result.id}).`)
    })

  wallet
    .command('cost')
    .description('what an action costs now and whether your mana covers it')
    .argument('<action>', 'transfer, vote, propose, note, mint, create-class, job, or an event type')
    .option('--amount <n>', 'value moved or escrowed on top of the fee (a transfer, a job’s maxPrice)')
    .option('--scope <scope>', 'cooperative or federation DID, or "global"', 'global')
    .action(async (action: string, options: { amount?: string; scope: string }) => {
      const client = await connect()
      const q = await client.call('wallet.cost', {
        action,
        scope: options.scope,
        ...(options.amount === undefined ? {} : { amount: options.amount }),
      })
      print(q, () => {
        const parts = [
          `${q.type} costs ${q.total} mana${q.amount === '0' ? '' : ` (${q.fee} fee + ${q.amount})`}`,
        ]
        parts.push(`you have ${q.available} available`)
        if (!q.covered)
          parts.push(
            q.availableAt === null
              ? `short by ${q.shortfall}; regeneration alone will not cover it`
              : `short by ${q.shortfall}; covered in ${until(q.availableAt)}`,
          )
        return parts.join('; ') + '.'
      })
    })

  wallet
    .command('pending')
    .description('value sent to you (or --did) that is not acknowledged yet')
    .option('--did <did>')
    .option('--scope <scope>')
    .action(async (options: { did?: string; scope?: string }) => {
      const client = await connect()
      const r = await client.call('wallet.pending', {
        ...(options.did === undefined ? {} : { did: options.did }),
        ...(options.scope === undefined ? {} : { scope: options.scope }),
      })
      const format = assetFormatter(client)
      const amounts = await Promise.all(r.credits.map((c) => format(c.asset, c.amount)))
      print(r, () =>
        r.credits.length === 0
          ? 'nothing pending'
          : r.credits
              .map(
                (c, i) =>
                  `${c.kind.padEnd(10)} ${amounts[i]!.padStart(18)}  from ${short(c.from)}  ${c.credit}`,
              )
              .join('\n'),
      )
    })

  wallet
    .command('reputation')
    .description('a member’s reputation: verified successes, failures and timeouts')
    .argument('[did]', 'whose (default: yours)')
    .option('--scope <scope>', 'cooperative or federation DID, or "global"', 'global')
    .action(async (did: string | undefined, options: { scope: string }) => {
      const client = await connect()
      const who = did ?? (await client.call('identity.get')).did
      if (who === null) throw new UsageError('No identity on this node; give a DID.')
      const r = await client.call('reputation.get', { did: who, scope: options.scope })
      print(r, () =>
        [
          `score        ${r.score} / 1000`,
          `successes    ${r.successes}`,
          `failures     ${r.failures}`,
          `timeouts     ${r.timeouts}`,
          `last outcome ${r.last === null ? '-' : new Date(r.last).toISOString()}`,
        ].join('\n'),
      )
    })
  tokenCommands(ctx)
}
