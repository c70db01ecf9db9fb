import type { Startable } from '../lifecycle'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import type { Did } from './did'
import type { Signer } from './ed25519'
import type { KdfParams } from './keystore'

export interface IdentityStatus {
  exists: boolean
  locked: boolean
  did: Did | null
  backedUp: boolean
  createdAt: number | null
}

export interface IdentityInit {
  /**
   * Scrypt cost for new keystores. Tests lower it; members never should.
   * @default DEFAULT_KDF (N = 2^17, r = 8, p = 1)
   */
  kdf?: Omit<KdfParams, 'salt'>
  /** File name of the keystore inside the data dir. @default 'keystore.json' */
  fileName?: string
}

export interface IdentityComponents {
  dataDir: string
  events: EventBus
  logger: Logger
}

/** A keystore decrypted ahead of the service's start (see Identity.decryptAhead). */
export interface PreparedUnlock {
  did: Did
  seed: Uint8Array
}

export interface Identity extends Startable {
  status(): IdentityStatus
  /** Creates a new identity; the recovery phrase is returned once and never stored in clear. */
  create(options: { passphrase: string }): Promise<{ did: Did; phrase: string }>
  /** Recreates the identity from its 24-word recovery phrase, protected by a new passphrase. */
  recover(options: { phrase: string; passphrase: string; overwrite?: boolean }): Promise<{ did: Did }>
  unlock(passphrase: string): Promise<{ did: Did }>
  /**
   * Decrypts the keystore on disk with `passphrase` without starting the service, so a headless node can run the
   * (deliberately slow) key derivation while its other services start; `unlockWith` applies the result once the
   * service runs. Resolves undefined when there is no identity yet; rejects IDENTITY_WRONG_PASSPHRASE.
   */
  decryptAhead(passphrase: string): Promise<PreparedUnlock | undefined>
  unlockWith(prepared: PreparedUnlock): { did: Did }
  lock(): void
  /** An encrypted backup file (JSON), re-encrypted under `passphrase` (which must unlock the keystore). */
  exportBackup(options: { passphrase: string }): Promise<Uint8Array>
  importBackup(options: {
    backup: Uint8Array
    passphrase: string
    overwrite?: boolean
  }): Promise<{ did: Did }>
  /** Reveals the recovery phrase again (needs the passphrase). */
  revealPhrase(options: { passphrase: string }): Promise<string>
  markBackedUp(): Promise<void>
  /** The member's DID; throws IDENTITY_NOT_FOUND when no identity exists. */
  did(): Did
  /** Signing key for the unlocked identity; throws IDENTITY_LOCKED / IDENTITY_NOT_FOUND. */
  signer(): Signer
}

export { identity } from './identity'
export * from './did'
export { nodeEd25519, nobleEd25519, createSigner, type Ed25519, type Signer } from './ed25519'
export {
  seedToPhrase,
  phraseToSeed,
  DEFAULT_KDF,
  writeFileAtomic,
  type KdfParams,
  type KeystoreFile,
} from './keystore'
