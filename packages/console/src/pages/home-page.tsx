import { useEffect, useState } from 'preact/hooks';
import type { Page } from '@hark/protocol';
import type { PersonSummary } from '../api/types.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { personLabel } from '../components/value-text.js';
import { snippetFor } from '../format/snippet.js';
import { useConsole, useSession } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';

const POLL_MS = 2000;

/**
 * Home. While the project has seen nobody, the first-run guide: the snippet with the real write
 * key and host, and a live wait for the first event (polling the people list).
 */
export function HomePage() {
  const { api } = useConsole();
  const people = useLoad(() => api.get<Page<PersonSummary>>('/people', { limit: 5 }), []);
  if (!people.data) return <Loading error={people.error} retry={people.reload} />;
  if (people.data.items.length === 0) return <FirstRun />;
  return (
    <>
      <h1>Home</h1>
      <div class="grid">
        <section class="card" aria-labelledby="recent">
          <h2 id="recent">Recently seen</h2>
          <ul>
            {people.data.items.map((person) => (
              <li key={person.id}>
                <a href={`/console/contacts/${person.id}`}>{personLabel(person)}</a> — <Time iso={person.lastSeenAt} />
              </li>
            ))}
          </ul>
          <a href="/console/contacts">All contacts</a>
        </section>
        <section class="card" aria-labelledby="next">
          <h2 id="next">What next</h2>
          <ul>
            <li>
              <a href="/console/messages/new?kind=survey">Ask your users a question</a> with a survey.
            </li>
            <li>
              <a href="/console/settings/team">Invite your team</a>.
            </li>
            <li>
              <a href="/console/settings">Turn on identity verification</a> before you identify users.
            </li>
          </ul>
        </section>
      </div>
    </>
  );
}

function FirstRun() {
  const { api } = useConsole();
  const { project } = useSession();
  const [first, setFirst] = useState<PersonSummary | null>(null);
  useEffect(() => {
    if (first) return;
    const timer = setInterval(() => {
      api.get<Page<PersonSummary>>('/people', { limit: 1 }).then((page) => page.items[0] && setFirst(page.items[0]), () => undefined);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [first]);
  const code = snippetFor(location.origin, project.writeKey);
  return (
    <>
      <h1>Welcome to Hark</h1>
      <section class="card" aria-labelledby="step1">
        <h2 id="step1">1. Paste this snippet into every page of your site</h2>
        <p>
          Put it in the <code>&lt;head&gt;</code>. It carries your project's write key, which is public: it can only send events.
        </p>
        <pre>
          <code>{code}</code>
        </pre>
        <div class="actions">
          <button type="button" onClick={() => navigator.clipboard?.writeText(code)}>
            Copy the snippet
          </button>
          <a href="/" target="_blank" rel="noopener">
            Or try the demo page
          </a>
        </div>
      </section>
      <section class="card" aria-labelledby="step2">
        <h2 id="step2">2. Open your site</h2>
        <div role="status" aria-live="polite">
          {first ? (
            <p>
              <span class="live-dot ok" aria-hidden="true" />
              Your first event arrived: <a href={`/console/contacts/${first.id}`}>{personLabel(first)}</a>, seen <Time iso={first.lastSeenAt} />.{' '}
              <a href="/console/contacts">See your contacts</a>.
            </p>
          ) : (
            <p>
              <span class="live-dot" aria-hidden="true" />
              Waiting for the first event… This page updates by itself as soon as a visitor arrives.
            </p>
          )}
        </div>
      </section>
    </>
  );
}
