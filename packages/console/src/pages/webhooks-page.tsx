import { useState } from 'preact/hooks';
import type { DeliveryStatus, Webhook, WebhookDelivery, WebhookWithSecret } from '../api/webhook-types.js';
import { EmptyState } from '../components/empty-state.js';
import { SelectField, TextArea, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { SettingsNav } from '../components/settings-nav.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/** Event names typed one per line (or separated by commas); `*` means every event. */
const parseEvents = (text: string): string[] => [...new Set(text.split(/[\n,]/).map((name) => name.trim()).filter(Boolean))];

/**
 * Settings → Webhooks: subscriptions that POST signed events to another system, their signing
 * secret (shown once), and each one's delivery log with a test send.
 */
export function WebhooksPage() {
  const { api, session } = useConsole();
  const webhooks = useLoad(() => api.get<{ items: Webhook[] }>('/webhooks'), []);
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const canEdit = session?.member.role === 'admin';
  const items = webhooks.data?.items ?? [];
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <h2>Webhooks</h2>
      <p class="hint">
        Each stored event a webhook subscribes to is POSTed to its URL as JSON, signed with the webhook's secret (see "Outbound webhooks" in docs/API.md to verify it), and retried with
        backoff until the receiver answers 2xx.
      </p>
      {secret ? <SecretNotice webhook={secret} onClose={() => setSecret(null)} /> : null}
      {canEdit ? <CreateForm onCreated={(created) => (setSecret(created), webhooks.reload())} /> : <p class="notice ok">Webhooks need an admin to change.</p>}
      {!webhooks.data ? (
        <Loading error={webhooks.error} retry={webhooks.reload} />
      ) : items.length === 0 ? (
        <EmptyState title="No webhooks">
          <p>For example: send every "Signed Up" to your CRM, or every event ("*") to a data pipeline.</p>
        </EmptyState>
      ) : (
        <ul class="plain">
          {items.map((webhook) => (
            <li key={webhook.id} class="card">
              <WebhookCard webhook={webhook} canEdit={canEdit} open={open === webhook.id} onToggle={() => setOpen(open === webhook.id ? null : webhook.id)} onChanged={webhooks.reload} onSecret={setSecret} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function SecretNotice(props: { webhook: WebhookWithSecret; onClose(): void }) {
  return (
    <section class="notice ok" role="status" aria-labelledby="webhook-secret">
      <h3 id="webhook-secret">Signing secret for {props.webhook.url}</h3>
      <p>Copy it now: it is shown this once. Your receiver uses it to check the Hark-Webhook-Signature header.</p>
      <p>
        <code>{props.webhook.secret}</code>
      </p>
      <button type="button" onClick={props.onClose}>
        I have copied it
      </button>
    </section>
  );
}

function CreateForm(props: { onCreated(webhook: WebhookWithSecret): void }) {
  const { api } = useConsole();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('');
  const create = useSubmit();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    create.run(async () => {
      const created = await api.send<WebhookWithSecret>('POST', '/webhooks', { url: url.trim(), events: parseEvents(events) });
      setUrl('');
      setEvents('');
      props.onCreated(created);
    });
  };
  return (
    <form class="card" onSubmit={onSubmit} noValidate aria-label="New webhook">
      <h3>New webhook</h3>
      <FormStatus error={create.error} />
      <TextField path="url" label="URL (http or https)" type="url" value={url} onInput={setUrl} errors={create.fields} required hint="Private and loopback addresses are refused unless the collector runs with HARK_WEBHOOKS_ALLOW_PRIVATE=1." />
      <TextArea path="events" errorPrefix="events" label="Event names, one per line" value={events} onInput={setEvents} errors={create.fields} rows={3} hint='Exact names as tracked (e.g. "Signed Up"), identify or page for those calls, or * for every event. Leave empty for a webhook only automations call.' />
      <div class="actions">
        <button class="primary" type="submit" disabled={create.busy}>
          {create.busy ? 'Creating…' : 'Create webhook'}
        </button>
      </div>
    </form>
  );
}

function WebhookCard(props: { webhook: Webhook; canEdit: boolean; open: boolean; onToggle(): void; onChanged(): void; onSecret(webhook: WebhookWithSecret): void }) {
  const { api } = useConsole();
  const { webhook } = props;
  const action = useSubmit();
  const path = `/webhooks/${encodeURIComponent(webhook.id)}`;
  const [confirming, setConfirming] = useState(false);
  const [logVersion, setLogVersion] = useState(0);
  return (
    <>
      <h3>
        <code>{webhook.url}</code> <span class={webhook.enabled ? 'badge live' : 'badge paused'}>{webhook.enabled ? 'Enabled' : 'Disabled'}</span>
      </h3>
      <p>Events: {webhook.events.length === 0 ? 'none (called by automations only)' : webhook.events.map((name) => (name === '*' ? 'every event' : `"${name}"`)).join(', ')}</p>
      <p class="hint">
        Created <Time iso={webhook.createdAt} />, changed <Time iso={webhook.updatedAt} />
      </p>
      <FormStatus error={action.error} done={action.done} />
      <div class="actions">
        <button type="button" aria-expanded={props.open} onClick={props.onToggle}>
          {props.open ? 'Hide deliveries' : 'Deliveries'}
          <span class="sr-only"> of {webhook.url}</span>
        </button>
        {props.canEdit ? (
          <>
            <button type="button" disabled={action.busy} onClick={() => action.run(async () => (await api.send('POST', `${path}/test`), setLogVersion(logVersion + 1)), 'Test event queued: it is sent within a few seconds.')}>
              Send test event
            </button>
            <button type="button" disabled={action.busy} onClick={() => action.run(async () => (await api.send('PATCH', path, { enabled: !webhook.enabled }), props.onChanged()))}>
              {webhook.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" disabled={action.busy} onClick={() => action.run(async () => props.onSecret(await api.send<WebhookWithSecret>('POST', `${path}/secret/rotate`)))}>
              Rotate secret
            </button>
            {confirming ? (
              <>
                <button type="button" class="danger" disabled={action.busy} onClick={() => action.run(async () => (await api.send('DELETE', path), props.onChanged()))}>
                  Delete for good
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  Keep it
                </button>
              </>
            ) : (
              <button type="button" class="danger" onClick={() => setConfirming(true)}>
                Delete
              </button>
            )}
          </>
        ) : null}
      </div>
      {props.open ? <Deliveries path={path} version={logVersion} /> : null}
    </>
  );
}

const STATUS_LABELS: [DeliveryStatus | '', string][] = [['', 'All'], ['pending', 'Pending (retrying)'], ['running', 'Sending'], ['done', 'Delivered'], ['failed', 'Failed'], ['cancelled', 'Cancelled']];

function Deliveries(props: { path: string; version: number }) {
  const { api } = useConsole();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useLoad(() => api.get<{ items: WebhookDelivery[]; nextCursor: string | null }>(`${props.path}/deliveries`, { limit: 20, cursor, status }), [props.path, cursor, status, props.version]);
  return (
    <section aria-label="Deliveries">
      <div class="actions">
        <SelectField<DeliveryStatus | ''> path="status" label="Show" value={status} options={STATUS_LABELS} onChange={(next) => (setStatus(next), setCursors([null]))} errors={{}} />
        <button type="button" onClick={page.reload}>
          Refresh
        </button>
      </div>
      {!page.data ? (
        <Loading error={page.error} retry={page.reload} />
      ) : page.data.items.length === 0 ? (
        <p class="hint">No deliveries{status ? ' with this status' : ' yet'}.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Queued</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Answer</th>
                <th scope="col">Last attempt</th>
                <th scope="col">Next / finished</th>
                <th scope="col">Delivery id</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((delivery) => (
                <tr key={delivery.id}>
                  <td>
                    <Time iso={delivery.createdAt} />
                  </td>
                  <td>{delivery.type ?? '—'}</td>
                  <td>{STATUS_LABELS.find(([value]) => value === delivery.status)?.[1] ?? delivery.status}</td>
                  <td>{delivery.attempts}</td>
                  <td>
                    {delivery.responseCode ?? '—'}
                    {delivery.error ? <div class="hint">{delivery.error}</div> : null}
                  </td>
                  <td>
                    <Time iso={delivery.lastAttemptAt} />
                  </td>
                  <td>
                    <Time iso={delivery.nextAttemptAt ?? delivery.finishedAt} />
                  </td>
                  <td>
                    <code>{delivery.id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="Deliveries pages" page={cursors.length - 1} hasNext={Boolean(page.data?.nextCursor)} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])} />
    </section>
  );
}
