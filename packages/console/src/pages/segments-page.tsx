import { useEffect } from 'preact/hooks';
import type { Page } from '@hark/protocol';
import type { Segment } from '../api/audience-types.js';
import { FillStatus } from '../audiences/fill-status.js';
import { EmptyState } from '../components/empty-state.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';

/** While a segment fills, the list is asked again this often to move its progress bar. */
const REFRESH_MS = 2000;

/** Segments: named rule trees with their member count and fill progress, newest first. */
export function SegmentsPage() {
  const { api, session } = useConsole();
  const pages = useCursorPages();
  const segments = useLoad(() => api.get<Page<Segment>>('/segments', { limit: 50, cursor: pages.cursor }), [pages.cursor]);
  const filling = segments.data?.items.some((segment) => segment.status === 'filling');
  useEffect(() => {
    if (!filling) return;
    const timer = setTimeout(segments.reload, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [segments.data]);
  const canEdit = session?.member.role !== 'agent';
  return (
    <>
      <h1>Segments</h1>
      <p class="hint">A segment is everyone who matches a set of conditions, kept up to date as people act. Messages can be aimed at one.</p>
      {canEdit ? (
        <div class="actions">
          <a class="button primary" href="/console/segments/new">
            New segment
          </a>
        </div>
      ) : null}
      {!segments.data ? (
        <Loading error={segments.error} retry={segments.reload} />
      ) : segments.data.items.length === 0 && pages.page === 0 ? (
        <EmptyState title="No segments yet">
          <p>Build one from traits, events, lists, places and what people did with your messages{canEdit ? ': choose "New segment".' : '. A manager or an admin can create one.'}</p>
        </EmptyState>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Segments, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Members</th>
                  <th scope="col">Status</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {segments.data.items.map((segment) => (
                  <tr key={segment.id}>
                    <td>
                      <a href={`/console/segments/${encodeURIComponent(segment.id)}`}>{segment.name}</a>
                    </td>
                    <td>{segment.size.toLocaleString('en')}</td>
                    <td>
                      <FillStatus status={segment.status} progress={segment.progress} />
                    </td>
                    <td>
                      <Time iso={segment.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Segment pages" page={pages.page} hasNext={!!segments.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(segments.data!.nextCursor)} />
        </>
      )}
    </>
  );
}
