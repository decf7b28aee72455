import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { SelectField, TextArea, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';
import { TemplatePreview } from './template-preview.js';
import type { EmailTemplate } from './template-types.js';

const LIQUID_HINT = 'Liquid: {{ person.traits.name }}, {{ person.email }}, {{ company.traits.name }}, {{ event.properties.total }}, {{ data.code }}; {% if %} … {% endif %}.';

/** A new template or an existing one: its fields beside a live preview for a chosen contact. */
export function TemplateEditorPage() {
  const { params } = useRoute();
  const id = params.id;
  const { api } = useConsole();
  const existing = useLoad(() => (id ? api.get<EmailTemplate>(`/email-templates/${encodeURIComponent(id)}`) : Promise.resolve(null)), [id]);
  if (id && existing.data === undefined) return <Loading error={existing.error} retry={existing.reload} />;
  return <TemplateForm key={id ?? 'new'} saved={existing.data ?? null} />;
}

function TemplateForm(props: { saved: EmailTemplate | null }) {
  const { api, session } = useConsole();
  const { route } = useLocation();
  const { saved } = props;
  const [name, setName] = useState(saved?.name ?? '');
  const [kind, setKind] = useState<EmailTemplate['kind']>(saved?.kind ?? 'marketing');
  const [subject, setSubject] = useState(saved?.subject ?? '');
  const [text, setText] = useState(saved?.text ?? '');
  const [html, setHtml] = useState(saved?.html ?? '');
  const save = useSubmit();
  const remove = useSubmit();
  const canEdit = session?.member.role !== 'agent';
  useEffect(() => {
    document.title = `${saved ? saved.name : 'New template'} · Hark`;
  }, [saved]);

  const onSave = (event: Event) => {
    event.preventDefault();
    save.run(async () => {
      const body = { name, kind, subject, text: text === '' ? null : text, html: html === '' ? null : html };
      if (saved) await api.send('PATCH', `/email-templates/${encodeURIComponent(saved.id)}`, body);
      else {
        const created = await api.send<EmailTemplate>('POST', '/email-templates', body);
        route(`/console/email-templates/${encodeURIComponent(created.id)}`, true);
      }
    }, 'Saved.');
  };
  const onDelete = () => {
    if (!saved || !confirm(`Delete the template ${saved.name}?`)) return;
    remove.run(async () => {
      await api.send('DELETE', `/email-templates/${encodeURIComponent(saved.id)}`);
      route('/console/email-templates');
    });
  };

  return (
    <>
      <p>
        <a href="/console/email-templates">← Email templates</a>
      </p>
      <h1>{saved ? saved.name : 'New template'}</h1>
      <div class="split">
        <form class="card" onSubmit={onSave} noValidate aria-label="Template">
          <FormStatus error={save.error ?? remove.error} done={save.done} />
          <TextField path="name" label="Name" value={name} onInput={setName} errors={save.fields} required />
          <SelectField
            path="kind"
            label="Kind"
            hint="Marketing emails carry an unsubscribe link and the List-Unsubscribe headers; transactional ones (receipts, password resets) do not."
            value={kind}
            options={[
              ['marketing', 'Marketing'],
              ['transactional', 'Transactional'],
            ]}
            onChange={(value) => setKind(value as EmailTemplate['kind'])}
            errors={save.fields}
          />
          <TextField path="subject" label="Subject" hint={LIQUID_HINT} value={subject} onInput={setSubject} errors={save.fields} required />
          <TextArea path="text" label="Text" hint="The plain-text part, for clients that show no HTML." rows={8} value={text} onInput={setText} errors={save.fields} />
          <TextArea path="html" label="HTML" hint="Values are HTML-escaped; {{ x | raw }} inserts one as HTML." rows={14} value={html} onInput={setHtml} errors={save.fields} />
          {canEdit ? (
            <div class="actions">
              <button class="primary" type="submit" disabled={save.busy}>
                {save.busy ? 'Saving…' : 'Save template'}
              </button>
              {saved ? (
                <button type="button" class="danger" onClick={onDelete} disabled={remove.busy}>
                  Delete
                </button>
              ) : null}
            </div>
          ) : null}
        </form>
        <TemplatePreview draft={{ subject, text, html }} />
      </div>
    </>
  );
}
