import { useEffect, useRef, useState } from 'preact/hooks';
import type { Rule, SegmentPreview } from '../api/audience-types.js';
import { ApiRefusal } from '../api/client.js';
import { personLabel } from '../components/value-text.js';
import { useConsole } from '../state/console-context.js';

/** Typing pauses this long before the tree is counted, so a count is not asked per keystroke. */
export const PREVIEW_DEBOUNCE_MS = 500;

/**
 * "N people match" for the tree being edited: POST /segments/preview, debounced, the latest
 * answer only, with a progress indicator while it counts. The tree's field errors go back to the
 * builder (`onErrors`), so a condition not yet complete shows what it lacks while it is typed.
 */
export function LiveCount(props: { rules: Rule; onErrors(fields: Record<string, string>): void }) {
  const { api } = useConsole();
  const [state, setState] = useState<{ counting: boolean; preview: SegmentPreview | null; problem: string | null }>({ counting: true, preview: null, problem: null });
  const round = useRef(0);
  const json = JSON.stringify(props.rules);
  useEffect(() => {
    const mine = ++round.current;
    setState((previous) => ({ ...previous, counting: true }));
    const timer = setTimeout(() => {
      api.send<SegmentPreview>('POST', '/segments/preview', { rules: props.rules }).then(
        (preview) => {
          if (mine !== round.current) return;
          props.onErrors({});
          setState({ counting: false, preview, problem: null });
        },
        (error: unknown) => {
          if (mine !== round.current) return;
          const refusal = error instanceof ApiRefusal ? error : null;
          if (refusal?.code === 'invalid_fields') {
            props.onErrors(refusal.fields);
            setState({ counting: false, preview: null, problem: 'Finish the conditions marked below to see who matches.' });
          } else setState({ counting: false, preview: null, problem: refusal?.message ?? 'The count failed.' });
        },
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [json]);
  const { counting, preview, problem } = state;
  return (
    <section class="card live-count" aria-labelledby="live-count">
      <h2 id="live-count">Who matches</h2>
      <div role="status" aria-live="polite" aria-busy={counting ? 'true' : 'false'}>
        {counting ? (
          <p class="count-line">
            <progress aria-label="Counting" /> Counting…
          </p>
        ) : problem ? (
          <p class="hint">{problem}</p>
        ) : preview ? (
          <p class="count-line">
            <strong class="big">{preview.count.toLocaleString('en')}</strong> {preview.count === 1 ? 'person matches' : 'people match'}
            <span class="hint"> (of {preview.scanned.toLocaleString('en')} contacts)</span>
          </p>
        ) : null}
      </div>
      {!counting && preview && preview.people.length ? (
        <>
          <h3>First matches</h3>
          <ul>
            {preview.people.slice(0, 10).map((person) => (
              <li key={person.id}>
                <a href={`/console/contacts/${encodeURIComponent(person.id)}`}>{personLabel(person)}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
