import type { Channel } from '../chain/channel.js';
import type { EventContext, EventType, Page } from '@hark/protocol';

/** A tenant. Every row in the store belongs to one. */
export interface Project {
  id: string;
  name: string;
  writeKey: string;
  /**
   * The plain secret key, only on the project answered when the key was made (first start,
   * rotation) or pinned (HARK_SECRET_KEY): the store keeps nothing but its SHA-256.
   */
  secretKey?: string;
  createdAt: number;
  settings: ProjectSettings;
  /** Rotated verification secrets still honoured until their grace period ends. */
  graceVerificationSecrets: string[];
}

/**
 * off: userHash is ignored. verify: a valid userHash marks the person verified, and a verified
 * person can no longer be reached by an identify without one. enforce: an identify without a
 * valid userHash is refused.
 */
export type IdentityVerification = 'off' | 'verify' | 'enforce';

export interface ProjectSettings {
  identityVerification: IdentityVerification;
  /** HMAC-SHA256 key for userHash; distinct from the secret key so it can live in the host's back end alone. */
  verificationSecret: string;
  /** When not empty, browser calls (with an Origin header) from other origins are refused. */
  allowedOrigins: string[];
  /**
   * HMAC-SHA256 key for chain tokens and email tracking links (chain/chain-token.ts). Made at
   * project creation (a migration filled it for older projects); never shown by any API answer,
   * as it only ever signs what the collector itself hands out.
   */
  linkSecret: string;
}

/** What the admin API may change in a project's settings: never its secrets (those are rotated or made). */
export type ProjectSettingsPatch = Partial<Omit<ProjectSettings, 'verificationSecret' | 'linkSecret'>>;

export type KeyKind = 'write' | 'secret' | 'verification';

export type PersonKind = 'visitor' | 'lead' | 'user';
export type IdentityType = 'anonymous' | 'user' | 'email';

/**
 * An event after validation and enrichment, ready to store. Times are epoch milliseconds,
 * `timestamp` already corrected for the sender's clock skew.
 */
export interface NormalizedEvent {
  messageId: string;
  type: EventType;
  /** track: event name; page/screen: page name. */
  name: string | null;
  anonymousId: string | null;
  userId: string | null;
  groupId: string | null;
  previousId: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: EventContext;
  /** A valid email found in traits (identify) or properties (track), used to make leads. */
  email: string | null;
  /** True when the request used the secret key or the identify carried a valid userHash. */
  verified: boolean;
  device: Device;
  /**
   * The JSON the store writes for the object fields, serialised once at normalisation: the
   * 32 KB event cap is measured on these strings, and no store stringifies them again.
   */
  stored: StoredJson;
  timestamp: number;
  sentAt: number | null;
  receivedAt: number;
  /** Where the request came from (issue 11), found by the collector; the address itself is never kept. */
  geo?: Geo | null;
  /**
   * The chain of events (DESIGN §9): the event this one follows and the chain's first event
   * (messageIds), as given: from `context.hark` or a verified chain token at normalisation. The
   * write path settles the stored root from them (chain/chain-root.ts). Hark's own writers set them too.
   */
  parentId?: string | null;
  rootId?: string | null;
}

/**
 * A location found from a request's address (see /work/briefs/geo-shape.md, ARCHITECTURE.md):
 * on the event as `context.geo`, on the person as the last known location. Every key is
 * present; null when unknown or cut by HARK_GEO=country.
 */
export interface Geo {
  city: string | null;
  /** First-level subdivision name, e.g. "England", "California". */
  region: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string | null;
  /** AF AN AS EU NA OC SA. */
  continent: string | null;
  /**
   * IANA time zone of the city (null in country mode or when unknown; absent on locations stored before it was kept). The App does not read the
   * browser's zone (Intl costs ~40 ms of main thread on a cold page), so this is where an event's
   * `context.timezone` comes from unless the sender gave one.
   */
  timezone?: string | null;
}

export interface StoredJson {
  properties: string;
  traits: string;
  context: string;
  device: string;
}

/** What happened to one event handed to `Store.ingest`, in the same order. */
export type IngestOutcome =
  | { status: 'stored'; personId: string; warning?: { code: string; message: string } }
  | { status: 'duplicate' }
  | { status: 'rejected'; code: string; message: string };

export interface PersonSummary {
  id: string;
  kind: PersonKind;
  userId: string | null;
  email: string | null;
  name: string | null;
  traits: Record<string, unknown>;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface PersonIdentity {
  type: IdentityType;
  value: string;
  createdAt: string;
}

export interface CompanySummary {
  id: string;
  name: string | null;
  traits: Record<string, unknown>;
}

export interface PersonDetail extends PersonSummary {
  identities: PersonIdentity[];
  companies: CompanySummary[];
  counts: { events: number; pageViews: number; tracks: number; identifies: number };
  /** The ids of people that were merged into this one. */
  mergedFrom: string[];
  /** The last known location (issue 11 geolocation), null when never located. */
  location: Geo | null;
}

export interface ActivityItem {
  messageId: string;
  type: EventType;
  name: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  anonymousId: string | null;
  userId: string | null;
  timestamp: string;
  receivedAt: string;
  page: { url: string | null; path: string | null; title: string | null; referrer: string | null };
  device: Device;
  campaign: Record<string, string> | null;
  locale: string | null;
  timezone?: string | null;
  /** How it reached the contact (chain/channel.ts): web, email, message, automation, webhook. */
  channel: Channel;
  /** The chain this event is part of (null when it is part of none). */
  parentId: string | null;
  rootId: string | null;
}

/** Parsed from the user agent on the collector, never in the browser. */
export interface Device {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  osVersion: string | null;
  type: string;
}

export interface CompanyDetail extends CompanySummary {
  createdAt: string;
  updatedAt: string;
  people: PersonSummary[];
}

export interface PeopleQuery {
  limit: number;
  cursor: string | null;
  kind?: PersonKind;
  /** Matches email, name or user id (substring, case-insensitive). */
  search?: string;
  /** Exact match on one trait: `traits.plan = "pro"`. */
  trait?: { key: string; value: string };
}

export interface PageQuery {
  limit: number;
  cursor: string | null;
}

export type PersonLookup = { userId: string } | { anonymousId: string } | { email: string };

export type { Page };

/**
 * Everything held about one person, for a privacy request, but the events: those can run to
 * millions, so the export route streams them page by page (routes/person-export.ts) instead of
 * holding them in memory.
 */
export interface PersonExport {
  exportedAt: string;
  person: PersonDetail;
  deliveries: Record<string, unknown>[];
  merges: Record<string, unknown>[];
}

export interface ErasureReport {
  personId: string;
  events: number;
  deliveries: number;
  /** The identifiers kept so a late event does not re-create the person. */
  erasedIdentities: { type: IdentityType; value: string }[];
}

export interface ErasedIdentity {
  type: IdentityType;
  value: string;
  erasedAt: string;
}

export interface ProjectTotals {
  people: number;
  identities: number;
  events: number;
  deliveries: number;
}
