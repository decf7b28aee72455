import type { Database } from 'better-sqlite3';

/** Events written in one transaction at most; a bigger queue is split over several commits. */
const MAX_EVENTS_PER_COMMIT = 2_000;

/** One caller's work, run inside the transaction the group commit holds. */
type Work<T> = () => Promise<T>;

interface Pending {
  weight: number;
  work: Work<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * How a commit becomes durable. Without it, the connection's own `synchronous` setting decides
 * (FULL: SQLite fsyncs the WAL inside COMMIT, on the event loop). With it, the group's
 * transaction commits with `synchronous = NORMAL` (no fsync) and its callers are answered only
 * after `syncWal` has flushed the WAL to disk, off the event loop.
 */
export interface Durability {
  syncWal(): Promise<void>;
}

export interface GroupCommit {
  /**
   * Queues one caller's work (`weight`: events it writes); resolves with its result once the
   * transaction holding it has committed (and, with `durability`, is on disk).
   */
  run<T>(weight: number, work: Work<T>): Promise<T>;
  /** Writes whatever is queued now (before the store closes). */
  flush(): Promise<void>;
}

/**
 * Group commit for ingest. With `synchronous = FULL` every commit waits for an fsync and writes
 * every page it touched to the WAL, so one transaction per request caps single-event ingest at
 * the disk's commit rate. Instead, the batches of all requests that arrive while the event loop
 * is busy are queued and written together on its next turn (`setImmediate`), in one
 * transaction: one fsync, and the pages they share (the end of the events table and of its
 * indexes) written once.
 *
 * With `durability`, the fsync also leaves the event loop: the transaction commits without one,
 * and the WAL is flushed on libuv's thread pool (wal-sync.ts) while the loop serves other
 * requests; one flush serves every group committed before it started.
 *
 * Nothing about durability or isolation changes for a caller:
 * - each caller's promise resolves only after the commit that holds its events is on disk, so a
 *   200 still means stored;
 * - a batch that throws fails alone: the group is rolled back and each batch is written again in
 *   a transaction of its own, so the others commit and only the failing caller is rejected.
 *   (Failures are rare, as events are validated before they reach the store; so the common case
 *   pays for no savepoints.)
 */
export function createGroupCommit(db: Database, durability?: Durability): GroupCommit {
  let queue: Pending[] = [];
  let flushing: Promise<void> | null = null;
  let scheduled = false;
  // `synchronous` cannot change inside a transaction, so it is set around the group's.
  const relaxed = durability && db.prepare('PRAGMA synchronous = NORMAL');
  const strict = durability && db.prepare('PRAGMA synchronous = FULL');
  const begin = db.prepare('BEGIN');
  const commitStatement = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');

  /**
   * The work is async (the domain awaits its repositories) but only ever awaits these
   * synchronous statements, so the whole group runs in microtasks of one event-loop turn: no
   * other request's statement can land inside this transaction.
   */
  const commit = async (group: Pending[]): Promise<void> => {
    const results: unknown[] = [];
    try {
      relaxed?.run();
      begin.run();
      try {
        for (const item of group) results.push(await item.work());
        commitStatement.run();
      } catch (error) {
        if (db.inTransaction) rollback.run();
        throw error;
      }
    } catch (error) {
      if (group.length === 1) group[0]!.reject(error);
      else for (const item of group) await commit([item]);
      return;
    } finally {
      strict?.run();
    }
    const answer = () => group.forEach((item, i) => item.resolve(results[i]));
    if (!durability) answer();
    else
      durability.syncWal().then(answer, (error: unknown) => {
        // Committed but maybe not on disk: the senders retry, and dedupe keeps one copy.
        for (const item of group) item.reject(error);
      });
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      let weight = 0;
      let size = 0;
      while (size < queue.length && (size === 0 || weight + queue[size]!.weight <= MAX_EVENTS_PER_COMMIT)) {
        weight += queue[size]!.weight;
        size++;
      }
      const group = queue.slice(0, size);
      queue = queue.slice(size);
      await commit(group);
    }
  };

  const flush = (): Promise<void> => {
    flushing ??= drain().finally(() => {
      flushing = null;
      if (queue.length > 0) schedule();
    });
    return flushing;
  };

  // Work queued while the event loop is busy waits for its next turn, and shares that commit.
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void flush();
    });
  };

  return {
    run<T>(weight: number, work: Work<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ weight, work, resolve: resolve as (result: unknown) => void, reject });
        schedule();
      });
    },
    flush,
  };
}
