import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { ChangedPeople } from '../../audiences/changed-people.js';
import { createFillLoop } from '../../audiences/fill-loop.js';
import { AUDIENCE_CHUNK, fillStep, sweepStep } from '../../audiences/fill-and-sweep.js';
import type { SegmentCatalog } from '../../audiences/segment-catalog.js';
import type { AudienceTx } from '../../audiences/segment-ports.js';
import type { Clock } from '../../clock.js';
import { evaluateRule, factsNeeded, type Rule } from '../../rules/index.js';
import { decodeCursor, InvalidCursorError, toPage } from '../cursor.js';
import { MAX_PREVIEW, MAX_SWEEP, PREVIEW_PEOPLE, SEGMENT_SELECT, toSegment, type SegmentRow } from '../segment-rows.js';
import type { SegmentStore } from '../segment-store.js';
import { iso, PERSON_AND_ALIASES, toPersonSummary, type PersonRow } from './rows.js';

const PERSON_COLUMNS = 'p.id, p.kind, p.user_id, p.email, p.traits, p.traits_at, p.created_at, p.last_seen_at';

/**
 * Runs `work` in one write transaction of the store (SQLite: a slot in the group commit, so it
 * shares commits with ingest and never interleaves with it), then re-evaluates the people `work`
 * marked, in the same transaction; resolves once committed.
 */
export type AudienceUnit = <T>(weight: number, work: (changed: ChangedPeople, tx: AudienceTx) => T | Promise<T>) => Promise<T>;

export interface SqliteSegments {
  store: SegmentStore;
  /** Before an erasure: drops the person's memberships, counts, list rows and re-check. */
  forget(projectId: string, personId: string): void;
  close(): Promise<void>;
}

/**
 * Segment rows and kept membership on SQLite (DESIGN §8; ARCHITECTURE.md "Audiences"). The
 * decisions and the re-evaluation are audiences/ (reevaluate.ts, fill-and-sweep.ts); this file
 * serves the segment API from rows and drives the background fill and the sweep through `unit`.
 */
export function createSqliteSegments(db: Database, clock: Clock, audience: AudienceTx, catalog: SegmentCatalog, unit: AudienceUnit): SqliteSegments {
  const SEGMENT = SEGMENT_SELECT;
  const q = {
    insert: db.prepare(`INSERT INTO segments (project_id, id, name, rules, status, processed, total, fill_after, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'filling', 0, ?, NULL, ?, ?)`),
    get: db.prepare(`${SEGMENT} WHERE s.project_id = ? AND s.id = ?`),
    page: db.prepare(`${SEGMENT} WHERE s.project_id = @project
      AND (@beforeAt IS NULL OR s.created_at < @beforeAt OR (s.created_at = @beforeAt AND s.id < @beforeId))
      ORDER BY s.created_at DESC, s.id DESC LIMIT @limit`),
    rename: db.prepare('UPDATE segments SET name = ?, updated_at = ? WHERE project_id = ? AND id = ?'),
    refill: db.prepare(`UPDATE segments SET rules = ?, status = 'filling', processed = 0, total = ?, fill_after = NULL, updated_at = ?
      WHERE project_id = ? AND id = ?`),
    remove: db.prepare('DELETE FROM segments WHERE project_id = ? AND id = ?'),
    removeMembers: db.prepare('DELETE FROM segment_members WHERE project_id = ? AND segment_id = ?'),
    peopleCount: db.prepare('SELECT count(*) FROM people WHERE project_id = ?').pluck(),
    isMember: db.prepare('SELECT 1 FROM segment_members WHERE project_id = ? AND segment_id = ? AND person_id = ?').pluck(),
    anyFill: db.prepare("SELECT 1 FROM segments WHERE status = 'filling' LIMIT 1").pluck(),
    fillPeople: db.prepare('SELECT id FROM people WHERE project_id = @project AND (@after IS NULL OR id > @after) ORDER BY id LIMIT @limit').pluck(),
    members: db.prepare(`SELECT ${PERSON_COLUMNS} FROM segment_members m JOIN people p ON p.id = m.person_id
      WHERE m.project_id = @project AND m.segment_id = @segment AND (@after IS NULL OR m.person_id > @after)
      ORDER BY m.person_id LIMIT @limit`),
    count: db.prepare('SELECT count(*) FROM segment_members WHERE project_id = ? AND segment_id = ?').pluck(),
    forPerson: db.prepare(`SELECT s.id, s.name, m.entered_at FROM segment_members m JOIN segments s ON s.project_id = m.project_id AND s.id = m.segment_id
      WHERE m.project_id = ? AND m.person_id = ? ORDER BY m.entered_at DESC, s.id`),
    alias: db.prepare('SELECT person_id FROM person_aliases WHERE project_id = ? AND alias_id = ?').pluck(),
    person: db.prepare(`SELECT ${PERSON_COLUMNS} FROM people p WHERE p.project_id = ? AND p.id = ?`),
    forgetMembers: db.prepare(`DELETE FROM segment_members INDEXED BY segment_members_by_person WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`),
    forgetCounts: db.prepare(`DELETE FROM event_daily_counts WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`),
    forgetLists: db.prepare(`DELETE FROM list_members INDEXED BY list_members_by_person WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`),
    forgetRecheck: db.prepare(`DELETE FROM audience_rechecks WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`),
  };

  // ---- background fill --------------------------------------------------------------------------

  // Pending fills run a chunk per transaction (a group-commit slot), so ingest and reads run in between.
  const fill = createFillLoop({
    step: () => unit(AUDIENCE_CHUNK, () => fillStep(audience, catalog, clock.now())),
    open: () => db.open,
    resumes: 'the next change or restart',
  });
  const kick = fill.kick;

  // ---- the store ----------------------------------------------------------------------------------

  const cursorOf = (value: string | null, shape: readonly ('string' | 'number')[]): (string | number)[] | null => {
    if (!value) return null;
    const key = decodeCursor(value, shape);
    if (!key) throw new InvalidCursorError();
    return key;
  };
  const currentId = (projectId: string, personId: string): string => (q.alias.get(projectId, personId) as string | undefined) ?? personId;

  const create = db.transaction((projectId: string, id: string, name: string, rules: Rule, now: number) => {
    q.insert.run(projectId, id, name, JSON.stringify(rules), q.peopleCount.get(projectId), now, now);
    catalog.invalidate(projectId);
  });
  const removeSegment = db.transaction((projectId: string, id: string): boolean => {
    q.removeMembers.run(projectId, id);
    catalog.invalidate(projectId);
    return q.remove.run(projectId, id).changes > 0;
  });

  const store: SegmentStore = {
    async create(projectId, input, now) {
      const id = randomUUID();
      create(projectId, id, input.name, input.rules, now);
      kick();
      return toSegment(q.get.get(projectId, id) as SegmentRow);
    },
    async get(projectId, segmentId) {
      const row = q.get.get(projectId, segmentId) as SegmentRow | undefined;
      return row ? toSegment(row) : null;
    },
    async list(projectId, query) {
      const key = cursorOf(query.cursor, ['number', 'string']);
      const rows = q.page.all({ project: projectId, beforeAt: key?.[0] ?? null, beforeId: key?.[1] ?? null, limit: query.limit + 1 }) as SegmentRow[];
      return toPage(rows, query.limit, toSegment, (row) => [row.created_at, row.id]);
    },
    async update(projectId, segmentId, patch, now) {
      const row = q.get.get(projectId, segmentId) as SegmentRow | undefined;
      if (!row) return null;
      if (patch.name !== undefined) q.rename.run(patch.name, now, projectId, segmentId);
      if (patch.rules !== undefined && JSON.stringify(patch.rules) !== row.rules) {
        q.refill.run(JSON.stringify(patch.rules), q.peopleCount.get(projectId), now, projectId, segmentId);
        kick();
      }
      catalog.invalidate(projectId);
      return toSegment(q.get.get(projectId, segmentId) as SegmentRow);
    },
    async remove(projectId, segmentId) {
      return removeSegment(projectId, segmentId);
    },
    async people(projectId, segmentId, query) {
      const key = cursorOf(query.cursor, ['string']);
      const rows = q.members.all({ project: projectId, segment: segmentId, after: key?.[0] ?? null, limit: query.limit + 1 }) as PersonRow[];
      return toPage(rows, query.limit, toPersonSummary, (row) => [row.id]);
    },
    async count(projectId, segmentId) {
      return q.count.get(projectId, segmentId) as number;
    },
    async preview(projectId, rules, now) {
      const needed = factsNeeded(rules);
      const firstIds: string[] = [];
      let count = 0;
      let scanned = 0;
      let after: string | null = null;
      while (scanned < MAX_PREVIEW) {
        const ids = q.fillPeople.all({ project: projectId, after, limit: AUDIENCE_CHUNK }) as string[];
        for (const id of ids) {
          const facts = await audience.facts.load(projectId, id, needed);
          if (facts && evaluateRule(rules, facts, now)) {
            count++;
            if (firstIds.length < PREVIEW_PEOPLE) firstIds.push(id);
          }
        }
        scanned += ids.length;
        if (ids.length < AUDIENCE_CHUNK) break;
        after = ids[ids.length - 1]!;
        // Let ingest and other requests run between chunks.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const people = firstIds.map((id) => toPersonSummary(q.person.get(projectId, id) as PersonRow));
      return { count, people, scanned };
    },
    async forPerson(projectId, personId) {
      const rows = q.forPerson.all(projectId, currentId(projectId, personId)) as { id: string; name: string; entered_at: number }[];
      return rows.map((row) => ({ id: row.id, name: row.name, enteredAt: iso(row.entered_at) }));
    },
    async memberOf(projectId, personId, segmentIds) {
      const member = new Set<string>();
      for (const id of segmentIds) if (q.isMember.get(projectId, id, personId)) member.add(id);
      return member;
    },
    async facts(projectId, personId, needed) {
      return audience.facts.load(projectId, personId, needed);
    },
    async sweepDue(now) {
      let swept = 0;
      while (swept < MAX_SWEEP && db.open && !fill.closed) {
        const taken = await unit(AUDIENCE_CHUNK, () => sweepStep(audience, catalog, now));
        swept += taken;
        if (taken < AUDIENCE_CHUNK) break;
      }
      return swept;
    },
    idle: fill.idle,
  };

  // A fill interrupted by a restart resumes where it stopped.
  if (q.anyFill.get()) kick();

  return {
    store,
    forget(projectId, personId) {
      const at = { project: projectId, id: personId };
      q.forgetMembers.run(at);
      q.forgetCounts.run(at);
      q.forgetLists.run(at);
      q.forgetRecheck.run(at);
    },
    close: fill.close,
  };
}
