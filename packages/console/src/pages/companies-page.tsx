import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { EmptyState } from '../components/empty-state.js';
import { TextField } from '../components/field.js';

/**
 * Companies. The admin API has no list of companies yet (only GET /api/v1/companies/:id), so
 * this page opens one by its id; each contact's profile links to their companies.
 */
export function CompaniesPage() {
  const { route } = useLocation();
  const [id, setId] = useState('');
  return (
    <>
      <h1>Companies</h1>
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
      <EmptyState title="Find a company from its people">
        <p>
          Companies come from your site's <code>hark('group', companyId, traits)</code> calls. Open a <a href="/console/contacts">contact</a> to see their
          companies, or enter a company id above.
        </p>
      </EmptyState>
    </>
  );
}
