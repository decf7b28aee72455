import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a worker thread. SQLite copies the WAL back into the database file
 * (a checkpoint) from inside whichever commit pushes the WAL past `wal_autocheckpoint` pages:
 * with the default of 1,000 that is every few hundred events, and that commit then writes
 * 4 MB and fsyncs the database file on the event loop (perf: 15% of ingest time, and the
 * slowest answers). Here a second connection on its own thread checkpoints instead, in PASSIVE
 * mode: it never blocks the writer or readers, and nothing about durability changes (a frame
 * stays in the WAL until the database file holds it).
 *
 * The worker is plain JavaScript evaluated from a string, so it runs the same under tsx, vitest
 * and compiled builds.
 */

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Pages the writer lets the WAL reach before it checkpoints itself: only if the worker falls far behind. */
export const WRITER_AUTOCHECKPOINT_PAGES = 20_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
let timer = null;
const run = () => {
  let moved = 0;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    moved = result ? result.checkpointed : 0;
  } catch {
    // Busy or closing: the next round tries again.
  }
  // Keep going while there is work; otherwise look again shortly.
  timer = setTimeout(run, moved > 0 ? 0 : workerData.idleMs);
};
timer = setTimeout(run, workerData.idleMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(options: { path: string; synchronous: 'FULL' | 'NORMAL'; idleMs?: number }): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: options.path, synchronous: options.synchronous, idleMs: options.idleMs ?? 100, driver },
    // The collector's own flags (tsx's loader) are not needed to run plain JavaScript.
    execArgv: [],
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  return {
    async stop() {
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
