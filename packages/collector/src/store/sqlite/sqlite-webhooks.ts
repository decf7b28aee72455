import type { Database, Statement } from 'better-sqlite3';
import { createWebhookRows, type SqlRunner } from '../webhook-rows.js';
import type { WebhookStore } from '../webhook-store.js';
import type { JobWriteUnit } from './sqlite-jobs.js';

/**
 * Webhooks on SQLite: the shared statements (webhook-rows.ts), prepared once each. Writes go
 * through `unit` (the group commit, as the job writes do: a delivery's log entry is one per attempt).
 */
export function createSqliteWebhooks(db: Database, unit: JobWriteUnit = async (write) => write()): WebhookStore {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const runner: SqlRunner = {
    all: async <R>(sql: string, params: Record<string, unknown>) => prepare(sql).all(params) as R[],
    run: (sql, params) => unit(() => prepare(sql).run(params).changes),
  };
  return createWebhookRows(runner);
}
