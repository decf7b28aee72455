import type { EmailSend, OutboxMail } from '../store/email-store.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const sizeOf = (base64: string) => Buffer.from(base64, 'base64').length;

/** A send as the API shows it: attachment contents are left out (they are in the outbox or gone to SMTP). */
export function publicSend(send: EmailSend) {
  return {
    id: send.id,
    status: send.status,
    reason: send.reason,
    to: send.to,
    personId: send.personId,
    from: send.from,
    replyTo: send.replyTo,
    subject: send.subject,
    transactional: send.transactional,
    templateId: send.templateId,
    idempotencyKey: send.idempotencyKey,
    messageId: send.messageId,
    rootId: send.rootId,
    parentId: send.parentId,
    attachments: send.attachments.map((a) => ({ name: a.name, type: a.type, size: sizeOf(a.content) })),
    createdAt: iso(send.createdAt),
    sentAt: iso(send.sentAt),
    updatedAt: iso(send.updatedAt),
  };
}

/** An outbox mail in a list: no bodies, no raw message. */
export function outboxSummary(mail: OutboxMail) {
  return {
    id: mail.id,
    sendId: mail.sendId,
    messageId: mail.messageId,
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    attachments: mail.attachments.map((a) => ({ name: a.name, type: a.type, size: a.size })),
    createdAt: iso(mail.createdAt),
  };
}

/** One outbox mail in full: headers, text, HTML, attachments (base64), the raw message. */
export function outboxDetail(mail: OutboxMail) {
  return { ...outboxSummary(mail), headers: mail.headers, text: mail.text, html: mail.html, attachments: mail.attachments, raw: mail.raw };
}
