import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../../clock.js';
import { importReportParams, MAX_KEPT_REJECTIONS, SHOWN_REJECTIONS, toImportJob, type ImportRow } from '../import-rows.js';
import type { ImportJob, ImportStore } from '../import-store.js';
import type { PostgresAudienceUnit } from './postgres-audience-unit.js';
import type { PostgresContacts } from './postgres-contacts.js';
import { changes, inTransaction, one, query, rows, type Queryable } from './postgres-sql.js';

/**
 * A running import reports after every chunk (audiences/imports/run-import.ts); one silent this
 * long had its collector stop under it, and never will finish.
 */
export const IMPORT_SILENT_MS = 10 * 60_000;
const INTERRUPTED = 'The collector running this import stopped during it; the rows imported before it are kept.';

/**
 * Import jobs on PostgreSQL (tables `imports`, `import_rejections`, PG migration 13): the
 * statements of sqlite-imports.ts. A job runs inside the collector that took the upload. SQLite
 * marks unfinished jobs failed when its one process starts again; with several collectors a
 * start says nothing about another's jobs, so each report stamps `reported_at`, and a job still
 * queued or running that has been silent for IMPORT_SILENT_MS is answered (and stored) as failed.
 * A chunk of contacts is one audience unit: saved, then re-evaluated against the segments that
 * read what it wrote, in one transaction.
 */
export function createPostgresImports(pool: pg.Pool, contacts: PostgresContacts, clock: Clock, unit: PostgresAudienceUnit): ImportStore {
  const get = async (db: Queryable, projectId: string, importId: string): Promise<ImportJob | null> => {
    await changes(db, `UPDATE imports SET status = 'failed', error = $4, finished_at = reported_at
      WHERE project_id = $1 AND id = $2 AND status IN ('queued', 'running') AND reported_at < $3`, [projectId, importId, clock.now() - IMPORT_SILENT_MS, INTERRUPTED]);
    const row = await one<ImportRow>(db, 'SELECT * FROM imports WHERE project_id = $1 AND id = $2', [projectId, importId]);
    if (!row) return null;
    const rejected = await rows<{ line: number; reason: string }>(db, 'SELECT line, reason FROM import_rejections WHERE import_id = $1 ORDER BY line LIMIT $2', [row.id, SHOWN_REJECTIONS]);
    return toImportJob(row, rejected);
  };

  return {
    async create(projectId, listId, at) {
      const id = randomUUID();
      await query(pool, `INSERT INTO imports (id, project_id, list_id, status, created_at, reported_at) VALUES ($1, $2, $3, 'queued', $4, $4)`, [id, projectId, listId, at]);
      return (await get(pool, projectId, id))!;
    },
    get: (projectId, importId) => get(pool, projectId, importId),
    async report(importId, progress) {
      await inTransaction(pool, async (client) => {
        await query(client, `UPDATE imports SET status = @status, rows_read = @rowsRead, created = @created, updated = @updated, rejected = @rejected,
            error = coalesce(@error::text, error), finished_at = coalesce(@finishedAt::bigint, finished_at), reported_at = @at WHERE id = @id`,
        { ...importReportParams(importId, progress), at: clock.now() });
        if (!progress.newRejections.length) return;
        const kept = (await one<{ n: number }>(client, 'SELECT count(*) AS n FROM import_rejections WHERE import_id = $1', [importId]))!.n;
        const room = Math.max(0, MAX_KEPT_REJECTIONS - kept);
        const taken = progress.newRejections.slice(0, room);
        if (!taken.length) return;
        await query(client, `INSERT INTO import_rejections (import_id, line, reason) SELECT $1, * FROM unnest($2::int[], $3::text[])
          ON CONFLICT DO NOTHING`, [importId, taken.map((r) => r.line), taken.map((r) => r.reason)]);
      });
    },
    async saveContacts(projectId, list, at) {
      // As on SQLite: a new contact re-evaluates every segment, an updated one those reading traits or companies.
      return unit(async (changed, _audience, client) => {
        const outcomes = [];
        for (const contact of list) {
          const outcome = await contacts.save(client, projectId, contact, at);
          if (outcome.status === 'created') changed.mark(projectId, outcome.personId, { all: true });
          else if (outcome.status === 'updated') changed.mark(projectId, outcome.personId, { traits: true, companies: true });
          outcomes.push(outcome);
        }
        return outcomes;
      });
    },
  };
}
