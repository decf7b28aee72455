import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import type { Page } from '@hark/protocol';
import type { ActivityItem, PersonDetail } from '../api/types.js';
import { PersonAudiencesView, type PersonAudiences } from '../audiences/person-audiences.js';
import { ChainView } from '../components/chain-view.js';
import { EmptyState } from '../components/empty-state.js';
import { SelectField, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { personLabel, valueText } from '../components/value-text.js';
import { CHANNELS, groupTimeline } from '../format/timeline-groups.js';
import { rowsFromTraits, traitsPatch, type TraitRow } from '../format/trait-edit.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';
import { ContactPrivacy } from './contact-privacy.js';

/** One contact: who they are, their traits (editable), identities, companies and timeline. */
export function ContactPage() {
  const { api } = useConsole();
  const id = useRoute().params.id ?? '';
  const person = useLoad(() => api.get<PersonDetail & PersonAudiences>(`/people/${encodeURIComponent(id)}`), [id]);
  if (person.error?.status === 404)
    return (
      <EmptyState title="No such contact">
        <p>
          They may have been erased. <a href="/console/contacts">Back to contacts</a>.
        </p>
      </EmptyState>
    );
  if (!person.data) return <Loading error={person.error} retry={person.reload} />;
  const p = person.data;
  return (
    <>
      <p>
        <a href="/console/contacts">← Contacts</a>
      </p>
      <h1>{personLabel(p)}</h1>
      <div class="grid">
        <section class="card" aria-labelledby="about">
          <h2 id="about">About</h2>
          <dl class="props">
            <dt>Kind</dt>
            <dd>{p.kind}</dd>
            <dt>Email</dt>
            <dd>{p.email ?? '—'}</dd>
            <dt>User id</dt>
            <dd>{p.userId ?? '—'}</dd>
            <dt>First seen</dt>
            <dd>
              <Time iso={p.firstSeenAt} />
            </dd>
            <dt>Last seen</dt>
            <dd>
              <Time iso={p.lastSeenAt} />
            </dd>
            <dt>Events</dt>
            <dd>
              {p.counts.events} ({p.counts.pageViews} page views, {p.counts.tracks} tracks)
            </dd>
          </dl>
          <h3>Identities</h3>
          {p.identities.length ? (
            <ul>
              {p.identities.map((identity) => (
                <li key={identity.type + identity.value}>
                  {identity.type}: <code>{identity.value}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p class="hint">None yet.</p>
          )}
          <h3>Companies</h3>
          {p.companies.length ? (
            <ul>
              {p.companies.map((company) => (
                <li key={company.id}>
                  <a href={`/console/companies/${encodeURIComponent(company.id)}`}>{company.name || company.id}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="hint">In no company. A site puts people in one with hark('group', companyId, traits).</p>
          )}
          <PersonAudiencesView person={p} />
        </section>
        <TraitsEditor person={p} onSaved={person.reload} />
      </div>
      <Timeline personId={p.id} />
      <ContactPrivacy person={p} label={personLabel(p)} />
    </>
  );
}

function TraitsEditor(props: { person: PersonDetail; onSaved(): void }) {
  const { api } = useConsole();
  const [rows, setRows] = useState<TraitRow[]>(() => rowsFromTraits(props.person.traits));
  const submit = useSubmit();
  const set = (index: number, change: Partial<TraitRow>) => setRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const save = (event: Event) => {
    event.preventDefault();
    const traits = traitsPatch(props.person.traits, rows);
    submit.run(async () => {
      await api.send('PATCH', `/people/${encodeURIComponent(props.person.id)}`, { traits });
      props.onSaved();
    }, 'Traits saved.');
  };
  return (
    <form class="card" onSubmit={save} aria-labelledby="traits">
      <h2 id="traits">Traits</h2>
      <FormStatus error={submit.error} done={submit.done} />
      {rows.length === 0 ? <p class="hint">No traits yet. Add one below, or send them with hark('identify', userId, traits).</p> : null}
      {rows.map((row, index) => (
        <div class="trait-row" key={index}>
          <TextField path={`traits.${index}.key`} label="Trait" value={row.key} onInput={(key) => set(index, { key })} />
          <TextField path={`traits.${row.key || index}`} label={`Value of ${row.key || 'new trait'}`} value={row.text} onInput={(text) => set(index, { text })} errors={submit.fields} />
          <div class="field">
            <button type="button" onClick={() => setRows(rows.filter((_, i) => i !== index))} aria-label={`Remove ${row.key || 'this trait'}`}>
              Remove
            </button>
          </div>
        </div>
      ))}
      <div class="actions">
        <button type="button" onClick={() => setRows([...rows, { key: '', text: '' }])}>
          Add a trait
        </button>
        <button class="primary" type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save traits'}
        </button>
      </div>
    </form>
  );
}

const TYPES = ['page', 'track', 'identify', 'group', 'alias', 'screen'] as const;

function describe(item: ActivityItem): string {
  if (item.type === 'page' || item.type === 'screen') return `Viewed ${item.page.title || item.name || item.page.path || item.page.url || 'a page'}`;
  if (item.type === 'track') return item.name ?? 'An event';
  if (item.type === 'identify') return 'Identified';
  if (item.type === 'group') return 'Joined a company';
  return item.type;
}

function Event(props: { item: ActivityItem }) {
  const { item } = props;
  return (
    <>
      <span class="what">{describe(item)}</span> · <Time iso={item.timestamp} /> <span class="badge">{item.type}</span> <span class="badge">{item.channel}</span>
      {Object.keys(item.properties).length ? (
        <dl class="props">
          {Object.entries(item.properties).map(([key, value]) => [<dt key={'k' + key}>{key}</dt>, <dd key={'v' + key}>{valueText(value)}</dd>])}
        </dl>
      ) : null}
      {item.page.url ? <p class="hint">{item.page.url}</p> : null}
    </>
  );
}

/**
 * The activity, newest first, loaded a page at a time. Chained events show under their root
 * (collapsible), and any event of a chain opens the whole chain; the type and channel filters
 * apply to what is loaded.
 */
function Timeline(props: { personId: string }) {
  const { api } = useConsole();
  const [items, setItems] = useState<ActivityItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [type, setType] = useState<string>('');
  const [channel, setChannel] = useState<string>('');
  const [open, setOpen] = useState<string | null>(null);
  const first = useLoad(async () => {
    const page = await api.get<Page<ActivityItem>>(`/people/${encodeURIComponent(props.personId)}/activity`, { limit: 50 });
    setItems(page.items);
    setCursor(page.nextCursor);
    return page;
  }, [props.personId]);
  const more = useSubmit();
  const loadMore = () =>
    more.run(async () => {
      const page = await api.get<Page<ActivityItem>>(`/people/${encodeURIComponent(props.personId)}/activity`, { limit: 50, cursor });
      setItems([...items, ...page.items]);
      setCursor(page.nextCursor);
    });
  const rows = groupTimeline(items, (item) => (!type || item.type === type) && (!channel || item.channel === channel));
  const filtered = type || channel;
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">Activity</h2>
      <div class="row">
        <SelectField path="type" label="Show" value={type} options={[['', 'Everything'], ...TYPES.map((t): [string, string] => [t, t])]} onChange={setType} />
        <SelectField path="channel" label="Channel" value={channel} options={[['', 'Every channel'], ...CHANNELS.map((c): [string, string] => [c, c])]} onChange={setChannel} />
      </div>
      {open ? <ChainView messageId={open} onClose={() => setOpen(null)} /> : null}
      {!first.data ? (
        <Loading error={first.error} retry={first.reload} />
      ) : rows.length === 0 ? (
        <p class="hint">{filtered ? 'No such events among those loaded.' : 'No activity recorded.'}</p>
      ) : (
        <ol class="timeline" aria-label="Activity, newest first">
          {rows.map(({ item, chained }) => (
            <li key={item.messageId}>
              <Event item={item} />
              {chained.length || item.rootId ? (
                <p>
                  <button type="button" onClick={() => setOpen(item.messageId)}>
                    Open chain
                  </button>
                </p>
              ) : null}
              {chained.length ? (
                <details open>
                  <summary>
                    {chained.length} event{chained.length === 1 ? '' : 's'} followed
                  </summary>
                  <ol class="timeline" aria-label={`Events that followed ${describe(item)}`}>
                    {chained.map((child) => (
                      <li key={child.messageId}>
                        <Event item={child} />
                      </li>
                    ))}
                  </ol>
                </details>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      <FormStatus error={more.error} />
      {cursor ? (
        <button type="button" onClick={loadMore} disabled={more.busy}>
          {more.busy ? 'Loading…' : 'Load older activity'}
        </button>
      ) : null}
    </section>
  );
}
