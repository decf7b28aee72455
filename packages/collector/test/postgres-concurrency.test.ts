import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../src/ingest/normalize-event.js';
import { storeEvents } from '../src/ingest/store-events.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';
import type { NormalizedEvent } from '../src/store/types.js';
import { dropSchema, freshSchema, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/**
 * Two collectors on one PostgreSQL: two stores, each with its own pool, on the same schema, so
 * their transactions really run at once on the server (what SQLite's single writer never had
 * to handle). Each round is started on both at the same moment and awaited together.
 */
const url = TEST_DATABASE_URL;
const T0 = Date.parse('2026-11-21T12:00:00.000Z');

let sequence = 0;
const event = (fields: Record<string, unknown>, at = T0): NormalizedEvent => {
  const result = normalizeEvent({ messageId: `cc-${++sequence}`, timestamp: new Date(at).toISOString(), ...fields }, { receivedAt: at, sentAt: null, context: null, userAgent: null });
  if (!result.ok) throw new Error(result.message);
  return result.event;
};

if (!url) {
  warnPostgresSkipped('PostgreSQL concurrency (two collectors)');
  describe.skip(`PostgreSQL concurrency (two collectors) — ${POSTGRES_SKIPPED}`, () => {
    it('dedupes and identifies correctly across two stores at once', () => undefined);
  });
} else {
  describe('PostgreSQL concurrency (two collectors on one database)', () => {
    const schema = freshSchema();
    let a: Store;
    let b: Store;
    let projectId: string;

    beforeAll(async () => {
      // Both open (and migrate) at once, as two collectors starting together would.
      [a, b] = await Promise.all([openPostgresStore({ url, schema }), openPostgresStore({ url, schema })]);
      const [fromA, fromB] = await Promise.all([a.ensureDefaultProject({}), b.ensureDefaultProject({})]);
      expect(fromB.project.id).toBe(fromA.project.id);
      projectId = fromA.project.id;
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await dropSchema(url, schema);
    });

    it('ends with one person when both identify the same anonymous id and user id at once', { timeout: 60_000 }, async () => {
      const rounds = 25;
      for (let i = 0; i < rounds; i++) {
        const anonymousId = `anon-${i}`;
        const userId = `user-${i}`;
        const [onA, onB] = await Promise.all([
          storeEvents(a, projectId, [event({ type: 'page', anonymousId }), event({ type: 'identify', anonymousId, userId, traits: { plan: 'pro' } })]),
          storeEvents(b, projectId, [event({ type: 'identify', anonymousId, userId, traits: { seats: 3 } }), event({ type: 'track', userId, event: 'Exported' })]),
        ]);
        expect([...onA, ...onB].every((outcome) => outcome.status === 'stored')).toBe(true);

        const byUser = await a.lookupPerson(projectId, { userId });
        const byAnonymous = await b.lookupPerson(projectId, { anonymousId });
        expect(byUser).not.toBeNull();
        expect(byAnonymous!.id).toBe(byUser!.id);
        // Every event on that one person, and both identifies' traits kept.
        expect(byUser!.counts.events).toBe(4);
        expect(byUser!.traits).toEqual({ plan: 'pro', seats: 3 });
        expect(byUser!.identities.map((identity) => `${identity.type}:${identity.value}`).sort()).toEqual([`anonymous:${anonymousId}`, `user:${userId}`]);
      }
      const people = await a.listPeople(projectId, { limit: 1000, cursor: null });
      expect(people.items).toHaveLength(rounds);
    });

    it('stores an event sent to both at once exactly once', { timeout: 60_000 }, async () => {
      const before = (await a.projectTotals(projectId)).events;
      const rounds = 25;
      for (let i = 0; i < rounds; i++) {
        // The same batch (same messageIds) on both collectors, as a client retrying through a load balancer.
        const batch = [event({ type: 'track', anonymousId: `retry-${i}`, event: 'Clicked' }), event({ type: 'page', anonymousId: `retry-${i}` })];
        const [onA, onB] = await Promise.all([storeEvents(a, projectId, batch), storeEvents(b, projectId, batch)]);
        for (let j = 0; j < batch.length; j++) {
          expect([onA[j]!.status, onB[j]!.status].sort()).toEqual(['duplicate', 'stored']);
        }
      }
      expect((await b.projectTotals(projectId)).events).toBe(before + rounds * 2);
    });

    it('sees a message written through the other collector within the cache lifetime', async () => {
      const message = await a.messages.create(
        projectId,
        {
          name: 'Hello',
          kind: 'notification',
          status: 'live',
          priority: 0,
          content: { title: 'Hi' },
          appearance: { position: 'bottom-right', size: 'medium' },
          conditions: { audience: {}, page: { rules: [] }, trigger: { type: 'pageLoad' }, frequency: { type: 'once' } },
        } as never,
        T0,
      );
      // b has never read this project's live messages: it reads them now and sees the new one.
      expect((await b.messages.live(projectId)).map((m) => m.id)).toEqual([message.id]);
    });
  });
}
