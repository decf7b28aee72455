import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, vi } from 'vitest';
import { defineJobStoreContract } from '../src/store/contract/job-store-contract.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { openTestPostgresStore, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/** The job store contract on a real SQLite file, and on PostgreSQL when HARK_TEST_DATABASE_URL is set. */
defineJobStoreContract('SQLite', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'hark-jobs-'));
  const store = openSqliteStore({ path: join(dir, 'hark.db'), clock });
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const url = TEST_DATABASE_URL;
if (url) {
  vi.setConfig({ testTimeout: 20_000, hookTimeout: 20_000 });
  defineJobStoreContract('PostgreSQL', (clock) => openTestPostgresStore(url, clock));
} else {
  warnPostgresSkipped('PostgreSQL job store contract');
  describe.skip(`PostgreSQL job store contract — ${POSTGRES_SKIPPED}`, () => {
    it('runs the whole job store contract on PostgreSQL', () => undefined);
  });
}
