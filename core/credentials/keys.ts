import { createHash } from 'node:crypto'

/** Event types of the credentials service. */
export const CRED_EVENT = { issue: 'cred/issue', revoke: 'cred/revoke' } as const

/** Credential ids are URNs of any printable length; state keys use their SHA-256 (hex). */
export function credHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex')
}

const recordKey = (hash: string): string => `cred/c/${hash}`

export const credKeys = {
  /** The anchored credential (one per id: cred/issue events for the same id are alternatives). */
  credential: (id: string): string => recordKey(credHash(id)),
  /** The same record from the hash an index row ends with. */
  byHash: recordKey,
  /** Revocations of a credential, one row per cred/revoke event (a set, so the fold is order-independent). */
  revocation: (id: string, event: string): string => `cred/rv/${credHash(id)}/${event}`,
  revocationPrefix: (id: string): string => `cred/rv/${credHash(id)}/`,
  /** Conflict key of cred/issue alternatives. */
  conflict: (id: string): string => `cred/${credHash(id)}`,
}

/** Derived indexes (not hashed): listing by subject and by scope. */
export const credIndex = {
  subject: (did: string, id: string): string => `cred/i/sub/${did}/${credHash(id)}`,
  subjectPrefix: (did: string): string => `cred/i/sub/${did}/`,
  scope: (scope: string, id: string): string => `cred/i/scope/${scope}/${credHash(id)}`,
  scopePrefix: (scope: string): string => `cred/i/scope/${scope}/`,
  /** Credentials of a subject within one scope (automatic revocation after a removal). */
  member: (scope: string, did: string, id: string): string => `cred/i/mem/${scope}/${did}/${credHash(id)}`,
  memberPrefix: (scope: string, did: string): string => `cred/i/mem/${scope}/${did}/`,
}
