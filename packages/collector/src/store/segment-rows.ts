import type { Rule } from '../rules/index.js';
import type { Segment } from './segment-store.js';
import { iso } from './sqlite/rows.js';

/** A segment row with its size, as both stores select it (sqlite-segments.ts, postgres-segments.ts). */
export interface SegmentRow {
  id: string;
  name: string;
  rules: string;
  status: 'filling' | 'ready';
  processed: number;
  total: number;
  size: number;
  created_at: number;
  updated_at: number;
}

export const SEGMENT_SIZE = '(SELECT count(*) FROM segment_members m WHERE m.project_id = s.project_id AND m.segment_id = s.id) AS size';
export const SEGMENT_SELECT = `SELECT s.id, s.name, s.rules, s.status, s.processed, s.total, s.created_at, s.updated_at, ${SEGMENT_SIZE} FROM segments s`;

export const toSegment = (row: SegmentRow): Segment => ({
  id: row.id,
  name: row.name,
  rules: JSON.parse(row.rules) as Rule,
  status: row.status,
  progress: { processed: row.processed, total: row.total },
  size: row.size,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

/** People a preview evaluates at most; past that it answers with what it counted. */
export const MAX_PREVIEW = 200_000;
/** People a sweep re-evaluates per call at most; the next tick takes the rest. */
export const MAX_SWEEP = 5_000;
/** People a preview answers with. */
export const PREVIEW_PEOPLE = 20;
