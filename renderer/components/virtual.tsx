/**
 * Windowed rows for long tables: only the rows in view (plus a margin) are in the DOM, between two spacer rows
 * that keep the scroll height, so scrolling and filtering cost the same for 100 or 100,000 rows. Rows have one
 * fixed height (CSS `.virtual-row`); the table keeps its semantics with aria-rowcount/aria-rowindex.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react'

export interface Window {
  start: number
  end: number
  padTop: number
  padBottom: number
}

/** The slice of `count` rows of `rowHeight` px visible in a viewport of `height` px scrolled to `scrollTop`. */
export function windowFor(
  count: number,
  rowHeight: number,
  scrollTop: number,
  height: number,
  overscan = 8,
): Window {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight)
  const start = Math.max(0, Math.min(count, first - overscan))
  const end = Math.min(count, first + Math.ceil(height / rowHeight) + overscan)
  return { start, end, padTop: start * rowHeight, padBottom: Math.max(0, (count - end) * rowHeight) }
}

export function useVirtualRows(
  count: number,
  rowHeight: number,
  onNearEnd?: () => void,
): { ref: RefObject<HTMLDivElement | null>; window: Window; onScroll: () => void } {
  const ref = useRef<HTMLDivElement>(null)
  const [view, setView] = useState({ scrollTop: 0, height: 600 })
  const onScroll = useCallback(() => {
    const el = ref.current
    if (el === null) return
    setView({ scrollTop: el.scrollTop, height: el.clientHeight || 600 })
    if (onNearEnd !== undefined && el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight * 20)
      onNearEnd()
  }, [onNearEnd, rowHeight])
  useEffect(() => {
    onScroll()
  }, [onScroll, count])
  return { ref, window: windowFor(count, rowHeight, view.scrollTop, view.height), onScroll }
}

/**
 * A spacer row standing in for rows outside the window. Its height is set through the CSSOM, which the CSP allows
 * (it forbids `style` attributes in markup, not script-set styles).
 */
export function Spacer({ height, columns }: { height: number; columns: number }): ReactNode {
  if (height <= 0) return null
  return (
    <tr aria-hidden="true" className="virtual-spacer">
      <td colSpan={columns} ref={(td) => td?.style.setProperty('height', `${height}px`)} />
    </tr>
  )
}
