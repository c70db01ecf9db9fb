import { create } from 'zustand'
import type { CredentialSummaryInfo } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { coalesce } from '../lib/coalesce'
import { useIdentity } from './identity'

/** The member's verifiable credentials (membership, roles, capabilities), as anchored in this node's DAG. */
export interface CredentialsStore {
  /** Null until the screen first loads them; the bridge refreshes only what was opened. */
  credentials: CredentialSummaryInfo[] | null
  /** Credentials this member signed for their cooperatives about others: the ones they may revoke. */
  signed: CredentialSummaryInfo[]
  error: ErrorInfo | null
  refresh: () => Promise<void>
  /** Coalesces bursts of `cred:*` events into one refresh. */
  scheduleRefresh: () => void
}

export const useCredentials = create<CredentialsStore>()((set, get) => ({
  credentials: null,
  signed: [],
  error: null,
  async refresh() {
    try {
      const me = useIdentity.getState().status?.did ?? null
      const [{ credentials }, scopes] = await Promise.all([
        client().call('identity.credentials', {}),
        // The signed list is extra: a node without governance data still shows the member's own credentials.
        client()
          .call('gov.scopes')
          .catch(() => []),
      ])
      const perScope = await Promise.all(
        scopes
          .filter((s) => s.isMember)
          .map((s) => client().call('identity.credentials', { scope: s.scope })),
      )
      const signed = perScope
        .flatMap((r) => r.credentials)
        .filter((c) => me !== null && c.signer === me && c.subject !== me)
      // Newest first: a fresh admission is what the member comes to look at.
      set({ credentials: newestFirst(credentials), signed: newestFirst(signed), error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  scheduleRefresh: coalesce(() => void get().refresh(), 150),
}))

function newestFirst(list: CredentialSummaryInfo[]): CredentialSummaryInfo[] {
  return [...list].sort((a, b) => b.issuedAt - a.issuedAt)
}

/** What the member pasted into the verifier: a credential or a presentation, or why it cannot be sent. */
export type PastedDocument =
  | { kind: 'credential' | 'presentation'; value: Record<string, unknown> }
  | { kind: 'error'; reason: 'json' | 'shape' }

export function readPastedDocument(text: string): PastedDocument {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { kind: 'error', reason: 'json' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'error', reason: 'shape' }
  const type = (value as { type?: unknown }).type
  const types = Array.isArray(type) ? type : [type]
  return {
    kind: types.includes('VerifiablePresentation') ? 'presentation' : 'credential',
    value: value as Record<string, unknown>,
  }
}
