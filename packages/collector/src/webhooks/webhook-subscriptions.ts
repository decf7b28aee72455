import type { Clock } from '../clock.js';
import type { WebhookStore } from '../store/webhook-store.js';

/** A project's enabled subscriptions, by the event names they want. */
export interface SubscriptionSet {
  /** Webhook ids subscribed to every event ('*'). */
  all: readonly string[];
  /** Event name → webhook ids subscribed to it by name. */
  byName: ReadonlyMap<string, readonly string[]>;
}

export const NO_SUBSCRIPTIONS: SubscriptionSet = { all: [], byName: new Map() };

/**
 * How long an entry is trusted. Within this process every change drops the entry at once; the
 * TTL bounds how long another collector on the same PostgreSQL may miss a change (as the other
 * caches, ARCHITECTURE.md "Caches and several collectors").
 */
export const SUBSCRIPTIONS_TTL_MS = 2_000;

export interface WebhookSubscriptions {
  forProject(projectId: string): Promise<SubscriptionSet>;
  /** After any change to the project's webhooks. */
  invalidate(projectId: string): void;
}

export function webhooksFor(set: SubscriptionSet, eventName: string): string[] {
  const named = set.byName.get(eventName);
  return named ? [...set.all, ...named] : [...set.all];
}

/**
 * The cached per-project set the write path matches every event against, so a project without
 * webhooks pays a map lookup per batch and nothing else.
 */
export function createWebhookSubscriptions(store: WebhookStore, clock: Clock): WebhookSubscriptions {
  const cache = new Map<string, { set: SubscriptionSet; until: number }>();
  return {
    async forProject(projectId) {
      const hit = cache.get(projectId);
      if (hit && hit.until > clock.now()) return hit.set;
      const rows = await store.subscriptions(projectId);
      const all: string[] = [];
      const byName = new Map<string, string[]>();
      for (const row of rows) {
        if (row.events.includes('*')) all.push(row.id);
        else for (const name of new Set(row.events)) byName.set(name, [...(byName.get(name) ?? []), row.id]);
      }
      const set = rows.length ? { all, byName } : NO_SUBSCRIPTIONS;
      cache.set(projectId, { set, until: clock.now() + SUBSCRIPTIONS_TTL_MS });
      return set;
    },
    invalidate(projectId) {
      cache.delete(projectId);
    },
  };
}

const shared = new WeakMap<WebhookStore, WebhookSubscriptions>();

/**
 * The one subscription cache of a store in this process: ingest (app.ts) and the events Hark
 * writes itself (automations/store-hark-event.ts, from job handlers that have no app) read the
 * same entries, and a webhook edit through the admin API invalidates them for both. The clock of
 * the first caller decides the TTL.
 */
export function sharedWebhookSubscriptions(store: WebhookStore, clock: Clock): WebhookSubscriptions {
  let subscriptions = shared.get(store);
  if (!subscriptions) {
    subscriptions = createWebhookSubscriptions(store, clock);
    shared.set(store, subscriptions);
  }
  return subscriptions;
}
