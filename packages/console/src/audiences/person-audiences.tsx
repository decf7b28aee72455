import type { PersonLocation, PersonSegment } from '../api/audience-types.js';
import { Time } from '../components/time.js';

/** What issue 11 adds to `GET /people/:id`: the person's segments, lists and last known location. */
export interface PersonAudiences {
  segments?: PersonSegment[];
  lists?: { id: string; name: string }[];
  location?: PersonLocation | null;
}

const place = (location: PersonLocation): string => [location.city, location.region, location.country, location.continent].filter(Boolean).join(', ');

/** A contact's segments, lists and location, on their profile. */
export function PersonAudiencesView(props: { person: PersonAudiences }) {
  const { segments, lists, location } = props.person;
  return (
    <>
      <h3>Location</h3>
      {location && place(location) ? <p>{place(location)}</p> : <p class="hint">Not located yet (the collector locates people from their events when geolocation is on).</p>}
      <h3>Segments</h3>
      {segments?.length ? (
        <ul>
          {segments.map((segment) => (
            <li key={segment.id}>
              <a href={`/console/segments/${encodeURIComponent(segment.id)}`}>{segment.name}</a>, since <Time iso={segment.enteredAt} />
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">In no segment.</p>
      )}
      {lists ? (
        <>
          <h3>Lists</h3>
          {lists.length ? (
            <ul>
              {lists.map((list) => (
                <li key={list.id}>
                  <a href={`/console/lists/${encodeURIComponent(list.id)}`}>{list.name}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="hint">On no list.</p>
          )}
        </>
      ) : null}
    </>
  );
}
