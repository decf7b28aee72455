import { useState } from 'preact/hooks';

/**
 * Page-by-page over a cursor API: the cursors of the pages before this one are kept, since a
 * cursor only leads forward. Reset when the filter changes.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const page = cursors.length - 1;
  return {
    page,
    cursor: cursors[page] ?? null,
    next(nextCursor: string | null) {
      if (nextCursor) setCursors([...cursors, nextCursor]);
    },
    previous() {
      if (cursors.length > 1) setCursors(cursors.slice(0, -1));
    },
    reset() {
      setCursors([null]);
    },
  };
}
