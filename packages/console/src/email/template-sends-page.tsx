import { EmptyState } from '../components/empty-state.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';
import type { EmailTemplate } from './template-types.js';

/** One send as GET /api/v1/emails lists it (the sending path's routes). */
interface EmailSendItem {
  id: string;
  status: 'queued' | 'sending' | 'sent' | 'suppressed' | 'failed';
  reason: string | null;
  to: string;
  personId: string | null;
  subject: string;
  templateId: string | null;
  createdAt: string;
  sentAt: string | null;
}

const STATUS: Record<EmailSendItem['status'], string> = { queued: 'Queued', sending: 'Sending', sent: 'Sent', suppressed: 'Not sent', failed: 'Failed' };

/** Every email send, newest first: to whom, from which template, and what became of it (with the reason when it was not sent). */
export function TemplateSendsPage() {
  const { api } = useConsole();
  const pages = useCursorPages();
  const sends = useLoad(() => api.get<{ items: EmailSendItem[]; nextCursor: string | null }>('/emails', { limit: 50, cursor: pages.cursor }), [pages.cursor]);
  const templates = useLoad(() => api.get<{ items: EmailTemplate[] }>('/email-templates').catch(() => ({ items: [] as EmailTemplate[] })), []);
  const templateName = (id: string | null) => (id ? (templates.data?.items.find((t) => t.id === id)?.name ?? 'A deleted template') : '—');
  return (
    <>
      <p>
        <a href="/console/email-templates">← Email templates</a>
      </p>
      <h1>Email sends</h1>
      {!sends.data ? (
        <Loading error={sends.error} retry={sends.reload} />
      ) : sends.data.items.length === 0 && pages.page === 0 ? (
        <EmptyState title="No email sent yet">
          <p>Emails sent through the API or by automations are listed here.</p>
        </EmptyState>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Template</th>
                <th scope="col">Status</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {sends.data.items.map((send) => (
                <tr key={send.id}>
                  <td>{send.personId ? <a href={`/console/contacts/${encodeURIComponent(send.personId)}`}>{send.to}</a> : send.to}</td>
                  <td>{send.subject}</td>
                  <td>{templateName(send.templateId)}</td>
                  <td>
                    {STATUS[send.status] ?? send.status}
                    {send.reason ? <span class="hint"> ({send.reason})</span> : null}
                  </td>
                  <td>
                    <Time iso={send.sentAt ?? send.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Send pages" page={pages.page} hasNext={!!sends.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(sends.data!.nextCursor)} />
        </>
      )}
    </>
  );
}
