import type { Page } from '@hark/protocol';
import type { AutomationSummary } from '../api/automation-types.js';
import { EmptyState } from '../components/empty-state.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';

const STATUS: Record<string, string> = { draft: 'Draft', live: 'Live', paused: 'Paused', archived: 'Archived' };

/** Automations: each with its status and how many runs are where, newest first. */
export function AutomationsPage() {
  const { api, session } = useConsole();
  const pages = useCursorPages();
  const automations = useLoad(() => api.get<Page<AutomationSummary>>('/automations', { limit: 50, cursor: pages.cursor }), [pages.cursor]);
  const canEdit = session?.member.role !== 'agent';
  return (
    <>
      <h1>Automations</h1>
      <p class="hint">When a contact does (or does not do) something, respond: wait, branch, show a message, email, update them, call a webhook.</p>
      {canEdit ? (
        <div class="actions">
          <a class="button primary" href="/console/automations/new">
            New automation
          </a>
        </div>
      ) : null}
      {!automations.data ? (
        <Loading error={automations.error} retry={automations.reload} />
      ) : automations.data.items.length === 0 && pages.page === 0 ? (
        <EmptyState title="No automations yet">
          <p>Start one from an event, a segment, a list, a survey answer or by hand{canEdit ? ': choose "New automation".' : '.'}</p>
        </EmptyState>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Automations, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Runs</th>
                  <th scope="col">In progress</th>
                  <th scope="col">Finished</th>
                  <th scope="col">Conversions</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {automations.data.items.map((automation) => (
                  <tr key={automation.id}>
                    <td>
                      <a href={`/console/automations/${encodeURIComponent(automation.id)}`}>{automation.name}</a>
                    </td>
                    <td>{STATUS[automation.status]}</td>
                    <td>{automation.runs.total.toLocaleString('en')}</td>
                    <td>{(automation.runs.active + automation.runs.waiting).toLocaleString('en')}</td>
                    <td>{(automation.runs.finished + automation.runs.exited).toLocaleString('en')}{automation.runs.failed ? ` (${automation.runs.failed} failed)` : ''}</td>
                    <td>{automation.runs.conversions.toLocaleString('en')}</td>
                    <td>
                      <Time iso={automation.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Automation pages" page={pages.page} hasNext={!!automations.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(automations.data!.nextCursor)} />
        </>
      )}
    </>
  );
}
