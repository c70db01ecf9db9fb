import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { linkSignals, withLinkedSignal } from './signals'

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length

describe('linkSignals', () => {
  it('aborts with the reason of the first source that aborts, and lets go of every source', () => {
    const a = new AbortController()
    const b = new AbortController()
    const link = linkSignals([a.signal, undefined, b.signal], 60_000)
    expect(link.signal.aborted).toBe(false)
    expect(listeners(a.signal) + listeners(b.signal)).toBe(2)
    b.abort(new Error('stopping'))
    expect(link.signal.aborted).toBe(true)
    expect((link.signal.reason as Error).message).toBe('stopping')
    expect(listeners(a.signal) + listeners(b.signal)).toBe(0)
  })

  it('times out with a TimeoutError, as AbortSignal.timeout does', async () => {
    const a = new AbortController()
    const link = linkSignals([a.signal], 20)
    await new Promise((r) => setTimeout(r, 80))
    expect(link.signal.aborted).toBe(true)
    expect((link.signal.reason as DOMException).name).toBe('TimeoutError')
    expect(listeners(a.signal)).toBe(0)
  })

  it('is aborted at once when a source already is', () => {
    const a = new AbortController()
    const b = new AbortController()
    a.abort(new Error('gone'))
    const link = linkSignals([b.signal, a.signal])
    expect(link.signal.aborted).toBe(true)
    expect((link.signal.reason as Error).message).toBe('gone')
    expect(listeners(b.signal)).toBe(0)
  })

  it('after release neither its sources nor its timer abort it', async () => {
    const a = new AbortController()
    const link = linkSignals([a.signal], 20)
    link.release()
    link.release()
    a.abort()
    await new Promise((r) => setTimeout(r, 80))
    expect(link.signal.aborted).toBe(false)
  })

  it('a long-lived source keeps nothing of 20,000 finished operations', async () => {
    const lifecycle = new AbortController()
    for (let i = 0; i < 20_000; i++) {
      await withLinkedSignal([lifecycle.signal], 60_000, async (signal) => {
        expect(signal.aborted).toBe(false)
      })
    }
    expect(listeners(lifecycle.signal)).toBe(0)
    // A failing operation releases too.
    await expect(
      withLinkedSignal([lifecycle.signal], undefined, async () => {
        throw new Error('failed')
      }),
    ).rejects.toThrow('failed')
    expect(listeners(lifecycle.signal)).toBe(0)
  })
})
