import type { Database } from 'better-sqlite3';
import { emptyFacts, type EventOccurrence, type FactsNeeded, type MessageInteraction, type PersonFacts } from '../../rules/index.js';
import { MAX_OCCURRENCES, personRowFacts, toEventDays, toMessageFacts, type DeliveryFactsRow, type FactsRow } from '../person-facts-rows.js';
import { PERSON_AND_ALIASES } from './rows.js';

export interface FactsLoader {
  /** The facts `needed` names about one person (by their current id); null when there is none. */
  load(projectId: string, personId: string, needed: FactsNeeded): PersonFacts | null;
}

/**
 * Reads a person's facts for the rule engine, one indexed query per kind of fact the trees need
 * and none for the rest. Merged-away ids are read through person_aliases, as timelines are.
 */
export function createFactsLoader(db: Database): FactsLoader {
  const q = {
    person: db.prepare('SELECT id, kind, user_id, email, traits, created_at, last_seen_at, geo FROM people WHERE project_id = ? AND id = ?'),
    // INDEXED BY: without it the planner walks every list row of the project (the primary key's prefix).
    lists: db.prepare(`SELECT DISTINCT list_id FROM list_members INDEXED BY list_members_by_person WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`).pluck(),
    companies: db.prepare(`SELECT c.traits FROM company_members m JOIN companies c ON c.project_id = m.project_id AND c.id = m.company_id
      WHERE m.project_id = @project AND m.person_id = @id`).pluck(),
    days: db.prepare(`SELECT event, day, sum(count) AS n FROM event_daily_counts
      WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES} AND event IN (SELECT value FROM json_each(@events))
      GROUP BY event, day`),
    occurrences: db.prepare(`SELECT timestamp, properties FROM events
      WHERE person_id IN ${PERSON_AND_ALIASES} AND type = 'track' AND name = @event ORDER BY timestamp DESC LIMIT ${MAX_OCCURRENCES}`),
    deliveries: db.prepare(`SELECT message_id, shown_count, clicked_at, dismissed_at, answered_at, value FROM deliveries
      WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES} AND message_id IN (SELECT value FROM json_each(@messages))`),
    suppressed: db.prepare(`SELECT EXISTS (SELECT 1 FROM message_suppressions WHERE project_id = @project
      AND ((type = 'userId' AND value = @userId) OR (type = 'email' AND value = @email)))`).pluck(),
  };

  return {
    load(projectId, personId, needed) {
      const row = q.person.get(projectId, personId) as FactsRow | undefined;
      if (!row) return null;
      const at = { project: projectId, id: row.id };
      const person = personRowFacts(row, needed);
      const traits = person.traits;

      const eventDays = needed.events.size
        ? toEventDays(q.days.all({ ...at, events: JSON.stringify([...needed.events]) }) as { event: string; day: number; n: number }[])
        : new Map<string, Map<number, number>>();
      const eventOccurrences = new Map<string, EventOccurrence[]>();
      for (const event of needed.eventOccurrences) {
        const rows = q.occurrences.all({ id: row.id, event }) as { timestamp: number; properties: string }[];
        eventOccurrences.set(event, rows.map((r) => ({ timestamp: r.timestamp, properties: JSON.parse(r.properties) as Record<string, unknown> })));
      }
      const messages = needed.messages.size
        ? toMessageFacts(q.deliveries.all({ ...at, messages: JSON.stringify([...needed.messages]) }) as DeliveryFactsRow[])
        : new Map<string, MessageInteraction>();
      return emptyFacts({
        ...person,
        lists: needed.lists.size ? new Set(q.lists.all(at) as string[]) : new Set(),
        companies: needed.companies ? (q.companies.all(at) as string[]).map((t) => JSON.parse(t) as Record<string, unknown>) : [],
        eventDays,
        eventOccurrences,
        messages,
        optedOut: needed.optedOut ? traits.unsubscribed === true || q.suppressed.get({ project: projectId, userId: row.user_id, email: row.email }) === 1 : false,
      });
    },
  };
}
