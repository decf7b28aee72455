import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Job, JobRequest } from '../../jobs/job-types.js';
import type { JobStore } from '../job-store.js';
import { clipError, JOB_COLUMNS, jobInsertParams, toJob, type JobRow } from '../job-rows.js';
import type { JobQueue } from '../ports.js';

export interface SqliteJobs {
  store: JobStore;
  /** The ingest unit of work's `tx.jobs`: the same insert, synchronous, inside the group's transaction. */
  queue: JobQueue;
}

/**
 * Where the runner's writes commit: the store's group commit (sqlite-store.ts), so the claims
 * and completions of many jobs share one commit, and its fsync runs off the event loop. Alone,
 * each would be a transaction of its own with `synchronous = FULL`: an fsync on the event loop
 * per job, which capped the runner at the disk's commit rate and stalled ingest beside it
 * (issue 12's bench). A caller is answered only once its write is on disk, as before.
 */
export type JobWriteUnit = <T>(write: () => T) => Promise<T>;

const alone: JobWriteUnit = async (write) => write();

/**
 * The job table on SQLite. One writer (this process), so a claim is a plain transaction: read
 * the due ids, lease them. Statements only; the retry rules are the runner's.
 * `store` writes through `unit`; `queue` runs inside a unit of work already, so never through it.
 */
export function createSqliteJobs(db: Database, unit: JobWriteUnit = alone): SqliteJobs {
  const q = {
    insert: db.prepare(`INSERT INTO jobs (id, project_id, kind, job_key, status, run_at, payload, attempts, max_attempts, created_at)
      VALUES (@id, @project, @kind, @key, 'pending', @runAt, @payload, 0, @maxAttempts, @now)
      ON CONFLICT (project_id, kind, job_key) DO NOTHING`),
    idByKey: db.prepare('SELECT id FROM jobs WHERE project_id = ? AND kind = ? AND job_key = ?').pluck(),
    duePending: db.prepare(`SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ? ORDER BY run_at LIMIT ?`).pluck(),
    expiredLeases: db.prepare(`SELECT id FROM jobs WHERE status = 'running' AND lease_until <= ? ORDER BY lease_until LIMIT ?`).pluck(),
    lease: db.prepare(`UPDATE jobs SET status = 'running', lease_owner = @owner, lease_until = @until, attempts = attempts + 1
      WHERE id = @id RETURNING ${JOB_COLUMNS}`),
    complete: db.prepare(`UPDATE jobs SET status = 'done', finished_at = @now, lease_owner = NULL, lease_until = NULL
      WHERE id = @id AND status = 'running' AND lease_owner = @owner`),
    retryLater: db.prepare(`UPDATE jobs SET status = 'pending', run_at = @runAt, last_error = @error, lease_owner = NULL, lease_until = NULL
      WHERE id = @id AND status = 'running' AND lease_owner = @owner`),
    fail: db.prepare(`UPDATE jobs SET status = 'failed', last_error = @error, finished_at = @now, lease_owner = NULL, lease_until = NULL
      WHERE id = @id AND status = 'running' AND lease_owner = @owner`),
    cancel: db.prepare(`UPDATE jobs SET status = 'cancelled', finished_at = @now, lease_owner = NULL, lease_until = NULL
      WHERE project_id = @project AND kind = @kind AND job_key = @key AND status IN ('pending', 'running')`),
    get: db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE project_id = ? AND id = ?`),
  };

  const enqueue = (job: JobRequest, now: number): { id: string; created: boolean } => {
    const id = randomUUID();
    if (q.insert.run(jobInsertParams(id, job, now)).changes > 0) return { id, created: true };
    return { id: q.idByKey.get(job.projectId, job.kind, job.key) as string, created: false };
  };

  const claim = db.transaction((now: number, limit: number, leaseMs: number, owner: string): Job[] => {
    const ids = q.duePending.all(now, limit) as string[];
    if (ids.length < limit) ids.push(...(q.expiredLeases.all(now, limit - ids.length) as string[]));
    return ids.map((id) => toJob(q.lease.get({ id, owner, until: now + leaseMs }) as JobRow));
  });

  return {
    queue: { enqueue },
    store: {
      async enqueue(job, now) {
        return unit(() => enqueue(job, now));
      },
      async claimDue(now, limit, leaseMs, owner) {
        return limit > 0 ? unit(() => claim(now, limit, leaseMs, owner)) : [];
      },
      async complete(id, owner, now) {
        return unit(() => q.complete.run({ id, owner, now }).changes > 0);
      },
      async retryLater(id, owner, error, runAt) {
        return unit(() => q.retryLater.run({ id, owner, error: clipError(error), runAt }).changes > 0);
      },
      async fail(id, owner, error, now) {
        return unit(() => q.fail.run({ id, owner, error: clipError(error), now }).changes > 0);
      },
      async cancel(projectId, kind, key, now) {
        return unit(() => q.cancel.run({ project: projectId, kind, key, now }).changes > 0);
      },
      async get(projectId, id) {
        const row = q.get.get(projectId, id) as JobRow | undefined;
        return row ? toJob(row) : null;
      },
    },
  };
}
