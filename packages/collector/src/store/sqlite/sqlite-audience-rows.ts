import type { Database } from 'better-sqlite3';
import type { AudienceTx, PendingFill } from '../../audiences/segment-ports.js';
import type { Rule } from '../../rules/index.js';
import type { FactsLoader } from './sqlite-person-facts.js';
import { timeOrderedId } from './time-ordered-id.js';

const SERVER_DEVICE = JSON.stringify({ browser: null, browserVersion: null, os: null, osVersion: null, type: 'server' });

/**
 * The audience repositories on SQLite (audiences/segment-ports.ts): rows only, every statement
 * prepared once. Synchronous, run inside whichever transaction the caller holds.
 */
export function createSqliteAudienceRows(
  db: Database,
  loader: FactsLoader,
  /** Automations (issue 12): told of each transition event written, inside its transaction. */
  onTimeline: (projectId: string, personId: string, name: string, properties: Record<string, unknown>, messageId: string, at: number) => void | Promise<void> = () => undefined,
): AudienceTx {
  const q = {
    trees: db.prepare('SELECT id, name, rules FROM segments WHERE project_id = ? ORDER BY id'),
    memberships: db.prepare('SELECT segment_id FROM segment_members WHERE project_id = ? AND person_id = ?').pluck(),
    enter: db.prepare('INSERT INTO segment_members (project_id, segment_id, person_id, entered_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    exit: db.prepare('DELETE FROM segment_members WHERE project_id = ? AND segment_id = ? AND person_id = ?'),
    // INDEXED BY: without it the planner walks the project's whole membership (the primary key's prefix).
    dropAliases: db.prepare(`DELETE FROM segment_members INDEXED BY segment_members_by_person WHERE project_id = ?
      AND person_id IN (SELECT alias_id FROM person_aliases WHERE person_id = ?)`),
    timeline: db.prepare(`INSERT INTO events (project_id, message_id, person_id, type, name, anonymous_id, user_id,
      properties, traits, context, device, timestamp, sent_at, received_at)
      VALUES (?, ?, ?, 'track', ?, NULL, NULL, ?, '{}', '{}', '${SERVER_DEVICE}', ?, NULL, ?)`),
    bump: db.prepare(`INSERT INTO event_daily_counts (project_id, person_id, event, day, count) VALUES (?, ?, ?, ?, 1)
      ON CONFLICT (project_id, person_id, event, day) DO UPDATE SET count = count + 1`),
    // The WHERE clauses skip the update when the time did not move, so a re-evaluation that
    // finds the same time (most of them) reads the row and writes no page.
    recheckEarlier: db.prepare(`INSERT INTO audience_rechecks (project_id, person_id, due_at) VALUES (?, ?, ?)
      ON CONFLICT (project_id, person_id) DO UPDATE SET due_at = excluded.due_at WHERE excluded.due_at < due_at`),
    recheckSet: db.prepare(`INSERT INTO audience_rechecks (project_id, person_id, due_at) VALUES (?, ?, ?)
      ON CONFLICT (project_id, person_id) DO UPDATE SET due_at = excluded.due_at WHERE excluded.due_at <> due_at`),
    recheckDrop: db.prepare('DELETE FROM audience_rechecks WHERE project_id = ? AND person_id = ?'),
    due: db.prepare('SELECT project_id, person_id FROM audience_rechecks WHERE due_at <= ? ORDER BY due_at LIMIT ?'),
    nextFill: db.prepare("SELECT project_id, id, fill_after FROM segments WHERE status = 'filling' ORDER BY updated_at, id LIMIT 1"),
    fillPeople: db.prepare('SELECT id FROM people WHERE project_id = @project AND (@after IS NULL OR id > @after) ORDER BY id LIMIT @limit').pluck(),
    fillStep: db.prepare('UPDATE segments SET processed = min(total, processed + ?), fill_after = ? WHERE project_id = ? AND id = ?'),
    fillDone: db.prepare("UPDATE segments SET status = 'ready', processed = total, fill_after = NULL WHERE project_id = ? AND id = ?"),
    dropGone: db.prepare(`DELETE FROM segment_members WHERE project_id = ? AND segment_id = ?
      AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = segment_members.person_id)`),
  };
  return {
    trees: {
      all: (projectId) =>
        (q.trees.all(projectId) as { id: string; name: string; rules: string }[]).map((row) => ({ id: row.id, name: row.name, rules: JSON.parse(row.rules) as Rule })),
    },
    members: {
      of: (projectId, personId) => q.memberships.all(projectId, personId) as string[],
      enter: (projectId, segmentId, personId, at) => q.enter.run(projectId, segmentId, personId, at).changes > 0,
      exit: (projectId, segmentId, personId) => q.exit.run(projectId, segmentId, personId).changes > 0,
      dropAliases: (projectId, personId) => void q.dropAliases.run(projectId, personId),
    },
    timeline: {
      track(projectId, personId, name, properties, at) {
        // Time-ordered: appended at the end of events_by_message_id (time-ordered-id.ts).
        const messageId = `hark-segment-${timeOrderedId(at)}`;
        q.timeline.run(projectId, messageId, personId, name, JSON.stringify(properties), at, at);
        return onTimeline(projectId, personId, name, properties, messageId, at);
      },
    },
    rechecks: {
      set: (projectId, personId, dueAt) => void q.recheckSet.run(projectId, personId, dueAt),
      bringForward: (projectId, personId, dueAt) => void q.recheckEarlier.run(projectId, personId, dueAt),
      drop: (projectId, personId) => void q.recheckDrop.run(projectId, personId),
      due: (now, limit) =>
        (q.due.all(now, limit) as { project_id: string; person_id: string }[]).map((row) => ({ projectId: row.project_id, personId: row.person_id })),
    },
    counts: {
      bump: (projectId, personId, event, day) => void q.bump.run(projectId, personId, event, day),
    },
    facts: {
      load: (projectId, personId, needed) => loader.load(projectId, personId, needed),
    },
    fills: {
      next: (): PendingFill | null => {
        const row = q.nextFill.get() as { project_id: string; id: string; fill_after: string | null } | undefined;
        return row ? { projectId: row.project_id, segmentId: row.id, after: row.fill_after } : null;
      },
      peopleAfter: (projectId, after, limit) => q.fillPeople.all({ project: projectId, after, limit }) as string[],
      advance: (projectId, segmentId, processed, after) => void q.fillStep.run(processed, after, projectId, segmentId),
      finish: (projectId, segmentId) => {
        q.dropGone.run(projectId, segmentId);
        q.fillDone.run(projectId, segmentId);
      },
    },
  };
}
