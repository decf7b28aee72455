import { EmptyState } from '../components/empty-state.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import type { EmailTemplate } from './template-types.js';

/** Email templates by name: their kind and subject, each opening its editor. */
export function TemplateListPage() {
  const { api, session } = useConsole();
  const templates = useLoad(() => api.get<{ items: EmailTemplate[] }>('/email-templates'), []);
  const canEdit = session?.member.role !== 'agent';
  const items = templates.data?.items ?? [];
  return (
    <>
      <h1>Email templates</h1>
      <p class="hint">Subject, text and HTML written in Liquid over the contact's traits, their company, the event that sent the email and the data of the send.</p>
      <div class="actions">
        {canEdit ? (
          <a class="button primary" href="/console/email-templates/new">
            New template
          </a>
        ) : null}
        <a class="button" href="/console/email-sends">
          Sends
        </a>
      </div>
      {!templates.data ? (
        <Loading error={templates.error} retry={templates.reload} />
      ) : items.length === 0 ? (
        <EmptyState title="No email templates yet">
          <p>For example a welcome email: "Hi {'{{ person.traits.name }}'}", sent when someone signs up.</p>
        </EmptyState>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Subject</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {items.map((template) => (
              <tr key={template.id}>
                <td>
                  <a href={`/console/email-templates/${encodeURIComponent(template.id)}`}>{template.name}</a>
                </td>
                <td>{template.kind === 'marketing' ? 'Marketing' : 'Transactional'}</td>
                <td>{template.subject}</td>
                <td>
                  <Time iso={template.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
