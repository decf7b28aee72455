import type { Database } from 'better-sqlite3';
import type { IngestOutcome, NormalizedEvent } from '../types.js';

/** Events written in one transaction at most; a bigger queue is split over several commits. */
const MAX_EVENTS_PER_COMMIT = 2_000;

/** Writes one caller's batch inside the transaction the group commit holds. */
type Write = (projectId: string, events: NormalizedEvent[]) => IngestOutcome[];

interface Pending {
  projectId: string;
  events: NormalizedEvent[];
  resolve: (outcomes: IngestOutcome[]) => void;
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
  /** Queues one caller's batch; resolves once the transaction holding it has committed. */
  ingest(projectId: string, events: NormalizedEvent[]): Promise<IngestOutcome[]>;
  /** Writes whatever is queued now (before the store closes). */
  flush(): void;
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
export function createGroupCommit(db: Database, write: Write, durability?: Durability): GroupCommit {
  let queue: Pending[] = [];
  let scheduled = false;
  // `synchronous` cannot change inside a transaction, so it is set around the group's.
  const relaxed = durability && db.prepare('PRAGMA synchronous = NORMAL');
  const strict = durability && db.prepare('PRAGMA synchronous = FULL');
  const transaction = db.transaction((group: Pending[]) => group.map((item) => write(item.projectId, item.events)));

  const commit = (group: Pending[]): void => {
    let outcomes: IngestOutcome[][];
    try {
      relaxed?.run();
      outcomes = transaction(group);
    } catch (error) {
      if (group.length === 1) group[0]!.reject(error);
      else for (const item of group) commit([item]);
      return;
    } finally {
      strict?.run();
    }
    const answer = () => group.forEach((item, i) => item.resolve(outcomes[i]!));
    if (!durability) answer();
    else
      durability.syncWal().then(answer, (error: unknown) => {
        // Committed but maybe not on disk: the senders retry, and dedupe keeps one copy.
        for (const item of group) item.reject(error);
      });
  };

  const flush = (): void => {
    scheduled = false;
    while (queue.length > 0) {
      let events = 0;
      let size = 0;
      while (size < queue.length && (size === 0 || events + queue[size]!.events.length <= MAX_EVENTS_PER_COMMIT)) {
        events += queue[size]!.events.length;
        size++;
      }
      const group = queue.slice(0, size);
      queue = queue.slice(size);
      commit(group);
    }
  };

  return {
    ingest(projectId, events) {
      return new Promise<IngestOutcome[]>((resolve, reject) => {
        queue.push({ projectId, events, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    flush,
  };
}
