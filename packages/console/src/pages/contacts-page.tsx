import { useState } from 'preact/hooks';
import type { Page } from '@hark/protocol';
import { PERSON_KINDS, type PersonKind, type PersonSummary } from '../api/types.js';
import { EmptyState } from '../components/empty-state.js';
import { SelectField, TextField } from '../components/field.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { personLabel } from '../components/value-text.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';

const PAGE_SIZE = 25;

/** Everyone seen, most recently seen first: search, filter by kind, page by page. */
export function ContactsPage() {
  const { api } = useConsole();
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<PersonKind | ''>('');
  const pages = useCursorPages();
  const people = useLoad(() => api.get<Page<PersonSummary>>('/people', { q, kind, limit: PAGE_SIZE, cursor: pages.cursor }), [q, kind, pages.cursor]);
  const search = (event: Event) => {
    event.preventDefault();
    pages.reset();
    setQ(typed.trim());
  };
  return (
    <>
      <h1>Contacts</h1>
      <form class="row card" role="search" onSubmit={search}>
        <TextField path="q" label="Search by name, email or user id" type="search" value={typed} onInput={setTyped} />
        <SelectField<PersonKind | ''>
          path="kind"
          label="Kind"
          value={kind}
          options={[['', 'Everyone'], ...PERSON_KINDS.map((k): [PersonKind, string] => [k, k[0]!.toUpperCase() + k.slice(1) + 's'])]}
          onChange={(value) => {
            pages.reset();
            setKind(value);
          }}
        />
        <div class="field">
          <button class="primary" type="submit">
            Search
          </button>
        </div>
      </form>
      {!people.data ? (
        <Loading error={people.error} retry={people.reload} />
      ) : people.data.items.length === 0 ? (
        q || kind ? (
          <EmptyState title="Nobody matches">
            <p>Try another search, or choose "Everyone".</p>
          </EmptyState>
        ) : (
          <EmptyState title="No contacts yet">
            <p>
              Contacts appear as soon as your site sends events. <a href="/console">See how to paste the snippet</a>.
            </p>
          </EmptyState>
        )
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Contacts, most recently seen first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {people.data.items.map((person) => (
                  <tr key={person.id}>
                    <td>
                      <a href={`/console/contacts/${person.id}`}>{personLabel(person)}</a>
                    </td>
                    <td>{person.email ?? ''}</td>
                    <td>{person.kind}</td>
                    <td>
                      <Time iso={person.lastSeenAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Contact pages" page={pages.page} hasNext={!!people.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(people.data!.nextCursor)} />
        </>
      )}
    </>
  );
}
