import type { EmailSendFacts } from '../email/send-lookup.js';
import type { EmailSend, EmailSettings, NewEmailSend, OutboxMail, SendingDomain } from './email-store.js';

/**
 * The email tables' rows as both stores read and write them (the same columns on SQLite and
 * PostgreSQL: JSON kept as TEXT, flags as 0/1 integers, times as epoch ms), so sqlite-emails.ts
 * and postgres-emails.ts differ only in how they run their statements.
 */
export interface SendRow {
  project_id: string;
  id: string;
  idempotency_key: string | null;
  person_id: string | null;
  to_email: string;
  from_address: string;
  reply_to: string | null;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  attachments: string;
  headers: string;
  transactional: number;
  template_id: string | null;
  message_id: string;
  root_id: string | null;
  parent_id: string | null;
  status: EmailSend['status'];
  reason: string | null;
  created_at: number;
  updated_at: number;
  sending_at: number | null;
  sent_at: number | null;
  links_json: string | null;
}

export const SEND_INSERT_COLUMNS = `project_id, id, idempotency_key, person_id, to_email, from_address, reply_to, subject,
  text_body, html_body, attachments, headers, transactional, template_id, message_id, root_id, parent_id, links_json, status, created_at, updated_at`;
export const SEND_INSERT_VALUES = `@projectId, @id, @idempotencyKey, @personId, @to, @from, @replyTo, @subject, @text, @html, @attachments, @headers, @transactional,
  @templateId, @messageId, @rootId, @parentId, @links, 'queued', @createdAt, @createdAt`;

/** A new send as the insert binds it (`SEND_INSERT_VALUES`). */
export const sendParams = (send: NewEmailSend): Record<string, unknown> => ({
  ...send,
  attachments: JSON.stringify(send.attachments),
  headers: JSON.stringify(send.headers),
  transactional: send.transactional ? 1 : 0,
  links: JSON.stringify(send.links),
});

export const toSend = (row: SendRow): EmailSend => ({
  id: row.id,
  projectId: row.project_id,
  idempotencyKey: row.idempotency_key,
  personId: row.person_id,
  to: row.to_email,
  from: row.from_address,
  replyTo: row.reply_to,
  subject: row.subject,
  text: row.text_body,
  html: row.html_body,
  attachments: JSON.parse(row.attachments) as EmailSend['attachments'],
  headers: JSON.parse(row.headers) as Record<string, string>,
  transactional: row.transactional === 1,
  templateId: row.template_id,
  messageId: row.message_id,
  rootId: row.root_id,
  parentId: row.parent_id,
  status: row.status,
  reason: row.reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  sendingAt: row.sending_at,
  sentAt: row.sent_at,
  links: row.links_json ? (JSON.parse(row.links_json) as string[]) : [],
});

export interface OutboxRow {
  project_id: string;
  id: string;
  send_id: string;
  message_id: string;
  from_address: string;
  to_address: string;
  subject: string;
  headers: string;
  text_body: string | null;
  html_body: string | null;
  attachments: string;
  raw: string;
  created_at: number;
}

export const OUTBOX_INSERT = `INSERT INTO email_outbox (project_id, id, send_id, message_id, from_address, to_address, subject, headers, text_body, html_body, attachments, raw, created_at)
  VALUES (@projectId, @id, @sendId, @messageId, @from, @to, @subject, @headers, @text, @html, @attachments, @raw, @createdAt)`;

export const outboxParams = (mail: OutboxMail): Record<string, unknown> => ({ ...mail, headers: JSON.stringify(mail.headers), attachments: JSON.stringify(mail.attachments) });

export const toOutbox = (row: OutboxRow): OutboxMail => ({
  id: row.id,
  projectId: row.project_id,
  sendId: row.send_id,
  messageId: row.message_id,
  from: row.from_address,
  to: row.to_address,
  subject: row.subject,
  headers: JSON.parse(row.headers) as Record<string, string>,
  text: row.text_body,
  html: row.html_body,
  attachments: JSON.parse(row.attachments) as OutboxMail['attachments'],
  raw: row.raw,
  createdAt: row.created_at,
});

export interface DomainRow {
  project_id: string;
  id: string;
  domain: string;
  selector: string;
  public_key: string;
  private_key: string;
  verified: number;
  checks: string;
  checked_at: number | null;
  verified_at: number | null;
  created_at: number;
}

export const toDomain = (row: DomainRow): SendingDomain => ({
  id: row.id,
  projectId: row.project_id,
  domain: row.domain,
  selector: row.selector,
  publicKey: row.public_key,
  privateKey: row.private_key,
  verified: row.verified === 1,
  checks: JSON.parse(row.checks) as SendingDomain['checks'],
  checkedAt: row.checked_at,
  verifiedAt: row.verified_at,
  createdAt: row.created_at,
});

export interface SettingsRow {
  sends_per_minute: number;
  default_from: string | null;
}

export const toSettings = (row: SettingsRow): EmailSettings => ({ sendsPerMinute: row.sends_per_minute, defaultFrom: row.default_from });

/** What tracking reads of a send (email/send-lookup.ts). */
export interface SendFactsRow {
  project_id: string;
  person_id: string | null;
  sent_event_id: string | null;
  links_json: string | null;
  to_email: string | null;
  template_id: string | null;
  root_id: string | null;
}

export const toSendFacts = (row: SendFactsRow): EmailSendFacts => ({
  projectId: row.project_id,
  personId: row.person_id,
  sentEventId: row.sent_event_id,
  links: parseLinks(row.links_json),
  toEmail: row.to_email,
  templateId: row.template_id,
  rootId: row.root_id,
});

/** Links as tracking wrote them; anything else (a row another writer made) reads as none rather than failing a click. */
function parseLinks(json: string | null): string[] {
  if (!json) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((link): link is string => typeof link === 'string') : [];
  } catch {
    return [];
  }
}
