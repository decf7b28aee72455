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

/** The parts of a job (jobs/job-types.ts `Job`) the email handler reads. */
export interface EmailJob {
  projectId: string;
  key: string;
  payload: unknown;
  maxAttempts: number;
}
export type EmailJobHandler = (job: EmailJob, context: { attempt: number }) => Promise<void>;
