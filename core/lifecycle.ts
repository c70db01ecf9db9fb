/** A component with a start/stop lifecycle (after js-libp2p's Startable). */
export interface Startable {
  start(): Promise<void>
  stop(): Promise<void>
}

export function isStartable(value: unknown): value is Startable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Startable).start === 'function' &&
    typeof (value as Startable).stop === 'function'
  )
}
