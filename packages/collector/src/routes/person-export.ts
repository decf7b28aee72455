import type { Store } from '../store/store.js';
import type { PersonExport } from '../store/types.js';

/** Events read per page: one page of JSON in memory at a time, however long the history. */
const EXPORT_PAGE = 1_000;

/**
 * The privacy export as a streamed JSON document: the person, deliveries and merges first (all
 * small), then `"events": [...]` written page by page through the timeline's own cursor, newest
 * first. The next page is read only when the client has taken the last one (`pull`), so a person
 * with millions of events costs one page of memory, not a heap that grows with the history.
 */
export function streamPersonExport(store: Store, projectId: string, head: PersonExport): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const opening = JSON.stringify(head);
  let cursor: string | null = null;
  let first = true;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        // `{…head fields…,"events":[` — the head's closing brace reopened for one more field.
        controller.enqueue(encoder.encode(`${opening.slice(0, -1)},"events":[`));
        return;
      }
      const page = await store.listActivity(projectId, head.person.id, { limit: EXPORT_PAGE, cursor });
      const items = page.items.map((item) => JSON.stringify(item));
      if (items.length) controller.enqueue(encoder.encode(`${first ? '' : ','}${items.join(',')}`));
      first &&= items.length === 0;
      cursor = page.nextCursor;
      if (cursor === null) {
        controller.enqueue(encoder.encode(']}'));
        controller.close();
      }
    },
  });
}
