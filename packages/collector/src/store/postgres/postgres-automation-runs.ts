import type { AutomationRunRepository, RunPatch } from '../automation-store.js';
import { RUN_COLUMNS, toRun, type RunRow } from '../automation-rows.js';
import { advisoryLockKey, PERSON_AND_ALIASES } from './postgres-rows.js';
import { changes, one, query, rows, type Queryable } from './postgres-sql.js';

/** RunPatch fields and the columns they write (waitingFor writes two). */
const patchColumns = (patch: RunPatch): [string, unknown][] => {
  const columns: [string, unknown][] = [];
  if (patch.status !== undefined) columns.push(['status', patch.status]);
  if (patch.stepId !== undefined) columns.push(['step_id', patch.stepId]);
  if (patch.visit !== undefined) columns.push(['visit', patch.visit]);
  if (patch.reason !== undefined) columns.push(['reason', patch.reason]);
  if (patch.waitingFor !== undefined) columns.push(['wait_event', patch.waitingFor?.event ?? null], ['wait_until', patch.waitingFor?.until ?? null]);
  if (patch.finishedAt !== undefined) columns.push(['finished_at', patch.finishedAt]);
  return columns;
};

/**
 * The run repository on PostgreSQL: the statements of sqlite-automations.ts, on one connection.
 * Built twice: on the pool for reads outside a unit of work (`store.automations.runs`), and on
 * the unit's client (`tx.runs`, postgres-repositories.ts), so a step's run row, its next job and
 * its timeline events commit together, as they do on SQLite's one connection.
 *
 * What several collectors add, on the unit's client only (`inUnit`):
 * - `get` reads the run FOR UPDATE: a step job and an event job (goal, wait_for_event) on two
 *   collectors both check "is the run still at this visit?" before moving it; the second waits
 *   for the first's COMMIT, then reads the moved run and does nothing (run-automation.ts guard).
 * - `countFor` first takes a transaction-scoped advisory lock on (project, automation, person),
 *   held to COMMIT: two entries of one person decided at once run one after the other, and the
 *   second counts the run the first inserted (READ COMMITTED: each statement sees what committed
 *   before it began), so `entry: 'once'` and `one_at_a_time` hold across collectors. No unique
 *   index can say "once" (every_time allows many runs per person), hence the lock.
 * - `knownKind` likewise locks (project, person) before reading, so the kind-change check and
 *   `setKnownKind` after it are one decision: two collectors seeing one change start it once.
 */
export function createPostgresRunRepository(db: Queryable, inUnit: boolean): AutomationRunRepository {
  const forUpdate = inUnit ? ' FOR UPDATE' : '';
  return {
    async get(projectId, runId) {
      const row = await one<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM automation_runs WHERE project_id = $1 AND id = $2${forUpdate}`, [projectId, runId]);
      return row ? toRun(row) : null;
    },
    async countFor(projectId, automationId, personId) {
      if (inUnit) await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(projectId, 'automation-entry', automationId, personId)]);
      return (await one<{ ever: number; open: number }>(db, `SELECT count(*) AS ever, count(*) FILTER (WHERE status IN ('active', 'waiting')) AS open
        FROM automation_runs WHERE project_id = @project AND automation_id = @automation AND person_id ${PERSON_AND_ALIASES}`,
      { project: projectId, automation: automationId, id: personId }))!;
    },
    async insert(projectId, run) {
      await changes(db, `INSERT INTO automation_runs (project_id, ${RUN_COLUMNS})
        VALUES (@project, @id, @automation, @person, 'active', @step, @visit, NULL, @root, NULL, NULL, @at, NULL) ON CONFLICT DO NOTHING`,
      { project: projectId, id: run.id, automation: run.automationId, person: run.personId, step: run.stepId, visit: run.visit, root: run.rootId, at: run.at });
    },
    async update(projectId, runId, patch) {
      const columns = patchColumns(patch);
      if (columns.length === 0) return;
      const params: Record<string, unknown> = { project: projectId, id: runId };
      for (const [column, value] of columns) params[column] = value;
      await query(db, `UPDATE automation_runs SET ${columns.map(([column]) => `${column} = @${column}`).join(', ')} WHERE project_id = @project AND id = @id`, params);
    },
    async openFor(projectId, personId) {
      return (await rows<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM automation_runs WHERE project_id = @project AND status IN ('active', 'waiting')
        AND person_id ${PERSON_AND_ALIASES} ORDER BY entered_at, id`, { project: projectId, id: personId })).map(toRun);
    },
    async parked(projectId, automationId) {
      return (await rows<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM automation_runs WHERE project_id = $1 AND automation_id = $2 AND status = 'waiting' AND reason = 'paused'
        ORDER BY entered_at, id`, [projectId, automationId])).map(toRun);
    },
    async log(projectId, automationId, runId, visit, stepId, outcome, at) {
      await changes(db, `INSERT INTO automation_step_log (project_id, automation_id, run_id, visit, step_id, outcome, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT DO NOTHING`, [projectId, automationId, runId, visit, stepId, outcome, at]);
    },
    async knownKind(projectId, personId) {
      // The row may not exist yet (nothing to lock FOR UPDATE): an advisory lock holds it instead.
      if (inUnit) await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(projectId, 'automation-kind', personId)]);
      return (await one<{ kind: string }>(db, 'SELECT kind FROM automation_person_kinds WHERE project_id = $1 AND person_id = $2', [projectId, personId]))?.kind ?? null;
    },
    async setKnownKind(projectId, personId, kind) {
      await changes(db, `INSERT INTO automation_person_kinds (project_id, person_id, kind) VALUES ($1, $2, $3)
        ON CONFLICT (project_id, person_id) DO UPDATE SET kind = excluded.kind`, [projectId, personId, kind]);
    },
    // A later step grants the message again: the newest grant opens it once more.
    async grantMessage(projectId, messageId, personId, runId, at) {
      await changes(db, `INSERT INTO automation_message_grants (project_id, message_id, person_id, run_id, granted_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (project_id, message_id, person_id) DO UPDATE SET run_id = excluded.run_id,
          granted_at = greatest(automation_message_grants.granted_at, excluded.granted_at)`, [projectId, messageId, personId, runId, at]);
    },
  };
}
