import type pg from 'pg';
import type { DeliveryStats } from '../../messages/conditions.js';
import type { FactsQuery, StoredFacts } from '../../messages/eligibility-facts.js';
import type { PersonKind } from '../types.js';

/**
 * Eligibility's reads in ONE statement, so a poll costs one round trip to PostgreSQL instead of
 * four (person, suppression, event counts, deliveries); see docs/BENCHMARKS.md, issue 15.
 * It picks the person by the same rules as `readFactsOneByOne` (messages/eligibility-facts.ts),
 * which the store contract checks against the four separate reads:
 * - `by_user`: the person the user id points at; ignored (`user_id_ignored`) when verified and
 *   the request has no valid userHash;
 * - `chosen`: that person, else the one the anonymous id points at;
 * - `ids`: the chosen person and everyone merged into them, as an array built once, so every
 *   read below is an index condition `person_id = ANY(…)` (postgres-rows.ts says why not `IN`).
 * The event rules come as two arrays (name, since), so the text is the same whatever the live
 * messages ask and the statement is prepared once per connection (named): each rule is one
 * range scan of events_track_by_person for this person, never a scan of the project's events.
 */
const TEXT = `WITH by_user AS (
    SELECT p.id, p.kind, p.user_id, p.email, p.traits, p.verified
    FROM identities i JOIN people p ON p.id = i.person_id
    WHERE i.project_id = $1 AND i.type = 'user' AND i.value = $2::text
  ), usable AS (
    SELECT * FROM by_user WHERE verified = 0 OR $4::boolean
  ), chosen AS (
    SELECT u.*, 'user' AS reached_by FROM usable u
    UNION ALL
    SELECT p.id, p.kind, p.user_id, p.email, p.traits, p.verified, 'anonymous'
    FROM identities i JOIN people p ON p.id = i.person_id
    WHERE i.project_id = $1 AND i.type = 'anonymous' AND i.value = $3::text AND NOT EXISTS (SELECT 1 FROM usable)
  ), ids AS (
    SELECT ARRAY(SELECT id FROM chosen UNION ALL SELECT a.alias_id FROM person_aliases a JOIN chosen c ON a.person_id = c.id) AS ids
  ), asked AS (
    SELECT EXISTS (SELECT 1 FROM by_user WHERE verified = 1 AND NOT $4::boolean) AS user_id_ignored
  )
  SELECT c.id, c.kind, c.user_id, c.email, c.traits, c.verified, c.reached_by, g.user_id_ignored,
    EXISTS (SELECT 1 FROM message_suppressions s WHERE s.project_id = $1 AND s.type = 'userId' AND s.value = CASE WHEN g.user_id_ignored THEN NULL ELSE $2::text END)
      OR EXISTS (SELECT 1 FROM message_suppressions s WHERE s.project_id = $1 AND s.type = 'userId' AND s.value = c.user_id)
      OR EXISTS (SELECT 1 FROM message_suppressions s WHERE s.project_id = $1 AND s.type = 'email' AND s.value = c.email) AS suppressed,
    ARRAY(SELECT (SELECT count(*) FROM events e WHERE e.person_id = ANY((SELECT ids FROM ids)::text[]) AND e.type = 'track' AND e.name = r.name AND e.timestamp >= r.since)
      FROM unnest($5::text[], $6::bigint[]) WITH ORDINALITY AS r(name, since, n) ORDER BY r.n) AS event_counts,
    (SELECT json_agg(json_build_object('m', d.message_id, 's', d.shows, 'l', d.last_shown_at, 'a', d.answered, 'd', d.deliveries)) FROM (
      SELECT message_id,
        sum(CASE WHEN shown_count > 0 THEN shown_count
                 WHEN clicked_at IS NOT NULL OR dismissed_at IS NOT NULL OR answered_at IS NOT NULL THEN 1 ELSE 0 END) AS shows,
        max(coalesce(last_shown_at, answered_at, clicked_at, dismissed_at)) AS last_shown_at,
        bool_or(answered_at IS NOT NULL) AS answered,
        count(*) AS deliveries
      FROM deliveries WHERE project_id = $1 AND person_id = ANY((SELECT ids FROM ids)::text[]) AND c.id IS NOT NULL GROUP BY message_id) d) AS deliveries
  FROM asked g LEFT JOIN chosen c ON true`;

/** Exported for the plan check in bench/postgres-round-trips.ts (`--explain`). */
export const ELIGIBILITY_FACTS_SQL = TEXT;

/** The parameters, in order, for `ELIGIBILITY_FACTS_SQL`. */
export const eligibilityFactsValues = (projectId: string, query: FactsQuery): unknown[] => [
  projectId,
  query.userId,
  query.anonymousId,
  query.userVerified,
  query.eventRules.map((rule) => rule.event),
  query.eventRules.map((rule) => rule.since),
];

interface FactsRow {
  id: string | null;
  kind: PersonKind | null;
  user_id: string | null;
  email: string | null;
  traits: string | null;
  verified: number | null;
  reached_by: 'user' | 'anonymous' | null;
  user_id_ignored: boolean;
  suppressed: boolean;
  /** bigint[]: pg hands the elements back as strings. */
  event_counts: string[];
  deliveries: { m: string; s: number; l: number | null; a: boolean; d: number }[] | null;
}

export async function readEligibilityFacts(pool: pg.Pool, projectId: string, query: FactsQuery): Promise<StoredFacts> {
  const { rows } = await pool.query<FactsRow>({ name: 'hark_eligibility_facts', text: TEXT, values: eligibilityFactsValues(projectId, query) });
  // An anonymous id and a user id each name at most one person: one row, `asked` LEFT JOIN `chosen`.
  const row = rows[0]!;
  const deliveries = new Map<string, DeliveryStats>();
  for (const d of row.deliveries ?? []) deliveries.set(d.m, { shows: Number(d.s), lastShownAt: d.l === null ? null : Number(d.l), answered: d.a, deliveries: Number(d.d) });
  return {
    person:
      row.id === null
        ? null
        : {
            id: row.id,
            kind: row.kind!,
            userId: row.user_id,
            email: row.email,
            traits: JSON.parse(row.traits!) as Record<string, unknown>,
            verified: row.verified === 1,
            reachedBy: row.reached_by!,
          },
    userIdIgnored: row.user_id_ignored,
    suppressed: row.suppressed,
    eventCounts: row.id === null ? query.eventRules.map(() => 0) : row.event_counts.map(Number),
    deliveries,
  };
}
