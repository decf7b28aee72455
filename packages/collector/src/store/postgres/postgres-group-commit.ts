import type pg from 'pg';
import { inTransaction } from './postgres-sql.js';

/** Events written in one group's transaction at most, as on SQLite (sqlite/group-commit.ts). */
const MAX_EVENTS_PER_COMMIT = 2_000;

/** One unit's work inside a group's transaction: `first` says whether an earlier unit of it ran (and holds locks). */
export type GroupedWork<T> = (client: pg.PoolClient, first: boolean) => Promise<T>;

interface Pending {
  weight: number;
  grouped: GroupedWork<unknown>;
  alone: () => Promise<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

export interface PostgresGroupCommit {
  /**
   * Queues one unit (`weight`: the events it writes). `grouped` runs it inside a shared
   * transaction; `alone` runs it in a transaction of its own, with its retries. Resolves after
   * the COMMIT that holds it.
   */
  run<T>(weight: number, grouped: GroupedWork<T>, alone: () => Promise<T>): Promise<T>;
}

/**
 * Group commit for PostgreSQL ingest units. A unit alone is about six round trips plus a
 * COMMIT that waits for a WAL flush; under load the connections, not PostgreSQL's cores, were
 * the limit. Units that arrive while every writer is busy queue, and a free writer takes as many
 * as fit in MAX_EVENTS_PER_COMMIT and runs them one after the other in one transaction on one
 * client, with one COMMIT. Up to `writers` groups are written at once, so PostgreSQL still gets
 * parallel work.
 *
 * What a caller sees does not change:
 * - its promise resolves only after the COMMIT holding its unit returned (a 200 means stored);
 * - a unit that throws in a group (a lock held elsewhere, an event stored meanwhile, a deadlock,
 *   anything) is rolled back to the savepoint before it and runs again alone, after the group's
 *   COMMIT, through the single-unit path and its retries; if the first unit or the COMMIT
 *   fails, the whole group is rolled back and every unit runs alone. Only a unit that fails
 *   alone fails its caller.
 * - Later units of a group only try identity locks (postgres-repositories.ts `neverWait`): the
 *   group holds the earlier units' locks, and waiting could close a cycle that PostgreSQL breaks
 *   only after deadlock_timeout. Under contention they fail fast and run alone. Without
 *   savepoints (a failed unit rolling back its whole group) 80% of groups fell back in the bench,
 *   whose batches touch many visitors each.
 */
export function createPostgresGroupCommit(pool: pg.Pool, writers: number): PostgresGroupCommit {
  const queue: Pending[] = [];
  let active = 0;

  const solo = (item: Pending): Promise<void> => item.alone().then(item.resolve, item.reject);

  const commit = async (group: Pending[]): Promise<void> => {
    if (group.length === 1) return solo(group[0]!);
    const results = new Map<Pending, unknown>();
    const alone: Pending[] = [];
    try {
      await inTransaction(pool, async (client) => {
        for (const [i, item] of group.entries()) {
          if (i === 0) {
            results.set(item, await item.grouped(client, true));
            continue;
          }
          // A savepoint per later unit (one round trip, releasing the one before): a unit that
          // throws is undone alone, with the locks it took, and the rest of the group goes on.
          await client.query(i === 1 ? 'SAVEPOINT unit' : 'RELEASE SAVEPOINT unit; SAVEPOINT unit');
          try {
            results.set(item, await item.grouped(client, false));
          } catch {
            await client.query('ROLLBACK TO SAVEPOINT unit');
            alone.push(item);
          }
        }
      });
    } catch {
      // The first unit, a savepoint or the COMMIT failed: the group is rolled back, and each
      // unit runs again on its own, at once, on connections of their own.
      await Promise.all(group.map(solo));
      return;
    }
    for (const [item, result] of results) item.resolve(result);
    await Promise.all(alone.map(solo));
  };

  const take = (): Pending[] => {
    let weight = 0;
    let size = 0;
    while (size < queue.length && (size === 0 || weight + queue[size]!.weight <= MAX_EVENTS_PER_COMMIT)) {
      weight += queue[size]!.weight;
      size++;
    }
    return queue.splice(0, size);
  };

  const write = async (): Promise<void> => {
    try {
      while (queue.length > 0) await commit(take());
    } finally {
      active--;
    }
  };

  return {
    run<T>(weight: number, grouped: GroupedWork<T>, alone: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ weight, grouped: grouped as GroupedWork<unknown>, alone, resolve: resolve as (result: unknown) => void, reject });
        if (active >= writers) return;
        active++;
        // On the next turn, so the units of requests that arrived together share a group.
        setImmediate(() => void write());
      });
    },
  };
}
