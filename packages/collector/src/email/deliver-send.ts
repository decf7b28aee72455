import type { Clock } from '../clock.js';
import type { EmailSend } from '../store/email-store.js';
import type { Store } from '../store/store.js';
import { recordEmailSent } from './email-sent-event.js';
import type { EmailQueue } from './email-queue.js';
import { SmtpRefusal, type MailTransport } from './mail-transport.js';
import { domainOf } from './message-id.js';
import { suppressionReason } from './suppression-check.js';

export interface DeliverDeps {
  store: Store;
  clock: Clock;
  transport: MailTransport;
  queue: EmailQueue;
}

const MINUTE_MS = 60_000;

/** Thrown to have the job retried later (a 4xx, a refused connection): nothing left, the send is queued again. */
export class RetryLater extends Error {}

export const INTERRUPTED_REASON =
  'interrupted: the collector stopped while handing this mail to the SMTP server; it may have been delivered, so it is not sent again (at most once)';

/**
 * Runs one send, safely any number of times (the job may run again after a crash):
 * - a send already ended (sent, suppressed, failed) does nothing, except that a sent one gets
 *   its `Email Sent` event if the crash came before it;
 * - a send found `sending` was cut off mid-way: the transport is asked whether it left (the
 *   outbox can tell exactly); SMTP cannot tell, so it is marked failed with INTERRUPTED_REASON
 *   rather than sent a second time (docs/EMAIL.md, Delivery);
 * - a queued send is checked against suppression, then the per-minute cap (over it, a later job
 *   is enqueued: delayed, never dropped), then marked `sending` (durable) and handed over.
 */
export async function deliverSend(deps: DeliverDeps, projectId: string, sendId: string, attempt: number, maxAttempts: number): Promise<void> {
  const { store, clock, transport } = deps;
  const emails = store.emails;
  let send = await emails.getSend(projectId, sendId);
  if (!send) return;
  if (send.status === 'sent') return recordEmailSent(store, send, send.sentAt ?? clock.now());
  if (send.status === 'suppressed' || send.status === 'failed') return;
  if (send.status === 'sending') {
    const delivered = await transport.wasDelivered(send);
    if (delivered === null) return emails.finish(projectId, sendId, { status: 'failed', reason: INTERRUPTED_REASON }, clock.now());
    if (delivered) return markSent(deps, send);
    await emails.requeue(projectId, sendId, 'resumed after a restart; it had not left', clock.now());
    send = (await emails.getSend(projectId, sendId))!;
  }

  const now = clock.now();
  const suppressed = await suppressionReason(store, projectId, { personId: send.personId, email: send.to }, now);
  if (suppressed) return emails.finish(projectId, sendId, { status: 'suppressed', reason: suppressed }, now);

  const { sendsPerMinute } = await emails.settings(projectId);
  const claim = await emails.claimForSending(projectId, sendId, now, { since: now - MINUTE_MS, limit: sendsPerMinute });
  if (claim === 'taken') return; // another worker has it
  if (claim === 'capped') {
    // Over the cap: a later job, when the window's oldest send turns a minute old. Delayed, never dropped.
    const started = await emails.countStartedSince(projectId, now - MINUTE_MS);
    const runAt = Math.max(now + 1, (started.oldest ?? now) + MINUTE_MS);
    await deps.queue.enqueue(projectId, sendId, runAt, `${sendId}:after:${runAt}`);
    return;
  }
  const domain = await emails.domainByName(projectId, domainOf(send.from.replace(/^.*<([^>]+)>\s*$/, '$1')));
  try {
    await transport.send(send, domain);
  } catch (error) {
    const refusal = error instanceof SmtpRefusal ? error : null;
    const message = error instanceof Error ? error.message : String(error);
    const at = clock.now();
    if (refusal?.recipient) {
      // A 5xx on the recipient: the address is invalid for good, and suppressed for every later send.
      const address = send.to.toLowerCase();
      await emails.markInvalid(projectId, address, message, at);
      await store.messages.addSuppressions(projectId, [{ type: 'email', value: address }], at);
      return emails.finish(projectId, sendId, { status: 'failed', reason: `the server refused the address: ${message}` }, at);
    }
    if (refusal?.permanent || attempt >= maxAttempts) return emails.finish(projectId, sendId, { status: 'failed', reason: message }, at);
    await emails.requeue(projectId, sendId, `attempt ${attempt} failed: ${message}`, at);
    throw new RetryLater(message);
  }
  await markSent(deps, send);
}

async function markSent(deps: DeliverDeps, send: EmailSend): Promise<void> {
  const at = deps.clock.now();
  await deps.store.emails.finish(send.projectId, send.id, { status: 'sent', reason: null }, at);
  await recordEmailSent(deps.store, send, at);
}

/**
 * At start: every send still open (queued, or sending when the process died) gets its job again.
 * The key is the send id, so a send whose job is still there gets no second one; this only
 * covers a crash between writing the row and enqueueing its job. Answers how many were looked at.
 */
export async function requeueOpenSends(deps: Pick<DeliverDeps, 'store' | 'clock' | 'queue'>): Promise<number> {
  const now = deps.clock.now();
  const open = await deps.store.emails.queuedBefore(now, 10_000);
  for (const send of open) await deps.queue.enqueue(send.projectId, send.id, now, send.id);
  return open.length;
}
