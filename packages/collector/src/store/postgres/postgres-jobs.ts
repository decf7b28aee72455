import { randomUUID } from 'node:crypto';
import type { JobRequest } from '../../jobs/job-types.js';
import type { JobStore } from '../job-store.js';
import { clipError, JOB_COLUMNS, jobInsertParams, toJob, type JobRow } from '../job-rows.js';
import type { JobQueue } from '../ports.js';
import { changes, one, rows, type Queryable } from './postgres-sql.js';

const INSERT = `INSERT INTO jobs (id, project_id, kind, job_key, status, run_at, payload, attempts, max_attempts, created_at)
  VALUES (@id, @project, @kind, @key, 'pending', @runAt, @payload, 0, @maxAttempts, @now)
  ON CONFLICT (project_id, kind, job_key) DO NOTHING RETURNING id`;

/**
 * Leases what is due in one statement. `FOR UPDATE SKIP LOCKED` lets collectors claiming at the
 * same moment each take different rows instead of queueing behind one another; a row locked by
 * another claim is skipped, and on a row it locks PostgreSQL re-checks the WHERE against the
 * newest version, so a job another collector just leased is never leased twice.
 */
const claimSql = (which: 'pending' | 'expired'): string => `WITH due AS (
    SELECT id FROM jobs
    WHERE ${which === 'pending' ? `status = 'pending' AND run_at <= @now` : `status = 'running' AND lease_until <= @now`}
    ORDER BY ${which === 'pending' ? 'run_at' : 'lease_until'} LIMIT @limit
    FOR UPDATE SKIP LOCKED)
  UPDATE jobs SET status = 'running', lease_owner = @owner, lease_until = @until, attempts = jobs.attempts + 1
  FROM due WHERE jobs.id = due.id RETURNING ${JOB_COLUMNS.split(', ').map((column) => `jobs.${column}`).join(', ')}`;
const CLAIM_PENDING = claimSql('pending');
const CLAIM_EXPIRED = claimSql('expired');

/** The insert of `enqueue`, on the pool or on the ingest transaction's client (`tx.jobs`). */
async function enqueueOn(db: Queryable, job: JobRequest, now: number): Promise<{ id: string; created: boolean }> {
  const id = randomUUID();
  if (await one(db, INSERT, jobInsertParams(id, job, now))) return { id, created: true };
  const existing = await one<{ id: string }>(db, 'SELECT id FROM jobs WHERE project_id = @project AND kind = @kind AND job_key = @key', { project: job.projectId, kind: job.kind, key: job.key });
  return { id: existing!.id, created: false };
}

export const createPostgresJobQueue = (client: Queryable): JobQueue => ({ enqueue: (job, now) => enqueueOn(client, job, now) });

/** The job table on PostgreSQL: the statements of sqlite-jobs.ts, with claims safe across collectors. */
export function createPostgresJobs(pool: Queryable): JobStore {
  return {
    enqueue: (job, now) => enqueueOn(pool, job, now),
    async claimDue(now, limit, leaseMs, owner) {
      if (limit <= 0) return [];
      const params = { now, limit, owner, until: now + leaseMs };
      const claimed = await rows<JobRow>(pool, CLAIM_PENDING, params);
      if (claimed.length < limit) claimed.push(...(await rows<JobRow>(pool, CLAIM_EXPIRED, { ...params, limit: limit - claimed.length })));
      return claimed.map(toJob).sort((a, b) => a.runAt - b.runAt);
    },
    async complete(id, owner, now) {
      return (await changes(pool, `UPDATE jobs SET status = 'done', finished_at = @now, lease_owner = NULL, lease_until = NULL
        WHERE id = @id AND status = 'running' AND lease_owner = @owner`, { id, owner, now })) > 0;
    },
    async retryLater(id, owner, error, runAt) {
      return (await changes(pool, `UPDATE jobs SET status = 'pending', run_at = @runAt, last_error = @error, lease_owner = NULL, lease_until = NULL
        WHERE id = @id AND status = 'running' AND lease_owner = @owner`, { id, owner, error: clipError(error), runAt })) > 0;
    },
    async fail(id, owner, error, now) {
      return (await changes(pool, `UPDATE jobs SET status = 'failed', last_error = @error, finished_at = @now, lease_owner = NULL, lease_until = NULL
        WHERE id = @id AND status = 'running' AND lease_owner = @owner`, { id, owner, error: clipError(error), now })) > 0;
    },
    async cancel(projectId, kind, key, now) {
      return (await changes(pool, `UPDATE jobs SET status = 'cancelled', finished_at = @now, lease_owner = NULL, lease_until = NULL
        WHERE project_id = @project AND kind = @kind AND job_key = @key AND status IN ('pending', 'running')`, { project: projectId, kind, key, now })) > 0;
    },
    async get(projectId, id) {
      const row = await one<JobRow>(pool, `SELECT ${JOB_COLUMNS} FROM jobs WHERE project_id = @project AND id = @id`, { project: projectId, id });
      return row ? toJob(row) : null;
    },
  };
}
