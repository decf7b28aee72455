import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import type { Page } from '@hark/protocol';
import type { List, ListMembershipAnswer, PersonRef } from '../api/audience-types.js';
import type { PersonSummary } from '../api/types.js';
import { ListImport } from '../audiences/list-import.js';
import { PeopleTable } from '../audiences/people-table.js';
import { EmptyState } from '../components/empty-state.js';
import { SelectField, TextArea, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

type RefKind = 'email' | 'userId' | 'id';

/** People named one per line (or separated by commas), as `{ email }`, `{ userId }` or `{ id }`. */
export function personRefs(text: string, by: RefKind): PersonRef[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((value) => ({ [by]: value }) as PersonRef);
}

const refText = (ref: PersonRef): string => ('email' in ref ? ref.email : 'userId' in ref ? ref.userId : ref.id);

/** One list: rename, delete, its members (paged), add and remove people, and CSV import. */
export function ListPage() {
  const { api, session } = useConsole();
  const { route } = useLocation();
  const id = useRoute().params.id ?? '';
  const list = useLoad(() => api.get<List>(`/lists/${encodeURIComponent(id)}`), [id]);
  const pages = useCursorPages();
  const people = useLoad(() => api.get<Page<PersonSummary>>(`/lists/${encodeURIComponent(id)}/people`, { limit: 50, cursor: pages.cursor }), [id, pages.cursor]);
  const [name, setName] = useState<string | null>(null);
  const [who, setWho] = useState('');
  const [by, setBy] = useState<RefKind>('email');
  const rename = useSubmit();
  const remove = useSubmit();
  const members = useSubmit();
  const [notFound, setNotFound] = useState<PersonRef[]>([]);
  const canEdit = session?.member.role !== 'agent';
  if (list.error?.status === 404)
    return (
      <EmptyState title="No such list">
        <p>
          It may have been deleted. <a href="/console/lists">Back to lists</a>.
        </p>
      </EmptyState>
    );
  if (!list.data) return <Loading error={list.error} retry={list.reload} />;
  const l = list.data;
  const refresh = () => {
    list.reload();
    people.reload();
  };
  const change = (method: 'POST' | 'DELETE', refs: PersonRef[], verb: string) =>
    members.run(async () => {
      const answer = await api.send<ListMembershipAnswer>(method, `/lists/${encodeURIComponent(l.id)}/people`, { people: refs });
      setNotFound(answer.notFound ?? []);
      if (method === 'POST') setWho('');
      refresh();
      const changed = answer.added ?? answer.removed ?? 0;
      return changed;
    }, `${verb}.`);
  return (
    <>
      <p>
        <a href="/console/lists">← Lists</a>
      </p>
      <h1>{l.name}</h1>
      <p>
        <strong>{l.size.toLocaleString('en')}</strong> {l.size === 1 ? 'person' : 'people'} on this list.
      </p>
      {canEdit ? (
        <div class="grid">
          <form
            class="card"
            noValidate
            aria-labelledby="rename"
            onSubmit={(event) => {
              event.preventDefault();
              rename.run(async () => {
                await api.send('PATCH', `/lists/${encodeURIComponent(l.id)}`, { name: name ?? l.name });
                list.reload();
              }, 'List renamed.');
            }}
          >
            <h2 id="rename">Rename</h2>
            <FormStatus error={rename.error} done={rename.done} />
            <TextField path="name" label="Name" value={name ?? l.name} onInput={setName} errors={rename.fields} />
            <div class="actions">
              <button class="primary" type="submit" disabled={rename.busy}>
                Rename
              </button>
              <button
                type="button"
                class="danger"
                disabled={remove.busy}
                onClick={() => {
                  if (!window.confirm(`Delete the list "${l.name}"? Its people stay; only the list goes.`)) return;
                  remove.run(async () => {
                    await api.send('DELETE', `/lists/${encodeURIComponent(l.id)}`);
                    route('/console/lists');
                  });
                }}
              >
                Delete list
              </button>
            </div>
            <FormStatus error={remove.error} />
          </form>
          <form
            class="card"
            noValidate
            aria-labelledby="add-people"
            onSubmit={(event) => {
              event.preventDefault();
              change('POST', personRefs(who, by), 'Added');
            }}
          >
            <h2 id="add-people">Add people</h2>
            <FormStatus error={members.error} done={members.done} />
            <SelectField<RefKind> path="by" label="Name them by" value={by} options={[['email', 'Email'], ['userId', 'User id'], ['id', 'Contact id']]} onChange={setBy} />
            <TextArea path="people" errorPrefix="people" label="One per line" value={who} onInput={setWho} errors={members.fields} rows={4} />
            {notFound.length ? (
              <div class="notice error" role="alert">
                <p>Not found (no contact has these): {notFound.map(refText).join(', ')}</p>
              </div>
            ) : null}
            <div class="actions">
              <button class="primary" type="submit" disabled={members.busy || !who.trim()}>
                Add to list
              </button>
              <button type="button" disabled={members.busy || !who.trim()} onClick={() => change('DELETE', personRefs(who, by), 'Removed')}>
                Remove from list
              </button>
            </div>
          </form>
        </div>
      ) : null}
      {canEdit ? <ListImport listId={l.id} onImported={refresh} /> : null}
      <section aria-labelledby="members">
        <h2 id="members">People on the list</h2>
        {!people.data ? (
          <Loading error={people.error} retry={people.reload} />
        ) : people.data.items.length === 0 && pages.page === 0 ? (
          <p class="hint">Nobody yet. Add people above or import a CSV file.</p>
        ) : (
          <>
            <PeopleTable
              people={people.data.items}
              caption={`People on ${l.name}, most recently added first`}
              action={canEdit ? { label: 'Remove', busy: members.busy, run: (person) => change('DELETE', [{ id: person.id }], 'Removed') } : undefined}
            />
            <Pager label="Member pages" page={pages.page} hasNext={!!people.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(people.data!.nextCursor)} />
          </>
        )}
      </section>
    </>
  );
}
