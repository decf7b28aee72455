import { describe, expect, it, vi } from 'vitest';
import { normalizeEvent } from '../src/ingest/normalize-event.js';
import { storeEvents } from '../src/ingest/store-events.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Rule } from '../src/rules/index.js';
import type { Store } from '../src/store/store.js';
import { manualClock } from './harness.js';
import { dropSchema, freshSchema, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/**
 * Segments with several collectors on one PostgreSQL (ARCHITECTURE.md "Audiences"): two stores
 * on one schema stand for two collectors. A segment made on one is seen by the other's ingest
 * (the change feed drops its cached trees); a fill and an ingest deciding the same membership at
 * once record it once; two collectors never fill one segment at once.
 */
const url = TEST_DATABASE_URL;
const NAMES = [
  'sees a segment made on another collector, through the change feed',
  'records each entry once when two collectors fill and ingest at the same time',
] as const;

let sequence = 0;
const pings = (count: number, at: number, from = 0) =>
  Array.from({ length: count }, (_, i) => {
    const result = normalizeEvent(
      { type: 'track', event: 'Ping', messageId: `pg-ping-${++sequence}`, userId: `u${from + i}`, timestamp: new Date(at).toISOString() },
      { receivedAt: at, sentAt: null, context: null, userAgent: null },
    );
    if (!result.ok) throw new Error(result.message);
    return result.event;
  });
const identifies = (count: number, at: number, from = 0) =>
  Array.from({ length: count }, (_, i) => {
    const result = normalizeEvent(
      { type: 'identify', messageId: `pg-seg-${++sequence}`, userId: `u${from + i}`, traits: { n: from + i }, timestamp: new Date(at).toISOString() },
      { receivedAt: at, sentAt: null, context: null, userAgent: null },
    );
    if (!result.ok) throw new Error(result.message);
    return result.event;
  });

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

if (url) {
  vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });
  describe('segments on several PostgreSQL collectors', () => {
    const twoCollectors = async (): Promise<{ a: Store; b: Store; close: () => Promise<void> }> => {
      const schema = freshSchema();
      const clock = manualClock();
      const a = await openPostgresStore({ url, schema, clock });
      const b = await openPostgresStore({ url, schema, clock });
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await b.close();
          await dropSchema(url, schema);
        },
      };
    };

    it(NAMES[0], async () => {
      const { a, b, close } = await twoCollectors();
      try {
        const { project } = await a.ensureDefaultProject({});
        const now = Date.parse('2026-11-21T12:00:00.000Z');
        // B learns the project has no segment (and caches that) before A makes one.
        await storeEvents(b, project.id, identifies(1, now));
        const segment = await a.segments.create(project.id, { name: 'Big n', rules: { type: 'trait', trait: 'n', op: 'gte', value: 100 } }, now);
        await a.segments.idle();
        // B's next ingest evaluates the new tree (its cache was dropped by A's notification).
        await until(async () => {
          await storeEvents(b, project.id, identifies(1, now, 100 + sequence));
          return (await b.segments.count(project.id, segment.id)) > 0;
        }, "B's ingest to see A's segment");
        // And an edit on A reaches B the same way.
        await a.segments.update(project.id, segment.id, { rules: { type: 'trait', trait: 'n', op: 'lt', value: 0 } }, now);
        await a.segments.idle();
        expect(await a.segments.count(project.id, segment.id)).toBe(0);
        await until(async () => {
          await storeEvents(b, project.id, identifies(1, now, 100 + sequence));
          return (await b.segments.count(project.id, segment.id)) === 0;
        }, "B's ingest to see A's edit");
      } finally {
        await close();
      }
    });

    it(NAMES[1], async () => {
      const { a, b, close } = await twoCollectors();
      try {
        const { project } = await a.ensureDefaultProject({});
        const now = Date.parse('2026-11-21T12:00:00.000Z');
        await storeEvents(a, project.id, identifies(600, now));
        // Read by the fill and by every Ping: ingest decides the same entries as the fill, at once.
        const rules: Rule = { or: [{ type: 'kind', value: ['user'] }, { type: 'event', event: 'Ping' }] };
        const segment = await a.segments.create(project.id, { name: 'Everyone', rules }, now);
        // B joins the fill (its sweep tick looks for pending fills) while both collectors ingest.
        await Promise.all([
          b.segments.sweepDue(now),
          ...[0, 100, 200, 300, 400, 500].map((from, i) => storeEvents(i % 2 ? a : b, project.id, pings(100, now + 1, from))),
        ]);
        await Promise.all([a.segments.idle(), b.segments.idle()]);
        await until(async () => (await a.segments.get(project.id, segment.id))?.status === 'ready', 'the fill to end');
        expect(await a.segments.get(project.id, segment.id)).toMatchObject({ status: 'ready', size: 600, progress: { processed: 600, total: 600 } });
        // One Segment Entered per person, however many collectors decided it.
        const entered = await a.projectTotals(project.id);
        const perPerson = await Promise.all(
          ['u0', 'u50', 'u350', 'u599'].map(async (userId) => {
            const person = (await a.lookupPerson(project.id, { userId }))!;
            const activity = await a.listActivity(project.id, person.id, { limit: 100, cursor: null });
            return activity.items.filter((item) => item.name === 'Segment Entered').length;
          }),
        );
        expect(perPerson).toEqual([1, 1, 1, 1]);
        // 600 identifies, 600 pings, 600 entries: nothing recorded twice.
        expect(entered.events).toBe(600 + 600 + 600);
      } finally {
        await close();
      }
    });
  });
} else {
  warnPostgresSkipped('Segments on several PostgreSQL collectors');
  describe.skip(`segments on several PostgreSQL collectors — ${POSTGRES_SKIPPED}`, () => {
    for (const name of NAMES) it(name, () => undefined);
  });
}
