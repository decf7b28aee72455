import { DEFAULT_MAX_ATTEMPTS, type Job, type JobRequest, type JobStatus } from '../jobs/job-types.js';

/** A `jobs` row as both stores read it (times in epoch ms, payload as JSON text). */
export interface JobRow {
  id: string;
  project_id: string;
  kind: string;
  job_key: string;
  status: JobStatus;
  run_at: number;
  payload: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  finished_at: number | null;
}

export const JOB_COLUMNS = 'id, project_id, kind, job_key, status, run_at, payload, attempts, max_attempts, last_error, lease_owner, lease_until, created_at, finished_at';

export const toJob = (row: JobRow): Job => ({
  id: row.id,
  projectId: row.project_id,
  kind: row.kind,
  key: row.job_key,
  status: row.status,
  runAt: row.run_at,
  payload: JSON.parse(row.payload) as unknown,
  maxAttempts: row.max_attempts,
  attempts: row.attempts,
  lastError: row.last_error,
  leaseOwner: row.lease_owner,
  leaseUntil: row.lease_until,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

/** The named parameters of an insert, the same in both stores. */
export const jobInsertParams = (id: string, job: JobRequest, now: number): Record<string, unknown> => ({
  id,
  project: job.projectId,
  kind: job.kind,
  key: job.key,
  runAt: job.runAt,
  // undefined (no payload) is stored as null, so a row always holds valid JSON.
  payload: JSON.stringify(job.payload ?? null),
  maxAttempts: Math.max(1, Math.floor(job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)),
  now,
});

/** Errors are kept to this many characters (a stack or a response body must not bloat the row). */
export const MAX_ERROR_LENGTH = 2_000;
export const clipError = (error: string): string => (error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error);
