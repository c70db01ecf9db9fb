import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback } from 'node:crypto'
import { open, readFile, rename, unlink, chmod } from 'node:fs/promises'
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { IcnError } from '../errors'
import { didFromPublicKey, type Did } from './did'
import { nodeEd25519 } from './ed25519'

/**
 * Scrypt cost. N = 2^17, r = 8 (128 MiB, ~0.3 s here) is OWASP's recommended minimum for scrypt;
 * the parameters are stored in the file, so a cheaper setting used in tests still reads back.
 */
export interface KdfParams {
  name: 'scrypt'
  N: number
  r: number
  p: number
  salt: string
}

export const DEFAULT_KDF: Omit<KdfParams, 'salt'> = { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 }
/** Bounds a keystore file may ask for: a hostile backup must not make unlock allocate gigabytes. */
const MAX_SCRYPT_N = 2 ** 20
const MIN_PASSPHRASE_LENGTH = 8

export interface KeystoreFile {
  format: 'icn-keystore' | 'icn-keystore-backup'
  version: 1
  did: Did
  kdf: KdfParams
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string }
  /** The 32-byte ed25519 seed, encrypted. */
  ciphertext: string
  createdAt: number
  /** Whether the member confirmed a backup (file or recovery phrase). The UI reminds until it is true. */
  backedUp: boolean
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64')
}

function unb64(text: string): Buffer {
  return Buffer.from(text, 'base64')
}

function scrypt(passphrase: string, kdf: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must exceed 128 * N * r bytes or Node refuses the parameters.
    const maxmem = 256 * kdf.N * kdf.r
    scryptCallback(
      passphrase.normalize('NFKC'),
      unb64(kdf.salt),
      32,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem },
      (err, key) => (err === null ? resolve(key) : reject(err)),
    )
  })
}

/** The authenticated header: changing the DID or KDF parameters in the file makes decryption fail. */
function additionalData(file: Pick<KeystoreFile, 'did' | 'kdf' | 'version'>): Buffer {
  return Buffer.from(JSON.stringify({ v: file.version, did: file.did, kdf: file.kdf }))
}

export function assertPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || [...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new IcnError(
      'IDENTITY_WEAK_PASSPHRASE',
      `Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters; a few unrelated words work well.`,
    )
  }
}

export async function encryptSeed(
  seed: Uint8Array,
  passphrase: string,
  options: {
    format?: KeystoreFile['format']
    kdf?: Omit<KdfParams, 'salt'>
    backedUp?: boolean
    createdAt?: number
  } = {},
): Promise<KeystoreFile> {
  assertPassphrase(passphrase)
  const did = didFromPublicKey(nodeEd25519.publicKey(seed))
  const kdf: KdfParams = { ...(options.kdf ?? DEFAULT_KDF), salt: b64(randomBytes(16)) }
  const key = await scrypt(passphrase, kdf)
  const iv = randomBytes(12)
  const header = { version: 1 as const, did, kdf }
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(additionalData(header))
  const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()])
  key.fill(0)
  return {
    format: options.format ?? 'icn-keystore',
    ...header,
    cipher: { name: 'aes-256-gcm', iv: b64(iv), tag: b64(cipher.getAuthTag()) },
    ciphertext: b64(ciphertext),
    createdAt: options.createdAt ?? Date.now(),
    backedUp: options.backedUp ?? false,
  }
}

/** Decrypts the seed; a wrong passphrase and a tampered file are told apart only as far as GCM allows. */
export async function decryptSeed(file: KeystoreFile, passphrase: string): Promise<Uint8Array> {
  const key = await scrypt(passphrase, file.kdf)
  const decipher = createDecipheriv('aes-256-gcm', key, unb64(file.cipher.iv))
  decipher.setAAD(additionalData(file))
  decipher.setAuthTag(unb64(file.cipher.tag))
  let seed: Buffer
  try {
    seed = Buffer.concat([decipher.update(unb64(file.ciphertext)), decipher.final()])
  } catch (err) {
    throw new IcnError(
      'IDENTITY_WRONG_PASSPHRASE',
      'That passphrase does not unlock this identity. Check it and try again.',
      {
        cause: err,
      },
    )
  } finally {
    key.fill(0)
  }
  if (seed.length !== 32 || didFromPublicKey(nodeEd25519.publicKey(seed)) !== file.did) {
    throw new IcnError(
      'IDENTITY_KEYSTORE_CORRUPT',
      'The keystore decrypted to a key that does not match its DID.',
    )
  }
  return new Uint8Array(seed)
}

/** Parses and checks a keystore or backup file; anything malformed is IDENTITY_BACKUP_INVALID / _KEYSTORE_CORRUPT. */
export function parseKeystore(
  bytes: Uint8Array | string,
  code: 'IDENTITY_BACKUP_INVALID' | 'IDENTITY_KEYSTORE_CORRUPT',
): KeystoreFile {
  const fail = (why: string, cause?: unknown): IcnError =>
    new IcnError(
      code,
      code === 'IDENTITY_BACKUP_INVALID'
        ? `This is not an ICN identity backup (${why}). Choose the .icnkey file you exported.`
        : `The keystore file is damaged (${why}). Restore your identity from a backup or the recovery phrase.`,
      { cause },
    )
  if (bytes.length > 64 * 1024) throw fail('file too large')
  let value: unknown
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'))
  } catch (err) {
    throw fail('not JSON', err)
  }
  const f = value as Partial<KeystoreFile>
  if (typeof f !== 'object' || f === null) throw fail('not an object')
  if (f.format !== 'icn-keystore' && f.format !== 'icn-keystore-backup') throw fail('unknown format')
  if (f.version !== 1) throw fail(`unsupported version ${String(f.version)}`)
  if (typeof f.did !== 'string' || !f.did.startsWith('did:key:z')) throw fail('missing DID')
  const kdf = f.kdf
  if (
    kdf?.name !== 'scrypt' ||
    !Number.isInteger(kdf.N) ||
    kdf.N < 2 ||
    kdf.N > MAX_SCRYPT_N ||
    (kdf.N & (kdf.N - 1)) !== 0 ||
    !Number.isInteger(kdf.r) ||
    kdf.r < 1 ||
    kdf.r > 32 ||
    !Number.isInteger(kdf.p) ||
    kdf.p < 1 ||
    kdf.p > 16 ||
    typeof kdf.salt !== 'string'
  ) {
    throw fail('bad key-derivation parameters')
  }
  if (
    f.cipher?.name !== 'aes-256-gcm' ||
    typeof f.cipher.iv !== 'string' ||
    typeof f.cipher.tag !== 'string' ||
    typeof f.ciphertext !== 'string'
  ) {
    throw fail('bad cipher section')
  }
  return {
    format: f.format,
    version: 1,
    did: f.did,
    kdf: { name: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p, salt: kdf.salt },
    cipher: { name: 'aes-256-gcm', iv: f.cipher.iv, tag: f.cipher.tag },
    ciphertext: f.ciphertext,
    createdAt: typeof f.createdAt === 'number' ? f.createdAt : 0,
    backedUp: f.backedUp === true,
  }
}

export async function readKeystore(path: string): Promise<KeystoreFile | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return parseKeystore(text, 'IDENTITY_KEYSTORE_CORRUPT')
}

/** Atomic, owner-only write: temp file (0600) → fsync → rename, so a crash never leaves half a keystore. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const handle = await open(tmp, 'w', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await chmod(tmp, mode)
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
}

/** The recovery phrase is the BIP-39 encoding (24 English words) of the 32-byte seed itself. */
export function seedToPhrase(seed: Uint8Array): string {
  return entropyToMnemonic(seed, wordlist)
}

export function phraseToSeed(phrase: string): Uint8Array {
  const words = String(phrase).trim().toLowerCase().split(/\s+/).join(' ')
  try {
    const seed = mnemonicToEntropy(words, wordlist)
    if (seed.length !== 32) throw new Error('not 24 words')
    return seed
  } catch (err) {
    throw new IcnError(
      'IDENTITY_INVALID_PHRASE',
      'That recovery phrase is not valid: it must be the 24 words you wrote down, in order. Check the spelling of each word.',
      { cause: err },
    )
  }
}
