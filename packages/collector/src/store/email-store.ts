import type { Page, PageQuery } from './types.js';

/** Where a send is: queued (a job will take it), sending (handed to SMTP), then one of the ends. */
export type EmailSendStatus = 'queued' | 'sending' | 'sent' | 'suppressed' | 'failed';

export interface EmailAttachment {
  name: string;
  type: string;
  /** Base64, as the API took it. */
  content: string;
}

/** One email send (table `email_sends`): the rendered mail and what happened to it. */
export interface EmailSend {
  id: string;
  projectId: string;
  idempotencyKey: string | null;
  personId: string | null;
  to: string;
  from: string;
  replyTo: string | null;
  subject: string;
  text: string | null;
  html: string | null;
  attachments: EmailAttachment[];
  /** Extra headers the content side adds (List-Unsubscribe…). */
  headers: Record<string, string>;
  transactional: boolean;
  templateId: string | null;
  /** The Message-ID header, derived from the send id before anything leaves (at most once). */
  messageId: string;
  rootId: string | null;
  parentId: string | null;
  /** The original http(s) links, by index, as tracking rewrote them (clicks redirect only to these). */
  links: string[];
  status: EmailSendStatus;
  /** Why it was suppressed or failed; null otherwise. */
  reason: string | null;
  createdAt: number;
  updatedAt: number;
  sendingAt: number | null;
  sentAt: number | null;
}

export type NewEmailSend = Omit<EmailSend, 'status' | 'reason' | 'updatedAt' | 'sendingAt' | 'sentAt'>;

/** A mail kept in the local outbox instead of going over SMTP (no HARK_SMTP_URL). */
export interface OutboxMail {
  id: string;
  projectId: string;
  sendId: string;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
  attachments: (EmailAttachment & { size: number })[];
  /** The whole RFC 5322 message, DKIM signature included when the domain is verified. */
  raw: string;
  createdAt: number;
}

export interface DomainCheck {
  record: 'dkim' | 'spf' | 'returnPath';
  ok: boolean;
  found: string[];
}

/** A sending domain with its DKIM key (the private key never leaves the store through the API). */
export interface SendingDomain {
  id: string;
  projectId: string;
  domain: string;
  selector: string;
  publicKey: string;
  privateKey: string;
  verified: boolean;
  checks: DomainCheck[];
  checkedAt: number | null;
  verifiedAt: number | null;
  createdAt: number;
}

export interface EmailSettings {
  /** Sends started per minute in the project; more wait for the next minute (never dropped). */
  sendsPerMinute: number;
  /** The From of mail automations send (an email step names only its template); null until set. */
  defaultFrom: string | null;
}

/**
 * Email rows (issue 13): sends, the outbox, sending domains, invalid addresses, settings.
 * Rows only: what a status change means is decided in email/.
 */
export interface EmailStore {
  /** Inserts the send, or answers the one already made with the same idempotency key. */
  createSend(send: NewEmailSend): Promise<{ send: EmailSend; created: boolean }>;
  getSend(projectId: string, id: string): Promise<EmailSend | null>;
  sendByIdempotencyKey(projectId: string, key: string): Promise<EmailSend | null>;
  /** Queued sends created before `before`: after a crash some may have no job yet. */
  queuedBefore(before: number, limit: number): Promise<EmailSend[]>;
  /** Newest first. */
  listSends(projectId: string, query: PageQuery & { personId?: string }): Promise<Page<EmailSend>>;
  /**
   * queued → sending, only if still queued (the one writer that wins sends) and, with `cap`,
   * only while fewer than `cap.limit` sends started since `cap.since`: check and claim are one
   * statement, so concurrent workers cannot both take the last slot.
   */
  claimForSending(projectId: string, id: string, now: number, cap?: { since: number; limit: number }): Promise<'claimed' | 'capped' | 'taken'>;
  /** sending → queued again, after a failure where nothing left (a retry will send it). */
  requeue(projectId: string, id: string, reason: string, now: number): Promise<void>;
  finish(projectId: string, id: string, end: { status: 'sent' | 'suppressed' | 'failed'; reason: string | null }, now: number): Promise<void>;
  /** The messageId of the send's `Email Sent` event, once written (tracking chains to it). */
  setSentEvent(projectId: string, id: string, eventId: string): Promise<void>;
  /** Sends that started (went to SMTP or the outbox) since `since`: when the cap frees up. */
  countStartedSince(projectId: string, since: number): Promise<{ count: number; oldest: number | null }>;

  addToOutbox(mail: Omit<OutboxMail, 'id'>): Promise<OutboxMail>;
  /** The outbox copy of a send (checks a send found mid-way after a crash). */
  outboxBySend(projectId: string, sendId: string): Promise<OutboxMail | null>;
  getOutbox(projectId: string, id: string): Promise<OutboxMail | null>;
  listOutbox(projectId: string, query: PageQuery): Promise<Page<OutboxMail>>;

  addDomain(domain: Omit<SendingDomain, 'verified' | 'checks' | 'checkedAt' | 'verifiedAt'>): Promise<SendingDomain | null>;
  getDomain(projectId: string, id: string): Promise<SendingDomain | null>;
  domainByName(projectId: string, domain: string): Promise<SendingDomain | null>;
  listDomains(projectId: string): Promise<SendingDomain[]>;
  saveDomainChecks(projectId: string, id: string, checks: DomainCheck[], verified: boolean, now: number): Promise<SendingDomain | null>;
  removeDomain(projectId: string, id: string): Promise<boolean>;

  /** An address the SMTP server refused for good (5xx). */
  markInvalid(projectId: string, email: string, reason: string, now: number): Promise<void>;
  invalidReason(projectId: string, email: string): Promise<string | null>;

  settings(projectId: string): Promise<EmailSettings>;
  updateSettings(projectId: string, patch: Partial<EmailSettings>): Promise<EmailSettings>;
}

export const DEFAULT_EMAIL_SETTINGS: EmailSettings = { sendsPerMinute: 600, defaultFrom: null };
