import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { cursorKey, toPage } from '../cursor.js';
import { DEFAULT_EMAIL_SETTINGS, type EmailStore } from '../email-store.js';
import { OUTBOX_INSERT, outboxParams, SEND_INSERT_COLUMNS, SEND_INSERT_VALUES, sendParams, toDomain, toOutbox, toSend, toSettings, type DomainRow, type OutboxRow, type SendRow, type SettingsRow } from '../email-rows.js';
import { changes, inTransaction, one, rows } from './postgres-sql.js';

/**
 * The advisory lock a capped claim holds for its project (see claimForSending): the first 8 bytes
 * of SHA-256 over a purpose prefix and the project id, as a signed 64-bit integer. The prefix
 * keeps it apart from the identity locks (postgres-rows.ts), which hash project, type and value.
 */
const sendCapLockKey = (projectId: string): string => createHash('sha256').update(`email-send-cap\u0000${projectId}`).digest().readBigInt64BE(0).toString();

/** Counted against the cap: sends that went (or are going) to SMTP or the outbox. */
const STARTED = "status IN ('sending', 'sent', 'failed')";

/**
 * Email rows on PostgreSQL: the statements of sqlite-emails.ts, in the same order, with the row
 * mappers both stores share (email-rows.ts). Parameters that may be null are cast, as PostgreSQL
 * must know a parameter's type where SQLite does not ask. Each write is its own autocommitted
 * statement, flushed before it returns (synchronous_commit = on): a send's `sending` mark is
 * durable before the mail is handed over, as on SQLite.
 */
export function createPostgresEmails(pool: pg.Pool): EmailStore {
  const sendById = async (projectId: string, id: string) => {
    const row = await one<SendRow>(pool, 'SELECT * FROM email_sends WHERE project_id = @project AND id = @id', { project: projectId, id });
    return row ? toSend(row) : null;
  };
  const sendByKey = async (projectId: string, key: string) => {
    const row = await one<SendRow>(pool, 'SELECT * FROM email_sends WHERE project_id = @project AND idempotency_key = @key', { project: projectId, key });
    return row ? toSend(row) : null;
  };
  const domainById = async (projectId: string, id: string) => {
    const row = await one<DomainRow>(pool, 'SELECT * FROM email_domains WHERE project_id = @project AND id = @id', { project: projectId, id });
    return row ? toDomain(row) : null;
  };
  const settings = async (projectId: string) => {
    const row = await one<SettingsRow>(pool, 'SELECT sends_per_minute, default_from FROM email_settings WHERE project_id = @project', { project: projectId });
    return row ? toSettings(row) : { ...DEFAULT_EMAIL_SETTINGS };
  };
  const status = async (projectId: string, id: string) =>
    (await one<{ status: string }>(pool, 'SELECT status FROM email_sends WHERE project_id = @project AND id = @id', { project: projectId, id }))?.status;

  const CLAIM = `UPDATE email_sends SET status = 'sending', sending_at = @now, updated_at = @now
    WHERE project_id = @project AND id = @id AND status = 'queued'`;

  return {
    async createSend(send) {
      // ON CONFLICT DO NOTHING with no target covers the id and the partial idempotency index; a
      // concurrent insert of the same key waits for the first to commit, then inserts nothing.
      const inserted = await changes(pool, `INSERT INTO email_sends (${SEND_INSERT_COLUMNS}) VALUES (${SEND_INSERT_VALUES}) ON CONFLICT DO NOTHING`, sendParams(send));
      if (inserted === 1) return { send: (await sendById(send.projectId, send.id))!, created: true };
      const existing = send.idempotencyKey ? await sendByKey(send.projectId, send.idempotencyKey) : await sendById(send.projectId, send.id);
      return { send: existing!, created: false };
    },
    getSend: sendById,
    sendByIdempotencyKey: sendByKey,
    async queuedBefore(before, limit) {
      return (await rows<SendRow>(pool, "SELECT * FROM email_sends WHERE status IN ('queued', 'sending') AND created_at < @before ORDER BY created_at LIMIT @limit", { before, limit })).map(toSend);
    },
    async listSends(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const found = await rows<SendRow>(pool, `SELECT * FROM email_sends WHERE project_id = @project AND (@person::text IS NULL OR person_id = @person)
          AND (@beforeAt::bigint IS NULL OR created_at < @beforeAt OR (created_at = @beforeAt AND id < @beforeId::text))
        ORDER BY created_at DESC, id DESC LIMIT @limit`, { project: projectId, person: query.personId ?? null, beforeAt, beforeId, limit: query.limit + 1 });
      return toPage(found, query.limit, toSend, (row) => [row.created_at, row.id]);
    },
    async claimForSending(projectId, id, now, cap) {
      // Without a cap, the UPDATE alone decides: two claims of one send queue on its row lock, and
      // the second re-reads the row (READ COMMITTED), finds it 'sending' and changes nothing.
      if (!cap) {
        if ((await changes(pool, CLAIM, { now, project: projectId, id })) === 1) return 'claimed';
        return (await status(projectId, id)) === 'queued' ? 'capped' : 'taken';
      }
      // With a cap, one UPDATE … AND (SELECT count(*) …) < limit is not enough here, as it is on
      // SQLite's single writer: two collectors claiming *different* sends lock different rows, each
      // counts on its own snapshot, and both take the last slot. So a capped claim first takes a
      // per-project advisory lock, held until COMMIT; the claim statement that follows starts its
      // snapshot after the lock is granted (READ COMMITTED takes one per statement), so it counts
      // every claim committed before it. Capped claims of one project run one at a time; claims
      // of other projects, and everything else, do not wait.
      return inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [sendCapLockKey(projectId)]);
        const claimed = await changes(client, `${CLAIM}
          AND (SELECT count(*) FROM email_sends WHERE project_id = @project AND sending_at >= @since AND ${STARTED}) < @limit`, { now, project: projectId, id, since: cap.since, limit: cap.limit });
        if (claimed === 1) return 'claimed';
        const found = await one<{ status: string }>(client, 'SELECT status FROM email_sends WHERE project_id = @project AND id = @id', { project: projectId, id });
        return found?.status === 'queued' ? 'capped' : 'taken';
      });
    },
    async requeue(projectId, id, reason, now) {
      await changes(pool, "UPDATE email_sends SET status = 'queued', reason = @reason, sending_at = NULL, updated_at = @now WHERE project_id = @project AND id = @id AND status = 'sending'", { reason, now, project: projectId, id });
    },
    async finish(projectId, id, end, now) {
      await changes(pool, `UPDATE email_sends SET status = @status, reason = @reason, updated_at = @now,
          sent_at = CASE WHEN @status::text = 'sent' THEN @now ELSE sent_at END WHERE project_id = @project AND id = @id`, { project: projectId, id, status: end.status, reason: end.reason, now });
    },
    async setSentEvent(projectId, id, eventId) {
      await changes(pool, 'UPDATE email_sends SET sent_event_id = @eventId WHERE project_id = @project AND id = @id', { eventId, project: projectId, id });
    },
    async countStartedSince(projectId, since) {
      const row = await one<{ count: number; oldest: number | null }>(pool, `SELECT count(*) AS count, min(sending_at) AS oldest FROM email_sends
        WHERE project_id = @project AND sending_at >= @since AND ${STARTED}`, { project: projectId, since });
      return { count: row!.count, oldest: row!.oldest };
    },
    async addToOutbox(mail) {
      const id = randomUUID();
      await changes(pool, OUTBOX_INSERT, outboxParams({ ...mail, id }));
      return { ...mail, id };
    },
    async outboxBySend(projectId, sendId) {
      const row = await one<OutboxRow>(pool, 'SELECT * FROM email_outbox WHERE project_id = @project AND send_id = @sendId', { project: projectId, sendId });
      return row ? toOutbox(row) : null;
    },
    async getOutbox(projectId, id) {
      const row = await one<OutboxRow>(pool, 'SELECT * FROM email_outbox WHERE project_id = @project AND id = @id', { project: projectId, id });
      return row ? toOutbox(row) : null;
    },
    async listOutbox(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const found = await rows<OutboxRow>(pool, `SELECT * FROM email_outbox WHERE project_id = @project
          AND (@beforeAt::bigint IS NULL OR created_at < @beforeAt OR (created_at = @beforeAt AND id < @beforeId::text))
        ORDER BY created_at DESC, id DESC LIMIT @limit`, { project: projectId, beforeAt, beforeId, limit: query.limit + 1 });
      return toPage(found, query.limit, toOutbox, (row) => [row.created_at, row.id]);
    },
    async addDomain(domain) {
      const inserted = await changes(pool, `INSERT INTO email_domains (project_id, id, domain, selector, public_key, private_key, created_at)
        VALUES (@projectId, @id, @domain, @selector, @publicKey, @privateKey, @createdAt) ON CONFLICT DO NOTHING`, domain);
      return inserted === 0 ? null : domainById(domain.projectId, domain.id);
    },
    getDomain: domainById,
    async domainByName(projectId, domain) {
      const row = await one<DomainRow>(pool, 'SELECT * FROM email_domains WHERE project_id = @project AND domain = @domain', { project: projectId, domain });
      return row ? toDomain(row) : null;
    },
    async listDomains(projectId) {
      return (await rows<DomainRow>(pool, 'SELECT * FROM email_domains WHERE project_id = @project ORDER BY domain', { project: projectId })).map(toDomain);
    },
    async saveDomainChecks(projectId, id, checks, verified, now) {
      await changes(pool, `UPDATE email_domains SET checks = @checks, checked_at = @now, verified = @verified,
          verified_at = CASE WHEN @verified::integer = 1 THEN coalesce(verified_at, @now) ELSE NULL END WHERE project_id = @project AND id = @id`, {
        project: projectId, id, checks: JSON.stringify(checks), verified: verified ? 1 : 0, now,
      });
      return domainById(projectId, id);
    },
    async removeDomain(projectId, id) {
      return (await changes(pool, 'DELETE FROM email_domains WHERE project_id = @project AND id = @id', { project: projectId, id })) > 0;
    },
    async markInvalid(projectId, email, reason, now) {
      await changes(pool, 'INSERT INTO email_invalid_addresses (project_id, email, reason, created_at) VALUES (@project, @email, @reason, @now) ON CONFLICT DO NOTHING', { project: projectId, email, reason, now });
    },
    async invalidReason(projectId, email) {
      return (await one<{ reason: string }>(pool, 'SELECT reason FROM email_invalid_addresses WHERE project_id = @project AND email = @email', { project: projectId, email }))?.reason ?? null;
    },
    settings,
    async updateSettings(projectId, patch) {
      // Read, merge and write in one statement, so two collectors patching different fields at
      // once both keep their change (SQLite's single writer gives the read-then-write that for free).
      const row = await one<SettingsRow>(pool, `INSERT INTO email_settings (project_id, sends_per_minute, default_from)
          VALUES (@project, coalesce(@sendsPerMinute::integer, @defaultSends::integer), CASE WHEN @setFrom::boolean THEN @defaultFrom::text ELSE NULL END)
        ON CONFLICT (project_id) DO UPDATE SET
          sends_per_minute = coalesce(@sendsPerMinute::integer, email_settings.sends_per_minute),
          default_from = CASE WHEN @setFrom::boolean THEN @defaultFrom::text ELSE email_settings.default_from END
        RETURNING sends_per_minute, default_from`, {
        project: projectId,
        sendsPerMinute: patch.sendsPerMinute ?? null,
        defaultSends: DEFAULT_EMAIL_SETTINGS.sendsPerMinute,
        setFrom: patch.defaultFrom !== undefined,
        defaultFrom: patch.defaultFrom ?? null,
      });
      return toSettings(row!);
    },
  };
}
