import { useEffect, useRef, useState } from 'preact/hooks';
import type { PersonSummary } from '../api/types.js';
import { SelectField, TextField } from '../components/field.js';
import { useConsole } from '../state/console-context.js';
import { asRefusal } from '../state/use-load.js';
import type { ApiRefusal } from '../api/client.js';
import type { RenderedEmail } from './template-types.js';

/** How long the editor must be still before the preview is asked again. */
const SETTLE_MS = 400;

/**
 * The draft rendered by the collector for a chosen contact (POST /email-templates/preview), with
 * the variables that contact lacks.
 */
export function TemplatePreview(props: { draft: { subject: string; text: string; html: string } }) {
  const { api } = useConsole();
  const [search, setSearch] = useState('');
  const [people, setPeople] = useState<PersonSummary[]>([]);
  const [personId, setPersonId] = useState('');
  const [rendered, setRendered] = useState<RenderedEmail | null>(null);
  const [error, setError] = useState<ApiRefusal | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => {
      api
        .get<{ items: PersonSummary[] }>('/people', { q: search || undefined, limit: 20 })
        .then((page) => setPeople(page.items), () => setPeople([]));
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const { subject, text, html } = props.draft;
  useEffect(() => {
    if (!subject.trim()) return;
    let current = true;
    const timer = setTimeout(() => {
      api
        .send<RenderedEmail>('POST', '/email-templates/preview', { subject, text: text || null, html: html || null, ...(personId ? { personId } : {}) })
        .then(
          (answer) => current && (setRendered(answer), setError(null)),
          (refusal: unknown) => current && setError(asRefusal(refusal)),
        );
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [subject, text, html, personId]);

  return (
    <section class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <div class="row">
        <TextField path="preview.search" label="Find a contact" type="search" value={search} onInput={setSearch} />
        <SelectField
          path="preview.personId"
          label="Preview for"
          value={personId}
          options={[['', 'Nobody (every variable empty)'], ...people.map((p): [string, string] => [p.id, p.name ?? p.email ?? p.userId ?? p.id])]}
          onChange={setPersonId}
        />
      </div>
      {error ? (
        <div class="notice error" role="alert">
          <p>{error.message}</p>
          {Object.entries(error.fields).map(([part, problem]) => (
            <p key={part}>
              {part}: {problem}
            </p>
          ))}
        </div>
      ) : null}
      {rendered && rendered.warnings.length ? (
        <div class="notice" role="status">
          <p>Variables this contact does not have (they render empty):</p>
          <ul>
            {rendered.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {rendered ? (
        <>
          <p>
            <strong>Subject:</strong> {rendered.subject}
          </p>
          {rendered.html ? <EmailFrame key={rendered.html} html={rendered.html} /> : null}
          {rendered.text ? (
            <pre class="email-text" aria-label="Preview of the text email">
              {rendered.text}
            </pre>
          ) : null}
        </>
      ) : (
        <p class="hint">Write a subject to see the preview.</p>
      )}
    </section>
  );
}

/**
 * The HTML drawn in a sandboxed frame (`allow-scripts` only: an opaque origin, no forms, no
 * popups, no top navigation), since an email is content from anyone who can edit templates and,
 * through traits, from contacts. The frame's page (collector: /console-frames/email-preview) has a
 * policy of its own that allows an email's inline styles, which the console's does not, and runs
 * no script but the one that takes the HTML. Each HTML gets a new frame, posted to once on its
 * first load, so a frame the email navigated elsewhere is never sent another preview.
 */
function EmailFrame(props: { html: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const posted = useRef(false);
  const onLoad = () => {
    if (posted.current) return;
    posted.current = true;
    frame.current?.contentWindow?.postMessage(props.html, '*');
  };
  return <iframe ref={frame} class="email-preview" title="Preview of the HTML email" sandbox="allow-scripts" src="/console-frames/email-preview" onLoad={onLoad} />;
}
