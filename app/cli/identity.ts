import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { CliContext } from './index'

export function identityCommands({ program, connect, print, readPassphrase }: CliContext): void {
  // ---- identity -------------------------------------------------------------------------------------------
  const id = program.command('id').description('your member identity (did:key)')
  id.command('create')
    .description('create a new identity protected by a passphrase; prints the recovery phrase once')
    .option('--passphrase-file <file>')
    .action(async (options: { passphraseFile?: string }) => {
      const client = await connect()
      const passphrase = await readPassphrase(options, true)
      const result = await client.call('identity.create', { passphrase })
      print(result, () =>
        [
          `Created ${result.did}`,
          '',
          'Recovery phrase (write it down and keep it offline; it is shown only now):',
          `  ${result.phrase}`,
          '',
          'Then back up the key file too: icn id export',
        ].join('\n'),
      )
    })
  id.command('show')
    .description('show the identity and whether it is locked')
    .action(async () => {
      const client = await connect()
      const s = await client.call('identity.get')
      print(s, () =>
        s.exists
          ? `${s.did}\n${s.locked ? 'locked' : 'unlocked'}${s.backedUp ? '' : ' — not backed up yet (icn id export)'}`
          : 'No identity yet: icn id create',
      )
    })
  id.command('unlock')
    .option('--passphrase-file <file>')
    .action(async (options: { passphraseFile?: string }) => {
      const client = await connect()
      const result = await client.call('identity.unlock', { passphrase: await readPassphrase(options) })
      print(result, () => `Unlocked ${result.did}`)
    })
  id.command('lock').action(async () => {
    const client = await connect()
    print(await client.call('identity.lock'), () => 'Locked')
  })
  id.command('export')
    .description('write an encrypted backup file of the identity')
    .argument('[file]', 'where to write it (default: ./icn-identity-<id>.icnkey)')
    .option('--passphrase-file <file>')
    .action(async (file: string | undefined, options: { passphraseFile?: string }) => {
      const client = await connect()
      const { backup, fileName } = await client.call('identity.exportBackup', {
        passphrase: await readPassphrase(options),
      })
      const target = resolve(file ?? fileName)
      await writeFile(target, backup, { mode: 0o600 })
      await client.call('identity.confirmBackup')
      print({ file: target }, () => `Backup written to ${target} (encrypted with your passphrase)`)
    })
  id.command('import')
    .description('restore an identity from a backup file')
    .argument('<file>')
    .option('--passphrase-file <file>')
    .option('--overwrite', 'replace the identity this node already has')
    .action(async (file: string, options: { passphraseFile?: string; overwrite?: boolean }) => {
      const client = await connect()
      const backup = new Uint8Array(await readFile(file))
      const result = await client.call('identity.importBackup', {
        backup,
        passphrase: await readPassphrase(options),
        overwrite: options.overwrite === true,
      })
      print(result, () => `Imported ${result.did}`)
    })
  id.command('recover')
    .description('restore an identity from its 24-word recovery phrase')
    .requiredOption('--phrase-file <file>', 'file holding the recovery phrase')
    .option('--passphrase-file <file>')
    .option('--overwrite', 'replace the identity this node already has')
    .action(async (options: { phraseFile: string; passphraseFile?: string; overwrite?: boolean }) => {
      const client = await connect()
      const phrase = (await readFile(options.phraseFile, 'utf8')).trim()
      const result = await client.call('identity.recover', {
        phrase,
        passphrase: await readPassphrase(options, true),
        overwrite: options.overwrite === true,
      })
      print(result, () => `Recovered ${result.did}`)
    })
}
