import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import type { Message, MessageKind, MessageStatus } from '@hark/protocol';
import { EmptyState } from '../components/empty-state.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { MessageForm } from '../messages/message-form.js';
import { KINDS, definitionFromDraft, draftFromMessage, newDraft, patchFromDraft, previewMessage, type MessageDraft } from '../messages/message-draft.js';
import { MessagePreview } from '../messages/message-preview.js';
import { useConsole, useTimeZone } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

const KIND_TEXT: Record<MessageKind, string> = {
  notification: 'Notification: a short note the visitor can close',
  input: 'Input: ask for a line of text or an email address',
  survey: 'Survey: a grade from 1 to 5, then an optional question',
  cta: 'Call to action: a button that takes the visitor somewhere',
};

/** `/console/messages/new?kind=…` and `/console/messages/:id`: the form, its live preview, and the status. */
export function MessageEditorPage() {
  const { api } = useConsole();
  const { params } = useRoute();
  const { query } = useLocation();
  const id = params.id;
  const message = useLoad(() => (id ? api.get<Message>(`/messages/${encodeURIComponent(id)}`) : Promise.resolve(null)), [id]);
  if (!id) {
    const kind = query.kind as MessageKind | undefined;
    if (!kind || !KINDS.includes(kind)) return <KindChooser />;
    return <Editor key={'new-' + kind} message={null} kind={kind} />;
  }
  if (message.error?.status === 404)
    return (
      <EmptyState title="No such message">
        <p>
          It may have been deleted. <a href="/console/messages">Back to messages</a>.
        </p>
      </EmptyState>
    );
  if (!message.data) return <Loading error={message.error} retry={message.reload} />;
  return <Editor key={message.data.id} message={message.data} kind={message.data.kind} />;
}

function KindChooser() {
  return (
    <>
      <p>
        <a href="/console/messages">← Messages</a>
      </p>
      <h1>New message</h1>
      <ul class="grid" style={{ listStyle: 'none', padding: 0 }}>
        {KINDS.map((kind) => (
          <li class="card" key={kind}>
            <a href={`/console/messages/new?kind=${kind}`}>{KIND_TEXT[kind]}</a>
          </li>
        ))}
      </ul>
    </>
  );
}

function Editor(props: { message: Message | null; kind: MessageKind }) {
  const { api } = useConsole();
  const timeZone = useTimeZone();
  const { route } = useLocation();
  const [message, setMessage] = useState(props.message);
  const [draft, setDraft] = useState<MessageDraft>(() => (props.message ? draftFromMessage(props.message, timeZone) : newDraft(props.kind)));
  const [round, setRound] = useState(0);
  const [width, setWidth] = useState<'desktop' | 'phone'>('desktop');
  const save = useSubmit();
  const status = useSubmit();
  // A new delivery id per change, so the UI draws the message anew.
  useEffect(() => setRound((n) => n + 1), [draft]);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    save.run(async () => {
      if (!message) {
        const created = await api.send<Message>('POST', '/messages', { ...definitionFromDraft(draft, timeZone), status: 'draft' });
        route(`/console/messages/${created.id}`, true);
        return;
      }
      const updated = await api.send<Message>('PATCH', `/messages/${encodeURIComponent(message.id)}`, patchFromDraft(message, draft, timeZone));
      setMessage(updated);
    }, 'Saved.');
  };
  const setStatus = (next: MessageStatus) =>
    status.run(async () => {
      setMessage(await api.send<Message>('PATCH', `/messages/${encodeURIComponent(message!.id)}`, { status: next }));
    }, `The message is ${next} now.`);

  return (
    <>
      <p>
        <a href="/console/messages">← Messages</a>
      </p>
      <h1>{message ? message.name : `New ${props.kind}`}</h1>
      {message ? (
        <section class="card" aria-labelledby="status">
          <h2 id="status">
            Status: <span class={'badge ' + message.status}>{message.status}</span>
          </h2>
          <p class="hint">
            Last changed <Time iso={message.updatedAt} />. {message.status === 'live' ? 'Visitors who match see it now.' : 'Visitors do not see it until it is live.'}
          </p>
          <FormStatus error={status.error} done={status.done} />
          <div class="actions">
            {message.status !== 'live' ? (
              <button type="button" class="primary" onClick={() => setStatus('live')} disabled={status.busy}>
                Go live
              </button>
            ) : (
              <button type="button" onClick={() => setStatus('paused')} disabled={status.busy}>
                Pause
              </button>
            )}
            {message.status !== 'draft' ? (
              <button type="button" onClick={() => setStatus('draft')} disabled={status.busy}>
                Back to draft
              </button>
            ) : null}
            {message.status !== 'archived' ? (
              <button type="button" onClick={() => setStatus('archived')} disabled={status.busy}>
                Archive
              </button>
            ) : null}
            <a class="button" href={`/console/messages/${message.id}/results`}>
              Results
            </a>
          </div>
        </section>
      ) : null}
      <div class="editor">
        <form onSubmit={onSubmit} noValidate aria-label="Message">
          <FormStatus error={save.error} done={save.done} />
          <MessageForm draft={draft} onChange={setDraft} errors={save.fields} isNew={!message} timeZone={timeZone} />
          <div class="actions">
            <button class="primary" type="submit" disabled={save.busy}>
              {save.busy ? 'Saving…' : message ? 'Save changes' : 'Create draft'}
            </button>
          </div>
        </form>
        <section class="sticky" aria-labelledby="preview">
          <h2 id="preview">Preview</h2>
          <div class="actions" role="group" aria-label="Preview width">
            <button type="button" aria-pressed={width === 'desktop'} onClick={() => setWidth('desktop')}>
              Desktop
            </button>
            <button type="button" aria-pressed={width === 'phone'} onClick={() => setWidth('phone')}>
              Phone (390 px)
            </button>
          </div>
          <MessagePreview message={previewMessage(draft, round)} width={width} />
          <p class="hint">Drawn by the same script your visitors get. Traits show their fallback, or [name] without one.</p>
        </section>
      </div>
    </>
  );
}
