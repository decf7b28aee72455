import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, vi } from 'vitest';
import { defineStoreContract } from '../src/store/contract/store-contract.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { openTestPostgresStore, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/**
 * The store contract against both stores: the embedded SQLite store on a real file (WAL, group
 * commit and the off-loop fsync included), and the PostgreSQL store, each test on a fresh schema
 * dropped after, when HARK_TEST_DATABASE_URL names a database.
 */
defineStoreContract('SQLite', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'hark-contract-'));
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
  // Each PostgreSQL test migrates a fresh schema first (~0.5 s alone, more on a loaded machine).
  vi.setConfig({ testTimeout: 20_000, hookTimeout: 20_000 });
  defineStoreContract('PostgreSQL', (clock) => openTestPostgresStore(url, clock));
} else {
  warnPostgresSkipped('PostgreSQL store contract');
  describe.skip(`PostgreSQL store contract — ${POSTGRES_SKIPPED}`, () => {
    it('runs the whole store contract on PostgreSQL', () => undefined);
  });
}
