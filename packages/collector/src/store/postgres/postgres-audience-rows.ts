import type pg from 'pg';
import type { AudienceTx, PendingFill } from '../../audiences/segment-ports.js';
import type { Rule } from '../../rules/index.js';
import { timeOrderedId } from '../sqlite/time-ordered-id.js';
import { loadPostgresFacts } from './postgres-person-facts.js';
import { changes, one, query, rows } from './postgres-sql.js';

const SERVER_DEVICE = JSON.stringify({ browser: null, browserVersion: null, os: null, osVersion: null, type: 'server' });

/** The audience repositories with what the unit must do before it commits. */
export interface PostgresAudienceTx extends AudienceTx {
  /** Writes the daily counts bumped so far (they wait in memory: one statement per unit, not one per event). */
  flush(): Promise<void>;
}

/**
 * The audience repositories on PostgreSQL (audiences/segment-ports.ts), on the one client of the
 * caller's transaction: the statements of sqlite-audience-rows.ts. What several collectors add:
 *
 * - enter/exit say whether this transaction wrote the row (`ON CONFLICT DO NOTHING` and a DELETE
 *   answer how many rows they touched; a second collector inserting the same membership waits
 *   for the first's commit on the primary key, then touches none), so a transition is recorded
 *   once.
 * - `fills.next` takes the fill's segment row `FOR UPDATE SKIP LOCKED`: the collector holding it
 *   runs that chunk, the others skip to another fill or none; the lock ends with the chunk's
 *   transaction, so a collector that dies mid-chunk leaves the fill to the next one.
 * - `rechecks.due` takes the due rows `FOR UPDATE SKIP LOCKED`, so two sweeps share the work
 *   instead of doing it twice.
 */
/** What else a transition does, in its transaction (automation triggers, webhooks): postgres-store.ts. */
export type TransitionHook = (client: pg.PoolClient, projectId: string, personId: string, name: string, properties: Record<string, unknown>, messageId: string, at: number) => Promise<void>;

export function createPostgresAudienceRows(client: pg.PoolClient, onTransition?: TransitionHook): PostgresAudienceTx {
  /** Daily counts not yet written, by project, person, event and day. */
  const bumps = new Map<string, { projectId: string; personId: string; event: string; day: number; n: number }>();
  const flush = async (): Promise<void> => {
    if (bumps.size === 0) return;
    const list = [...bumps.values()];
    bumps.clear();
    await query(client, `INSERT INTO event_daily_counts (project_id, person_id, event, day, count)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[])
      ON CONFLICT (project_id, person_id, event, day) DO UPDATE SET count = event_daily_counts.count + excluded.count`,
    [list.map((b) => b.projectId), list.map((b) => b.personId), list.map((b) => b.event), list.map((b) => b.day), list.map((b) => b.n)]);
  };

  return {
    flush,
    trees: {
      async all(projectId) {
        const found = await rows<{ id: string; name: string; rules: string }>(client, 'SELECT id, name, rules FROM segments WHERE project_id = $1 ORDER BY id', [projectId]);
        return found.map((row) => ({ id: row.id, name: row.name, rules: JSON.parse(row.rules) as Rule }));
      },
    },
    members: {
      async of(projectId, personId) {
        return (await rows<{ segment_id: string }>(client, 'SELECT segment_id FROM segment_members WHERE project_id = $1 AND person_id = $2', [projectId, personId])).map((r) => r.segment_id);
      },
      async enter(projectId, segmentId, personId, at) {
        return (await changes(client, 'INSERT INTO segment_members (project_id, segment_id, person_id, entered_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [projectId, segmentId, personId, at])) > 0;
      },
      async exit(projectId, segmentId, personId) {
        return (await changes(client, 'DELETE FROM segment_members WHERE project_id = $1 AND segment_id = $2 AND person_id = $3', [projectId, segmentId, personId])) > 0;
      },
      async dropAliases(projectId, personId) {
        await query(client, `DELETE FROM segment_members WHERE project_id = $1
          AND person_id = ANY(ARRAY(SELECT alias_id FROM person_aliases WHERE person_id = $2))`, [projectId, personId]);
      },
    },
    timeline: {
      async track(projectId, personId, name, properties, at) {
        // Time-ordered, as on SQLite: appended at the end of events_by_message_id (time-ordered-id.ts).
        const messageId = `hark-segment-${timeOrderedId(at)}`;
        await query(client, `INSERT INTO events (project_id, message_id, person_id, type, name, anonymous_id, user_id,
            properties, traits, context, device, timestamp, sent_at, received_at)
          VALUES ($1, $2, $3, 'track', $4, NULL, NULL, $5, '{}', '{}', '${SERVER_DEVICE}', $6, NULL, $6)`,
        [projectId, messageId, personId, name, JSON.stringify(properties), at]);
        await onTransition?.(client, projectId, personId, name, properties, messageId, at);
      },
    },
    rechecks: {
      async set(projectId, personId, dueAt) {
        await query(client, `INSERT INTO audience_rechecks (project_id, person_id, due_at) VALUES ($1, $2, $3)
          ON CONFLICT (project_id, person_id) DO UPDATE SET due_at = excluded.due_at WHERE excluded.due_at <> audience_rechecks.due_at`, [projectId, personId, dueAt]);
      },
      async bringForward(projectId, personId, dueAt) {
        await query(client, `INSERT INTO audience_rechecks (project_id, person_id, due_at) VALUES ($1, $2, $3)
          ON CONFLICT (project_id, person_id) DO UPDATE SET due_at = excluded.due_at WHERE excluded.due_at < audience_rechecks.due_at`, [projectId, personId, dueAt]);
      },
      async drop(projectId, personId) {
        await query(client, 'DELETE FROM audience_rechecks WHERE project_id = $1 AND person_id = $2', [projectId, personId]);
      },
      async due(now, limit) {
        const found = await rows<{ project_id: string; person_id: string }>(client, `SELECT project_id, person_id FROM audience_rechecks WHERE due_at <= $1
          ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`, [now, limit]);
        return found.map((row) => ({ projectId: row.project_id, personId: row.person_id }));
      },
    },
    counts: {
      bump(projectId, personId, event, day) {
        const key = `${projectId}\u0000${personId}\u0000${event}\u0000${day}`;
        const known = bumps.get(key);
        if (known) known.n++;
        else bumps.set(key, { projectId, personId, event, day, n: 1 });
      },
    },
    facts: {
      async load(projectId, personId, needed) {
        // The counts this unit bumped are part of what the person did.
        await flush();
        return loadPostgresFacts(client, projectId, personId, needed);
      },
    },
    fills: {
      async next(): Promise<PendingFill | null> {
        const row = await one<{ project_id: string; id: string; fill_after: string | null }>(client, `SELECT project_id, id, fill_after FROM segments
          WHERE status = 'filling' ORDER BY updated_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`);
        return row ? { projectId: row.project_id, segmentId: row.id, after: row.fill_after } : null;
      },
      async peopleAfter(projectId, after, limit) {
        return (await rows<{ id: string }>(client, 'SELECT id FROM people WHERE project_id = @project AND (@after::text IS NULL OR id > @after) ORDER BY id LIMIT @limit',
          { project: projectId, after, limit })).map((row) => row.id);
      },
      async advance(projectId, segmentId, processed, after) {
        await query(client, 'UPDATE segments SET processed = least(total, processed + $1), fill_after = $2 WHERE project_id = $3 AND id = $4', [processed, after, projectId, segmentId]);
      },
      async finish(projectId, segmentId) {
        await query(client, `DELETE FROM segment_members m WHERE m.project_id = $1 AND m.segment_id = $2
          AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = m.person_id)`, [projectId, segmentId]);
        await query(client, "UPDATE segments SET status = 'ready', processed = total, fill_after = NULL WHERE project_id = $1 AND id = $2", [projectId, segmentId]);
      },
    },
  };
}
