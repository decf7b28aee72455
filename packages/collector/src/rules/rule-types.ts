import type { ContactKind } from '@hark/protocol';

/**
 * A rule tree (DESIGN §8): `{ and: [...] }`, `{ or: [...] }`, `{ not: rule }` over leaves. One
 * shape for segments, message audiences, suppression rules and (later) automation branches.
 * docs/AUDIENCES.md is the reference with examples.
 */
export type Rule = AndRule | OrRule | NotRule | Leaf;

export interface AndRule {
  and: Rule[];
}
export interface OrRule {
  or: Rule[];
}
export interface NotRule {
  not: Rule;
}

export type Leaf =
  | KindLeaf
  | TraitLeaf
  | CompanyTraitLeaf
  | ListLeaf
  | EventLeaf
  | NoEventLeaf
  | SeenLeaf
  | GeoLeaf
  | MessageLeaf
  | EmailLeaf
  | OptedOutLeaf;

/** The person is one of these kinds. */
export interface KindLeaf {
  type: 'kind';
  value: ContactKind[];
}

export const TRAIT_OPS = ['equals', 'not_equals', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte', 'within_last_days'] as const;
export type TraitOp = (typeof TRAIT_OPS)[number];
export type Scalar = string | number | boolean;

/**
 * A trait (dotted path) compared with `value`. gt/gte/lt/lte compare numbers when `value` is a
 * number and instants when it is an ISO date; `within_last_days` takes a number of days and holds
 * for a date trait no older than that (and not in the future).
 */
export interface TraitLeaf {
  type: 'trait';
  trait: string;
  op: TraitOp;
  value?: Scalar;
}

/** Holds when any of the person's companies has a trait that matches. */
export interface CompanyTraitLeaf {
  type: 'company_trait';
  trait: string;
  op: TraitOp;
  value?: Scalar;
}

export interface ListLeaf {
  type: 'list';
  list: string;
}

/** Last T days: today (UTC) and the T−1 days before it. Between: whole UTC days, both included. */
export type EventWindow = { lastDays: number } | { from: string; to: string };

export const COUNT_OPS = ['at_least', 'at_most', 'exactly'] as const;
export type CountOp = (typeof COUNT_OPS)[number];

export const PROPERTY_OPS = ['equals', 'not_equals', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte'] as const;
export interface PropertyCondition {
  property: string;
  op: (typeof PROPERTY_OPS)[number];
  value?: Scalar;
}

/** Tracked `event` (count `op` `value` times; default at least once), within `window` (default: ever). */
export interface EventLeaf {
  type: 'event';
  event: string;
  count?: { op: CountOp; value: number };
  window?: EventWindow;
  /** Only events whose properties meet every condition count. */
  where?: PropertyCondition[];
}

/** Did not track `event` within `window` (default: ever). */
export interface NoEventLeaf {
  type: 'no_event';
  event: string;
  window?: EventWindow;
  where?: PropertyCondition[];
}

export const SEEN_OPS = ['before', 'after', 'within_last_days', 'not_within_last_days'] as const;
/** First or last seen before/after an ISO date, or within the last N days. */
export interface SeenLeaf {
  type: 'first_seen' | 'last_seen';
  op: (typeof SEEN_OPS)[number];
  value: string | number;
}

export const GEO_FIELDS = ['country', 'region', 'city', 'continent'] as const;
export const GEO_OPS = ['equals', 'not_equals', 'in', 'exists', 'not_exists'] as const;
/** The person's last known place, compared without regard to case. */
export interface GeoLeaf {
  type: 'geo';
  field: (typeof GEO_FIELDS)[number];
  op: (typeof GEO_OPS)[number];
  value?: string | string[];
}

export const MESSAGE_OPS = ['shown', 'dismissed', 'answered', 'grade_lte', 'grade_gte'] as const;
/** What the person did with in-app message `message`; grades are the survey's 1–5. */
export interface MessageLeaf {
  type: 'message';
  message: string;
  op: (typeof MESSAGE_OPS)[number];
  value?: number;
}

export const EMAIL_OPS = ['opened', 'clicked'] as const;
/**
 * Opened or clicked an email (any, or one sent from template `template`) within `window`
 * (default: ever). Read from the `Email Opened` / `Email Clicked` events the tracking URLs record,
 * through the same facts as an event leaf (rules/email-leaf.ts).
 */
export interface EmailLeaf {
  type: 'email';
  op: (typeof EMAIL_OPS)[number];
  template?: string;
  window?: EventWindow;
}

/** On the project's suppression list (by user id or email), or trait `unsubscribed` is true. */
export interface OptedOutLeaf {
  type: 'opted_out';
}

export const LEAF_TYPES = ['kind', 'trait', 'company_trait', 'list', 'event', 'no_event', 'first_seen', 'last_seen', 'geo', 'message', 'email', 'opted_out'] as const;
