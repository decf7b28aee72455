/**
 * A durable job: a row with a due time that any collector may claim with a lease (DESIGN §9).
 * The shapes are shared by every module that queues work (webhooks, automations, email); the
 * runner (job-runner.ts) knows no domain, only the `kind` that picks a handler.
 */
export interface JobRequest {
  projectId: string;
  /** Which handler runs it, e.g. 'webhook.deliver', 'automation.step', 'email.send'. */
  kind: string;
  /** Idempotency key, unique per (projectId, kind): enqueueing the same key twice makes one job. */
  key: string;
  /** Epoch ms. */
  runAt: number;
  /** JSON. */
  payload: unknown;
  /** Default 8 (DEFAULT_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Job extends Required<JobRequest> {
  id: string;
  status: JobStatus;
  attempts: number;
  lastError: string | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  createdAt: number;
  finishedAt: number | null;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
