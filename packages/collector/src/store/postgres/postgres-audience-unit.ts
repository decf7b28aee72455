import type pg from 'pg';
import { createChangedPeople, type ChangedPeople } from '../../audiences/changed-people.js';
import type { SegmentCatalog } from '../../audiences/segment-catalog.js';
import type { Clock } from '../../clock.js';
import { createPostgresAudienceRows, type PostgresAudienceTx, type TransitionHook } from './postgres-audience-rows.js';
import { inTransaction } from './postgres-sql.js';

/**
 * One transaction that may change what segments answer (a list change, a company edit, an
 * import chunk, a console trait edit, a fill or sweep chunk): `work` runs on the unit's client
 * and marks the people it changed; they are re-evaluated at its end, before COMMIT, so the
 * change and the memberships it moves commit together — as SQLite's AudienceUnit
 * (sqlite-segments.ts). Ingest does the same inside `transact` (postgres-store.ts).
 */
export type PostgresAudienceUnit = <T>(work: (changed: ChangedPeople, audience: PostgresAudienceTx, client: pg.PoolClient) => Promise<T>) => Promise<T>;

/** Deadlocks and serialization failures: the unit runs again on what is committed now. */
const MAX_ATTEMPTS = 5;
const retryable = (error: unknown): boolean => ['40P01', '40001'].includes((error as { code?: string } | null)?.code ?? '');

/** Re-evaluates the people `changed` holds, then writes the counts the unit bumped. */
export async function finishAudienceWork(changed: ChangedPeople, audience: PostgresAudienceTx, catalog: SegmentCatalog, clock: Clock): Promise<void> {
  if (changed.size) await changed.reevaluate(audience, catalog, clock.now());
  await audience.flush();
}

export function createPostgresAudienceUnit(pool: pg.Pool, catalog: SegmentCatalog, clock: Clock, onTransition?: TransitionHook): PostgresAudienceUnit {
  return async (work) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(pool, async (client) => {
          const audience = createPostgresAudienceRows(client, onTransition);
          const changed = createChangedPeople();
          const result = await work(changed, audience, client);
          await finishAudienceWork(changed, audience, catalog, clock);
          return result;
        });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !retryable(error)) throw error;
      }
    }
  };
}
