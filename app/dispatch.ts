import type { z } from 'zod'
import { IcnError, isIcnErrorCode, toIcnError } from '../core/errors'
import type { Logger } from '../core/logger'
import { isMethodName, methods, type CallContext, type Handlers, type Reply } from './contract'

export interface Dispatcher {
  /** Validates params against the contract, runs the handler and maps every failure to a stable code. */
  call(method: string, params: unknown, ctx: CallContext): Promise<Reply<unknown>>
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : 'params'
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
  return `${path}: ${issue.message}`
}

export function createDispatcher(handlers: Handlers, logger: Logger): Dispatcher {
  return {
    async call(method, params, ctx) {
      if (!isMethodName(method)) {
        return {
          ok: false,
          error: {
            code: 'RPC_METHOD_NOT_FOUND',
            message: `Unknown method "${String(method).slice(0, 80)}".`,
          },
        }
      }
      const parsed = methods[method].params.safeParse(params ?? {})
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map(describeIssue)
        return {
          ok: false,
          error: {
            code: 'INVALID_ARGUMENT',
            message: `Invalid parameters for ${method}: ${issues.join('; ')}.`,
          },
        }
      }
      try {
        const handler = handlers[method] as (p: unknown, c: CallContext) => Promise<unknown>
        return { ok: true, value: await handler(parsed.data, ctx) }
      } catch (err) {
        const error = toIcnError(err)
        if (error.code === 'INTERNAL') logger.error('handler failed', { method, err })
        return { ok: false, error: toErrorInfo(error) }
      }
    },
  }
}

export function toErrorInfo(error: IcnError): {
  code: string
  message: string
  details?: Record<string, unknown>
} {
  return error.details === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, details: error.details }
}

/** Rebuilds an IcnError on the node side from a reply (used by in-process callers). */
export function fromErrorInfo(info: {
  code: string
  message: string
  details?: Record<string, unknown>
}): IcnError {
  const code = isIcnErrorCode(info.code) ? info.code : 'INTERNAL'
  return new IcnError(code, info.message, info.details === undefined ? {} : { details: info.details })
}
