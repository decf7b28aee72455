import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineStoreContract } from '../src/store/contract/store-contract.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

/**
 * The store contract against the embedded SQLite store, on a real file (WAL, group commit and
 * the off-loop fsync included). The PostgreSQL store runs the same contract when it lands.
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
