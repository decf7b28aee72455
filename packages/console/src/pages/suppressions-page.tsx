import { useState } from 'preact/hooks';
import type { Page, Suppression } from '@hark/protocol';
import { EmptyState } from '../components/empty-state.js';
import { TextArea } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { SettingsNav } from '../components/settings-nav.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

/** The project-wide list of user ids and emails no message reaches. */
export function SuppressionsPage() {
  const { api } = useConsole();
  const pages = useCursorPages();
  const list = useLoad(() => api.get<Page<Suppression>>('/suppressions', { limit: 50, cursor: pages.cursor }), [pages.cursor]);
  const [userIds, setUserIds] = useState('');
  const [emails, setEmails] = useState('');
  const add = useSubmit();
  const remove = useSubmit();
  const onAdd = (event: Event) => {
    event.preventDefault();
    add.run(async () => {
      const answer = await api.send<{ added: number; alreadyPresent: number }>('POST', '/suppressions', { userIds: lines(userIds), emails: lines(emails) });
      setUserIds('');
      setEmails('');
      list.reload();
      return answer;
    }, 'Added to the list.');
  };
  const onRemove = (entry: Suppression) =>
    remove.run(async () => {
      await api.send('DELETE', `/suppressions?${entry.type}=${encodeURIComponent(entry.value)}`);
      list.reload();
    }, `${entry.value} removed from the list.`);
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <div class="grid">
        <form class="card" onSubmit={onAdd} noValidate aria-labelledby="add">
          <h2 id="add">Suppress people</h2>
          <p class="hint">No message reaches a person whose user id or email is on this list.</p>
          <FormStatus error={add.error} done={add.done} />
          <TextArea path="userIds" errorPrefix="userIds" label="User ids (one per line)" value={userIds} onInput={setUserIds} errors={add.fields} />
          <TextArea path="emails" errorPrefix="emails" label="Emails (one per line)" value={emails} onInput={setEmails} errors={add.fields} />
          <button class="primary" type="submit" disabled={add.busy}>
            Add
          </button>
        </form>
        <section class="card" aria-labelledby="list">
          <h2 id="list">On the list</h2>
          <FormStatus error={remove.error} done={remove.done} />
          {!list.data ? (
            <Loading error={list.error} retry={list.reload} />
          ) : list.data.items.length === 0 ? (
            <EmptyState title="Nobody is suppressed">
              <p>Add the user ids or emails of people who asked not to see messages.</p>
            </EmptyState>
          ) : (
            <>
              <ul>
                {list.data.items.map((entry) => (
                  <li key={entry.type + entry.value}>
                    {entry.type}: <code>{entry.value}</code>, since <Time iso={entry.createdAt} />{' '}
                    <button type="button" onClick={() => onRemove(entry)} aria-label={`Remove ${entry.value}`}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
              <Pager label="Suppression pages" page={pages.page} hasNext={!!list.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(list.data!.nextCursor)} />
            </>
          )}
        </section>
      </div>
    </>
  );
}
