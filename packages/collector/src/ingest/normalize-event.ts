import { randomUUID } from 'node:crypto';
import type { EventContext } from '@hark/protocol';
import { LIMITS } from '@hark/protocol';
import { readChainFields, type ChainWarning } from '../chain/chain-fields.js';
import { validEmail } from '../identity/email.js';
import { MAX_TIME } from '../time.js';
import type { Geo, NormalizedEvent } from '../store/types.js';
import { describeIssues, wireEventSchema } from './event-schema.js';
import { checkJsonTree } from './json-tree.js';
import { parseUserAgent } from './user-agent.js';

/** What the request adds to every event it carries. */
export interface RequestFacts {
  receivedAt: number;
  /** The batch-level `sentAt`, used when an event has none. */
  sentAt: number | null;
  /** The batch-level context, under each event's own. */
  context: Record<string, unknown> | null;
  /** The User-Agent header, used when the event's context names none (browser beacons). */
  userAgent: string | null;
  /** The request's location when geolocation is on; its address is never passed on. */
  geo?: Geo | null;
}

export type Normalized = { ok: true; event: NormalizedEvent; userHash: string | null; warning?: ChainWarning } | { ok: false; code: string; message: string; messageId?: string };

const UTM_KEYS = { utm_source: 'source', utm_medium: 'medium', utm_campaign: 'name', utm_term: 'term', utm_content: 'content' } as const;

/**
 * Validates one wire event and turns it into what the store keeps: ids as strings, times in
 * epoch ms corrected for the sender's clock skew, UTM and device derived, email picked out, the
 * chain fields read (`linkSecret` verifies a chain token; without it a token is ignored).
 */
export function normalizeEvent(raw: unknown, facts: RequestFacts, linkSecret?: string): Normalized {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'invalid_event', message: 'An event must be a JSON object.' };
  }
  const rawMessageId = (raw as { messageId?: unknown }).messageId;
  const messageId = typeof rawMessageId === 'string' ? rawMessageId.slice(0, LIMITS.maxIdLength) : undefined;
  const parsed = wireEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, code: 'invalid_event', message: describeIssues(parsed.error), messageId };
  const event = parsed.data;

  const properties = checkJsonTree(event.properties, 'properties');
  if (!properties.ok) return { ok: false, code: 'invalid_event', message: properties.message, messageId };
  const traits = checkJsonTree(event.traits, 'traits');
  if (!traits.ok) return { ok: false, code: 'invalid_event', message: traits.message, messageId };
  const ownContext = checkJsonTree(event.context, 'context');
  if (!ownContext.ok) return { ok: false, code: 'invalid_event', message: ownContext.message, messageId };

  const context = (facts.context ? { ...facts.context, ...ownContext.value } : ownContext.value) as EventContext;
  if (event.type === 'page') fillPageContext(context, properties.value);
  if (!context.campaign && typeof context.page?.url === 'string') deriveCampaign(context, context.page.url);
  // Issue 11: an address is never stored, and a location is only the collector's own finding.
  delete context.ip;
  delete context.geo;
  if (facts.geo) {
    context.geo = facts.geo;
    // The located zone stands in for one the sender did not send (the App never does, see Geo).
    if (typeof context.timezone !== 'string' && facts.geo.timezone) context.timezone = facts.geo.timezone;
  }
  const finalMessageId = event.messageId ?? `srv-${randomUUID()}`;
  const { chain, warning } = readChainFields(context, finalMessageId, linkSecret);

  const sentAt = event.sentAt ?? facts.sentAt;
  const happenedAt = event.timestamp ?? event.originalTimestamp;
  // DESIGN §3: the sender's clock may be off; trust the interval it measured, not its wall time.
  const corrected = happenedAt === undefined ? facts.receivedAt : sentAt === null || sentAt === undefined ? happenedAt : happenedAt + (facts.receivedAt - sentAt);
  // A sentAt no clock could show (the batch-level one is any number) would move the time off the
  // calendar, and every read of this person would fail on it: keep the time as sent instead.
  const timestamp = corrected >= 0 && corrected <= MAX_TIME ? corrected : (happenedAt ?? facts.receivedAt);

  const userAgent = typeof context.userAgent === 'string' ? context.userAgent : facts.userAgent;
  const device = parseUserAgent(userAgent);
  // Serialised once: the cap is measured on exactly what the store writes, which then writes
  // these strings as they are. The fields Hark drops (integrations, _metadata…) cost nothing.
  const stored = { properties: JSON.stringify(properties.value), traits: JSON.stringify(traits.value), context: JSON.stringify(context), device: JSON.stringify(device) };
  const size = Buffer.byteLength(stored.properties) + Buffer.byteLength(stored.traits) + Buffer.byteLength(stored.context) + Buffer.byteLength(stored.device);
  if (size > LIMITS.maxEventBytes) {
    return { ok: false, code: 'event_too_large', message: `The event is ${size} bytes; the limit is ${LIMITS.maxEventBytes}.`, messageId };
  }
  const normalized: NormalizedEvent = {
    messageId: finalMessageId,
    type: event.type,
    name: event.type === 'track' ? event.event! : event.type === 'page' || event.type === 'screen' ? (event.name ?? stringOrNull(properties.value.name)) : null,
    anonymousId: event.anonymousId ?? null,
    userId: event.userId ?? null,
    groupId: event.groupId ?? null,
    previousId: event.previousId ?? null,
    properties: properties.value,
    traits: traits.value,
    context,
    device,
    stored,
    email: findEmail(event.type, traits.value, properties.value, context),
    verified: false,
    timestamp: Math.round(timestamp),
    sentAt: sentAt ?? null,
    receivedAt: facts.receivedAt,
    geo: facts.geo ?? null,
    parentId: chain?.parentId ?? null,
    rootId: chain?.rootId ?? null,
  };
  return warning ? { ok: true, event: normalized, userHash: event.userHash ?? null, warning } : { ok: true, event: normalized, userHash: event.userHash ?? null };
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function fillPageContext(context: EventContext, properties: Record<string, unknown>): void {
  const page = { ...(context.page ?? {}) };
  for (const key of ['url', 'path', 'title', 'referrer', 'search'] as const) {
    if (page[key] === undefined && typeof properties[key] === 'string') page[key] = properties[key] as string;
  }
  context.page = page;
}

function deriveCampaign(context: EventContext, url: string): void {
  if (!url.includes('utm_')) return;
  try {
    const params = new URL(url).searchParams;
    const campaign: Record<string, string> = {};
    for (const [param, key] of Object.entries(UTM_KEYS)) {
      const value = params.get(param);
      if (value) campaign[key] = value;
    }
    if (Object.keys(campaign).length) context.campaign = campaign;
  } catch {
    // Not a URL we can read; the page is still stored as sent.
  }
}

function findEmail(
  type: string,
  traits: Record<string, unknown>,
  properties: Record<string, unknown>,
  context: EventContext,
): string | null {
  const candidates = type === 'identify' ? [traits.email, context.traits?.email] : type === 'track' ? [properties.email, context.traits?.email] : [];
  for (const candidate of candidates) {
    const email = validEmail(candidate);
    if (email) return email;
  }
  return null;
}

/** The JSON a store writes for an event's object fields (for callers that build events by hand: tests, the bench). */
export function storedJsonOf(event: Pick<NormalizedEvent, 'properties' | 'traits' | 'context' | 'device'>): NormalizedEvent['stored'] {
  return { properties: JSON.stringify(event.properties), traits: JSON.stringify(event.traits), context: JSON.stringify(event.context), device: JSON.stringify(event.device) };
}
