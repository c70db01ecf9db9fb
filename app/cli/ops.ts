import { resolve } from 'node:path'
import { restoreBackup } from '../../core/storage/backup'
import type { CliContext } from './index'

export function opsCommands({ program, globals, connect, print, progress }: CliContext): void {
  program
    .command('backup')
    .description('write a consistent backup of the running node (database, keystore, node files) to FILE')
    .argument('<file>')
    .action(async (file: string) => {
      const client = await connect()
      const off = client.on('node:progress', progress())
      const result = await client.call('node.backup', { path: resolve(file) })
      off()
      print(
        result,
        () =>
          `Backup of ${result.entries} entries and ${result.files.length} files → ${result.path}\nsha256 ${result.sha256}`,
      )
    })
  program
    .command('memory')
    .description(
      "the node's memory; --gc ends idle job workers and runs a full garbage collection first (what the node keeps)",
    )
    .option('--gc', 'end idle job workers and collect garbage first (a pause of tens of ms)')
    .action(async (options: { gc?: boolean }) => {
      const client = await connect()
      const m = await client.call('node.memory', { collect: options.gc === true })
      const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`
      print(m, () =>
        [
          `resident    ${mib(m.rss)}${m.rssAnon === null || m.rssFile === null ? '' : ` (anonymous ${mib(m.rssAnon)}, file-backed ${mib(m.rssFile)})`}`,
          `heap used   ${mib(m.heapUsed)} of ${mib(m.heapTotal)}`,
          `external    ${mib(m.external)} (array buffers ${mib(m.arrayBuffers)})`,
          `heap spaces ${['new', 'old', 'code', 'large_object']
            .filter((name) => m.spaces[name] !== undefined)
            .map(
              (name) =>
                `${name.replace('_object', '')} ${mib(m.spaces[name]!.used)} of ${mib(m.spaces[name]!.size)}`,
            )
            .join(', ')}`,
          `store       ${m.store === null ? 'closed' : `${mib(m.store)} (LevelDB memtables and block cache)`}`,
          `read cache  ${
            m.readCache === null
              ? 'closed'
              : `${m.readCache.entries} of ${m.readCache.maxEntries} entries, ${mib(m.readCache.bytes)} of ${mib(m.readCache.maxBytes)} of bytes`
          }`,
          `job workers ${m.jobWorkers}${m.jobWorkersEnded > 0 ? ` (${m.jobWorkersEnded} idle ended first)` : ''}`,
          m.collected
            ? `after ${m.gcRounds} full garbage collection${m.gcRounds === 1 ? '' : 's'} (${m.gcMs ?? 0} ms)`
            : 'garbage not collected first (--gc)',
        ].join('\n'),
      )
    })
  program
    .command('restore')
    .description('restore a backup into --data (the node there must be stopped)')
    .argument('<file>')
    .option('--overwrite', 'replace an existing database (it is moved aside, not deleted)')
    .action(async (file: string, options: { overwrite?: boolean }) => {
      const { data } = globals()
      const result = await restoreBackup(resolve(file), data, { overwrite: options.overwrite === true })
      print(
        result,
        () =>
          `Restored ${result.entries} entries and ${result.files.join(', ')} into ${data}. Start it with: icn node start --data ${data}`,
      )
    })
}
