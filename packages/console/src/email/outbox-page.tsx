import type { Page } from '@hark/protocol';
import { EmptyState } from '../components/empty-state.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';
import type { OutboxSummary } from './outbox-types.js';

/**
 * The local outbox: with no SMTP server configured (HARK_SMTP_URL unset), every mail Hark would
 * have sent is kept here instead, so the whole flow shows without a mail server.
 */
export function OutboxPage() {
  const { api } = useConsole();
  const pages = useCursorPages();
  const mails = useLoad(() => api.get<Page<OutboxSummary>>('/outbox', { limit: 50, cursor: pages.cursor }), [pages.cursor]);
  return (
    <>
      <h1>Outbox</h1>
      <p>Mail kept by this collector instead of being sent: it has no SMTP server set (HARK_SMTP_URL). Set one to send for real.</p>
      {!mails.data ? (
        <Loading error={mails.error} retry={mails.reload} />
      ) : mails.data.items.length === 0 && pages.page === 0 ? (
        <EmptyState title="The outbox is empty">
          <p>Mail sent through the API (POST /api/v1/emails) or by an automation appears here.</p>
        </EmptyState>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Outbox, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Subject</th>
                  <th scope="col">To</th>
                  <th scope="col">From</th>
                  <th scope="col">Attachments</th>
                  <th scope="col">Kept</th>
                </tr>
              </thead>
              <tbody>
                {mails.data.items.map((mail) => (
                  <tr key={mail.id}>
                    <td>
                      <a href={`/console/outbox/${encodeURIComponent(mail.id)}`}>{mail.subject || '(no subject)'}</a>
                    </td>
                    <td>{mail.to}</td>
                    <td>{mail.from}</td>
                    <td>{mail.attachments.length}</td>
                    <td>
                      <Time iso={mail.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Outbox pages" page={pages.page} hasNext={!!mails.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(mails.data!.nextCursor)} />
        </>
      )}
    </>
  );
}
