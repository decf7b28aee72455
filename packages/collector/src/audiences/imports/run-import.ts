import type { Clock } from '../../clock.js';
import type { ContactInput } from '../../store/contact-store.js';
import type { ImportProgress, ImportStore } from '../../store/import-store.js';
import type { ListStore } from '../../store/list-store.js';
import { MalformedCsvError, readCsv, resolveColumns, rowToContact, type ColumnMapping, type ResolvedColumn } from '../csv-import/index.js';

/** Rows written per transaction at most (a project without segments writes 500 in a few ms). */
export const IMPORT_CHUNK_ROWS = 500;
/** ... and at least, so the commit's fixed cost stays small beside the rows. */
export const IMPORT_MIN_CHUNK_ROWS = 25;
/**
 * What one chunk may hold the store for: ingest batches queue behind it in the group commit.
 * With 50 segments a contact costs about a millisecond (its transitions), so 500 rows held
 * ingest for half a second; the chunk shrinks to fit this time instead (docs/BENCHMARKS.md).
 */
export const IMPORT_CHUNK_TARGET_MS = 50;

/** The next chunk's rows, from the CPU time the last one took: toward the target, within bounds. */
export function nextChunkRows(rows: number, elapsedMs: number): number {
  const fitted = elapsedMs > 0 ? Math.round((rows * IMPORT_CHUNK_TARGET_MS) / elapsedMs) : IMPORT_CHUNK_ROWS;
  // At most doubling per chunk, so one fast chunk (a run of updates) does not overshoot.
  return Math.max(IMPORT_MIN_CHUNK_ROWS, Math.min(IMPORT_CHUNK_ROWS, rows * 2, fitted));
}

export interface ImportDeps {
  imports: ImportStore;
  lists: Pick<ListStore, 'addPeopleToList'>;
  clock: Clock;
  logError?: (error: unknown) => void;
}

export interface ImportJobInput {
  projectId: string;
  importId: string;
  listId: string;
  csv: Buffer | string;
  mapping?: ColumnMapping;
}

/** Lets the event loop serve requests (ingest first of all) between two chunks. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one import to its end: reads the CSV, turns each row into a contact (or a rejection with
 * its line), saves them a chunk per transaction, adds them to the list, and reports progress
 * after every chunk. Never throws: a malformed file or a failed write ends the job `failed`
 * with the reason, and everything saved before it stays saved and counted.
 */
export async function runImport(deps: ImportDeps, job: ImportJobInput): Promise<void> {
  const progress: ImportProgress = { status: 'running', rowsRead: 0, created: 0, updated: 0, rejected: 0, newRejections: [] };
  const report = async (patch: Partial<ImportProgress> = {}) => {
    Object.assign(progress, patch);
    await deps.imports.report(job.importId, progress);
    progress.newRejections = [];
  };
  let chunk: { line: number; contact: ContactInput }[] = [];
  // The first chunk is small: a project with many segments should not wait 500 rows to learn it.
  let chunkRows = 100;
  const flush = async () => {
    if (chunk.length === 0) return;
    const now = deps.clock.now();
    // CPU time, not wall time: the wait for the commit's fsync (off the loop) holds nobody up.
    const started = process.cpuUsage();
    const outcomes = await deps.imports.saveContacts(job.projectId, chunk.map((row) => row.contact), now);
    const personIds: string[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'rejected') {
        progress.rejected++;
        progress.newRejections.push({ line: chunk[i]!.line, reason: outcome.reason });
      } else {
        if (outcome.status === 'created') progress.created++;
        else progress.updated++;
        personIds.push(outcome.personId);
      }
    });
    if (personIds.length) await deps.lists.addPeopleToList(job.projectId, job.listId, personIds, now);
    const used = process.cpuUsage(started);
    chunkRows = nextChunkRows(chunk.length, (used.user + used.system) / 1000);
    chunk = [];
    await report();
    await yieldToLoop();
  };

  try {
    await report();
    let columns: ResolvedColumn[] | null = null;
    for await (const record of readCsv(job.csv)) {
      if (!columns) {
        const resolved = resolveColumns(record.fields, job.mapping);
        if ('error' in resolved) {
          await report({ status: 'failed', error: resolved.error, finishedAt: deps.clock.now() });
          return;
        }
        columns = resolved.columns;
        continue;
      }
      progress.rowsRead++;
      const row = rowToContact(record.fields, columns);
      if (row.ok) chunk.push({ line: record.line, contact: row.contact });
      else {
        progress.rejected++;
        progress.newRejections.push({ line: record.line, reason: row.reason });
      }
      if (chunk.length >= chunkRows) await flush();
    }
    await flush();
    if (!columns) {
      await report({ status: 'failed', error: 'The file is empty: it needs a header line and at least one row.', finishedAt: deps.clock.now() });
      return;
    }
    await report({ status: 'done', finishedAt: deps.clock.now() });
  } catch (error) {
    const malformed = error instanceof MalformedCsvError;
    if (!malformed) deps.logError?.(error);
    try {
      // The rows read before the break were valid; keep them.
      if (malformed) await flush();
      await report({
        status: 'failed',
        error: malformed ? `${error.message} The rows before it were imported.` : 'The import failed unexpectedly; the rows before the failure were imported.',
        finishedAt: deps.clock.now(),
      });
    } catch (reportError) {
      deps.logError?.(reportError);
    }
  }
}
