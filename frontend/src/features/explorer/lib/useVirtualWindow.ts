// A small windowing hook: which rows of a fixed-height list are in view of its
// scroll container, so only those (plus a few either side) are rendered.
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** Used when the container has no measured height (not laid out yet, or a test DOM). */
const FALLBACK_HEIGHT = 600;

export interface VirtualWindow<E extends HTMLElement> {
  /** Attach to the scroll container. */
  containerRef: RefObject<E | null>;
  /** First row to render (inclusive). */
  start: number;
  /** Row after the last to render (exclusive). */
  end: number;
  /** Height of the whole list, in pixels. */
  totalHeight: number;
  /** Scrolls the least needed to show row `index` whole. */
  scrollToIndex(index: number): void;
}

interface Viewport {
  /** First row at least partly in view. */
  first: number;
  /** How many rows fit in the container. */
  visible: number;
}

function measure(element: HTMLElement, rowHeight: number): Viewport {
  const height = element.clientHeight || FALLBACK_HEIGHT;
  return {
    first: Math.max(0, Math.floor(element.scrollTop / rowHeight)),
    visible: Math.ceil(height / rowHeight) + 1,
  };
}

/**
 * Windowing for `count` rows of `rowHeight` pixels. State changes only when the
 * first visible row or the number of rows that fit changes, not on every pixel.
 */
export function useVirtualWindow<E extends HTMLElement>(
  count: number,
  rowHeight: number,
  overscan = 8,
): VirtualWindow<E> {
  const containerRef = useRef<E | null>(null);
  const [viewport, setViewport] = useState<Viewport>({ first: 0, visible: Math.ceil(FALLBACK_HEIGHT / rowHeight) + 1 });

  const update = useCallback(() => {
    const element = containerRef.current;
    if (!element) return;
    const next = measure(element, rowHeight);
    setViewport((previous) =>
      previous.first === next.first && previous.visible === next.visible ? previous : next,
    );
  }, [rowHeight]);

  useLayoutEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    update();
    element.addEventListener('scroll', update, { passive: true });
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(update) : null;
    observer?.observe(element);
    return () => {
      element.removeEventListener('scroll', update);
      observer?.disconnect();
    };
  }, [update]);

  // The list got shorter than the scroll position (a new search): the browser clamps
  // scrollTop without always firing a scroll event.
  useLayoutEffect(() => {
    if (viewport.first > 0 && viewport.first >= count) update();
  }, [count, viewport.first, update]);

  const scrollToIndex = useCallback(
    (index: number) => {
      const element = containerRef.current;
      if (!element) return;
      const height = element.clientHeight || FALLBACK_HEIGHT;
      const top = index * rowHeight;
      const bottom = top + rowHeight;
      if (top < element.scrollTop) element.scrollTop = top;
      else if (bottom > element.scrollTop + height) element.scrollTop = bottom - height;
      update();
    },
    [rowHeight, update],
  );

  const first = Math.min(viewport.first, Math.max(0, count - 1));
  return {
    containerRef,
    start: Math.max(0, first - overscan),
    end: Math.min(count, first + viewport.visible + overscan),
    totalHeight: count * rowHeight,
    scrollToIndex,
  };
}
