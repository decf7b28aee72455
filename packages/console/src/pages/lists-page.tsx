import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { Page } from '@hark/protocol';
import type { List } from '../api/audience-types.js';
import { EmptyState } from '../components/empty-state.js';
import { TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/** Static lists: people added by hand or by a CSV import, never by rules. */
export function ListsPage() {
  const { api, session } = useConsole();
  const { route } = useLocation();
  const pages = useCursorPages();
  const lists = useLoad(() => api.get<Page<List>>('/lists', { limit: 50, cursor: pages.cursor }), [pages.cursor]);
  const [name, setName] = useState('');
  const create = useSubmit();
  const canEdit = session?.member.role !== 'agent';
  const onCreate = (event: Event) => {
    event.preventDefault();
    create.run(async () => {
      const list = await api.send<List>('POST', '/lists', { name });
      route(`/console/lists/${encodeURIComponent(list.id)}`);
    });
  };
  return (
    <>
      <h1>Lists</h1>
      {canEdit ? (
        <form class="card" onSubmit={onCreate} noValidate aria-labelledby="new-list">
          <h2 id="new-list">New list</h2>
          <FormStatus error={create.error} />
          <div class="row">
            <TextField path="name" label="Name" value={name} onInput={setName} errors={create.fields} required />
            <div class="field">
              <button class="primary" type="submit" disabled={create.busy}>
                Create list
              </button>
            </div>
          </div>
        </form>
      ) : null}
      {!lists.data ? (
        <Loading error={lists.error} retry={lists.reload} />
      ) : lists.data.items.length === 0 && pages.page === 0 ? (
        <EmptyState title="No lists yet">
          <p>A list holds the people you put on it: add them by email or user id, or import a CSV file.</p>
        </EmptyState>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Lists, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">People</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {lists.data.items.map((list) => (
                  <tr key={list.id}>
                    <td>
                      <a href={`/console/lists/${encodeURIComponent(list.id)}`}>{list.name}</a>
                    </td>
                    <td>{list.size.toLocaleString('en')}</td>
                    <td>
                      <Time iso={list.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="List pages" page={pages.page} hasNext={!!lists.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(lists.data!.nextCursor)} />
        </>
      )}
    </>
  );
}
