import type { Page } from '@hark/protocol';
import { EmptyState } from '../components/empty-state.js';
import { FormStatus } from '../components/form-status.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { SettingsNav } from '../components/settings-nav.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/** An identifier kept after its person was erased, so a late event cannot bring them back. */
interface ErasedIdentity {
  type: 'anonymous' | 'user' | 'email';
  value: string;
  erasedAt: string;
}

const TYPE_LABEL: Record<ErasedIdentity['type'], string> = { anonymous: 'Anonymous id', user: 'User id', email: 'Email' };

/**
 * The identifiers of erased people. Events naming them are refused; lifting one lets events in
 * again, for someone who comes back after asking to be forgotten.
 */
export function ErasuresPage() {
  const { api } = useConsole();
  const pages = useCursorPages();
  const list = useLoad(() => api.get<Page<ErasedIdentity>>('/erasures', { limit: 50, cursor: pages.cursor }), [pages.cursor]);
  const lift = useSubmit();
  const onLift = (entry: ErasedIdentity) => {
    if (!window.confirm(`Let events for ${entry.value} in again? A new contact is created the next time they are seen.`)) return;
    lift.run(async () => {
      await api.send('DELETE', `/erasures/${entry.type}/${encodeURIComponent(entry.value)}`);
      list.reload();
    }, `${entry.value} can be seen again.`);
  };
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <section class="card" aria-labelledby="erased">
        <h2 id="erased">Erased identifiers</h2>
        <p class="hint">When a contact is erased, their ids and emails stay here so a late event cannot re-create them. Events naming them are refused.</p>
        <FormStatus error={lift.error} done={lift.done} />
        {!list.data ? (
          <Loading error={list.error} retry={list.reload} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title="Nobody has been erased">
            <p>Erase a contact from their page (Privacy) when they ask to be forgotten.</p>
          </EmptyState>
        ) : (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Identifier</th>
                  <th scope="col">Erased</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((entry) => (
                  <tr key={entry.type + entry.value}>
                    <td>{TYPE_LABEL[entry.type]}</td>
                    <td>
                      <code>{entry.value}</code>
                    </td>
                    <td>
                      <Time iso={entry.erasedAt} />
                    </td>
                    <td>
                      <button type="button" onClick={() => onLift(entry)} disabled={lift.busy} aria-label={`Lift erasure of ${entry.value}`}>
                        Lift erasure
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager label="Erased identifier pages" page={pages.page} hasNext={!!list.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(list.data!.nextCursor)} />
          </>
        )}
      </section>
    </>
  );
}
