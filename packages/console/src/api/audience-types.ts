import type { PersonSummary } from './types.js';

/**
 * The audiences API of issue 11 (segments, lists, imports, companies, suppression rules) as the
 * console reads it: the shapes of the collector's routes on branches issue-11-segments and
 * issue-11-import, copied here so the console depends on the documented API only.
 */

export type ContactKindName = 'visitor' | 'lead' | 'user';
export type Scalar = string | number | boolean;

export const TRAIT_OPS = ['equals', 'not_equals', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte', 'within_last_days'] as const;
export type TraitOp = (typeof TRAIT_OPS)[number];
export const PROPERTY_OPS = ['equals', 'not_equals', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte'] as const;
export type PropertyOp = (typeof PROPERTY_OPS)[number];
export const COUNT_OPS = ['at_least', 'at_most', 'exactly'] as const;
export type CountOp = (typeof COUNT_OPS)[number];
export const SEEN_OPS = ['before', 'after', 'within_last_days', 'not_within_last_days'] as const;
export type SeenOp = (typeof SEEN_OPS)[number];
export const GEO_FIELDS = ['country', 'region', 'city', 'continent'] as const;
export type GeoField = (typeof GEO_FIELDS)[number];
export const GEO_OPS = ['equals', 'not_equals', 'in', 'exists', 'not_exists'] as const;
export type GeoOp = (typeof GEO_OPS)[number];
export const MESSAGE_OPS = ['shown', 'dismissed', 'answered', 'grade_lte', 'grade_gte'] as const;
export type MessageOp = (typeof MESSAGE_OPS)[number];
export const EMAIL_OPS = ['opened', 'clicked'] as const;
export type EmailOp = (typeof EMAIL_OPS)[number];
export const LEAF_TYPES = ['kind', 'trait', 'company_trait', 'list', 'event', 'no_event', 'first_seen', 'last_seen', 'geo', 'message', 'email', 'opted_out'] as const;
export type LeafType = (typeof LEAF_TYPES)[number];

export type EventWindow = { lastDays: number } | { from: string; to: string };
export interface PropertyCondition {
  property: string;
  op: PropertyOp;
  value?: Scalar;
}

export type Leaf =
  | { type: 'kind'; value: ContactKindName[] }
  | { type: 'trait' | 'company_trait'; trait: string; op: TraitOp; value?: Scalar }
  | { type: 'list'; list: string }
  | { type: 'event'; event: string; count?: { op: CountOp; value: number }; window?: EventWindow; where?: PropertyCondition[] }
  | { type: 'no_event'; event: string; window?: EventWindow; where?: PropertyCondition[] }
  | { type: 'first_seen' | 'last_seen'; op: SeenOp; value: string | number }
  | { type: 'geo'; field: GeoField; op: GeoOp; value?: string | string[] }
  | { type: 'message'; message: string; op: MessageOp; value?: number }
  | { type: 'email'; op: EmailOp; template?: string; window?: EventWindow }
  | { type: 'opted_out' };

/** A rule tree: `{ and }`, `{ or }`, `{ not }` over leaves (docs/AUDIENCES.md). */
export type Rule = { and: Rule[] } | { or: Rule[] } | { not: Rule } | Leaf;

export interface Segment {
  id: string;
  name: string;
  rules: Rule;
  /** `filling` while the background fill evaluates everyone after a create or an edit. */
  status: 'filling' | 'ready';
  progress: { processed: number; total: number };
  size: number;
  createdAt: string;
  updatedAt: string;
}

/** `POST /segments/preview`: the count over everyone, and the first 20 matching people. */
export interface SegmentPreview {
  count: number;
  people: PersonSummary[];
  scanned: number;
}

export interface SegmentCount {
  count: number;
  status: Segment['status'];
  progress: Segment['progress'];
}

/** A segment the person is in (on `GET /people/:id`). */
export interface PersonSegment {
  id: string;
  name: string;
  enteredAt: string;
}

export interface List {
  id: string;
  name: string;
  size: number;
  createdAt: string;
  updatedAt: string;
}

export type PersonRef = { id: string } | { email: string } | { userId: string };

/** `POST/DELETE /lists/:id/people`. */
export interface ListMembershipAnswer {
  added?: number;
  removed?: number;
  unchanged: number;
  notFound: PersonRef[];
}

/** What a CSV column holds (the import's mapping: header → target). */
export type ColumnTarget = 'email' | 'name' | 'firstName' | 'lastName' | 'userId' | 'phone' | 'company' | 'ignore' | `trait:${string}`;
export type ColumnMapping = Record<string, ColumnTarget>;

export interface RejectedRow {
  /** The line in the file (1 is the header). */
  line: number;
  reason: string;
}

/**
 * `GET /imports/:id` (docs/API.md, CSV imports); `POST /lists/:id/import` answers `202 { id,
 * status: 'queued' }`, which the console reads with the counts at 0. `rejectedRows` holds the
 * first 1,000.
 */
export interface ImportJob {
  id: string;
  listId?: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  rowsRead: number;
  created: number;
  updated: number;
  rejected: number;
  rejectedRows: RejectedRow[];
  /** Bytes read so far and the file's size: not in the API today; a bar with a value when it says. */
  bytesRead?: number;
  bytesTotal?: number;
  /** Why a failed import stopped (a malformed file); the rows before it were kept. */
  error?: string | null;
  createdAt?: string;
  finishedAt?: string | null;
}

export interface CompanyItem {
  id: string;
  name: string | null;
  traits: Record<string, unknown>;
  size: number;
  createdAt: string;
  updatedAt: string;
}

export interface CompanyAddAnswer {
  person: PersonSummary;
  created: boolean;
  added: boolean;
}

export interface SuppressionRule {
  id: string;
  name: string;
  rules: Rule;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The person's last known place (`location` on `GET /people/:id`, from geolocation at ingest). */
export interface PersonLocation {
  city?: string | null;
  region?: string | null;
  country?: string | null;
  continent?: string | null;
}
