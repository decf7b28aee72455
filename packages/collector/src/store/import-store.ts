import type { ContactInput, ContactOutcome } from './contact-store.js';

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';

/** A CSV import job as `GET /api/v1/imports/:id` answers it. */
export interface ImportJob {
  id: string;
  listId: string;
  status: ImportStatus;
  /** Data rows read so far (the header and blank lines are not rows). */
  rowsRead: number;
  created: number;
  /** Contacts that already existed (matched by email or user id), updated and added to the list. */
  updated: number;
  rejected: number;
  /** Why the job stopped early (a malformed file, a restart); rows imported before it are kept. */
  error: string | null;
  /** The first rejected rows, in file order (all of them are counted in `rejected`). */
  rejectedRows: { line: number; reason: string }[];
  createdAt: string;
  finishedAt: string | null;
}

export interface ImportProgress {
  status: ImportStatus;
  rowsRead: number;
  created: number;
  updated: number;
  rejected: number;
  error?: string | null;
  finishedAt?: number | null;
  /** Rejections found since the last report. */
  newRejections: { line: number; reason: string }[];
}

/** Import jobs and the one write they need: a chunk of contacts in one transaction. Exposed as `store.imports`. */
export interface ImportStore {
  create(projectId: string, listId: string, now: number): Promise<ImportJob>;
  get(projectId: string, importId: string): Promise<ImportJob | null>;
  report(importId: string, progress: ImportProgress): Promise<void>;
  /** Saves contacts in order, in one transaction (ingest waits for one chunk at most); one outcome each. */
  saveContacts(projectId: string, contacts: ContactInput[], now: number): Promise<ContactOutcome[]>;
}
