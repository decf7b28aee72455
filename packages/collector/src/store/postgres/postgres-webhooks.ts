import type pg from 'pg';
import { createWebhookRows } from '../webhook-rows.js';
import type { WebhookStore } from '../webhook-store.js';
import { changes, rows } from './postgres-sql.js';

/** Webhooks on PostgreSQL: the same statements as SQLite (webhook-rows.ts), over the pool. */
export function createPostgresWebhooks(pool: pg.Pool): WebhookStore {
  return createWebhookRows({
    all: <R>(sql: string, params: Record<string, unknown>) => rows(pool, sql, params) as Promise<R[]>,
    run: (sql, params) => changes(pool, sql, params),
  });
}
