/** The one client of this page, set by the bridge; stores and screens call the node through it. */
import type { IcnClient } from '../../app/client'

let current: IcnClient | undefined

export function setClient(client: IcnClient | undefined): void {
  current = client
}

export function client(): IcnClient {
  if (current === undefined) throw new Error('The ICN client is not connected yet.')
  return current
}

export interface ErrorInfo {
  code: string
  message: string
}

/** Any failure as {code, message}: client errors keep the node's stable code. */
export function errorInfo(err: unknown): ErrorInfo {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; message?: unknown }
    if (typeof e.code === 'string' && typeof e.message === 'string')
      return { code: e.code, message: e.message }
    if (typeof e.message === 'string') return { code: 'INTERNAL', message: e.message }
  }
  return { code: 'INTERNAL', message: String(err) }
}
