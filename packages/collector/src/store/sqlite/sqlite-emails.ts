import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { cursorKey, toPage } from '../cursor.js';
import { DEFAULT_EMAIL_SETTINGS, type EmailStore } from '../email-store.js';
import { OUTBOX_INSERT, outboxParams, SEND_INSERT_COLUMNS, SEND_INSERT_VALUES, sendParams, toDomain, toOutbox, toSend, toSettings, type DomainRow, type OutboxRow, type SendRow, type SettingsRow } from '../email-rows.js';

/**
 * Email rows on SQLite (tables email_*, the email migration). Each write is its own statement,
 * committed (and fsynced under synchronous FULL) before it returns: a send's `sending` mark is
 * durable before the mail is handed to SMTP.
 */
export function createSqliteEmails(db: Database): EmailStore {
  const q = {
    insertSend: db.prepare(`INSERT INTO email_sends (${SEND_INSERT_COLUMNS}) VALUES (${SEND_INSERT_VALUES}) ON CONFLICT DO NOTHING`),
    send: db.prepare('SELECT * FROM email_sends WHERE project_id = ? AND id = ?'),
    byKey: db.prepare('SELECT * FROM email_sends WHERE project_id = ? AND idempotency_key = ?'),
    sends: db.prepare(`SELECT * FROM email_sends WHERE project_id = @project AND (@person IS NULL OR person_id = @person)
        AND (@beforeAt IS NULL OR created_at < @beforeAt OR (created_at = @beforeAt AND id < @beforeId))
      ORDER BY created_at DESC, id DESC LIMIT @limit`),
    queuedBefore: db.prepare("SELECT * FROM email_sends WHERE status IN ('queued', 'sending') AND created_at < ? ORDER BY created_at LIMIT ?"),
    claim: db.prepare(`UPDATE email_sends SET status = 'sending', sending_at = @now, updated_at = @now
      WHERE project_id = @project AND id = @id AND status = 'queued'
        AND (@limit IS NULL OR (SELECT count(*) FROM email_sends WHERE project_id = @project AND sending_at >= @since
          AND status IN ('sending', 'sent', 'failed')) < @limit)`),
    status: db.prepare('SELECT status FROM email_sends WHERE project_id = ? AND id = ?').pluck(),
    requeue: db.prepare("UPDATE email_sends SET status = 'queued', reason = ?, sending_at = NULL, updated_at = ? WHERE project_id = ? AND id = ? AND status = 'sending'"),
    sentEvent: db.prepare('UPDATE email_sends SET sent_event_id = ? WHERE project_id = ? AND id = ?'),
    finish: db.prepare(`UPDATE email_sends SET status = @status, reason = @reason, updated_at = @now,
        sent_at = CASE WHEN @status = 'sent' THEN @now ELSE sent_at END WHERE project_id = @project AND id = @id`),
    started: db.prepare(`SELECT count(*) AS count, min(sending_at) AS oldest FROM email_sends
      WHERE project_id = ? AND sending_at >= ? AND status IN ('sending', 'sent', 'failed')`),
    insertOutbox: db.prepare(OUTBOX_INSERT),
    outboxBySend: db.prepare('SELECT * FROM email_outbox WHERE project_id = ? AND send_id = ?'),
    outbox: db.prepare('SELECT * FROM email_outbox WHERE project_id = ? AND id = ?'),
    outboxPage: db.prepare(`SELECT * FROM email_outbox WHERE project_id = @project
        AND (@beforeAt IS NULL OR created_at < @beforeAt OR (created_at = @beforeAt AND id < @beforeId))
      ORDER BY created_at DESC, id DESC LIMIT @limit`),
    insertDomain: db.prepare(`INSERT INTO email_domains (project_id, id, domain, selector, public_key, private_key, created_at)
      VALUES (@projectId, @id, @domain, @selector, @publicKey, @privateKey, @createdAt) ON CONFLICT DO NOTHING`),
    domain: db.prepare('SELECT * FROM email_domains WHERE project_id = ? AND id = ?'),
    domainByName: db.prepare('SELECT * FROM email_domains WHERE project_id = ? AND domain = ?'),
    domains: db.prepare('SELECT * FROM email_domains WHERE project_id = ? ORDER BY domain'),
    checks: db.prepare(`UPDATE email_domains SET checks = @checks, checked_at = @now, verified = @verified,
        verified_at = CASE WHEN @verified = 1 THEN coalesce(verified_at, @now) ELSE NULL END WHERE project_id = @project AND id = @id`),
    removeDomain: db.prepare('DELETE FROM email_domains WHERE project_id = ? AND id = ?'),
    invalid: db.prepare('INSERT INTO email_invalid_addresses (project_id, email, reason, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    invalidReason: db.prepare('SELECT reason FROM email_invalid_addresses WHERE project_id = ? AND email = ?').pluck(),
    settings: db.prepare('SELECT sends_per_minute, default_from FROM email_settings WHERE project_id = ?'),
    saveSettings: db.prepare(`INSERT INTO email_settings (project_id, sends_per_minute, default_from) VALUES (?, ?, ?)
      ON CONFLICT (project_id) DO UPDATE SET sends_per_minute = excluded.sends_per_minute, default_from = excluded.default_from`),
  };
  const getSend = (projectId: string, id: string) => {
    const row = q.send.get(projectId, id) as SendRow | undefined;
    return row ? toSend(row) : null;
  };
  const getDomain = (projectId: string, id: string) => {
    const row = q.domain.get(projectId, id) as DomainRow | undefined;
    return row ? toDomain(row) : null;
  };
  const settings = (projectId: string) => {
    const row = q.settings.get(projectId) as SettingsRow | undefined;
    return row ? toSettings(row) : { ...DEFAULT_EMAIL_SETTINGS };
  };

  return {
    async createSend(send) {
      const inserted = q.insertSend.run(sendParams(send)).changes;
      if (inserted === 1) return { send: getSend(send.projectId, send.id)!, created: true };
      // The only conflicts are the id (a repeat of this very send) and the idempotency key.
      const row = (send.idempotencyKey ? q.byKey.get(send.projectId, send.idempotencyKey) : q.send.get(send.projectId, send.id)) as SendRow | undefined;
      return { send: toSend(row!), created: false };
    },
    async getSend(projectId, id) {
      return getSend(projectId, id);
    },
    async sendByIdempotencyKey(projectId, key) {
      const row = q.byKey.get(projectId, key) as SendRow | undefined;
      return row ? toSend(row) : null;
    },
    async queuedBefore(before, limit) {
      return (q.queuedBefore.all(before, limit) as SendRow[]).map(toSend);
    },
    async listSends(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const rows = q.sends.all({ project: projectId, person: query.personId ?? null, beforeAt, beforeId, limit: query.limit + 1 }) as SendRow[];
      return toPage(rows, query.limit, toSend, (row) => [row.created_at, row.id]);
    },
    async claimForSending(projectId, id, now, cap) {
      if (q.claim.run({ now, project: projectId, id, since: cap?.since ?? null, limit: cap?.limit ?? null }).changes === 1) return 'claimed';
      return q.status.get(projectId, id) === 'queued' ? 'capped' : 'taken';
    },
    async requeue(projectId, id, reason, now) {
      q.requeue.run(reason, now, projectId, id);
    },
    async finish(projectId, id, end, now) {
      q.finish.run({ project: projectId, id, status: end.status, reason: end.reason, now });
    },
    async setSentEvent(projectId, id, eventId) {
      q.sentEvent.run(eventId, projectId, id);
    },
    async countStartedSince(projectId, since) {
      const row = q.started.get(projectId, since) as { count: number; oldest: number | null };
      return { count: row.count, oldest: row.oldest };
    },
    async addToOutbox(mail) {
      const id = randomUUID();
      q.insertOutbox.run(outboxParams({ ...mail, id }));
      return { ...mail, id };
    },
    async outboxBySend(projectId, sendId) {
      const row = q.outboxBySend.get(projectId, sendId) as OutboxRow | undefined;
      return row ? toOutbox(row) : null;
    },
    async getOutbox(projectId, id) {
      const row = q.outbox.get(projectId, id) as OutboxRow | undefined;
      return row ? toOutbox(row) : null;
    },
    async listOutbox(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const rows = q.outboxPage.all({ project: projectId, beforeAt, beforeId, limit: query.limit + 1 }) as OutboxRow[];
      return toPage(rows, query.limit, toOutbox, (row) => [row.created_at, row.id]);
    },
    async addDomain(domain) {
      if (q.insertDomain.run(domain).changes === 0) return null;
      return getDomain(domain.projectId, domain.id);
    },
    async getDomain(projectId, id) {
      return getDomain(projectId, id);
    },
    async domainByName(projectId, domain) {
      const row = q.domainByName.get(projectId, domain) as DomainRow | undefined;
      return row ? toDomain(row) : null;
    },
    async listDomains(projectId) {
      return (q.domains.all(projectId) as DomainRow[]).map(toDomain);
    },
    async saveDomainChecks(projectId, id, checks, verified, now) {
      q.checks.run({ project: projectId, id, checks: JSON.stringify(checks), verified: verified ? 1 : 0, now });
      return getDomain(projectId, id);
    },
    async removeDomain(projectId, id) {
      return q.removeDomain.run(projectId, id).changes > 0;
    },
    async markInvalid(projectId, email, reason, now) {
      q.invalid.run(projectId, email, reason, now);
    },
    async invalidReason(projectId, email) {
      return (q.invalidReason.get(projectId, email) as string | undefined) ?? null;
    },
    async settings(projectId) {
      return settings(projectId);
    },
    async updateSettings(projectId, patch) {
      const next = { ...settings(projectId), ...patch };
      q.saveSettings.run(projectId, next.sendsPerMinute, next.defaultFrom);
      return next;
    },
  };
}
