import type { Database } from 'better-sqlite3';
import type { IngestOutcome, NormalizedEvent } from '../types.js';

/** Events written in one transaction at most; a bigger queue is split over several commits. */
const MAX_EVENTS_PER_COMMIT = 2_000;

type Write = (projectId: string, events: NormalizedEvent[]) => IngestOutcome[];

interface Pending {
  projectId: string;
  events: NormalizedEvent[];
  resolve: (outcomes: IngestOutcome[]) => void;
  reject: (error: unknown) => void;
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
 * Nothing about durability or isolation changes for a caller:
 * - each caller's promise resolves only after the commit that holds its events, so a 200 still
 *   means stored;
 * - each caller's batch runs in its own savepoint, so an error in one batch rolls back that batch
 *   alone and rejects that caller alone; the others commit.
 */
export function createGroupCommit(db: Database, write: Write): GroupCommit {
  let queue: Pending[] = [];
  let scheduled = false;

  const commit = (group: Pending[]): void => {
    const settle: (() => void)[] = [];
    try {
      db.transaction(() => {
        for (const item of group) {
          try {
            // `write` opens its own transaction; inside this one that is a savepoint.
            const outcomes = write(item.projectId, item.events);
            settle.push(() => item.resolve(outcomes));
          } catch (error) {
            settle.push(() => item.reject(error));
          }
        }
      })();
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in this group was stored.
      for (const item of group) item.reject(error);
      return;
    }
    for (const done of settle) done();
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
