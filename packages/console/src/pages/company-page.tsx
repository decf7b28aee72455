import { useRoute } from 'preact-iso';
import type { CompanyDetail } from '../api/types.js';
import { CompanyManage, RemoveFromCompany } from '../audiences/company-manage.js';
import { EmptyState } from '../components/empty-state.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { personLabel, valueText } from '../components/value-text.js';
import { useConsole } from '../state/console-context.js';
import { useLoad } from '../state/use-load.js';

/** A company (from `group` calls): its traits and its people. */
export function CompanyPage() {
  const { api, session } = useConsole();
  const canEdit = session?.member.role !== 'agent';
  const id = useRoute().params.id ?? '';
  const company = useLoad(() => api.get<CompanyDetail>(`/companies/${encodeURIComponent(id)}`), [id]);
  if (company.error?.status === 404)
    return (
      <EmptyState title="No such company">
        <p>
          No group call has named the id "{id}". <a href="/console/companies">Find another company</a>.
        </p>
      </EmptyState>
    );
  if (!company.data) return <Loading error={company.error} retry={company.reload} />;
  const c = company.data;
  return (
    <>
      <p>
        <a href="/console/companies">← Companies</a>
      </p>
      <h1>{c.name || c.id}</h1>
      <div class="grid">
        <section class="card" aria-labelledby="traits">
          <h2 id="traits">Traits</h2>
          <dl class="props">
            <dt>Id</dt>
            <dd>{c.id}</dd>
            {Object.entries(c.traits).map(([key, value]) => [<dt key={'k' + key}>{key}</dt>, <dd key={'v' + key}>{valueText(value)}</dd>])}
            <dt>First seen</dt>
            <dd>
              <Time iso={c.createdAt} />
            </dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="people">
          <h2 id="people">People ({c.people.length})</h2>
          {c.people.length ? (
            <ul>
              {c.people.map((person) => (
                <li key={person.id}>
                  <a href={`/console/contacts/${person.id}`}>{personLabel(person)}</a> — {person.kind}, last seen <Time iso={person.lastSeenAt} />
                  {canEdit ? <> <RemoveFromCompany companyId={c.id} person={person} onRemoved={company.reload} /></> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="hint">Nobody in it now.</p>
          )}
        </section>
      </div>
      {canEdit ? <CompanyManage key={c.updatedAt} company={c} onChanged={company.reload} /> : null}
    </>
  );
}
