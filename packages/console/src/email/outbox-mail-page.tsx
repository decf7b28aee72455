import { useState } from 'preact/hooks';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import type { OutboxMail } from './outbox-types.js';

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);

/**
 * One outbox mail as a recipient would get it: headers, the HTML in a sandboxed frame (no
 * scripts, no same-origin access to the console), the text part, attachments to download, and
 * the raw message.
 */
export function OutboxMailPage(props: { params?: { id?: string } }) {
  const { api } = useConsole();
  const id = props.params?.id ?? '';
  const mail = useLoad(() => api.get<OutboxMail>(`/outbox/${encodeURIComponent(id)}`), [id]);
  const [showRaw, setShowRaw] = useState(false);
  if (!mail.data) return <Loading error={mail.error} retry={mail.reload} />;
  const m = mail.data;
  return (
    <>
      <p>
        <a href="/console/outbox">← Outbox</a>
      </p>
      <h1>{m.subject || '(no subject)'}</h1>
      <p>
        To {m.to}, from {m.from}, kept <Time iso={m.createdAt} />. Send {m.sendId}.
      </p>
      <section class="card" aria-labelledby="mail-headers">
        <h2 id="mail-headers">Headers</h2>
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Message headers</caption>
            <tbody>
              {Object.entries(m.headers).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td class="mono">{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {m.html !== null ? (
        <section class="card" aria-labelledby="mail-html">
          <h2 id="mail-html">HTML</h2>
          {/* sandbox with no allow-* tokens: the mail's HTML runs no script and cannot reach the console. */}
          <iframe title={`HTML of ${m.subject}`} sandbox="" srcdoc={m.html} style="width:100%;min-height:24rem;border:1px solid #ccc;background:#fff" />
        </section>
      ) : null}
      {m.text !== null ? (
        <section class="card" aria-labelledby="mail-text">
          <h2 id="mail-text">Text</h2>
          <pre style="white-space:pre-wrap">{m.text}</pre>
        </section>
      ) : null}
      <section class="card" aria-labelledby="mail-files">
        <h2 id="mail-files">Attachments</h2>
        {m.attachments.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul>
            {m.attachments.map((file, i) => (
              <li key={i}>
                <a href={`data:${file.type};base64,${file.content ?? ''}`} download={file.name}>
                  {file.name}
                </a>{' '}
                ({file.type}, {kb(file.size)})
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="mail-raw">
        <h2 id="mail-raw">Raw message</h2>
        <button type="button" aria-expanded={showRaw} onClick={() => setShowRaw(!showRaw)}>
          {showRaw ? 'Hide the raw message' : 'Show the raw message'}
        </button>
        {showRaw ? <pre class="mono" style="white-space:pre-wrap;max-height:30rem;overflow:auto">{m.raw}</pre> : null}
      </section>
    </>
  );
}
