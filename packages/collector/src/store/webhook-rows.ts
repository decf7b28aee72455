import { cursorKey, toPage } from './cursor.js';
import type { JobStatus } from '../jobs/job-types.js';
import { deliveryKeyRange, WEBHOOK_DELIVER, type Webhook, type WebhookDelivery, type WebhookStore, type WebhookWithSecret } from './webhook-store.js';

/**
 * Both stores run these statements as written (`@name` parameters, no dialect-only syntax), so
 * the webhook store is written once, over whichever `SqlRunner` a store hands it.
 */
export interface SqlRunner {
  all<R>(sql: string, params: Record<string, unknown>): Promise<R[]>;
  /** Rows changed. */
  run(sql: string, params: Record<string, unknown>): Promise<number>;
}

interface WebhookRow {
  id: string;
  url: string;
  events: string;
  secret: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

interface DeliveryRow {
  id: string;
  job_key: string;
  status: JobStatus;
  attempts: number;
  last_error: string | null;
  run_at: number;
  payload: string;
  created_at: number;
  finished_at: number | null;
  response_code: number | null;
  attempt_error: string | null;
  attempted_at: number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const COLUMNS = 'id, url, events, secret, enabled, created_at, updated_at';

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  url: row.url,
  events: JSON.parse(row.events) as string[],
  enabled: Boolean(row.enabled),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});
const withSecret = (row: WebhookRow): WebhookWithSecret => ({ ...toWebhook(row), secret: row.secret });

/** The envelope's type, read back from the queued body (null if it is not one). */
function envelopeType(payload: string): string | null {
  try {
    const { body } = JSON.parse(payload) as { body?: string };
    const type = body ? (JSON.parse(body) as { type?: unknown }).type : null;
    return typeof type === 'string' ? type : null;
  } catch {
    return null;
  }
}

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.job_key.slice(row.job_key.indexOf(':') + 1),
  type: envelopeType(row.payload),
  status: row.status,
  attempts: row.attempts,
  responseCode: row.response_code,
  error: row.last_error ?? row.attempt_error,
  createdAt: iso(row.created_at),
  lastAttemptAt: row.attempted_at === null ? null : iso(row.attempted_at),
  nextAttemptAt: row.status === 'pending' ? iso(row.run_at) : null,
  finishedAt: row.finished_at === null ? null : iso(row.finished_at),
});

export function createWebhookRows(db: SqlRunner): WebhookStore {
  const one = async (projectId: string, id: string): Promise<WebhookRow | undefined> =>
    (await db.all<WebhookRow>(`SELECT ${COLUMNS} FROM webhooks WHERE project_id = @project AND id = @id`, { project: projectId, id }))[0];

  return {
    async create(projectId, webhook, at) {
      await db.run(`INSERT INTO webhooks (id, project_id, url, events, secret, enabled, created_at, updated_at)
        VALUES (@id, @project, @url, @events, @secret, @enabled, @at, @at)`, {
        id: webhook.id, project: projectId, url: webhook.url, events: JSON.stringify(webhook.events), secret: webhook.secret, enabled: webhook.enabled ? 1 : 0, at,
      });
      return withSecret((await one(projectId, webhook.id))!);
    },
    async list(projectId) {
      return (await db.all<WebhookRow>(`SELECT ${COLUMNS} FROM webhooks WHERE project_id = @project ORDER BY created_at, id`, { project: projectId })).map(toWebhook);
    },
    async get(projectId, id) {
      const row = await one(projectId, id);
      return row ? toWebhook(row) : null;
    },
    async getWithSecret(projectId, id) {
      const row = await one(projectId, id);
      return row ? withSecret(row) : null;
    },
    async update(projectId, id, patch, at) {
      const row = await one(projectId, id);
      if (!row) return null;
      await db.run('UPDATE webhooks SET url = @url, events = @events, enabled = @enabled, updated_at = @at WHERE project_id = @project AND id = @id', {
        project: projectId,
        id,
        url: patch.url ?? row.url,
        events: patch.events ? JSON.stringify(patch.events) : row.events,
        enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
        at,
      });
      return toWebhook((await one(projectId, id))!);
    },
    async setSecret(projectId, id, secret, at) {
      const changed = await db.run('UPDATE webhooks SET secret = @secret, updated_at = @at WHERE project_id = @project AND id = @id', { project: projectId, id, secret, at });
      return changed ? withSecret((await one(projectId, id))!) : null;
    },
    async delete(projectId, id, at) {
      const { from, to } = deliveryKeyRange(id);
      const range = { project: projectId, kind: WEBHOOK_DELIVER, from, to };
      await db.run(`UPDATE jobs SET status = 'cancelled', finished_at = @at, lease_owner = NULL, lease_until = NULL
        WHERE project_id = @project AND kind = @kind AND job_key >= @from AND job_key < @to AND status = 'pending'`, { ...range, at });
      await db.run('DELETE FROM webhook_attempts WHERE project_id = @project AND webhook_id = @id', { project: projectId, id });
      return (await db.run('DELETE FROM webhooks WHERE project_id = @project AND id = @id', { project: projectId, id })) > 0;
    },
    async subscriptions(projectId) {
      const rows = await db.all<{ id: string; events: string }>('SELECT id, events FROM webhooks WHERE project_id = @project AND enabled = 1 ORDER BY id', { project: projectId });
      return rows.map((row) => ({ id: row.id, events: JSON.parse(row.events) as string[] }));
    },
    async recordAttempt(projectId, webhookId, jobKey, attempt) {
      await db.run(`INSERT INTO webhook_attempts (project_id, job_key, webhook_id, response_code, error, attempted_at, duration_ms)
        VALUES (@project, @key, @webhook, @code, @error, @at, @duration)
        ON CONFLICT (project_id, job_key) DO UPDATE SET response_code = excluded.response_code, error = excluded.error,
          attempted_at = excluded.attempted_at, duration_ms = excluded.duration_ms`, {
        project: projectId, key: jobKey, webhook: webhookId, code: attempt.responseCode, error: attempt.error, at: attempt.at, duration: Math.round(attempt.durationMs),
      });
    },
    async deliveries(projectId, webhookId, query) {
      const { from, to } = deliveryKeyRange(webhookId);
      const params: Record<string, unknown> = { project: projectId, kind: WEBHOOK_DELIVER, from, to, limit: query.limit + 1 };
      const where = ['j.project_id = @project', 'j.kind = @kind', 'j.job_key >= @from', 'j.job_key < @to'];
      if (query.status) {
        where.push('j.status = @status');
        params.status = query.status;
      }
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      if (beforeAt !== null && beforeId !== null) {
        where.push('(j.created_at < @beforeAt OR (j.created_at = @beforeAt AND j.id < @beforeId))');
        params.beforeAt = beforeAt;
        params.beforeId = beforeId;
      }
      const rows = await db.all<DeliveryRow>(`SELECT j.id, j.job_key, j.status, j.attempts, j.last_error, j.run_at, j.payload, j.created_at, j.finished_at,
          a.response_code, a.error AS attempt_error, a.attempted_at
        FROM jobs j LEFT JOIN webhook_attempts a ON a.project_id = j.project_id AND a.job_key = j.job_key
        WHERE ${where.join(' AND ')} ORDER BY j.created_at DESC, j.id DESC LIMIT @limit`, params);
      return toPage(rows, query.limit, toDelivery, (row) => [row.created_at, row.id]);
    },
  };
}
