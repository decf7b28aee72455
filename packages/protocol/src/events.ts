/**
 * The events the App (or any Segment library) sends to the collector.
 * Field names follow the Segment HTTP Tracking API so existing Segment clients work unchanged.
 */

/** The event types the collector accepts. `screen` is Segment's mobile page view. */
export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What the sender knows about where and how an event happened. All fields optional. */
export interface EventContext {
  page?: { url?: string; path?: string; title?: string; referrer?: string; search?: string };
  campaign?: { name?: string; source?: string; medium?: string; term?: string; content?: string };
  library?: { name?: string; version?: string };
  screen?: { width?: number; height?: number; density?: number };
  locale?: string;
  timezone?: string;
  userAgent?: string;
  ip?: string;
  traits?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One event on the wire. `timestamp` is when it happened on the sender's clock. */
export interface WireEvent {
  type: EventType;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  /** track: the event name. */
  event?: string;
  /** page/screen: the page name. */
  name?: string;
  /** group: the company id. */
  groupId?: string;
  /** alias: the id being linked to `userId`. */
  previousId?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: EventContext;
  /** ISO-8601 on the sender's clock. */
  timestamp?: string;
  /** ISO-8601 on the sender's clock, set when the event left it. */
  sentAt?: string;
  /** identify: HMAC-SHA256(verification secret, userId), hex. */
  userHash?: string;
}

/** `POST /v1/batch` body. `writeKey` lets `text/plain` beacons authenticate without headers. */
export interface BatchRequest {
  batch: WireEvent[];
  sentAt?: string;
  writeKey?: string;
  context?: EventContext;
}

/** Why one event in a batch was not stored. The others in the batch are unaffected. */
export interface RejectedEvent {
  index: number;
  messageId?: string;
  code: string;
  message: string;
}

/** Something the collector did differently from what the event asked for, e.g. a refused merge. */
export interface EventWarning {
  index: number;
  messageId: string;
  code: string;
  message: string;
}

/** The answer to an ingest call. `success` is false when at least one event was rejected. */
export interface BatchResponse {
  success: boolean;
  accepted: number;
  duplicates: number;
  rejected: RejectedEvent[];
  warnings: EventWarning[];
}
