import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { importReportParams, MAX_KEPT_REJECTIONS, SHOWN_REJECTIONS, toImportJob, type ImportRow } from '../import-rows.js';
import type { ImportJob, ImportStore } from '../import-store.js';
import type { SqliteContacts } from './sqlite-contacts.js';
import type { AudienceUnit } from './sqlite-segments.js';

/** Import jobs on SQLite (tables `imports`, `import_rejections`). */
export function createSqliteImports(db: Database, contacts: SqliteContacts, now: () => number, unit: AudienceUnit): ImportStore {
  const q = {
    insert: db.prepare(`INSERT INTO imports (id, project_id, list_id, status, created_at) VALUES (?, ?, ?, 'queued', ?)`),
    get: db.prepare('SELECT * FROM imports WHERE project_id = ? AND id = ?'),
    rejections: db.prepare('SELECT line, reason FROM import_rejections WHERE import_id = ? ORDER BY line LIMIT ?'),
    keptRejections: db.prepare('SELECT count(*) FROM import_rejections WHERE import_id = ?').pluck(),
    report: db.prepare(`UPDATE imports SET status = @status, rows_read = @rowsRead, created = @created, updated = @updated,
      rejected = @rejected, error = coalesce(@error, error), finished_at = coalesce(@finishedAt, finished_at) WHERE id = @id`),
    reject: db.prepare('INSERT OR IGNORE INTO import_rejections (import_id, line, reason) VALUES (?, ?, ?)'),
    interrupted: db.prepare(`UPDATE imports SET status = 'failed', finished_at = ?,
      error = 'The collector restarted during this import; the rows imported before it are kept.' WHERE status IN ('queued', 'running')`),
  };
  // A job runs inside the process that took the upload; one that did not finish before a restart
  // never will, so say so instead of showing it running forever.
  q.interrupted.run(now());

  const toJob = (row: ImportRow): ImportJob => toImportJob(row, q.rejections.all(row.id, SHOWN_REJECTIONS) as { line: number; reason: string }[]);

  return {
    async create(projectId, listId, at) {
      const id = randomUUID();
      q.insert.run(id, projectId, listId, at);
      return toJob(q.get.get(projectId, id) as ImportRow);
    },
    async get(projectId, importId) {
      const row = q.get.get(projectId, importId) as ImportRow | undefined;
      return row ? toJob(row) : null;
    },
    async report(importId, progress) {
      db.transaction(() => {
        q.report.run(importReportParams(importId, progress));
        let room = MAX_KEPT_REJECTIONS - (q.keptRejections.get(importId) as number);
        for (const rejection of progress.newRejections) {
          if (room-- <= 0) break;
          q.reject.run(importId, rejection.line, rejection.reason);
        }
      })();
    },
    async saveContacts(projectId, list, at) {
      // The segments reading what an import wrote re-evaluate in the same transaction: a new
      // contact against every segment, an updated one against those reading traits or companies.
      return unit(list.length, (changed) =>
        db.transaction(() =>
          list.map((contact) => {
            const outcome = contacts.save(projectId, contact, at);
            if (outcome.status === 'created') changed.mark(projectId, outcome.personId, { all: true, created: true });
            else if (outcome.status === 'updated') changed.mark(projectId, outcome.personId, { traits: true, companies: true });
            return outcome;
          }),
        )(),
      );
    },
  };
}
