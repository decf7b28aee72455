import type { JobHandler } from '../jobs/job-runner.js';
import type { JobStore } from '../store/job-store.js';

/**
 * How a send reaches the durable jobs (kind `email.send`). The first job of a send is keyed by the
 * send id, so asking twice makes one job; a send delayed by the per-minute cap gets a later job
 * with its own key. Handlers are idempotent per send (deliver-send.ts), whatever the job.
 */
export interface EmailQueue {
  enqueue(projectId: string, sendId: string, runAt: number, key: string): Promise<void>;
}

export const EMAIL_SEND_JOB = 'email.send';
export const EMAIL_SEND_MAX_ATTEMPTS = 8;

/** The queue over `store.jobs`. */
export function jobsEmailQueue(jobs: JobStore, clock: { now(): number }): EmailQueue {
  return {
    async enqueue(projectId, sendId, runAt, key) {
      await jobs.enqueue({ projectId, kind: EMAIL_SEND_JOB, key, runAt, payload: { sendId }, maxAttempts: EMAIL_SEND_MAX_ATTEMPTS }, clock.now());
    },
  };
}

export type EmailJobHandler = JobHandler;
