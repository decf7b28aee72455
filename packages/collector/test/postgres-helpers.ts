import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
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

/**
 * Migrated schemas of this test file, emptied by their last user and ready for the next test.
 * Migrating a fresh schema costs ~0.4 s of PostgreSQL's CPU; emptying one costs a few ms, so a
 * file migrates once per store it has open at the same time, not once per test. Vitest loads this
 * module afresh for every file, so the reuse never crosses files; they are dropped when it ends.
 */
const spareSchemas: string[] = [];
afterAll(async () => {
  const url = TEST_DATABASE_URL;
  if (!url) return;
  for (const schema of spareSchemas.splice(0)) await dropSchema(url, schema);
});

/** Deletes every row but the migration log, so the schema reads as freshly migrated. */
async function emptySchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'hark_migrations'", [schema]);
    // Foreign keys off for this session only (replica role skips their triggers), so the order
    // of the deletes does not matter; it needs a superuser, as the test URL's user is.
    await client.query(['SET session_replication_role = replica;', ...tables.rows.map((t) => `DELETE FROM "${schema}"."${t.tablename}";`)].join('\n'));
  } finally {
    await client.end();
  }
}

/**
 * Opens a store on an empty schema of its own (a fresh one, or one an earlier test of this file
 * emptied); `close` closes it and hands the schema back. A schema the caller names (several
 * stores sharing one, as several collectors) is dropped at close instead.
 */
export async function openTestPostgresStore(url: string, clock?: Clock, schema?: string): Promise<{ store: Store; schema: string; close: () => Promise<void> }> {
  const reused = schema === undefined ? spareSchemas.pop() : undefined;
  const name = schema ?? reused ?? freshSchema();
  const store = await openPostgresStore({ url, schema: name, ...(clock ? { clock } : {}) });
  return {
    store,
    schema: name,
    close: async () => {
      await store.close();
      if (schema !== undefined) return dropSchema(url, name);
      try {
        await emptySchema(url, name);
        spareSchemas.push(name);
      } catch {
        // Not a superuser (or another reason it cannot be emptied): the next test migrates afresh.
        await dropSchema(url, name);
      }
    },
  };
}
