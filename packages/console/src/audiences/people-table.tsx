import type { PersonSummary } from '../api/types.js';
import { Time } from '../components/time.js';
import { personLabel } from '../components/value-text.js';

/** Members of a segment, list or company: name, email, kind, last seen, and an optional action. */
export function PeopleTable(props: { people: PersonSummary[]; caption: string; action?: { label: string; run(person: PersonSummary): void; busy?: boolean } }) {
  const { action } = props;
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Kind</th>
            <th scope="col">Last seen</th>
            {action ? <th scope="col"><span class="sr-only">Actions</span></th> : null}
          </tr>
        </thead>
        <tbody>
          {props.people.map((person) => (
            <tr key={person.id}>
              <td>
                <a href={`/console/contacts/${encodeURIComponent(person.id)}`}>{personLabel(person)}</a>
              </td>
              <td>{person.email ?? ''}</td>
              <td>{person.kind}</td>
              <td>
                <Time iso={person.lastSeenAt} />
              </td>
              {action ? (
                <td>
                  <button type="button" disabled={action.busy} onClick={() => action.run(person)}>
                    {action.label}
                    <span class="sr-only"> {personLabel(person)}</span>
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
