import { randomBytes } from 'node:crypto'
import type { CID } from 'multiformats/cid'
import { createSigner, didFromPublicKey, type Did, type Signer } from '../identity'
import { GLOBAL_SCOPE, signEvent, type VerifiedEvent } from '../dag'

/** An author outside any node: signs events directly, for tests that build chains by hand. */
export interface TestAuthor {
  did: Did
  signer: Signer
  seed: Uint8Array
  /** Signs the next event of this author's chain (seq/prev/ts advance automatically). */
  next<B>(type: string, body: B, options?: { scope?: string; ts?: number }): VerifiedEvent<B>
  /** Signs an event with explicit seq/prev (for forks and broken chains). */
  at<B>(
    seq: number,
    prev: CID | null,
    type: string,
    body: B,
    options?: { scope?: string; ts?: number },
  ): VerifiedEvent<B>
}

export function testAuthor(
  seed: Uint8Array = new Uint8Array(randomBytes(32)),
  startTs = Date.now() - 60_000,
): TestAuthor {
  const signer = createSigner(seed)
  const did = didFromPublicKey(signer.publicKey)
  let seq = 0
  let prev: CID | null = null
  let ts = startTs
  const at = <B>(
    s: number,
    p: CID | null,
    type: string,
    body: B,
    options: { scope?: string; ts?: number } = {},
  ): VerifiedEvent<B> =>
    signEvent(
      {
        v: 1,
        type,
        author: did,
        seq: s,
        prev: p,
        ts: options.ts ?? ++ts,
        scope: options.scope ?? GLOBAL_SCOPE,
        body,
      },
      signer,
    )
  return {
    did,
    signer,
    seed,
    at,
    next(type, body, options) {
      const event = at(seq + 1, prev, type, body, options)
      seq += 1
      prev = event.cid
      return event
    },
  }
}

export const note = (text: string, refs: CID[] = []): { text: string; refs: CID[] } => ({ text, refs })
