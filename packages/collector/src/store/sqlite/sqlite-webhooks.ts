import type { Database, Statement } from 'better-sqlite3';
import { createWebhookRows, type SqlRunner } from '../webhook-rows.js';
import type { WebhookStore } from '../webhook-store.js';

/** Webhooks on SQLite: the shared statements (webhook-rows.ts), prepared once each. */
export function createSqliteWebhooks(db: Database): WebhookStore {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const runner: SqlRunner = {
    all: async <R>(sql: string, params: Record<string, unknown>) => prepare(sql).all(params) as R[],
    run: async (sql, params) => prepare(sql).run(params).changes,
  };
  return createWebhookRows(runner);
}
