import { useState } from 'preact/hooks';
import type { Message, MessageStatus, Page } from '@hark/protocol';
import { EmptyState } from '../components/empty-state.js';
import { SelectField } from '../components/field.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';

/** Every message, newest first, by status. */
export function MessagesPage() {
  const { api } = useConsole();
  const [status, setStatus] = useState<MessageStatus | ''>('');
  const pages = useCursorPages();
  const messages = useLoad(() => api.get<Page<Message>>('/messages', { status, limit: 25, cursor: pages.cursor }), [status, pages.cursor]);
  return (
    <>
      <h1>Messages</h1>
      <div class="row">
        <SelectField<MessageStatus | ''>
          path="status"
          label="Status"
          value={status}
          options={[['', 'All'], 'draft', 'live', 'paused', 'archived']}
          onChange={(value) => {
            pages.reset();
            setStatus(value);
          }}
        />
        <div class="field">
          <a class="button primary" href="/console/messages/new">
            New message
          </a>
        </div>
      </div>
      {!messages.data ? (
        <Loading error={messages.error} retry={messages.reload} />
      ) : messages.data.items.length === 0 ? (
        <EmptyState title={status ? `No ${status} messages` : 'No messages yet'}>
          <p>
            <a href="/console/messages/new?kind=survey">Write a survey</a> to ask your users a question, or <a href="/console/messages/new">choose another kind</a>.
          </p>
        </EmptyState>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Messages, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Status</th>
                  <th scope="col">Changed</th>
                  <th scope="col">Results</th>
                </tr>
              </thead>
              <tbody>
                {messages.data.items.map((message) => (
                  <tr key={message.id}>
                    <td>
                      <a href={`/console/messages/${message.id}`}>{message.name}</a>
                    </td>
                    <td>{message.kind}</td>
                    <td>
                      <span class={'badge ' + message.status}>{message.status}</span>
                    </td>
                    <td>
                      <Time iso={message.updatedAt} />
                    </td>
                    <td>
                      <a href={`/console/messages/${message.id}/results`} aria-label={`Results of ${message.name}`}>
                        Results
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Message pages" page={pages.page} hasNext={!!messages.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(messages.data!.nextCursor)} />
        </>
      )}
    </>
  );
}
