/**
 * Per-object data with a WeakMap's interface, kept on the object itself under a private, non-enumerable symbol.
 * The ingest path attaches a few values to every event's transaction and context (fee memo, history counters,
 * change notifier); in WeakMaps those are ephemeron entries, which every young-generation collection must process
 * while the keys are young and which are cleared only by a collection. On the object they die with it.
 */
export class Attached<K extends object, V> {
  private readonly key: symbol

  constructor(name: string) {
    this.key = Symbol(name)
  }

  get(owner: K): V | undefined {
    return (owner as Record<symbol, V | undefined>)[this.key]
  }

  has(owner: K): boolean {
    return Object.hasOwn(owner, this.key)
  }

  set(owner: K, value: V): this {
    if (Object.hasOwn(owner, this.key)) (owner as Record<symbol, V>)[this.key] = value
    // Not enumerable: a spread or Object.assign of the owner does not carry it to another object.
    else
      Object.defineProperty(owner, this.key, { value, writable: true, configurable: true, enumerable: false })
    return this
  }
}
