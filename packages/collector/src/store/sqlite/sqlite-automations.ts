import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Automation } from '../../automations/automation-types.js';
import type { AutomationRunRepository, AutomationStats, AutomationStore, AutomationSummary, RunChainEvent, RunPatch, StepPass } from '../automation-store.js';
import { RUN_COLUMNS, toAutomation, toRun, type AutomationRow, type RunRow } from '../automation-rows.js';
import { cursorKey, toPage } from '../cursor.js';
import { PERSON_AND_ALIASES } from './rows.js';

const COUNTS = `(SELECT json_object('total', count(*), 'active', coalesce(sum(status = 'active'), 0), 'waiting', coalesce(sum(status = 'waiting'), 0),
  'finished', coalesce(sum(status = 'finished'), 0), 'exited', coalesce(sum(status = 'exited'), 0), 'failed', coalesce(sum(status = 'failed'), 0),
  'conversions', coalesce(sum(reason = 'goal'), 0)) FROM automation_runs r WHERE r.project_id = a.project_id AND r.automation_id = a.id) AS counts`;

/**
 * Automations and their runs on SQLite. Rows only: what a step decides is in automations/. The
 * run repository's statements are synchronous, so inside `store.transact` they share the unit
 * of work's transaction with the jobs and events queued there.
 */
export function createSqliteAutomations(db: Database): AutomationStore & { liveNow(projectId: string): readonly Automation[] } {
  const q = {
    insert: db.prepare('INSERT INTO automations (project_id, id, status, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)'),
    get: db.prepare('SELECT project_id, id, definition, created_at, updated_at FROM automations WHERE project_id = ? AND id = ?'),
    page: db.prepare(`SELECT a.project_id, a.id, a.definition, a.created_at, a.updated_at, ${COUNTS} FROM automations a WHERE a.project_id = @project
      AND (@beforeAt IS NULL OR a.created_at < @beforeAt OR (a.created_at = @beforeAt AND a.id < @beforeId))
      ORDER BY a.created_at DESC, a.id DESC LIMIT @limit`),
    update: db.prepare('UPDATE automations SET status = ?, definition = ?, updated_at = ? WHERE project_id = ? AND id = ?'),
    remove: db.prepare('DELETE FROM automations WHERE project_id = ? AND id = ?'),
    removeRuns: db.prepare('DELETE FROM automation_runs WHERE project_id = ? AND automation_id = ?'),
    removeLog: db.prepare('DELETE FROM automation_step_log WHERE project_id = ? AND automation_id = ?'),
    live: db.prepare("SELECT project_id, id, definition, created_at, updated_at FROM automations WHERE project_id = ? AND status = 'live' ORDER BY id"),
    run: db.prepare(`SELECT ${RUN_COLUMNS} FROM automation_runs WHERE project_id = ? AND id = ?`),
    countFor: db.prepare(`SELECT count(*) AS ever, coalesce(sum(status IN ('active', 'waiting')), 0) AS open FROM automation_runs
      WHERE project_id = @project AND automation_id = @automation AND person_id IN ${PERSON_AND_ALIASES}`),
    insertRun: db.prepare(`INSERT INTO automation_runs (project_id, ${RUN_COLUMNS})
      VALUES (@project, @id, @automation, @person, 'active', @step, @visit, NULL, @root, NULL, NULL, @at, NULL) ON CONFLICT DO NOTHING`),
    openFor: db.prepare(`SELECT ${RUN_COLUMNS} FROM automation_runs WHERE project_id = @project AND status IN ('active', 'waiting')
      AND person_id IN ${PERSON_AND_ALIASES}`),
    parked: db.prepare(`SELECT ${RUN_COLUMNS} FROM automation_runs WHERE project_id = ? AND automation_id = ? AND status = 'waiting' AND reason = 'paused'`),
    log: db.prepare(`INSERT INTO automation_step_log (project_id, automation_id, run_id, visit, step_id, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING`),
    knownKind: db.prepare('SELECT kind FROM automation_person_kinds WHERE project_id = ? AND person_id = ?').pluck(),
    setKnownKind: db.prepare(`INSERT INTO automation_person_kinds (project_id, person_id, kind) VALUES (?, ?, ?)
      ON CONFLICT (project_id, person_id) DO UPDATE SET kind = excluded.kind`),
    // A later step grants the message again: the newest grant opens it once more.
    grant: db.prepare(`INSERT INTO automation_message_grants (project_id, message_id, person_id, run_id, granted_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (project_id, message_id, person_id) DO UPDATE SET run_id = excluded.run_id, granted_at = max(granted_at, excluded.granted_at)`),
    grants: db.prepare(`SELECT message_id, max(granted_at) AS at FROM automation_message_grants WHERE project_id = @project
      AND person_id IN ${PERSON_AND_ALIASES} AND message_id IN (SELECT value FROM json_each(@messages)) GROUP BY message_id`),
    runsPage: db.prepare(`SELECT ${RUN_COLUMNS} FROM automation_runs WHERE project_id = @project AND automation_id = @automation
      AND (@status IS NULL OR status = @status)
      AND (@beforeAt IS NULL OR entered_at < @beforeAt OR (entered_at = @beforeAt AND id < @beforeId))
      ORDER BY entered_at DESC, id DESC LIMIT @limit`),
    forPerson: db.prepare(`SELECT ${RUN_COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')}, json_extract(a.definition, '$.name') AS automation_name
      FROM automation_runs r JOIN automations a ON a.project_id = r.project_id AND a.id = r.automation_id
      WHERE r.project_id = @project AND r.person_id IN ${PERSON_AND_ALIASES} ORDER BY r.entered_at DESC, r.id DESC LIMIT 200`),
    stepLog: db.prepare('SELECT step_id, outcome, count(*) AS n FROM automation_step_log WHERE project_id = ? AND automation_id = ? GROUP BY step_id, outcome'),
    waitingAt: db.prepare("SELECT step_id, count(*) AS n FROM automation_runs WHERE project_id = ? AND automation_id = ? AND status = 'waiting' GROUP BY step_id"),
    stepPasses: db.prepare(`SELECT l.run_id, l.step_id, l.at, r.reason, r.finished_at FROM automation_step_log l
      JOIN automation_runs r ON r.project_id = l.project_id AND r.id = l.run_id
      WHERE l.project_id = @project AND l.automation_id = @automation AND l.outcome <> 'entered'
        AND l.step_id IN (SELECT value FROM json_each(@steps)) ORDER BY l.at, l.run_id`),
    // events_by_root answers each run's chain; a root shared by several runs is read once per run.
    runChainEvents: db.prepare(`SELECT r.id AS run_id, e.timestamp, e.properties FROM automation_runs r
      JOIN events e ON e.project_id = r.project_id AND e.root_id = r.root_id
      WHERE r.project_id = @project AND r.automation_id = @automation AND e.name = @name ORDER BY e.timestamp, e.seq`),
    runTotals: db.prepare("SELECT count(*) AS entered, coalesce(sum(reason = 'goal'), 0) AS conversions FROM automation_runs WHERE project_id = ? AND automation_id = ?"),
  };

  const cache = new Map<string, readonly Automation[]>();
  /** Synchronous, for the store's own triggers inside a transaction (store-tap.ts). */
  const liveNow = (projectId: string): readonly Automation[] => {
    let live = cache.get(projectId);
    if (!live) {
      live = (q.live.all(projectId) as AutomationRow[]).map(toAutomation);
      cache.set(projectId, live);
    }
    return live;
  };

  const runs: AutomationRunRepository = {
    get: (projectId, runId) => {
      const row = q.run.get(projectId, runId) as RunRow | undefined;
      return row ? toRun(row) : null;
    },
    countFor: (projectId, automationId, personId) => q.countFor.get({ project: projectId, automation: automationId, id: personId }) as { ever: number; open: number },
    insert: (projectId, run) =>
      void q.insertRun.run({ project: projectId, id: run.id, automation: run.automationId, person: run.personId, step: run.stepId, visit: run.visit, root: run.rootId, at: run.at }),
    update: (projectId, runId, patch: RunPatch) => {
      const sets: string[] = [];
      const params: Record<string, unknown> = { project: projectId, id: runId };
      const set = (column: string, value: unknown): void => {
        sets.push(`${column} = @${column}`);
        params[column] = value;
      };
      if (patch.status !== undefined) set('status', patch.status);
      if (patch.stepId !== undefined) set('step_id', patch.stepId);
      if (patch.visit !== undefined) set('visit', patch.visit);
      if (patch.reason !== undefined) set('reason', patch.reason);
      if (patch.waitingFor !== undefined) {
        set('wait_event', patch.waitingFor?.event ?? null);
        set('wait_until', patch.waitingFor?.until ?? null);
      }
      if (patch.finishedAt !== undefined) set('finished_at', patch.finishedAt);
      if (sets.length) db.prepare(`UPDATE automation_runs SET ${sets.join(', ')} WHERE project_id = @project AND id = @id`).run(params);
    },
    openFor: (projectId, personId) => (q.openFor.all({ project: projectId, id: personId }) as RunRow[]).map(toRun),
    parked: (projectId, automationId) => (q.parked.all(projectId, automationId) as RunRow[]).map(toRun),
    log: (projectId, automationId, runId, visit, stepId, outcome, at) => void q.log.run(projectId, automationId, runId, visit, stepId, outcome, at),
    knownKind: (projectId, personId) => (q.knownKind.get(projectId, personId) as string | undefined) ?? null,
    setKnownKind: (projectId, personId, kind) => void q.setKnownKind.run(projectId, personId, kind),
    grantMessage: (projectId, messageId, personId, runId, at) => void q.grant.run(projectId, messageId, personId, runId, at),
  };

  return {
    async create(projectId, input, now) {
      const id = randomUUID();
      q.insert.run(projectId, id, input.status, JSON.stringify(input), now, now);
      cache.delete(projectId);
      return toAutomation(q.get.get(projectId, id) as AutomationRow);
    },
    async get(projectId, id) {
      const row = q.get.get(projectId, id) as AutomationRow | undefined;
      return row ? toAutomation(row) : null;
    },
    async list(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const rows = q.page.all({ project: projectId, beforeAt, beforeId, limit: query.limit + 1 }) as (AutomationRow & { counts: string })[];
      return toPage(rows, query.limit, (row): AutomationSummary => ({ ...toAutomation(row), runs: JSON.parse(row.counts) as AutomationSummary['runs'] }), (row) => [row.created_at, row.id]);
    },
    async update(projectId, id, input, now) {
      const changed = q.update.run(input.status, JSON.stringify(input), now, projectId, id).changes > 0;
      cache.delete(projectId);
      return changed ? toAutomation(q.get.get(projectId, id) as AutomationRow) : null;
    },
    async remove(projectId, id) {
      const removed = db.transaction(() => {
        q.removeLog.run(projectId, id);
        q.removeRuns.run(projectId, id);
        return q.remove.run(projectId, id).changes > 0;
      })();
      cache.delete(projectId);
      return removed;
    },
    async live(projectId) {
      return liveNow(projectId);
    },
    liveNow,
    runs,
    async listRuns(projectId, automationId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const rows = q.runsPage.all({ project: projectId, automation: automationId, status: query.status ?? null, beforeAt, beforeId, limit: query.limit + 1 }) as RunRow[];
      return toPage(rows, query.limit, toRun, (row) => [row.entered_at, row.id]);
    },
    async runsForPerson(projectId, personId) {
      return (q.forPerson.all({ project: projectId, id: personId }) as (RunRow & { automation_name: string })[]).map((row) => ({
        ...toRun(row),
        automationName: row.automation_name,
      }));
    },
    async stats(projectId, automationId): Promise<AutomationStats> {
      const steps: AutomationStats['steps'] = {};
      const step = (id: string) => (steps[id] ??= { entered: 0, waiting: 0, passed: 0, edges: {} });
      for (const row of q.stepLog.all(projectId, automationId) as { step_id: string; outcome: string; n: number }[]) {
        const entry = step(row.step_id);
        if (row.outcome === 'entered') entry.entered += row.n;
        else {
          entry.passed += row.n;
          entry.edges[row.outcome] = (entry.edges[row.outcome] ?? 0) + row.n;
        }
      }
      for (const row of q.waitingAt.all(projectId, automationId) as { step_id: string | null; n: number }[]) if (row.step_id) step(row.step_id).waiting += row.n;
      const totals = q.runTotals.get(projectId, automationId) as { entered: number; conversions: number };
      return { entered: totals.entered, conversions: totals.conversions, steps };
    },
    async stepPasses(projectId, automationId, stepIds): Promise<StepPass[]> {
      if (stepIds.length === 0) return [];
      const rows = q.stepPasses.all({ project: projectId, automation: automationId, steps: JSON.stringify(stepIds) }) as { run_id: string; step_id: string; at: number; reason: string | null; finished_at: number | null }[];
      return rows.map((row) => ({ runId: row.run_id, stepId: row.step_id, at: row.at, reason: row.reason, finishedAt: row.finished_at }));
    },
    async runChainEvents(projectId, automationId, name): Promise<RunChainEvent[]> {
      const rows = q.runChainEvents.all({ project: projectId, automation: automationId, name }) as { run_id: string; timestamp: number; properties: string }[];
      return rows.map((row) => ({ runId: row.run_id, timestamp: row.timestamp, properties: JSON.parse(row.properties) as Record<string, unknown> }));
    },
    async messageGrants(projectId, personId, messageIds) {
      const rows = q.grants.all({ project: projectId, id: personId, messages: JSON.stringify(messageIds) }) as { message_id: string; at: number }[];
      return new Map(rows.map((row) => [row.message_id, row.at]));
    },
  };
}
