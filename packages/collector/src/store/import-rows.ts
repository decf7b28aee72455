import type { ImportJob, ImportProgress, ImportStatus } from './import-store.js';
import { iso } from './sqlite/rows.js';

/** An import row as both stores select it (sqlite-imports.ts, postgres-imports.ts). */
export interface ImportRow {
  id: string;
  list_id: string;
  status: ImportStatus;
  rows_read: number;
  created: number;
  updated: number;
  rejected: number;
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

/** Rejected rows kept per import; beyond it they are only counted. */
export const MAX_KEPT_REJECTIONS = 10_000;
/** Rejected rows shown by `get`. */
export const SHOWN_REJECTIONS = 1_000;

export const toImportJob = (row: ImportRow, rejectedRows: { line: number; reason: string }[]): ImportJob => ({
  id: row.id,
  listId: row.list_id,
  status: row.status,
  rowsRead: row.rows_read,
  created: row.created,
  updated: row.updated,
  rejected: row.rejected,
  error: row.error,
  rejectedRows,
  createdAt: iso(row.created_at),
  finishedAt: row.finished_at === null ? null : iso(row.finished_at),
});

/** The named parameters of both stores' progress UPDATE (everything the report sets but its time). */
export const importReportParams = (importId: string, progress: ImportProgress) => ({
  id: importId,
  status: progress.status,
  rowsRead: progress.rowsRead,
  created: progress.created,
  updated: progress.updated,
  rejected: progress.rejected,
  error: progress.error ?? null,
  finishedAt: progress.finishedAt ?? null,
});
