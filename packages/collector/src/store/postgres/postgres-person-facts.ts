import { emptyFacts, type EventOccurrence, type FactsNeeded, type MessageInteraction, type PersonFacts } from '../../rules/index.js';
import { MAX_OCCURRENCES, personRowFacts, toEventDays, toMessageFacts, type DeliveryFactsRow, type FactsRow } from '../person-facts-rows.js';
import { PERSON_AND_ALIASES } from './postgres-rows.js';
import { one, rows, type Queryable } from './postgres-sql.js';

/**
 * A person's facts for the rule engine on PostgreSQL: the queries of sqlite-person-facts.ts, one
 * per kind of fact the trees need and none for the rest, on `db` (the unit's client inside a
 * transaction, so it sees that transaction's writes; the pool for a live read). The independent
 * reads are sent together; on one client pg queues them, on the pool they run side by side.
 */
export async function loadPostgresFacts(db: Queryable, projectId: string, personId: string, needed: FactsNeeded): Promise<PersonFacts | null> {
  const row = await one<FactsRow>(db, 'SELECT id, kind, user_id, email, traits, created_at, last_seen_at, geo FROM people WHERE project_id = $1 AND id = $2', [projectId, personId]);
  if (!row) return null;
  const at = { project: projectId, id: row.id };
  const person = personRowFacts(row, needed);
  const traits = person.traits;
  const none = Promise.resolve([]);
  const [days, occurrences, deliveries, lists, companies, suppressed] = await Promise.all([
    needed.events.size
      ? rows<{ event: string; day: number; n: number }>(db, `SELECT event, day, sum(count) AS n FROM event_daily_counts
          WHERE project_id = @project AND person_id ${PERSON_AND_ALIASES} AND event = ANY(@events::text[]) GROUP BY event, day`, { ...at, events: [...needed.events] })
      : none,
    Promise.all([...needed.eventOccurrences].map(async (event) => [event, await rows<{ timestamp: number; properties: string }>(db, `SELECT timestamp, properties FROM events
        WHERE person_id ${PERSON_AND_ALIASES} AND type = 'track' AND name = @event ORDER BY timestamp DESC LIMIT ${MAX_OCCURRENCES}`, { id: row.id, event })] as const)),
    needed.messages.size
      ? rows<DeliveryFactsRow>(db, `SELECT message_id, shown_count, clicked_at, dismissed_at, answered_at, value FROM deliveries
          WHERE project_id = @project AND person_id ${PERSON_AND_ALIASES} AND message_id = ANY(@messages::text[])`, { ...at, messages: [...needed.messages] })
      : none,
    needed.lists.size
      ? rows<{ list_id: string }>(db, `SELECT DISTINCT list_id FROM list_members WHERE project_id = @project AND person_id ${PERSON_AND_ALIASES}`, at)
      : none,
    needed.companies
      ? rows<{ traits: string }>(db, `SELECT c.traits FROM company_members m JOIN companies c ON c.project_id = m.project_id AND c.id = m.company_id
          WHERE m.project_id = $1 AND m.person_id = $2`, [projectId, row.id])
      : none,
    needed.optedOut && traits.unsubscribed !== true
      ? one(db, `SELECT 1 AS found FROM message_suppressions WHERE project_id = @project
          AND ((type = 'userId' AND value = @userId::text) OR (type = 'email' AND value = @email::text)) LIMIT 1`, { project: projectId, userId: row.user_id, email: row.email })
      : Promise.resolve(undefined),
  ]);
  const eventOccurrences = new Map<string, EventOccurrence[]>(
    occurrences.map(([event, found]) => [event, found.map((r) => ({ timestamp: r.timestamp, properties: JSON.parse(r.properties) as Record<string, unknown> }))]),
  );
  return emptyFacts({
    ...person,
    lists: new Set((lists as { list_id: string }[]).map((r) => r.list_id)),
    companies: (companies as { traits: string }[]).map((r) => JSON.parse(r.traits) as Record<string, unknown>),
    eventDays: toEventDays(days as { event: string; day: number; n: number }[]),
    eventOccurrences,
    messages: needed.messages.size ? toMessageFacts(deliveries as DeliveryFactsRow[]) : new Map<string, MessageInteraction>(),
    optedOut: needed.optedOut ? traits.unsubscribed === true || suppressed !== undefined : false,
  });
}
