import { create } from 'zustand'
import type { CredentialSummaryInfo } from '../../app/contract'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { coalesce } from '../lib/coalesce'

/** The member's verifiable credentials (membership and roles), as anchored in this node's DAG. */
export interface CredentialsStore {
  /** Null until the screen first loads them; the bridge refreshes only what was opened. */
  credentials: CredentialSummaryInfo[] | null
  error: ErrorInfo | null
  refresh: () => Promise<void>
  /** Coalesces bursts of `cred:*` events into one refresh. */
  scheduleRefresh: () => void
}

export const useCredentials = create<CredentialsStore>()((set, get) => ({
  credentials: null,
  error: null,
  async refresh() {
    try {
      const { credentials } = await client().call('identity.credentials', {})
      // Newest first: a fresh admission is what the member comes to look at.
      set({ credentials: [...credentials].sort((a, b) => b.issuedAt - a.issuedAt), error: null })
    } catch (err) {
      set({ error: errorInfo(err) })
    }
  },
  scheduleRefresh: coalesce(() => void get().refresh(), 150),
}))

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
