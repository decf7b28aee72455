import { useState } from 'preact/hooks';
import { EmptyState } from '../components/empty-state.js';
import { SelectField, TextArea, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { SettingsNav } from '../components/settings-nav.js';
import { Time } from '../components/time.js';
import { valueText } from '../components/value-text.js';
import { emptyMappingForm, mappingOf, type MappingForm, type PathRow } from '../format/hook-mapping-form.js';
import { useConsole, useSession } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

interface HookSource {
  id: string;
  name: string;
  mapping: Record<string, unknown>;
  tokenPrefix: string;
  createdAt: string;
}
type Preview = { ok: true; mapped: Record<string, unknown> } | { ok: false; error: { code: string; message: string } };

function PathRows(props: { title: string; kind: 'traits' | 'properties'; rows: PathRow[]; onChange(rows: PathRow[]): void; errors: Record<string, string> }) {
  const set = (index: number, change: Partial<PathRow>) => props.onChange(props.rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset>
      <legend>{props.title}</legend>
      {props.rows.map((row, index) => (
        <div class="trait-row" key={index}>
          <TextField path={`${props.kind}.${index}.name`} label="Name" value={row.name} onInput={(name) => set(index, { name })} />
          <TextField path={`mapping.${props.kind}.${row.name}`} label={`JSON path of ${row.name || 'this field'}`} value={row.path} onInput={(path) => set(index, { path })} errors={props.errors} />
          <div class="field">
            <button type="button" onClick={() => props.onChange(props.rows.filter((_, i) => i !== index))} aria-label={`Remove ${row.name || 'this field'}`}>
              Remove
            </button>
          </div>
        </div>
      ))}
      <button type="button" onClick={() => props.onChange([...props.rows, { name: '', path: '$.' }])}>
        Add {props.kind === 'traits' ? 'a trait' : 'a property'}
      </button>
    </fieldset>
  );
}

/** Settings → Inbound webhooks: a URL per form or landing-page tool, and how its JSON becomes an event. */
export function InboundWebhooksPage() {
  const { api } = useConsole();
  const { member } = useSession();
  const list = useLoad(() => api.get<{ items: HookSource[] }>('/hook-sources'), []);
  const [name, setName] = useState('');
  const [form, setForm] = useState<MappingForm>(emptyMappingForm);
  const [sample, setSample] = useState('{\n  "email": "ana@example.com"\n}');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [made, setMade] = useState<{ name: string; url: string } | null>(null);
  const create = useSubmit();
  const tryIt = useSubmit();
  const remove = useSubmit();
  const set = (change: Partial<MappingForm>) => setForm({ ...form, ...change });
  const admin = member.role === 'admin';

  const onTry = () =>
    tryIt.run(async () => {
      let payload: unknown;
      try {
        payload = JSON.parse(sample);
      } catch {
        setPreview({ ok: false, error: { code: 'invalid_json', message: 'The sample is not valid JSON.' } });
        return;
      }
      setPreview(await api.send<Preview>('POST', '/hook-sources/try', { mapping: mappingOf(form), payload }));
    });
  const onCreate = (event: Event) => {
    event.preventDefault();
    create.run(async () => {
      const answer = await api.send<HookSource & { url: string }>('POST', '/hook-sources', { name, mapping: mappingOf(form) });
      setMade({ name: answer.name, url: answer.url });
      setName('');
      setForm(emptyMappingForm());
      list.reload();
    }, 'Source made.');
  };
  const onRemove = (source: HookSource) =>
    remove.run(async () => {
      await api.send('DELETE', `/hook-sources/${encodeURIComponent(source.id)}`);
      list.reload();
    }, `${source.name} deleted; its URL no longer takes deliveries.`);

  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      {made ? (
        <section class="notice ok" aria-label="The new source's URL">
          <p>
            Paste this URL into {made.name}'s webhook settings. It is shown <strong>only now</strong>: copy it before leaving the page.
          </p>
          <p>
            <code>{made.url}</code>{' '}
            <button type="button" onClick={() => navigator.clipboard?.writeText(made.url)}>
              Copy URL
            </button>
          </p>
        </section>
      ) : null}
      <div class="grid">
        {admin ? (
          <form class="card" onSubmit={onCreate} noValidate aria-labelledby="new-source">
            <h2 id="new-source">New inbound webhook</h2>
            <p class="hint">A form or landing-page tool posts JSON to the source's URL; each delivery becomes an event on the contact, which can start automations. Paths look like $.data.email or $.fields[0].value.</p>
            <FormStatus error={create.error} done={create.done} />
            <TextField path="name" label="Name" value={name} onInput={setName} errors={create.fields} />
            <SelectField path="eventBy" label="Event name" value={form.eventBy} options={[['name', 'Always the same name'], ['path', 'Read from the payload']]} onChange={(eventBy) => set({ eventBy })} />
            <TextField path={form.eventBy === 'name' ? 'mapping.event.name' : 'mapping.event.path'} label={form.eventBy === 'name' ? 'Name of the event' : 'JSON path of the event name'} value={form.event} onInput={(value) => set({ event: value })} errors={create.fields} errorPrefix="mapping.event" />
            <TextField path="mapping.email" label="JSON path of the email" value={form.email} onInput={(email) => set({ email })} errors={create.fields} />
            <TextField path="mapping.userId" label="JSON path of the user id (optional)" value={form.userId} onInput={(userId) => set({ userId })} errors={create.fields} />
            <TextField path="mapping.anonymousId" label="JSON path of the anonymous id (optional)" value={form.anonymousId} onInput={(anonymousId) => set({ anonymousId })} errors={create.fields} />
            <TextField path="mapping.sourceId" label="JSON path of the delivery's id (a repeated delivery is stored once)" value={form.sourceId} onInput={(sourceId) => set({ sourceId })} errors={create.fields} />
            <PathRows title="Traits (saved on the contact)" kind="traits" rows={form.traits} onChange={(traits) => set({ traits })} errors={create.fields} />
            <PathRows title="Properties (saved on the event)" kind="properties" rows={form.properties} onChange={(properties) => set({ properties })} errors={create.fields} />
            <h3>Try it</h3>
            <TextArea path="sample" label="A sample payload (JSON)" value={sample} onInput={setSample} rows={6} />
            <button type="button" onClick={onTry} disabled={tryIt.busy}>
              Show the event
            </button>
            <FormStatus error={tryIt.error} />
            {preview ? (
              preview.ok ? (
                <dl class="props" aria-label="The mapped event">
                  {Object.entries(preview.mapped).map(([key, value]) => [<dt key={'k' + key}>{key}</dt>, <dd key={'v' + key}>{valueText(value)}</dd>])}
                </dl>
              ) : (
                <p class="field-error" role="status">
                  {preview.error.message}
                </p>
              )
            ) : null}
            <div class="actions">
              <button class="primary" type="submit" disabled={create.busy}>
                {create.busy ? 'Making…' : 'Make the source'}
              </button>
            </div>
          </form>
        ) : (
          <p class="notice ok">Making and deleting inbound webhooks needs an admin.</p>
        )}
        <section class="card" aria-labelledby="sources">
          <h2 id="sources">Sources</h2>
          <FormStatus error={remove.error} done={remove.done} />
          {!list.data ? (
            <Loading error={list.error} retry={list.reload} />
          ) : list.data.items.length === 0 ? (
            <EmptyState title="No inbound webhooks yet">
              <p>Make one for each tool that should send its submissions to Hark.</p>
            </EmptyState>
          ) : (
            <ul>
              {list.data.items.map((source) => (
                <li key={source.id}>
                  <strong>{source.name}</strong> · token <code>{source.tokenPrefix}…</code> · since <Time iso={source.createdAt} />{' '}
                  {admin ? (
                    <button type="button" onClick={() => onRemove(source)} aria-label={`Delete ${source.name}`}>
                      Delete
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
