import { channelOf } from '../../chain/channel.js';
import type { EventType } from '@hark/protocol';
import type { StoredPerson } from '../ports.js';
import type { ActivityItem, CompanySummary, Device, PersonKind, PersonSummary } from '../types.js';

/** Rows as better-sqlite3 returns them, and their mapping to the store's API shapes. */
export interface PersonRow {
  id: string;
  kind: PersonKind;
  user_id: string | null;
  email: string | null;
  traits: string;
  traits_at: number;
  created_at: number;
  last_seen_at: number;
  verified?: number;
}

export interface EventRow {
  seq: number;
  message_id: string;
  type: EventType;
  name: string | null;
  anonymous_id: string | null;
  user_id: string | null;
  properties: string;
  traits: string;
  context: string;
  device: string;
  timestamp: number;
  received_at: number;
  parent_id: string | null;
  root_id: string | null;
}

export interface CompanyRow {
  id: string;
  traits: string;
  created_at: number;
  updated_at: number;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** The columns every person read selects (toPersonSummary reads them). */
export const PERSON_COLUMNS = 'id, kind, user_id, email, traits, traits_at, created_at, last_seen_at';
/** The columns an event is read back with (toActivityItem reads them). */
export const EVENT_COLUMNS = 'seq, message_id, type, name, anonymous_id, user_id, properties, traits, context, device, timestamp, received_at, parent_id, root_id';
/** The columns an event is written with, in the order the ingest repository binds them. */
export const EVENT_INSERT_COLUMNS =
  'project_id, message_id, person_id, type, name, anonymous_id, user_id, properties, traits, context, device, timestamp, sent_at, received_at, parent_id, root_id';

/** A person and everyone merged into them, as an SQL subquery over `@id` (see person_aliases). */
export const PERSON_AND_ALIASES = '(SELECT @id UNION ALL SELECT alias_id FROM person_aliases WHERE person_id = @id)';

export function toPersonSummary(row: PersonRow): PersonSummary {
  const traits = JSON.parse(row.traits) as Record<string, unknown>;
  return {
    id: row.id,
    kind: row.kind,
    userId: row.user_id,
    email: row.email,
    name: typeof traits.name === 'string' ? traits.name : null,
    traits,
    firstSeenAt: iso(row.created_at),
    lastSeenAt: iso(row.last_seen_at),
  };
}

export function toStoredPerson(row: PersonRow): StoredPerson {
  return {
    id: row.id,
    kind: row.kind,
    userId: row.user_id,
    email: row.email,
    traits: JSON.parse(row.traits) as Record<string, unknown>,
    traitsAt: row.traits_at,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    verified: row.verified === 1,
  };
}

export function toCompanySummary(row: CompanyRow): CompanySummary {
  const traits = JSON.parse(row.traits) as Record<string, unknown>;
  return { id: row.id, name: typeof traits.name === 'string' ? traits.name : null, traits };
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function toActivityItem(row: EventRow): ActivityItem {
  const context = JSON.parse(row.context) as Record<string, unknown>;
  const page = (context.page ?? {}) as Record<string, unknown>;
  const campaign = context.campaign as Record<string, string> | undefined;
  return {
    messageId: row.message_id,
    type: row.type,
    name: row.name,
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    traits: JSON.parse(row.traits) as Record<string, unknown>,
    anonymousId: row.anonymous_id,
    userId: row.user_id,
    timestamp: iso(row.timestamp),
    receivedAt: iso(row.received_at),
    page: { url: str(page.url), path: str(page.path), title: str(page.title), referrer: str(page.referrer) },
    device: JSON.parse(row.device) as Device,
    campaign: campaign && typeof campaign === 'object' ? campaign : null,
    locale: str(context.locale),
    timezone: str(context.timezone),
    channel: channelOf(row.name, context),
    parentId: row.parent_id ?? null,
    rootId: row.root_id ?? null,
  };
}
