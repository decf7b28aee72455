import type { AutomationRun } from '../api/automation-types.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';

/** A contact's automation runs (`GET /people/:id/automations`), on their profile. */
export function PersonAutomations(props: { personId: string }) {
  const { api } = useConsole();
  const runs = useLoad(
    () => api.get<{ items: (AutomationRun & { automationName: string })[] }>(`/people/${encodeURIComponent(props.personId)}/automations`).catch(() => ({ items: [] })),
    [props.personId],
  );
  const items = runs.data?.items ?? [];
  return (
    <>
      <h3>Automations</h3>
      {items.length ? (
        <ul>
          {items.map((run) => (
            <li key={run.id}>
              <a href={`/console/automations/${encodeURIComponent(run.automationId)}`}>{run.automationName}</a>: {run.status}
              {run.stepId ? ` at ${run.stepId}` : ''}
              {run.reason ? ` (${run.reason})` : ''}, entered <Time iso={run.enteredAt} />
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">In no automation.</p>
      )}
    </>
  );
}
