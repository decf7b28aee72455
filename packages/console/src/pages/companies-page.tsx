import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { Page } from '@hark/protocol';
import type { CompanyItem } from '../api/audience-types.js';
import { EmptyState } from '../components/empty-state.js';
import { TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { Pager } from '../components/pager.js';
import { Loading } from '../components/progress.js';
import { Time } from '../components/time.js';
import { useConsole } from '../state/console-context.js';
import { useCursorPages } from '../state/use-cursor-pages.js';
import { useLoad } from '../state/use-load.js';
import { useSubmit } from '../state/use-submit.js';

/**
 * Companies: the list (GET /api/v1/companies, search by id or name), and a form to create one.
 * Companies also come from the site's `group` calls; both land in the same rows.
 */
export function CompaniesPage() {
  const { api, session } = useConsole();
  const { route } = useLocation();
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const pages = useCursorPages();
  const companies = useLoad(() => api.get<Page<CompanyItem>>('/companies', { q, limit: 50, cursor: pages.cursor }), [q, pages.cursor]);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const create = useSubmit();
  const canEdit = session?.member.role !== 'agent';
  const onCreate = (event: Event) => {
    event.preventDefault();
    create.run(async () => {
      const company = await api.send<CompanyItem>('POST', '/companies', { ...(id.trim() ? { id: id.trim() } : {}), ...(name.trim() ? { name: name.trim() } : {}) });
      route(`/console/companies/${encodeURIComponent(company.id)}`);
    });
  };
  return (
    <>
      <h1>Companies</h1>
      <form
        class="row card"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          pages.reset();
          setQ(typed.trim());
        }}
      >
        <TextField path="q" label="Search by id or name" type="search" value={typed} onInput={setTyped} />
        <div class="field">
          <button class="primary" type="submit">
            Search
          </button>
        </div>
      </form>
      {companies.error?.status === 404 ? (
        // A collector without the companies list (before issue 11): open a company by its id.
        <OpenById />
      ) : !companies.data ? (
        <Loading error={companies.error} retry={companies.reload} />
      ) : companies.data.items.length === 0 && pages.page === 0 ? (
        q ? (
          <EmptyState title="No company matches">
            <p>Try another search.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No companies yet">
            <p>
              Companies come from your site's <code>hark('group', companyId, traits)</code> calls{canEdit ? ', or create one below' : ''}.
            </p>
          </EmptyState>
        )
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Companies, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Id</th>
                  <th scope="col">People</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {companies.data.items.map((company) => (
                  <tr key={company.id}>
                    <td>
                      <a href={`/console/companies/${encodeURIComponent(company.id)}`}>{company.name || company.id}</a>
                    </td>
                    <td>
                      <code>{company.id}</code>
                    </td>
                    <td>{company.size.toLocaleString('en')}</td>
                    <td>
                      <Time iso={company.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Company pages" page={pages.page} hasNext={!!companies.data.nextCursor} onPrevious={pages.previous} onNext={() => pages.next(companies.data!.nextCursor)} />
        </>
      )}
      {canEdit ? (
        <form class="card" onSubmit={onCreate} noValidate aria-labelledby="new-company">
          <h2 id="new-company">New company</h2>
          <FormStatus error={create.error} />
          <div class="row">
            <TextField path="name" label="Name" value={name} onInput={setName} errors={create.fields} />
            <TextField path="id" label="Id (optional: the groupId your site sends)" value={id} onInput={setId} errors={create.fields} />
            <div class="field">
              <button class="primary" type="submit" disabled={create.busy}>
                Create company
              </button>
            </div>
          </div>
        </form>
      ) : null}
    </>
  );
}

function OpenById() {
  const { route } = useLocation();
  const [id, setId] = useState('');
  return (
    <form
      class="row card"
      onSubmit={(event) => {
        event.preventDefault();
        if (id.trim()) route(`/console/companies/${encodeURIComponent(id.trim())}`);
      }}
    >
      <TextField path="companyId" label="Company id (the groupId your site sends)" value={id} onInput={setId} />
      <div class="field">
        <button class="primary" type="submit">
          Open
        </button>
      </div>
    </form>
  );
}
