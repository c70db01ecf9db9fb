/**
 * Invites: a signed statement by a member that lets a new node find the scope (the inviter's addresses) and ask
 * to join. It is not an event: it travels as an `icn://invite/<base64url(dag-cbor)>` link. Using it appends a
 * `gov/join-request` that carries the invite; the inviter's node then proposes admitting the requester.
 */
import { IcnError } from '../errors'
import { decodeCanonical, encode } from '../dag'
import { nodeEd25519, publicKeyFromDid, type Signer } from '../identity'
import { LIMITS, didKey, eventCid, failer, record, text } from './bodies'
import type { Invite } from './types'

export const INVITE_PREFIX = 'icn://invite/'
/** Domain separation: an invite signature can never be replayed as an event signature, or vice versa. */
const INVITE_DOMAIN = new TextEncoder().encode('icn/v1/invite\0')
const MAX_LINK = 8 * 1024

export function parseInvite(value: unknown): Invite {
  const fail = failer('GOV_INVALID_INVITE', 'Invalid invite')
  const r = record(
    value,
    ['v', 'scope', 'inviter', 'invitee', 'addrs', 'expires', 'nonce', 'basis', 'sig'],
    fail,
  )
  if (r['v'] !== 1) fail('unsupported version')
  if (typeof r['scope'] !== 'string' || !/^did:icn:b[a-z2-7]{20,100}$/.test(r['scope']))
    fail('scope must be a did:icn')
  didKey(r['inviter'], 'inviter', fail)
  if (r['invitee'] !== null) didKey(r['invitee'], 'invitee', fail)
  const addrs = r['addrs']
  if (!Array.isArray(addrs) || addrs.length > LIMITS.addrs) fail(`addrs must list at most ${LIMITS.addrs}`)
  for (const a of addrs as unknown[]) text(a, LIMITS.addr, 'each address', fail, 1)
  const expires = r['expires']
  if (typeof expires !== 'number' || !Number.isSafeInteger(expires) || expires < 0)
    fail('expires must be a time')
  if (!(r['nonce'] instanceof Uint8Array) || r['nonce'].length !== 16) fail('nonce must be 16 bytes')
  eventCid(r['basis'], 'basis', fail)
  if (!(r['sig'] instanceof Uint8Array) || r['sig'].length !== 64) fail('sig must be 64 bytes')
  return value as Invite
}

function signingPayload(invite: Omit<Invite, 'sig'>): Uint8Array {
  const { v, scope, inviter, invitee, addrs, expires, nonce, basis } = invite
  const body = encode({ v, scope, inviter, invitee, addrs, expires, nonce, basis })
  const out = new Uint8Array(INVITE_DOMAIN.length + body.length)
  out.set(INVITE_DOMAIN, 0)
  out.set(body, INVITE_DOMAIN.length)
  return out
}

export function signInvite(unsigned: Omit<Invite, 'sig'>, signer: Signer): Invite {
  return { ...unsigned, sig: signer.sign(signingPayload(unsigned)) }
}

/** Throws GOV_INVALID_INVITE unless the inviter's key signed exactly this invite. */
export function verifyInvite(invite: Invite): void {
  const ok = nodeEd25519.verify(publicKeyFromDid(invite.inviter), signingPayload(invite), invite.sig)
  if (!ok)
    throw new IcnError(
      'GOV_INVALID_INVITE',
      'The invite was not signed by its inviter (it was altered or forged).',
    )
}

export function encodeInviteLink(invite: Invite): string {
  return INVITE_PREFIX + Buffer.from(encode(invite)).toString('base64url')
}

/** Link (or bare base64url) → a verified invite; GOV_INVALID_INVITE with the reason otherwise. */
export function decodeInviteLink(link: string): Invite {
  const trimmed = link.trim()
  if (trimmed.length > MAX_LINK) throw new IcnError('GOV_INVALID_INVITE', 'The invite link is too long.')
  const payload = trimmed.startsWith(INVITE_PREFIX) ? trimmed.slice(INVITE_PREFIX.length) : trimmed
  if (!/^[A-Za-z0-9_-]+$/.test(payload))
    throw new IcnError(
      'GOV_INVALID_INVITE',
      'This is not an invite link (icn://invite/…); ask for a new one.',
    )
  let value: unknown
  try {
    value = decodeCanonical(new Uint8Array(Buffer.from(payload, 'base64url')))
  } catch (cause) {
    throw new IcnError(
      'GOV_INVALID_INVITE',
      'The invite link is damaged (it does not decode); copy it again.',
      {
        cause,
      },
    )
  }
  const invite = parseInvite(value)
  verifyInvite(invite)
  return invite
}

export function nonceHex(invite: Invite): string {
  return Buffer.from(invite.nonce).toString('hex')
}
