import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { EmailSend, EmailStore, SendingDomain } from '../store/email-store.js';

/** How a transport answers: the SMTP server's reply, or the outbox row it wrote. */
export interface TransportResult {
  response: string;
}

/** A refusal from the SMTP server, classified: `permanent` is 5xx, `recipient` when it named the address. */
export class SmtpRefusal extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly recipient: boolean,
  ) {
    super(message);
  }
}

/**
 * Where mail goes. `smtp`: nodemailer over a pooled connection (HARK_SMTP_URL). `outbox`: nothing
 * leaves; the built message (DKIM-signed when the domain has a key) is kept in `email_outbox`.
 */
export interface MailTransport {
  kind: 'smtp' | 'outbox';
  send(send: EmailSend, domain: SendingDomain | null): Promise<TransportResult>;
  /** For a send found half-way after a crash: true/false when the transport can tell, null when it cannot (SMTP). */
  wasDelivered(send: EmailSend): Promise<boolean | null>;
  close(): void;
}

/** The nodemailer message for a send; headers the content side added go as they are. */
export function mailOptions(send: EmailSend, domain: SendingDomain | null) {
  return {
    from: send.from,
    to: send.to,
    ...(send.replyTo ? { replyTo: send.replyTo } : {}),
    subject: send.subject,
    ...(send.text !== null ? { text: send.text } : {}),
    ...(send.html !== null ? { html: send.html } : {}),
    messageId: send.messageId,
    headers: { ...send.headers, 'X-Hark-Send-Id': send.id },
    attachments: send.attachments.map((a) => ({ filename: a.name, contentType: a.type, content: Buffer.from(a.content, 'base64') })),
    ...(domain ? { dkim: { domainName: domain.domain, keySelector: domain.selector, privateKey: domain.privateKey } } : {}),
  };
}

/**
 * SMTP over one pool. `smtp://` upgrades with STARTTLS when the server offers it (add
 * `?requireTLS=true` to refuse a server that does not); `smtps://` is TLS from the first byte
 * (port 465). `?tls.rejectUnauthorized=false` accepts a self-signed certificate (testing only).
 * Timeouts stay well under the job lease so a stuck server never looks like a crash.
 */
export function createSmtpTransport(url: string, options: { pool?: boolean } = {}): MailTransport {
  const parsed = new URL(url);
  const transporter = nodemailer.createTransport({
    url,
    pool: options.pool ?? true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(parsed.searchParams.get('requireTLS') === 'true' ? { requireTLS: true } : {}),
  } as SMTPTransport.Options);
  return {
    kind: 'smtp',
    async send(send, domain) {
      try {
        const info = await transporter.sendMail(mailOptions(send, domain));
        if (info.rejected.length) throw new SmtpRefusal(`The server refused ${info.rejected.join(', ')}: ${info.response}`, true, true);
        return { response: info.response };
      } catch (error) {
        if (error instanceof SmtpRefusal) throw error;
        const { responseCode, command, code, message } = error as { responseCode?: number; command?: string; code?: string; message: string };
        const permanent = typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
        const recipient = permanent && (command === 'RCPT TO' || code === 'EENVELOPE');
        throw new SmtpRefusal(message, permanent, recipient);
      }
    },
    async wasDelivered() {
      return null;
    },
    close: () => transporter.close(),
  };
}

/** The embedded default: builds the real message and keeps it, so the console's Outbox shows it. */
export function createOutboxTransport(emails: EmailStore, clock: { now(): number }): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(send, domain) {
      const info = await builder.sendMail(mailOptions(send, domain));
      const raw = (info.message as Buffer).toString('utf8');
      const headerBlock = raw.slice(0, raw.indexOf('\n\n'));
      await emails.addToOutbox({
        projectId: send.projectId,
        sendId: send.id,
        messageId: send.messageId,
        from: send.from,
        to: send.to,
        subject: send.subject,
        headers: parseHeaders(headerBlock),
        text: send.text,
        html: send.html,
        attachments: send.attachments.map((a) => ({ ...a, size: Buffer.from(a.content, 'base64').length })),
        raw,
        createdAt: clock.now(),
      });
      return { response: 'kept in the outbox' };
    },
    async wasDelivered(send) {
      return (await emails.outboxBySend(send.projectId, send.id)) !== null;
    },
    close: () => builder.close(),
  };
}

/** The top-level headers of a message, unfolded; the last of a repeated name wins (display only). */
function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}
