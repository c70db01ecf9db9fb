/**
 * What libp2p 3.x needs from the runtime and Node 20 lacks: `Promise.withResolvers` (Node 22) and a global
 * `WebSocket` (Node 22). This module is side-effect only and synchronous, so importing it first is enough for
 * sources run by tsx/vitest. Bundles hoist external imports above inlined code, which is why core/network loads
 * libp2p with dynamic `import()` after calling `installPolyfills()` (see libp2p.ts).
 */
import { WebSocket as WsWebSocket } from 'ws'

interface Resolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

export function installPolyfills(): void {
  const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> }
  if (typeof P.withResolvers !== 'function') {
    P.withResolvers = function withResolvers<T>(): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve']
      let reject!: Resolvers<T>['reject']
      const promise = new Promise<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  }
  const g = globalThis as { WebSocket?: unknown }
  g.WebSocket ??= WsWebSocket
}

installPolyfills()
