import { deliverSend, type DeliverDeps } from './deliver-send.js';
import { EMAIL_SEND_JOB, EMAIL_SEND_MAX_ATTEMPTS, type EmailJobHandler } from './email-queue.js';

/**
 * The job handlers email registers with the one runner (server.ts): `email.send` runs
 * deliver-send.ts for the send named in the payload.
 */
export function emailJobHandlers(deps: DeliverDeps): Record<string, EmailJobHandler> {
  return {
    [EMAIL_SEND_JOB]: async (job, context) => {
      const sendId = (job.payload as { sendId?: unknown } | null)?.sendId;
      if (typeof sendId !== 'string') return; // not ours to retry: a payload this code never wrote
      await deliverSend(deps, job.projectId, sendId, context.attempt, job.maxAttempts ?? EMAIL_SEND_MAX_ATTEMPTS);
    },
  };
}
