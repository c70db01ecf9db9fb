import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { IcnError } from '../errors'
import { didFromPublicKey, type Did } from './did'
import { createSigner, nodeEd25519, type Signer } from './ed25519'
import type { Identity, IdentityComponents, IdentityInit, IdentityStatus, PreparedUnlock } from './index'
import {
  DEFAULT_KDF,
  assertPassphrase,
  decryptSeed,
  encryptSeed,
  parseKeystore,
  phraseToSeed,
  readKeystore,
  seedToPhrase,
  writeFileAtomic,
  type KeystoreFile,
} from './keystore'

class DefaultIdentity implements Identity {
  private readonly path: string
  private readonly kdf: NonNullable<IdentityInit['kdf']>
  private file: KeystoreFile | undefined
  private unlocked: { seed: Uint8Array; signer: Signer } | undefined

  constructor(
    private readonly components: IdentityComponents,
    init: IdentityInit,
  ) {
    this.path = join(components.dataDir, init.fileName ?? 'keystore.json')
    this.kdf = init.kdf ?? DEFAULT_KDF
  }

  async start(): Promise<void> {
    this.file = await readKeystore(this.path)
  }

  async stop(): Promise<void> {
    this.lock()
  }

  status(): IdentityStatus {
    return {
      exists: this.file !== undefined,
      locked: this.unlocked === undefined,
      did: this.file?.did ?? null,
      backedUp: this.file?.backedUp ?? false,
      createdAt: this.file?.createdAt ?? null,
    }
  }

  async create({ passphrase }: { passphrase: string }): Promise<{ did: Did; phrase: string }> {
    this.assertNoIdentity(false)
    assertPassphrase(passphrase)
    const seed = new Uint8Array(randomBytes(32))
    await this.store(seed, passphrase, false)
    return { did: this.did(), phrase: seedToPhrase(seed) }
  }

  async recover(options: { phrase: string; passphrase: string; overwrite?: boolean }): Promise<{ did: Did }> {
    const seed = phraseToSeed(options.phrase)
    assertPassphrase(options.passphrase)
    this.assertNoIdentity(options.overwrite === true, didFromPublicKey(nodeEd25519.publicKey(seed)))
    // The member just proved they hold the phrase, so it counts as backed up.
    await this.store(seed, options.passphrase, true)
    return { did: this.did() }
  }

  async unlock(passphrase: string): Promise<{ did: Did }> {
    const file = this.requireFile()
    if (typeof passphrase !== 'string') {
      throw new IcnError('IDENTITY_WRONG_PASSPHRASE', 'That passphrase does not unlock this identity.')
    }
    const seed = await decryptSeed(file, passphrase)
    this.setUnlocked(seed)
    return { did: file.did }
  }

  async decryptAhead(passphrase: string): Promise<PreparedUnlock | undefined> {
    const file = await readKeystore(this.path)
    if (file === undefined) return undefined
    return { did: file.did, seed: await decryptSeed(file, passphrase) }
  }

  unlockWith(prepared: PreparedUnlock): { did: Did } {
    const file = this.requireFile()
    if (file.did !== prepared.did) {
      // The keystore changed between the two reads (replaced while starting): decrypt the current one instead.
      prepared.seed.fill(0)
      throw new IcnError(
        'IDENTITY_KEYSTORE_CORRUPT',
        'The keystore changed while the node started; unlock it again.',
      )
    }
    this.setUnlocked(prepared.seed)
    return { did: file.did }
  }

  lock(): void {
    if (this.unlocked === undefined) return
    this.unlocked.seed.fill(0)
    this.unlocked = undefined
    this.components.events.emit('identity:changed', { did: this.file?.did ?? null, locked: true })
  }

  async exportBackup({ passphrase }: { passphrase: string }): Promise<Uint8Array> {
    const file = this.requireFile()
    const seed = await decryptSeed(file, passphrase)
    try {
      const backup = await encryptSeed(seed, passphrase, {
        format: 'icn-keystore-backup',
        kdf: file.kdf,
        createdAt: file.createdAt,
        backedUp: true,
      })
      return new TextEncoder().encode(JSON.stringify(backup, null, 2))
    } finally {
      seed.fill(0)
    }
  }

  async importBackup(options: {
    backup: Uint8Array
    passphrase: string
    overwrite?: boolean
  }): Promise<{ did: Did }> {
    const backup = parseKeystore(options.backup, 'IDENTITY_BACKUP_INVALID')
    const seed = await decryptSeed(backup, options.passphrase)
    this.assertNoIdentity(options.overwrite === true, backup.did)
    await this.store(seed, options.passphrase, true)
    return { did: backup.did }
  }

  async revealPhrase({ passphrase }: { passphrase: string }): Promise<string> {
    const seed = await decryptSeed(this.requireFile(), passphrase)
    try {
      return seedToPhrase(seed)
    } finally {
      seed.fill(0)
    }
  }

  async markBackedUp(): Promise<void> {
    const file = this.requireFile()
    if (file.backedUp) return
    const next = { ...file, backedUp: true }
    await writeFileAtomic(this.path, JSON.stringify(next, null, 2))
    this.file = next
  }

  did(): Did {
    return this.requireFile().did
  }

  signer(): Signer {
    this.requireFile()
    if (this.unlocked === undefined) {
      throw new IcnError(
        'IDENTITY_LOCKED',
        'Your identity is locked. Unlock it with your passphrase (icn id unlock) and try again.',
      )
    }
    return this.unlocked.signer
  }

  private requireFile(): KeystoreFile {
    if (this.file === undefined) {
      throw new IcnError(
        'IDENTITY_NOT_FOUND',
        'This node has no identity yet. Create one (icn id create) or import a backup (icn id import).',
      )
    }
    return this.file
  }

  private assertNoIdentity(overwrite: boolean, incoming?: Did): void {
    if (this.file === undefined || this.file.did === incoming) return
    if (!overwrite) {
      throw new IcnError(
        'IDENTITY_EXISTS',
        `This node already holds the identity ${this.file.did}. Export a backup of it first, then replace it explicitly.`,
        { details: { did: this.file.did } },
      )
    }
  }

  private async store(seed: Uint8Array, passphrase: string, backedUp: boolean): Promise<void> {
    const file = await encryptSeed(seed, passphrase, { kdf: this.kdf, backedUp })
    await writeFileAtomic(this.path, JSON.stringify(file, null, 2))
    this.file = file
    this.setUnlocked(seed)
  }

  private setUnlocked(seed: Uint8Array): void {
    if (this.unlocked !== undefined && this.unlocked.seed !== seed) this.unlocked.seed.fill(0)
    this.unlocked = { seed, signer: createSigner(seed) }
    this.components.events.emit('identity:changed', { did: this.file?.did ?? null, locked: false })
  }
}

export function identity(init: IdentityInit = {}): (components: IdentityComponents) => Identity {
  return (components) => new DefaultIdentity(components, init)
}
