import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { CompanyAddAnswer } from '../api/audience-types.js';
import type { CompanyDetail, PersonSummary } from '../api/types.js';
import { SelectField, TextField } from '../components/field.js';
import { FormStatus } from '../components/form-status.js';
import { personLabel } from '../components/value-text.js';
import { rowsFromTraits, traitsPatch, type TraitRow } from '../format/trait-edit.js';
import { useConsole } from '../state/console-context.js';
import { useSubmit } from '../state/use-submit.js';

/**
 * Changing a company (issue 11's companies API): its name and traits, deleting it, adding a
 * contact (existing by email, user id or id, or a new lead from email and name) and removing one.
 * Managers and admins only; the page hides it from agents.
 */
export function CompanyManage(props: { company: CompanyDetail; onChanged(): void }) {
  const { api } = useConsole();
  const { route } = useLocation();
  const c = props.company;
  const base = `/companies/${encodeURIComponent(c.id)}`;
  const [name, setName] = useState(c.name ?? '');
  const others = Object.fromEntries(Object.entries(c.traits).filter(([key]) => key !== 'name'));
  const [rows, setRows] = useState<TraitRow[]>(() => rowsFromTraits(others));
  const [by, setBy] = useState<'email' | 'userId' | 'id' | 'new'>('email');
  const [who, setWho] = useState('');
  const [newName, setNewName] = useState('');
  const save = useSubmit();
  const add = useSubmit();
  const remove = useSubmit();
  const setRow = (index: number, change: Partial<TraitRow>) => setRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const onSave = (event: Event) => {
    event.preventDefault();
    save.run(async () => {
      await api.send('PATCH', base, { name: name.trim() || null, traits: traitsPatch(others, rows) });
      props.onChanged();
    }, 'Company saved.');
  };
  const onAdd = (event: Event) => {
    event.preventDefault();
    const body = by === 'new' ? { email: who.trim(), name: newName.trim() } : { [by]: who.trim() };
    add.run(async () => {
      const answer = await api.send<CompanyAddAnswer>('POST', `${base}/people`, body);
      setWho('');
      setNewName('');
      props.onChanged();
      return answer;
    }, 'Added to the company.');
  };
  return (
    <>
      <form class="card" onSubmit={onSave} noValidate aria-labelledby="edit-company">
        <h2 id="edit-company">Edit the company</h2>
        <FormStatus error={save.error} done={save.done} />
        <TextField path="name" label="Name" value={name} onInput={setName} errors={save.fields} />
        {rows.map((row, index) => (
          <div class="trait-row" key={index}>
            <TextField path={`traits.${index}.key`} label="Trait" value={row.key} onInput={(key) => setRow(index, { key })} />
            <TextField path={`traits.${row.key || index}`} label={`Value of ${row.key || 'new trait'}`} value={row.text} onInput={(text) => setRow(index, { text })} errors={save.fields} />
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
          <button class="primary" type="submit" disabled={save.busy}>
            Save company
          </button>
          <button
            type="button"
            class="danger"
            onClick={() => {
              if (!window.confirm(`Delete the company "${c.name || c.id}"? Its people stay.`)) return;
              save.run(async () => {
                await api.send('DELETE', base);
                route('/console/companies');
              });
            }}
          >
            Delete company
          </button>
        </div>
      </form>
      <form class="card" onSubmit={onAdd} noValidate aria-labelledby="add-person">
        <h2 id="add-person">Add a person</h2>
        <FormStatus error={add.error} done={add.done} />
        <SelectField<'email' | 'userId' | 'id' | 'new'> path="by" label="Who" value={by} options={[['email', 'A contact, by email'], ['userId', 'A contact, by user id'], ['id', 'A contact, by contact id'], ['new', 'A new lead (email and name)']]} onChange={setBy} />
        <TextField path={by === 'new' ? 'email' : by} label={by === 'userId' ? 'User id' : by === 'id' ? 'Contact id' : 'Email'} value={who} onInput={setWho} errors={add.fields} />
        {by === 'new' ? <TextField path="name" label="Name" value={newName} onInput={setNewName} errors={add.fields} /> : null}
        <button class="primary" type="submit" disabled={add.busy || !who.trim()}>
          Add to the company
        </button>
      </form>
      <FormStatus error={remove.error} done={remove.done} />
    </>
  );
}

/** The "Remove" button beside one of the company's people. */
export function RemoveFromCompany(props: { companyId: string; person: PersonSummary; onRemoved(): void }) {
  const { api } = useConsole();
  const remove = useSubmit();
  return (
    <>
      <button
        type="button"
        disabled={remove.busy}
        onClick={() =>
          remove.run(async () => {
            await api.send('DELETE', `/companies/${encodeURIComponent(props.companyId)}/people/${encodeURIComponent(props.person.id)}`);
            props.onRemoved();
          })
        }
      >
        Remove<span class="sr-only"> {personLabel(props.person)} from the company</span>
      </button>
      {remove.error ? (
        <span class="field-error" role="alert">
          {' '}
          {remove.error.message}
        </span>
      ) : null}
    </>
  );
}
