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
