import type { ContactKind } from '@hark/protocol';
import type { Geo, MessageInteraction } from '../rules/index.js';

/**
 * What both stores' facts loaders (sqlite/sqlite-person-facts.ts, postgres/postgres-person-facts.ts)
 * make of the rows they read: the same columns, so one mapping.
 */

/** Occurrences kept per event for `where` conditions: the newest ones. */
/** The person row a facts load starts from (both stores select these columns). */
export interface FactsRow {
  id: string;
  kind: ContactKind;
  user_id: string | null;
  email: string | null;
  traits: string;
  created_at: number;
  last_seen_at: number;
  geo: string | null;
}

export const MAX_OCCURRENCES = 1000;

export interface DeliveryFactsRow {
  message_id: string;
  shown_count: number;
  clicked_at: number | null;
  dismissed_at: number | null;
  answered_at: number | null;
  value: number | null;
}

/** Folds a person's deliveries into what the rules read per message. */
export function toMessageFacts(rows: readonly DeliveryFactsRow[]): Map<string, MessageInteraction> {
  const messages = new Map<string, MessageInteraction>();
  const latestAnswer = new Map<string, number>();
  for (const r of rows) {
    const stats = messages.get(r.message_id) ?? { shown: false, dismissed: false, answered: false, grade: null };
    // An interaction without a Shown event still means the message was on screen.
    stats.shown ||= r.shown_count > 0 || r.clicked_at !== null || r.dismissed_at !== null || r.answered_at !== null;
    stats.dismissed ||= r.dismissed_at !== null;
    stats.answered ||= r.answered_at !== null;
    if (r.answered_at !== null && r.value !== null && r.answered_at >= (latestAnswer.get(r.message_id) ?? -Infinity)) {
      stats.grade = r.value;
      latestAnswer.set(r.message_id, r.answered_at);
    }
    messages.set(r.message_id, stats);
  }
  return messages;
}

/** Per event, per UTC day, how many times. */
export function toEventDays(rows: readonly { event: string; day: number; n: number }[]): Map<string, Map<number, number>> {
  const eventDays = new Map<string, Map<number, number>>();
  for (const r of rows) {
    let byDay = eventDays.get(r.event);
    if (!byDay) eventDays.set(r.event, (byDay = new Map()));
    byDay.set(r.day, r.n);
  }
  return eventDays;
}

/** people.geo as the rules read it; anything unreadable is no place. */
export function readGeo(text: string | null): Geo | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Geo> | null;
    if (!value || typeof value !== 'object') return null;
    const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
    return { country: str(value.country), region: str(value.region), city: str(value.city), continent: str(value.continent) };
  } catch {
    return null;
  }
}

/** The facts a person row answers by itself, mapped once for both stores' loaders. */
export function personRowFacts(row: FactsRow, needed: { geo: boolean }) {
  return {
    kind: row.kind,
    traits: JSON.parse(row.traits) as Record<string, unknown>,
    email: row.email,
    userId: row.user_id,
    firstSeenAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    geo: needed.geo ? readGeo(row.geo) : null,
  };
}
