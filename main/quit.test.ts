import { describe, expect, it } from 'vitest'
import { createQuitHandshake } from './quit'

function quitEvent(): { prevented: number; preventDefault(): void } {
  return {
    prevented: 0,
    preventDefault() {
      this.prevented++
    },
  }
}

describe('quit handshake', () => {
  it('cancels the first quit, stops the node, and only then exits', async () => {
    const order: string[] = []
    let release: () => void = () => undefined
    const handshake = createQuitHandshake({
      stop: () =>
        new Promise<void>((r) => {
          order.push('stop started')
          release = () => {
            order.push('node stopped')
            r()
          }
        }),
      exit: (code) => order.push(`exit ${code}`),
    })
    const first = quitEvent()
    handshake.onBeforeQuit(first)
    expect(first.prevented).toBe(1)
    expect(handshake.phase).toBe('stopping')
    expect(handshake.quitting).toBe(true)
    // A second Quit while the node stops is also held, and does not stop twice.
    const second = quitEvent()
    handshake.onBeforeQuit(second)
    expect(second.prevented).toBe(1)
    await new Promise((r) => setTimeout(r, 10))
    expect(order).toEqual(['stop started'])
    release()
    expect(await handshake.done).toBe(0)
    expect(order).toEqual(['stop started', 'node stopped', 'exit 0'])
    // After the handshake a quit passes through.
    const third = quitEvent()
    handshake.onBeforeQuit(third)
    expect(third.prevented).toBe(0)
  })

  it('exits with 1 when the node fails to stop', async () => {
    const exits: number[] = []
    const handshake = createQuitHandshake({
      stop: async () => {
        throw new Error('disk gone')
      },
      exit: (code) => exits.push(code),
    })
    handshake.onBeforeQuit(quitEvent())
    expect(await handshake.done).toBe(1)
    expect(exits).toEqual([1])
  })

  it('gives up on a node that hangs, after the timeout', async () => {
    const exits: number[] = []
    const logs: string[] = []
    const handshake = createQuitHandshake({
      stop: () => new Promise<void>(() => undefined),
      exit: (code) => exits.push(code),
      timeoutMs: 50,
      log: (m) => logs.push(m),
    })
    const started = Date.now()
    handshake.onBeforeQuit(quitEvent())
    expect(await handshake.done).toBe(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
    expect(exits).toEqual([1])
    expect(logs.some((l) => l.includes('did not stop in time'))).toBe(true)
  })
})
