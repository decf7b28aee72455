import type { Job, JobRequest } from '../jobs/job-types.js';

/**
 * The durable job table (`store.jobs`). Rows only: when to retry, what a failure means and which
 * handler runs a kind are the runner's (jobs/job-runner.ts). Every write that finishes a job
 * names the lease owner, so a runner whose lease expired (and whose job another runner took)
 * cannot overwrite the newer attempt: it gets `false`.
 */
export interface JobStore {
  /** Idempotent on (projectId, kind, key): a second enqueue returns the first job's id, `created: false`. */
  enqueue(job: JobRequest, now: number): Promise<{ id: string; created: boolean }>;
  /**
   * Due pending jobs (runAt <= now), plus running jobs whose lease expired, leased to `owner`
   * until now + leaseMs, attempts counted up by one. PostgreSQL: FOR UPDATE SKIP LOCKED.
   */
  claimDue(now: number, limit: number, leaseMs: number, owner: string): Promise<Job[]>;
  /** False: the lease was lost (another runner holds the job now, or it was cancelled). */
  complete(id: string, owner: string, now: number): Promise<boolean>;
  retryLater(id: string, owner: string, error: string, runAt: number): Promise<boolean>;
  fail(id: string, owner: string, error: string, now: number): Promise<boolean>;
  /** Cancels a pending or running job; false when there is none, or it already finished. */
  cancel(projectId: string, kind: string, key: string, now: number): Promise<boolean>;
  get(projectId: string, id: string): Promise<Job | null>;
}
