import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Clock } from '../src/clock.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';

/**
 * The PostgreSQL the PostgreSQL suites run against, from HARK_TEST_DATABASE_URL (`.ci/run` sets
 * it to postgres://postgres@127.0.0.1:5432/test). Unset: those suites are skipped, and say so.
 */
export const TEST_DATABASE_URL = process.env.HARK_TEST_DATABASE_URL ?? null;

export const POSTGRES_SKIPPED = 'skipped: set HARK_TEST_DATABASE_URL=postgres://… (e.g. postgres://postgres@127.0.0.1:5432/test) to run it';

let warned = false;
/** Says once per test file, on the console too, that a PostgreSQL suite did not run. */
export function warnPostgresSkipped(suite: string): void {
  if (warned) return;
  warned = true;
  console.warn(`${suite} — ${POSTGRES_SKIPPED}`);
}

/** A fresh schema name; each test gets its own in the shared database, dropped after. */
export const freshSchema = (): string => `hark_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Opens a store on a fresh schema; `close` closes it and drops the schema. */
export async function openTestPostgresStore(url: string, clock?: Clock, schema = freshSchema()): Promise<{ store: Store; schema: string; close: () => Promise<void> }> {
  const store = await openPostgresStore({ url, schema, ...(clock ? { clock } : {}) });
  return {
    store,
    schema,
    close: async () => {
      await store.close();
      await dropSchema(url, schema);
    },
  };
}
