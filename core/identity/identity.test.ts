import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEventBus } from '../events'
import { silentLogger } from '../logger'
import { identity, type Identity } from './index'

// Low scrypt cost keeps the suite fast; the parameters travel in the file, so this changes nothing else.
const kdf = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery'

let dir: string
let id: Identity

async function fresh(): Promise<Identity> {
  const i = identity({ kdf })({ dataDir: dir, events: createEventBus(), logger: silentLogger })
  await i.start()
  return i
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icn-id-'))
  id = await fresh()
})
afterEach(async () => {
  await id.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('identity', () => {
  it('creates an identity, stores it encrypted with mode 0600 and can sign', async () => {
    const { did, phrase } = await id.create({ passphrase: PASS })
    expect(did).toMatch(/^did:key:z6Mk/)
    expect(phrase.split(' ')).toHaveLength(24)
    const file = await readFile(join(dir, 'keystore.json'), 'utf8')
    expect(file).not.toContain(phrase.split(' ')[0] + ' ' + phrase.split(' ')[1])
    expect(JSON.parse(file)).toMatchObject({ format: 'icn-keystore', did, kdf: { name: 'scrypt' } })
    if (process.platform !== 'win32')
      expect((await stat(join(dir, 'keystore.json'))).mode & 0o777).toBe(0o600)
    expect(id.signer().sign(new Uint8Array([1])).length).toBe(64)
    expect(id.status()).toMatchObject({ exists: true, locked: false, did, backedUp: false })
  })

  it('locks, refuses a wrong passphrase without changing anything, and unlocks with the right one', async () => {
    const { did } = await id.create({ passphrase: PASS })
    const before = await readFile(join(dir, 'keystore.json'))
    id.lock()
    expect(() => id.signer()).toThrow(expect.objectContaining({ code: 'IDENTITY_LOCKED' }))
    await expect(id.unlock('wrong passphrase')).rejects.toMatchObject({ code: 'IDENTITY_WRONG_PASSPHRASE' })
    expect(await readFile(join(dir, 'keystore.json'))).toEqual(before)
    expect(await id.unlock(PASS)).toEqual({ did })
    // A restarted node finds the identity locked.
    await id.stop()
    id = await fresh()
    expect(id.status()).toMatchObject({ exists: true, locked: true, did })
  })

  it('decrypts ahead of its start (a headless restart) and applies only a result for the same keystore', async () => {
    const early = identity({ kdf })({ dataDir: dir, events: createEventBus(), logger: silentLogger })
    expect(await early.decryptAhead(PASS)).toBeUndefined()
    const { did } = await id.create({ passphrase: PASS })
    await expect(early.decryptAhead('wrong passphrase')).rejects.toMatchObject({
      code: 'IDENTITY_WRONG_PASSPHRASE',
    })
    const prepared = await early.decryptAhead(PASS)
    await early.start()
    expect(early.status()).toMatchObject({ locked: true, did })
    expect(early.unlockWith(prepared!)).toEqual({ did })
    expect(early.signer().sign(new Uint8Array([1])).length).toBe(64)
    // A result for another keystore (replaced while the node started) is refused and wiped.
    const other = { did: 'did:key:z6MkotherOtherOther' as typeof did, seed: new Uint8Array(32).fill(7) }
    expect(() => early.unlockWith(other)).toThrow(
      expect.objectContaining({ code: 'IDENTITY_KEYSTORE_CORRUPT' }),
    )
    expect(other.seed.every((b) => b === 0)).toBe(true)
    await early.stop()
  })

  it('refuses weak passphrases and a second identity', async () => {
    await expect(id.create({ passphrase: 'short' })).rejects.toMatchObject({
      code: 'IDENTITY_WEAK_PASSPHRASE',
    })
    await id.create({ passphrase: PASS })
    await expect(id.create({ passphrase: PASS })).rejects.toMatchObject({ code: 'IDENTITY_EXISTS' })
  })

  it('exports an encrypted backup that imports on another node', async () => {
    const { did } = await id.create({ passphrase: PASS })
    const backup = await id.exportBackup({ passphrase: PASS })
    expect(new TextDecoder().decode(backup)).toContain('icn-keystore-backup')
    await expect(id.exportBackup({ passphrase: 'not the passphrase' })).rejects.toMatchObject({
      code: 'IDENTITY_WRONG_PASSPHRASE',
    })

    const other = await mkdtemp(join(tmpdir(), 'icn-id2-'))
    const id2 = identity({ kdf })({ dataDir: other, events: createEventBus(), logger: silentLogger })
    await id2.start()
    await expect(id2.importBackup({ backup, passphrase: 'wrong wrong wrong' })).rejects.toMatchObject({
      code: 'IDENTITY_WRONG_PASSPHRASE',
    })
    expect(id2.status().exists).toBe(false)
    expect(await id2.importBackup({ backup, passphrase: PASS })).toEqual({ did })
    expect(id2.status()).toMatchObject({ did, backedUp: true, locked: false })
    await rm(other, { recursive: true, force: true })
  })

  it('rejects files that are not backups with a clear code', async () => {
    for (const bad of ['', 'not json', '{}', JSON.stringify({ format: 'icn-keystore-backup', version: 2 })]) {
      await expect(
        id.importBackup({ backup: new TextEncoder().encode(bad), passphrase: PASS }),
      ).rejects.toMatchObject({
        code: 'IDENTITY_BACKUP_INVALID',
      })
    }
    // A hostile backup asking for a huge scrypt cost is refused before any work is done.
    const { did } = await id.create({ passphrase: PASS })
    const backup = JSON.parse(new TextDecoder().decode(await id.exportBackup({ passphrase: PASS })))
    backup.kdf.N = 2 ** 30
    await expect(
      id.importBackup({ backup: new TextEncoder().encode(JSON.stringify(backup)), passphrase: PASS }),
    ).rejects.toMatchObject({
      code: 'IDENTITY_BACKUP_INVALID',
    })
    expect(id.did()).toBe(did)
  })

  it('detects a tampered keystore (DID swapped) instead of using the wrong key', async () => {
    await id.create({ passphrase: PASS })
    const file = JSON.parse(await readFile(join(dir, 'keystore.json'), 'utf8'))
    file.did = 'did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th'
    await writeFile(join(dir, 'keystore.json'), JSON.stringify(file))
    await id.stop()
    id = await fresh()
    await expect(id.unlock(PASS)).rejects.toMatchObject({ code: 'IDENTITY_WRONG_PASSPHRASE' })
  })

  it('recovers the same DID from the recovery phrase', async () => {
    const { did, phrase } = await id.create({ passphrase: PASS })
    expect(await id.revealPhrase({ passphrase: PASS })).toBe(phrase)
    const other = await mkdtemp(join(tmpdir(), 'icn-id3-'))
    const id2 = identity({ kdf })({ dataDir: other, events: createEventBus(), logger: silentLogger })
    await id2.start()
    await expect(id2.recover({ phrase: 'abandon abandon abandon', passphrase: PASS })).rejects.toMatchObject({
      code: 'IDENTITY_INVALID_PHRASE',
    })
    const words = phrase.split(' ')
    ;[words[0], words[1]] = [words[1]!, words[0]!]
    await expect(id2.recover({ phrase: words.join(' '), passphrase: PASS })).rejects.toMatchObject({
      code: 'IDENTITY_INVALID_PHRASE',
    })
    expect(
      await id2.recover({ phrase: `  ${phrase.toUpperCase()}  `, passphrase: 'new passphrase!' }),
    ).toEqual({ did })
    await rm(other, { recursive: true, force: true })
  })

  it('says what to do when no identity exists', () => {
    expect(() => id.did()).toThrow(
      expect.objectContaining({
        code: 'IDENTITY_NOT_FOUND',
        message: expect.stringContaining('icn id create'),
      }),
    )
  })
})
