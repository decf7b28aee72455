import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { PersonDetail } from '../api/types.js';
import { FormStatus } from '../components/form-status.js';
import { downloadFile } from '../format/download.js';
import { useConsole } from '../state/console-context.js';
import { useSubmit } from '../state/use-submit.js';

/**
 * A person's privacy requests (SECURITY.md): export everything held about them, or erase them.
 * Erasing asks for the contact's label typed back, since it cannot be undone.
 */
export function ContactPrivacy(props: { person: PersonDetail; label: string }) {
  const { api } = useConsole();
  const { route } = useLocation();
  const exporting = useSubmit();
  const erasing = useSubmit();
  const [typed, setTyped] = useState('');
  const path = `/people/${encodeURIComponent(props.person.id)}`;

  const exportData = () =>
    exporting.run(async () => {
      const data = await api.get<unknown>(`${path}/export`);
      downloadFile(`person-${props.person.id}.json`, JSON.stringify(data, null, 2), 'application/json');
    }, 'The export is downloading.');
  const erase = (event: Event) => {
    event.preventDefault();
    erasing.run(async () => {
      await api.send('DELETE', path);
      route('/console/contacts');
    }, 'Erased.');
  };

  return (
    <section class="card" aria-labelledby="privacy">
      <h2 id="privacy">Privacy</h2>
      <FormStatus error={exporting.error ?? erasing.error} done={exporting.done} />
      <div class="actions">
        <button type="button" onClick={exportData} disabled={exporting.busy}>
          {exporting.busy ? 'Exporting…' : 'Export their data (JSON)'}
        </button>
      </div>
      <form onSubmit={erase}>
        <p class="hint">
          Erasing deletes this person, their events and answers; their ids are kept as erased so a late event does not bring them back.
        </p>
        <div class="field">
          <label for="erase-confirm">Type “{props.label}” to erase</label>
          <input id="erase-confirm" value={typed} onInput={(event) => setTyped((event.target as HTMLInputElement).value)} />
        </div>
        <div class="actions">
          <button type="submit" class="danger" disabled={typed !== props.label || erasing.busy}>
            {erasing.busy ? 'Erasing…' : 'Erase this person'}
          </button>
        </div>
      </form>
    </section>
  );
}
