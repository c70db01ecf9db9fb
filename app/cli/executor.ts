import type { ExecutorSettingsInfo, ExecutorStatsInfo, Params } from '../contract'
import { UsageError, type CliContext } from './index'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

function formatSettings(s: ExecutorSettingsInfo): string[] {
  const paused = s.pausedUntil !== null && s.pausedUntil > Date.now()
  return [
    `contributing ${s.enabled ? 'on' : 'off'}${paused ? ` (paused until ${new Date(s.pausedUntil as number).toISOString()})` : ''}`,
    `cpu share    ${s.cpuSharePercent} %`,
    `schedule     ${s.schedule === null ? 'any time' : `${s.schedule.startHour}:00–${s.schedule.endHour}:00 local time`}`,
    `min price    ${s.minPrice} mana`,
    `allow        ${s.allow.length === 0 ? 'everyone' : s.allow.join(', ')}`,
    `deny         ${s.deny.length === 0 ? 'nobody' : s.deny.join(', ')}`,
    `wasmer jobs  ${s.wasmer ? 'yes' : 'no'}`,
  ]
}

function formatStats(s: ExecutorStatsInfo): string {
  const d = s.recent.declined
  return [
    ...formatSettings(s.settings),
    `now          ${s.accepting ? 'accepting jobs' : `not accepting (${s.reason}${s.until === null ? '' : ` until ${new Date(s.until).toISOString()}`})`}; ${s.running.length} of ${s.slots} slots busy`,
    ...s.running.map((r) => `  ${r.stage} ${r.job} since ${new Date(r.since).toISOString()}`),
    `completed    ${s.completed} paid, ${s.failed} not paid; earned ${s.earned} mana; reputation ${s.reputation}`,
    `recently     ${s.recent.seen} jobs seen, bid on ${s.recent.bid}, won ${s.recent.won}, outbid on ${s.recent.outbid}${
      Object.keys(d).length === 0
        ? ''
        : `; declined: ${Object.entries(d)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`
    }`,
    ...(s.explanations.length === 0
      ? []
      : ['why you may not be getting jobs', ...s.explanations.map((e) => `  ${e}`)]),
  ].join('\n')
}

function hours(text: string): { startHour: number; endHour: number } | null {
  if (text === 'none' || text === 'always') return null
  const m = /^(\d{1,2})-(\d{1,2})$/.exec(text)
  if (m === null) throw new UsageError('--schedule is START-END in local hours (e.g. 22-7), or "none".')
  return { startHour: Number(m[1]), endHour: Number(m[2]) }
}

export function executorCommands({ program, connect, print }: CliContext): void {
  const executor = program
    .command('executor')
    .description('contribute compute: settings, pause, and why you get jobs or not')

  executor
    .command('show')
    .description('settings, current activity, earnings and reasons you are not getting jobs')
    .action(async () => {
      const client = await connect()
      const stats = await client.call('executor.stats')
      print(stats, () => formatStats(stats))
    })

  executor
    .command('stats')
    .description('alias of show')
    .action(async () => {
      const client = await connect()
      const stats = await client.call('executor.stats')
      print(stats, () => formatStats(stats))
    })

  executor
    .command('set')
    .description('change executor settings (only the options given change)')
    .option('--enable', 'contribute compute')
    .option('--disable', 'stop contributing (running jobs finish)')
    .option('--cpu-share <percent>', 'share of the worker pool jobs may use, 1–100')
    .option('--min-price <mana>', 'lowest price you bid')
    .option('--schedule <START-END>', 'hours of the day you bid, local time (e.g. 22-7), or "none"')
    .option('--allow <did>', 'serve only these submitters (repeat; replaces the list)', collect)
    .option('--deny <did>', 'never serve these submitters (repeat; replaces the list)', collect)
    .option('--clear-lists', 'serve everyone again')
    .option('--wasmer', 'also run wasmer jobs (no fuel or memory limit)')
    .option('--no-wasmer', 'do not run wasmer jobs')
    .action(
      async (o: {
        enable?: boolean
        disable?: boolean
        cpuShare?: string
        minPrice?: string
        schedule?: string
        allow?: string[]
        deny?: string[]
        clearLists?: boolean
        wasmer?: boolean
      }) => {
        if (o.enable === true && o.disable === true)
          throw new UsageError('Use --enable or --disable, not both.')
        const patch: Params<'executor.setSettings'> = {
          ...(o.enable === true ? { enabled: true } : {}),
          ...(o.disable === true ? { enabled: false } : {}),
          ...(o.cpuShare === undefined ? {} : { cpuSharePercent: Number(o.cpuShare) }),
          ...(o.minPrice === undefined ? {} : { minPrice: o.minPrice }),
          ...(o.schedule === undefined ? {} : { schedule: hours(o.schedule) }),
          ...(o.clearLists === true ? { allow: [], deny: [] } : {}),
          ...(o.allow === undefined ? {} : { allow: o.allow }),
          ...(o.deny === undefined ? {} : { deny: o.deny }),
          ...(o.wasmer === undefined ? {} : { wasmer: o.wasmer }),
        }
        const client = await connect()
        const settings = await client.call('executor.setSettings', patch)
        print(settings, () => formatSettings(settings).join('\n'))
      },
    )

  executor
    .command('pause')
    .description('stop bidding for N hours (running jobs finish)')
    .argument('<hours>')
    .action(async (h: string) => {
      const n = Number(h)
      if (!Number.isFinite(n) || n <= 0) throw new UsageError('Pause for a positive number of hours.')
      const client = await connect()
      const settings = await client.call('executor.setSettings', { pauseHours: n })
      print(settings, () => formatSettings(settings)[0] as string)
    })

  executor
    .command('resume')
    .description('end a pause now')
    .action(async () => {
      const client = await connect()
      const settings = await client.call('executor.setSettings', { pauseHours: 0 })
      print(settings, () => formatSettings(settings)[0] as string)
    })
}
