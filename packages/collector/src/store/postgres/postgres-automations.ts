import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Automation } from '../../automations/automation-types.js';
import type { Clock } from '../../clock.js';
import type { AutomationStats, AutomationStore, AutomationSummary, RunChainEvent, StepPass } from '../automation-store.js';
import { RUN_COLUMNS, toAutomation, toRun, type AutomationRow, type RunRow } from '../automation-rows.js';
import { cursorKey, toPage } from '../cursor.js';
import { createPostgresRunRepository } from './postgres-automation-runs.js';
import type { ChangeFeed } from './postgres-changes.js';
import { LIVE_CACHE_TTL_MS } from './postgres-messages.js';
import { PERSON_AND_ALIASES } from './postgres-rows.js';
import { changes, inTransaction, one, rows, type Queryable } from './postgres-sql.js';

const COLUMNS = 'project_id, id, definition, created_at, updated_at';
const COUNTS = `(SELECT json_build_object('total', count(*), 'active', count(*) FILTER (WHERE status = 'active'), 'waiting', count(*) FILTER (WHERE status = 'waiting'),
  'finished', count(*) FILTER (WHERE status = 'finished'), 'exited', count(*) FILTER (WHERE status = 'exited'), 'failed', count(*) FILTER (WHERE status = 'failed'),
  'conversions', count(*) FILTER (WHERE reason = 'goal'))::text FROM automation_runs r WHERE r.project_id = a.project_id AND r.automation_id = a.id) AS counts`;

/**
 * Automations on PostgreSQL (tables from PG migration 12, as SQLite's 16): the definitions, their
 * runs, step log, stats and grants, with the statements of sqlite-automations.ts. The live
 * automations are read on every ingest batch, so they are cached per collector like live
 * messages: a write publishes `automations` on the change feed after it commits, dropping the
 * entry on every collector, and an entry ends after LIVE_CACHE_TTL_MS in any case
 * (postgres-changes.ts says why both). `runs` here is on the pool, for reads and for writes that
 * stand alone (a show_message grant); a step's writes go through the unit of work's `tx.runs`
 * (postgres-automation-runs.ts).
 */
export function createPostgresAutomations(pool: pg.Pool, clock: Clock, feed: ChangeFeed, cacheReads: pg.Pool = pool): AutomationStore & { liveOn(db: Queryable, projectId: string): Promise<readonly Automation[]> } {
  const cache = new Map<string, { live: readonly Automation[]; until: number }>();
  feed.subscribe('automations', (projectId) => (projectId === null ? cache.clear() : cache.delete(projectId)));
  const changed = async (projectId: string): Promise<void> => {
    cache.delete(projectId);
    await feed.publish('automations', projectId);
  };
  const get = async (projectId: string, id: string): Promise<Automation | null> => {
    const row = await one<AutomationRow>(pool, `SELECT ${COLUMNS} FROM automations WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return row ? toAutomation(row) : null;
  };

  /** The live automations from the cache, else read on `db` (a transaction's client, inside one: store-tap.ts). */
  const liveOn = async (db: Queryable, projectId: string): Promise<readonly Automation[]> => {
    const now = clock.now();
    const hit = cache.get(projectId);
    if (hit && hit.until > now) return hit.live;
    const live = (await rows<AutomationRow>(db, `SELECT ${COLUMNS} FROM automations WHERE project_id = $1 AND status = 'live' ORDER BY id`, [projectId])).map(toAutomation);
    cache.set(projectId, { live, until: now + LIVE_CACHE_TTL_MS });
    return live;
  };

  return {
    async create(projectId, input, now) {
      const id = randomUUID();
      await changes(pool, 'INSERT INTO automations (project_id, id, status, definition, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)',
        [projectId, id, input.status, JSON.stringify(input), now]);
      await changed(projectId);
      return (await get(projectId, id))!;
    },
    get,
    async list(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const found = await rows<AutomationRow & { counts: string }>(pool, `SELECT a.project_id, a.id, a.definition, a.created_at, a.updated_at, ${COUNTS}
        FROM automations a WHERE a.project_id = @project
          AND (@beforeAt::bigint IS NULL OR a.created_at < @beforeAt OR (a.created_at = @beforeAt AND a.id < @beforeId::text))
        ORDER BY a.created_at DESC, a.id DESC LIMIT @limit`, { project: projectId, beforeAt, beforeId, limit: query.limit + 1 });
      return toPage(found, query.limit, (row): AutomationSummary => ({ ...toAutomation(row), runs: JSON.parse(row.counts) as AutomationSummary['runs'] }), (row) => [row.created_at, row.id]);
    },
    async stepPasses(projectId, automationId, stepIds): Promise<StepPass[]> {
      if (stepIds.length === 0) return [];
      const found = await rows<{ run_id: string; step_id: string; at: number; reason: string | null; finished_at: number | null }>(pool,
        `SELECT l.run_id, l.step_id, l.at, r.reason, r.finished_at FROM automation_step_log l
          JOIN automation_runs r ON r.project_id = l.project_id AND r.id = l.run_id
        WHERE l.project_id = @project AND l.automation_id = @automation AND l.outcome <> 'entered'
          AND l.step_id = ANY(@steps::text[]) ORDER BY l.at, l.run_id`, { project: projectId, automation: automationId, steps: [...stepIds] });
      return found.map((row) => ({ runId: row.run_id, stepId: row.step_id, at: row.at, reason: row.reason, finishedAt: row.finished_at }));
    },
    async runChainEvents(projectId, automationId, name): Promise<RunChainEvent[]> {
      // events_by_root answers each run's chain, as on SQLite.
      const found = await rows<{ run_id: string; timestamp: number; properties: string }>(pool, `SELECT r.id AS run_id, e.timestamp, e.properties FROM automation_runs r
          JOIN events e ON e.project_id = r.project_id AND e.root_id = r.root_id
        WHERE r.project_id = $1 AND r.automation_id = $2 AND e.name = $3 ORDER BY e.timestamp, e.seq`, [projectId, automationId, name]);
      return found.map((row) => ({ runId: row.run_id, timestamp: row.timestamp, properties: JSON.parse(row.properties) as Record<string, unknown> }));
    },
    async update(projectId, id, input, now) {
      const updated = await changes(pool, 'UPDATE automations SET status = $1, definition = $2, updated_at = $3 WHERE project_id = $4 AND id = $5',
        [input.status, JSON.stringify(input), now, projectId, id]);
      if (updated === 0) return null;
      await changed(projectId);
      return get(projectId, id);
    },
    async remove(projectId, id) {
      const removed = await inTransaction(pool, async (client) => {
        await changes(client, 'DELETE FROM automation_step_log WHERE project_id = $1 AND automation_id = $2', [projectId, id]);
        await changes(client, 'DELETE FROM automation_runs WHERE project_id = $1 AND automation_id = $2', [projectId, id]);
        return (await changes(client, 'DELETE FROM automations WHERE project_id = $1 AND id = $2', [projectId, id])) > 0;
      });
      await changed(projectId);
      return removed;
    },
    live: (projectId) => liveOn(cacheReads, projectId),
    liveOn,
    runs: createPostgresRunRepository(pool, false),
    async listRuns(projectId, automationId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const found = await rows<RunRow>(pool, `SELECT ${RUN_COLUMNS} FROM automation_runs WHERE project_id = @project AND automation_id = @automation
          AND (@status::text IS NULL OR status = @status)
          AND (@beforeAt::bigint IS NULL OR entered_at < @beforeAt OR (entered_at = @beforeAt AND id < @beforeId::text))
        ORDER BY entered_at DESC, id DESC LIMIT @limit`, { project: projectId, automation: automationId, status: query.status ?? null, beforeAt, beforeId, limit: query.limit + 1 });
      return toPage(found, query.limit, toRun, (row) => [row.entered_at, row.id]);
    },
    async runsForPerson(projectId, personId) {
      const found = await rows<RunRow & { automation_name: string }>(pool, `SELECT ${RUN_COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')},
          a.definition::jsonb ->> 'name' AS automation_name
        FROM automation_runs r JOIN automations a ON a.project_id = r.project_id AND a.id = r.automation_id
        WHERE r.project_id = @project AND r.person_id ${PERSON_AND_ALIASES} ORDER BY r.entered_at DESC, r.id DESC LIMIT 200`, { project: projectId, id: personId });
      return found.map((row) => ({ ...toRun(row), automationName: row.automation_name }));
    },
    async stats(projectId, automationId): Promise<AutomationStats> {
      const steps: AutomationStats['steps'] = {};
      const step = (id: string) => (steps[id] ??= { entered: 0, waiting: 0, passed: 0, edges: {} });
      const [log, waiting, totals] = await Promise.all([
        rows<{ step_id: string; outcome: string; n: number }>(pool, 'SELECT step_id, outcome, count(*) AS n FROM automation_step_log WHERE project_id = $1 AND automation_id = $2 GROUP BY step_id, outcome', [projectId, automationId]),
        rows<{ step_id: string | null; n: number }>(pool, "SELECT step_id, count(*) AS n FROM automation_runs WHERE project_id = $1 AND automation_id = $2 AND status = 'waiting' GROUP BY step_id", [projectId, automationId]),
        one<{ entered: number; conversions: number }>(pool, "SELECT count(*) AS entered, count(*) FILTER (WHERE reason = 'goal') AS conversions FROM automation_runs WHERE project_id = $1 AND automation_id = $2", [projectId, automationId]),
      ]);
      for (const row of log) {
        const entry = step(row.step_id);
        if (row.outcome === 'entered') entry.entered += row.n;
        else {
          entry.passed += row.n;
          entry.edges[row.outcome] = (entry.edges[row.outcome] ?? 0) + row.n;
        }
      }
      for (const row of waiting) if (row.step_id) step(row.step_id).waiting += row.n;
      return { entered: totals!.entered, conversions: totals!.conversions, steps };
    },
    async messageGrants(projectId, personId, messageIds) {
      if (messageIds.length === 0) return new Map();
      const found = await rows<{ message_id: string; at: number }>(pool, `SELECT message_id, max(granted_at) AS at FROM automation_message_grants WHERE project_id = @project
        AND person_id ${PERSON_AND_ALIASES} AND message_id = ANY(@messages::text[]) GROUP BY message_id`, { project: projectId, id: personId, messages: [...messageIds] });
      return new Map(found.map((row) => [row.message_id, row.at]));
    },
  };
}
