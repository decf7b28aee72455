import type pg from 'pg';
import { createWebhookRows } from '../webhook-rows.js';
import type { WebhookStore } from '../webhook-store.js';
import { changes, rows } from './postgres-sql.js';

/**
 * Webhooks on PostgreSQL: the same statements as SQLite (webhook-rows.ts), over the pool. The
 * subscriptions, which fill a cache read from inside units of work, come from `cacheReads`
 * (postgres-store.ts says why).
 */
export function createPostgresWebhooks(pool: pg.Pool, cacheReads: pg.Pool = pool): WebhookStore {
  const on = (db: pg.Pool) =>
    createWebhookRows({
      all: <R>(sql: string, params: Record<string, unknown>) => rows(db, sql, params) as Promise<R[]>,
      run: (sql, params) => changes(db, sql, params),
    });
  const webhooks = on(pool);
  const forCache = cacheReads === pool ? webhooks : on(cacheReads);
  return { ...webhooks, subscriptions: (projectId) => forCache.subscriptions(projectId) };
}
