/** Runs `fn` once, `ms` after the first call of a burst; calls during the wait join it (event bursts → one reload). */
export function coalesce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  return () => {
    if (timer !== undefined) return
    timer = setTimeout(() => {
      timer = undefined
      fn()
    }, ms)
  }
}
