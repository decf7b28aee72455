/**
 * Previous / next over a cursor-paged list (`{ items, nextCursor }`): the cursors of the pages
 * before this one are kept, since the API only goes forward.
 */
export function Pager(props: { page: number; hasNext: boolean; onPrevious(): void; onNext(): void; label: string }) {
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" onClick={props.onPrevious} disabled={props.page === 0}>
        Previous
      </button>
      <span>Page {props.page + 1}</span>
      <button type="button" onClick={props.onNext} disabled={!props.hasNext}>
        Next
      </button>
    </nav>
  );
}
