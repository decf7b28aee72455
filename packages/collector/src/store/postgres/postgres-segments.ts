import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createFillLoop } from '../../audiences/fill-loop.js';
import { AUDIENCE_CHUNK, fillStep, sweepStep } from '../../audiences/fill-and-sweep.js';
import type { SegmentCatalog } from '../../audiences/segment-catalog.js';
import type { Clock } from '../../clock.js';
import { evaluateRule, factsNeeded } from '../../rules/index.js';
import { cursorKey, toPage } from '../cursor.js';
import { MAX_PREVIEW, MAX_SWEEP, PREVIEW_PEOPLE, SEGMENT_SELECT, toSegment, type SegmentRow } from '../segment-rows.js';
import type { SegmentStore } from '../segment-store.js';
import { iso, toPersonSummary, type PersonRow } from '../sqlite/rows.js';
import type { PostgresAudienceUnit } from './postgres-audience-unit.js';
import type { ChangeFeed } from './postgres-changes.js';
import { loadPostgresFacts } from './postgres-person-facts.js';
import { changes, inTransaction, one, rows, type Queryable } from './postgres-sql.js';

const PERSON_COLUMNS = 'p.id, p.kind, p.user_id, p.email, p.traits, p.traits_at, p.created_at, p.last_seen_at';
const CURRENT_ID = 'coalesce((SELECT person_id FROM person_aliases WHERE project_id = @project AND alias_id = @person), @person::text)';

export interface PostgresSegments {
  store: SegmentStore;
  close(): Promise<void>;
}

/**
 * Segment rows and kept membership on PostgreSQL (ARCHITECTURE.md "Audiences"): the statements
 * of sqlite-segments.ts, and the same domain (audiences/) deciding through the repositories of
 * postgres-audience-rows.ts.
 *
 * Several collectors: the background fill runs a chunk per transaction; the chunk's transaction
 * holds the segment row `FOR UPDATE SKIP LOCKED`, so one collector at a time walks a fill and
 * any collector can pick it up where the last chunk left it (its place is stored). Each collector
 * looks for pending fills when it starts, when it creates or edits a segment, and on every sweep
 * tick, so a fill whose collector died is finished by another. The compiled trees are cached per
 * collector (segment-catalog.ts); a create, edit or delete publishes `segments` on the change
 * feed after it commits, and every collector drops the project's entry.
 */
export function createPostgresSegments(pool: pg.Pool, clock: Clock, catalog: SegmentCatalog, unit: PostgresAudienceUnit, feed: ChangeFeed): PostgresSegments {
  feed.subscribe('segments', (projectId) => (projectId === null ? catalog.clear() : catalog.invalidate(projectId)));
  const changed = async (projectId: string): Promise<void> => {
    catalog.invalidate(projectId);
    await feed.publish('segments', projectId);
  };
  const get = async (db: Queryable, projectId: string, segmentId: string) => {
    const row = await one<SegmentRow>(db, `${SEGMENT_SELECT} WHERE s.project_id = $1 AND s.id = $2`, [projectId, segmentId]);
    return row ? toSegment(row) : null;
  };
  const peopleCount = async (db: Queryable, projectId: string): Promise<number> =>
    (await one<{ n: number }>(db, 'SELECT count(*) AS n FROM people WHERE project_id = $1', [projectId]))!.n;

  // ---- background fill --------------------------------------------------------------------------

  const fill = createFillLoop({
    step: () => unit((_changed, audience) => fillStep(audience, catalog, clock.now())),
    // Ingest and reads run between chunks.
    between: () => new Promise<void>((resolve) => setImmediate(resolve)),
    resumes: 'the next change, sweep or restart',
  });
  const kick = fill.kick;

  const store: SegmentStore = {
    async create(projectId, input, now) {
      const id = randomUUID();
      await changes(pool, `INSERT INTO segments (project_id, id, name, rules, status, processed, total, fill_after, created_at, updated_at)
        VALUES ($1, $2, $3, $4, 'filling', 0, (SELECT count(*) FROM people WHERE project_id = $1), NULL, $5, $5)`, [projectId, id, input.name, JSON.stringify(input.rules), now]);
      await changed(projectId);
      kick();
      return (await get(pool, projectId, id))!;
    },
    get: (projectId, segmentId) => get(pool, projectId, segmentId),
    async list(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const found = await rows<SegmentRow>(pool, `${SEGMENT_SELECT} WHERE s.project_id = @project
          AND (@beforeAt::bigint IS NULL OR s.created_at < @beforeAt OR (s.created_at = @beforeAt AND s.id < @beforeId::text))
        ORDER BY s.created_at DESC, s.id DESC LIMIT @limit`, { project: projectId, beforeAt, beforeId, limit: query.limit + 1 });
      return toPage(found, query.limit, toSegment, (row) => [row.created_at, row.id]);
    },
    async update(projectId, segmentId, patch, now) {
      const outcome = await inTransaction(pool, async (client) => {
        const row = await one<{ rules: string }>(client, 'SELECT rules FROM segments WHERE project_id = $1 AND id = $2 FOR UPDATE', [projectId, segmentId]);
        if (!row) return null;
        if (patch.name !== undefined) await changes(client, 'UPDATE segments SET name = $1, updated_at = $2 WHERE project_id = $3 AND id = $4', [patch.name, now, projectId, segmentId]);
        const refill = patch.rules !== undefined && JSON.stringify(patch.rules) !== row.rules;
        if (refill) {
          await changes(client, `UPDATE segments SET rules = $1, status = 'filling', processed = 0, total = $2, fill_after = NULL, updated_at = $3
            WHERE project_id = $4 AND id = $5`, [JSON.stringify(patch.rules), await peopleCount(client, projectId), now, projectId, segmentId]);
        }
        return { refill };
      });
      if (!outcome) return null;
      await changed(projectId);
      if (outcome.refill) kick();
      return get(pool, projectId, segmentId);
    },
    async remove(projectId, segmentId) {
      const gone = await inTransaction(pool, async (client) => {
        // The row first: a fill chunk holding it FOR UPDATE commits before the members go.
        const removed = (await changes(client, 'DELETE FROM segments WHERE project_id = $1 AND id = $2', [projectId, segmentId])) > 0;
        await changes(client, 'DELETE FROM segment_members WHERE project_id = $1 AND segment_id = $2', [projectId, segmentId]);
        return removed;
      });
      await changed(projectId);
      return gone;
    },
    async people(projectId, segmentId, query) {
      const [after] = cursorKey(query.cursor, ['string']);
      const found = await rows<PersonRow>(pool, `SELECT ${PERSON_COLUMNS} FROM segment_members m JOIN people p ON p.id = m.person_id
        WHERE m.project_id = @project AND m.segment_id = @segment AND (@after::text IS NULL OR m.person_id > @after)
        ORDER BY m.person_id LIMIT @limit`, { project: projectId, segment: segmentId, after, limit: query.limit + 1 });
      return toPage(found, query.limit, toPersonSummary, (row) => [row.id]);
    },
    async count(projectId, segmentId) {
      return (await one<{ n: number }>(pool, 'SELECT count(*) AS n FROM segment_members WHERE project_id = $1 AND segment_id = $2', [projectId, segmentId]))!.n;
    },
    async preview(projectId, rules, now) {
      const needed = factsNeeded(rules);
      const firstIds: string[] = [];
      let count = 0;
      let scanned = 0;
      let after: string | null = null;
      while (scanned < MAX_PREVIEW) {
        const ids: string[] = (await rows<{ id: string }>(pool, 'SELECT id FROM people WHERE project_id = @project AND (@after::text IS NULL OR id > @after) ORDER BY id LIMIT @limit',
          { project: projectId, after, limit: AUDIENCE_CHUNK })).map((row) => row.id);
        for (const id of ids) {
          const facts = await loadPostgresFacts(pool, projectId, id, needed);
          if (facts && evaluateRule(rules, facts, now)) {
            count++;
            if (firstIds.length < PREVIEW_PEOPLE) firstIds.push(id);
          }
        }
        scanned += ids.length;
        if (ids.length < AUDIENCE_CHUNK) break;
        after = ids[ids.length - 1]!;
      }
      const found = firstIds.length
        ? await rows<PersonRow>(pool, `SELECT ${PERSON_COLUMNS} FROM people p WHERE p.project_id = $1 AND p.id = ANY($2::text[])`, [projectId, firstIds])
        : [];
      const byId = new Map(found.map((row) => [row.id, row]));
      const people = firstIds.flatMap((id) => (byId.has(id) ? [toPersonSummary(byId.get(id)!)] : []));
      return { count, people, scanned };
    },
    async forPerson(projectId, personId) {
      const found = await rows<{ id: string; name: string; entered_at: number }>(pool, `SELECT s.id, s.name, m.entered_at FROM segment_members m
          JOIN segments s ON s.project_id = m.project_id AND s.id = m.segment_id
        WHERE m.project_id = @project AND m.person_id = ${CURRENT_ID} ORDER BY m.entered_at DESC, s.id`, { project: projectId, person: personId });
      return found.map((row) => ({ id: row.id, name: row.name, enteredAt: iso(row.entered_at) }));
    },
    async memberOf(projectId, personId, segmentIds) {
      if (!segmentIds.length) return new Set<string>();
      const found = await rows<{ segment_id: string }>(pool, 'SELECT segment_id FROM segment_members WHERE project_id = $1 AND person_id = $2 AND segment_id = ANY($3::text[])',
        [projectId, personId, [...segmentIds]]);
      return new Set(found.map((row) => row.segment_id));
    },
    facts: (projectId, personId, needed) => loadPostgresFacts(pool, projectId, personId, needed),
    async sweepDue(now) {
      // A fill left by a collector that stopped is picked up here too.
      kick();
      let swept = 0;
      while (swept < MAX_SWEEP && !fill.closed) {
        const taken = await unit((_changed, audience) => sweepStep(audience, catalog, now));
        swept += taken;
        if (taken < AUDIENCE_CHUNK) break;
      }
      return swept;
    },
    idle: fill.idle,
  };

  // A fill interrupted by a restart (of this collector or another) resumes where it stopped.
  void one(pool, "SELECT 1 AS found FROM segments WHERE status = 'filling' LIMIT 1").then((found) => found && kick(), () => undefined);

  return {
    store,
    close: fill.close,
  };
}
