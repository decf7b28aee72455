import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import { changeOf, mergeChange } from '../../audiences/event-change.js';
import { decideMembership, SEGMENT_ENTERED, SEGMENT_EXITED } from '../../audiences/membership.js';
import { dayOf, evaluateRule, factsNeeded, mergeNeeded, noFacts, touches, type FactsChange, type FactsNeeded, type Rule } from '../../rules/index.js';
import { decodeCursor, InvalidCursorError, toPage } from '../cursor.js';
import type { Segment, SegmentStore } from '../segment-store.js';
import type { NormalizedEvent } from '../types.js';
import { iso, PERSON_AND_ALIASES, toPersonSummary, type PersonRow } from './rows.js';
import type { FactsLoader } from './sqlite-person-facts.js';

/** People evaluated per step of a background fill, and per transaction of a sweep. */
const CHUNK = 500;
/** People a preview evaluates at most; past that it answers with what it counted. */
const MAX_PREVIEW = 200_000;
/** People a sweep re-evaluates per call at most; the next tick takes the rest. */
const MAX_SWEEP = 5_000;
const PERSON_COLUMNS = 'p.id, p.kind, p.user_id, p.email, p.traits, p.traits_at, p.created_at, p.last_seen_at';
const SERVER_DEVICE = JSON.stringify({ browser: null, browserVersion: null, os: null, osVersion: null, type: 'server' });

interface Compiled {
  id: string;
  name: string;
  rule: Rule;
  needed: FactsNeeded;
}

interface SegmentRow {
  id: string;
  name: string;
  rules: string;
  status: 'filling' | 'ready';
  processed: number;
  total: number;
  size: number;
  created_at: number;
  updated_at: number;
}

const toSegment = (row: SegmentRow): Segment => ({
  id: row.id,
  name: row.name,
  rules: JSON.parse(row.rules) as Rule,
  status: row.status,
  progress: { processed: row.processed, total: row.total },
  size: row.size,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

export interface SqliteSegments {
  store: SegmentStore;
  /** Inside the ingest transaction, after each stored event: daily count, and the person is dirty. */
  afterStore(projectId: string, personId: string, event: NormalizedEvent): void;
  /** Forgets the dirty set of a batch that is about to be written (again). */
  beforeBatch(): void;
  /** Inside the ingest transaction, after the batch: re-evaluates dirty people's touched segments. */
  afterBatch(): void;
  /** Inside the transaction that changed these people's list (see sqlite-lists.ts). */
  listsChanged(projectId: string, personIds: readonly string[], listId: string): void;
  /** Before an erasure: drops the person's memberships, counts and re-check. */
  forget(projectId: string, personId: string): void;
  close(): Promise<void>;
}

/**
 * Kept segment membership on SQLite (DESIGN §8; ARCHITECTURE.md "Audiences" says why this way).
 * Decisions are the rule engine's (pure); this file loads facts, writes transitions and re-check
 * times, and runs the background fill and the sweep.
 */
export function createSqliteSegments(
  db: Database,
  clock: Clock,
  loader: FactsLoader,
  /** Automations (issue 12): told of each transition written, inside its transaction. */
  onTransition: (projectId: string, personId: string, name: string, properties: Record<string, unknown>, messageId: string, at: number) => void = () => undefined,
): SqliteSegments {
  const SIZE = '(SELECT count(*) FROM segment_members m WHERE m.project_id = s.project_id AND m.segment_id = s.id) AS size';
  const SEGMENT = `SELECT s.id, s.name, s.rules, s.status, s.processed, s.total, s.created_at, s.updated_at, ${SIZE} FROM segments s`;
  const q = {
    compiled: db.prepare('SELECT id, name, rules FROM segments WHERE project_id = ? ORDER BY id'),
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
    memberships: db.prepare('SELECT segment_id FROM segment_members WHERE project_id = ? AND person_id = ?').pluck(),
    isMember: db.prepare('SELECT 1 FROM segment_members WHERE project_id = ? AND segment_id = ? AND person_id = ?').pluck(),
    enter: db.prepare('INSERT INTO segment_members (project_id, segment_id, person_id, entered_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    exit: db.prepare('DELETE FROM segment_members WHERE project_id = ? AND segment_id = ? AND person_id = ?'),
    dropAliasMemberships: db.prepare(`DELETE FROM segment_members WHERE project_id = ?
      AND person_id IN (SELECT alias_id FROM person_aliases WHERE person_id = ?)`),
    timeline: db.prepare(`INSERT INTO events (project_id, message_id, person_id, type, name, anonymous_id, user_id,
      properties, traits, context, device, timestamp, sent_at, received_at)
      VALUES (?, ?, ?, 'track', ?, NULL, NULL, ?, '{}', '{}', '${SERVER_DEVICE}', ?, NULL, ?)`),
    bump: db.prepare(`INSERT INTO event_daily_counts (project_id, person_id, event, day, count) VALUES (?, ?, ?, ?, 1)
      ON CONFLICT (project_id, person_id, event, day) DO UPDATE SET count = count + 1`),
    recheckEarlier: db.prepare(`INSERT INTO audience_rechecks (project_id, person_id, due_at) VALUES (?, ?, ?)
      ON CONFLICT (project_id, person_id) DO UPDATE SET due_at = min(due_at, excluded.due_at)`),
    recheckSet: db.prepare(`INSERT INTO audience_rechecks (project_id, person_id, due_at) VALUES (?, ?, ?)
      ON CONFLICT (project_id, person_id) DO UPDATE SET due_at = excluded.due_at`),
    recheckDrop: db.prepare('DELETE FROM audience_rechecks WHERE project_id = ? AND person_id = ?'),
    due: db.prepare('SELECT project_id, person_id FROM audience_rechecks WHERE due_at <= ? ORDER BY due_at LIMIT ?'),
    nextFill: db.prepare("SELECT project_id, id, rules, fill_after FROM segments WHERE status = 'filling' LIMIT 1"),
    fillPeople: db.prepare('SELECT id FROM people WHERE project_id = @project AND (@after IS NULL OR id > @after) ORDER BY id LIMIT @limit').pluck(),
    fillStep: db.prepare('UPDATE segments SET processed = min(total, processed + ?), fill_after = ? WHERE project_id = ? AND id = ?'),
    fillDone: db.prepare("UPDATE segments SET status = 'ready', processed = total, fill_after = NULL WHERE project_id = ? AND id = ?"),
    dropGone: db.prepare(`DELETE FROM segment_members WHERE project_id = ? AND segment_id = ?
      AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = segment_members.person_id)`),
    members: db.prepare(`SELECT ${PERSON_COLUMNS} FROM segment_members m JOIN people p ON p.id = m.person_id
      WHERE m.project_id = @project AND m.segment_id = @segment AND (@after IS NULL OR m.person_id > @after)
      ORDER BY m.person_id LIMIT @limit`),
    count: db.prepare('SELECT count(*) FROM segment_members WHERE project_id = ? AND segment_id = ?').pluck(),
    forPerson: db.prepare(`SELECT s.id, s.name, m.entered_at FROM segment_members m JOIN segments s ON s.project_id = m.project_id AND s.id = m.segment_id
      WHERE m.project_id = ? AND m.person_id = ? ORDER BY m.entered_at DESC, s.id`),
    alias: db.prepare('SELECT person_id FROM person_aliases WHERE project_id = ? AND alias_id = ?').pluck(),
    person: db.prepare(`SELECT ${PERSON_COLUMNS} FROM people p WHERE p.project_id = ? AND p.id = ?`),
    forgetMembers: db.prepare(`DELETE FROM segment_members WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`),
    forgetCounts: db.prepare(`DELETE FROM event_daily_counts WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`),
    forgetLists: db.prepare(`DELETE FROM list_members WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`),
    forgetRecheck: db.prepare(`DELETE FROM audience_rechecks WHERE project_id = @project AND person_id IN ${PERSON_AND_ALIASES}`),
  };

  // The project's segments, compiled once (tree, facts needed) until one is created, edited or deleted.
  const cache = new Map<string, Compiled[]>();
  const compiled = (projectId: string): Compiled[] => {
    let list = cache.get(projectId);
    if (!list) {
      list = (q.compiled.all(projectId) as { id: string; name: string; rules: string }[]).map((row) => {
        const rule = JSON.parse(row.rules) as Rule;
        return { id: row.id, name: row.name, rule, needed: factsNeeded(rule) };
      });
      cache.set(projectId, list);
    }
    return list;
  };

  const record = (projectId: string, personId: string, segment: Compiled, transition: 'enter' | 'exit', now: number, fill: boolean): void => {
    if (transition === 'enter') q.enter.run(projectId, segment.id, personId, now);
    else q.exit.run(projectId, segment.id, personId);
    const data = { segmentId: segment.id, segmentName: segment.name, ...(fill ? { fill: true } : {}) };
    const [messageId, name] = [`hark-segment-${randomUUID()}`, transition === 'enter' ? SEGMENT_ENTERED : SEGMENT_EXITED];
    q.timeline.run(projectId, messageId, personId, name, JSON.stringify(data), now, now);
    onTransition(projectId, personId, name, data, messageId, now);
  };

  /**
   * Re-evaluates one person against `segments` with one load of the facts they need. `exact`:
   * every timed segment is among them, so the re-check time found replaces the stored one;
   * otherwise it can only bring it forward.
   */
  const evaluatePerson = (projectId: string, personId: string, segments: Compiled[], now: number, options: { exact: boolean; fill?: boolean }): void => {
    if (segments.length === 0) return;
    const needed = noFacts();
    for (const segment of segments) mergeNeeded(needed, segment.needed);
    const facts = loader.load(projectId, personId, needed);
    const current = new Set(q.memberships.all(projectId, personId) as string[]);
    let recheck: number | null = null;
    for (const segment of segments) {
      const decision = decideMembership(segment.rule, facts, current.has(segment.id), now);
      if (decision.transition) record(projectId, personId, segment, decision.transition, now, options.fill ?? false);
      if (decision.recheckAt !== null && (recheck === null || decision.recheckAt < recheck)) recheck = decision.recheckAt;
    }
    if (recheck !== null) (options.exact ? q.recheckSet : q.recheckEarlier).run(projectId, personId, recheck);
    else if (options.exact) q.recheckDrop.run(projectId, personId);
  };

  const reevaluate = (projectId: string, personId: string, change: FactsChange, now: number): void => {
    const all = compiled(projectId);
    if (all.length === 0) return;
    // Merged-away ids hold no membership of their own any more; the survivor is evaluated below.
    if (change.all) q.dropAliasMemberships.run(projectId, personId);
    const touched = change.all ? all : all.filter((segment) => touches(segment.needed, change));
    evaluatePerson(projectId, personId, touched, now, { exact: change.all === true });
  };

  // ---- ingest hook ------------------------------------------------------------------------------

  const dirty = new Map<string, { projectId: string; personId: string; change: FactsChange }>();

  const afterStore = (projectId: string, personId: string, event: NormalizedEvent): void => {
    // Counted whether or not a segment reads it yet, so a segment made later sees the history.
    if (event.type === 'track' && event.name) q.bump.run(projectId, personId, event.name, dayOf(event.timestamp));
    if (compiled(projectId).length === 0) return;
    const key = `${projectId}\u0000${personId}`;
    const entry = dirty.get(key);
    if (entry) mergeChange(entry.change, changeOf(event));
    else dirty.set(key, { projectId, personId, change: changeOf(event) });
  };

  const afterBatch = (): void => {
    if (dirty.size === 0) return;
    const now = clock.now();
    const entries = [...dirty.values()];
    dirty.clear();
    for (const { projectId, personId, change } of entries) reevaluate(projectId, personId, change, now);
  };

  // ---- background fill --------------------------------------------------------------------------

  let closed = false;
  let running: Promise<void> | null = null;

  /** One chunk of the oldest pending fill, in one transaction. False when no fill is pending. */
  const fillStep = db.transaction((): boolean => {
    const next = q.nextFill.get() as { project_id: string; id: string; rules: string; fill_after: string | null } | undefined;
    if (!next) return false;
    const segment = compiled(next.project_id).find((s) => s.id === next.id);
    const ids = q.fillPeople.all({ project: next.project_id, after: next.fill_after, limit: CHUNK }) as string[];
    const now = clock.now();
    if (segment) for (const id of ids) evaluatePerson(next.project_id, id, [segment], now, { exact: false, fill: true });
    if (ids.length < CHUNK) {
      q.dropGone.run(next.project_id, next.id);
      q.fillDone.run(next.project_id, next.id);
    } else q.fillStep.run(ids.length, ids[ids.length - 1]!, next.project_id, next.id);
    return true;
  });

  /** Runs pending fills a chunk per event-loop turn, so ingest and reads run in between. */
  const kick = (): void => {
    if (running || closed) return;
    running = new Promise<void>((resolve) => {
      const tick = (): void => {
        let more = false;
        try {
          more = !closed && db.open && fillStep();
        } catch (error) {
          console.error('[hark] segment fill failed; it resumes on the next change or restart', error);
        }
        if (more) setImmediate(tick);
        else {
          running = null;
          resolve();
        }
      };
      setImmediate(tick);
    });
  };

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
    cache.delete(projectId);
  });
  const removeSegment = db.transaction((projectId: string, id: string): boolean => {
    q.removeMembers.run(projectId, id);
    cache.delete(projectId);
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
      cache.delete(projectId);
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
        const ids = q.fillPeople.all({ project: projectId, after, limit: CHUNK }) as string[];
        for (const id of ids) {
          const facts = loader.load(projectId, id, needed);
          if (facts && evaluateRule(rules, facts, now)) {
            count++;
            if (firstIds.length < 20) firstIds.push(id);
          }
        }
        scanned += ids.length;
        if (ids.length < CHUNK) break;
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
      return loader.load(projectId, personId, needed);
    },
    async sweepDue(now) {
      let swept = 0;
      const sweepChunk = db.transaction((rows: { project_id: string; person_id: string }[]) => {
        for (const row of rows) {
          const timed = compiled(row.project_id).filter((segment) => segment.needed.timed);
          if (timed.length === 0) q.recheckDrop.run(row.project_id, row.person_id);
          else evaluatePerson(row.project_id, row.person_id, timed, now, { exact: true });
        }
      });
      while (swept < MAX_SWEEP && db.open) {
        const rows = q.due.all(now, CHUNK) as { project_id: string; person_id: string }[];
        if (rows.length === 0) break;
        sweepChunk(rows);
        swept += rows.length;
        if (rows.length < CHUNK) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return swept;
    },
    async idle() {
      while (running) await running;
    },
  };

  // A fill interrupted by a restart resumes where it stopped.
  if (q.nextFill.get()) kick();

  return {
    store,
    afterStore,
    beforeBatch: () => dirty.clear(),
    afterBatch,
    listsChanged(projectId, personIds, listId) {
      const now = clock.now();
      for (const personId of personIds) reevaluate(projectId, personId, { lists: [listId] }, now);
    },
    forget(projectId, personId) {
      const at = { project: projectId, id: personId };
      q.forgetMembers.run(at);
      q.forgetCounts.run(at);
      q.forgetLists.run(at);
      q.forgetRecheck.run(at);
    },
    async close() {
      closed = true;
      await running;
    },
  };
}

