import { describe, expect, it, vi } from 'vitest';
import { normalizeEvent } from '../src/ingest/normalize-event.js';
import { storeEvents } from '../src/ingest/store-events.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { manualClock } from './harness.js';
import { dropSchema, freshSchema, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/**
 * A cache filled from inside a unit of work (the webhook subscriptions a segment transition
 * looks up, the live automations of an event Hark writes) must not wait for a connection of the
 * pool the units hold: with every connection taken by a unit that waits for one more, the
 * collector hangs for good. The store's cache reads have a pool of their own
 * (ARCHITECTURE.md "Caches and several collectors"); with a pool of one connection, a unit that
 * misses every cache still ends.
 */
const url = TEST_DATABASE_URL;
const NAME = 'a segment transition that misses the webhook subscription cache ends, with a pool of one connection';

if (url) {
  vi.setConfig({ testTimeout: 30_000 });
  describe('cache reads on PostgreSQL', () => {
    it(NAME, async () => {
      const schema = freshSchema();
      const clock = manualClock();
      const store = await openPostgresStore({ url, schema, clock, poolSize: 1 });
      try {
        const { project } = await store.ensureDefaultProject({});
        const now = clock.now();
        await store.webhooks.create(project.id, { id: 'hook-1', url: 'https://hooks.example.com/in', events: ['Segment Entered'], secret: 's', enabled: true }, now);
        const segment = await store.segments.create(project.id, { name: 'Pro', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } }, now);
        await store.segments.idle();
        // The caches' entries end, so the transition inside the ingest unit reads them afresh.
        clock.advance(60_000);
        const event = normalizeEvent(
          { type: 'identify', messageId: 'pool-1', userId: 'ada', traits: { plan: 'pro' } },
          { receivedAt: clock.now(), sentAt: null, context: null, userAgent: null },
        );
        if (!event.ok) throw new Error(event.message);
        const stored = await Promise.race([
          storeEvents(store, project.id, [event.event]).then(() => 'stored'),
          new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000)),
        ]);
        expect(stored).toBe('stored');
        expect(await store.segments.count(project.id, segment.id)).toBe(1);
        // The transition queued its webhook delivery in the same unit.
        const deliveries = await store.webhooks.deliveries(project.id, 'hook-1', { limit: 10, cursor: null });
        expect(deliveries.items.map((d) => d.type)).toEqual(['Segment Entered']);
      } finally {
        await store.close();
        await dropSchema(url, schema);
      }
    });
  });
} else {
  warnPostgresSkipped('Cache reads on PostgreSQL');
  describe.skip(`cache reads on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it(NAME, () => undefined);
  });
}
