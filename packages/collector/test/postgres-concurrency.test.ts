import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
  vi.setConfig({ hookTimeout: 20_000 });
  describe('PostgreSQL concurrency (two collectors on one database)', () => {
    const schema = freshSchema();
    let a: Store;
    let b: Store;
    let projectId: string;
    // Frozen unless a test moves it, so a cache entry can only end by a notification, not its TTL.
    let now = T0;
    const clock = { now: () => now };

    beforeAll(async () => {
      // Both open (and migrate) at once, as two collectors starting together would.
      [a, b] = await Promise.all([openPostgresStore({ url, schema, clock }), openPostgresStore({ url, schema, clock })]);
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

    /** Asks until `read` gives what `done` wants; notifications arrive over the network, so this waits for real (at most 5 s). */
    const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
      const until = Date.now() + 5_000;
      for (;;) {
        const value = await read();
        if (done(value) || Date.now() > until) return value;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const record = (name: string) =>
      ({
        name,
        kind: 'notification',
        status: 'live',
        priority: 0,
        content: { title: 'Hi' },
        appearance: { position: 'bottom-right', size: 'medium' },
        conditions: { audience: {}, page: { rules: [] }, trigger: { type: 'pageLoad' }, frequency: { type: 'once' } },
      }) as never;

    it('drops the other collector\'s cached live messages when one publishes (NOTIFY), with time frozen', async () => {
      expect(await b.messages.live(projectId)).toEqual([]);
      const message = await a.messages.create(projectId, record('Hello'), T0);
      const seen = await eventually(() => b.messages.live(projectId), (live) => live.length === 1);
      expect(seen.map((m) => m.id)).toEqual([message.id]);
      await a.messages.remove(projectId, message.id);
      expect(await eventually(() => b.messages.live(projectId), (live) => live.length === 0)).toEqual([]);
    });

    it('drops the other collector\'s cached project when its settings change (NOTIFY)', async () => {
      const { writeKey } = (await a.findProjectById(projectId))!;
      expect((await b.findProjectByWriteKey(writeKey))!.settings.allowedOrigins).toEqual([]);
      await a.updateProjectSettings(projectId, { allowedOrigins: ['https://shop.example'] });
      const seen = await eventually(() => b.findProjectByWriteKey(writeKey), (project) => project!.settings.allowedOrigins.length === 1);
      expect(seen!.settings.allowedOrigins).toEqual(['https://shop.example']);
    });

    it('drops the other collector\'s cached live automations when one changes them (NOTIFY), with time frozen', async () => {
      expect(await b.automations.live(projectId)).toEqual([]);
      const automation = await a.automations.create(projectId, { name: 'Welcome', status: 'live', trigger: { type: 'manual' }, entry: 'once', exit: {}, steps: [{ id: 'end', type: 'exit' }] }, T0);
      expect((await eventually(() => b.automations.live(projectId), (live) => live.length === 1)).map((x) => x.id)).toEqual([automation.id]);
      await a.automations.update(projectId, automation.id, { name: 'Welcome', status: 'paused', trigger: { type: 'manual' }, entry: 'once', exit: {}, steps: [{ id: 'end', type: 'exit' }] }, T0 + 1);
      expect(await eventually(() => b.automations.live(projectId), (live) => live.length === 0)).toEqual([]);
    });

    it('still ends a cached entry after its TTL when no notification came', async () => {
      const message = await a.messages.create(projectId, record('Quiet'), T0);
      expect((await eventually(() => b.messages.live(projectId), (live) => live.length === 1)).map((m) => m.id)).toEqual([message.id]);
      // A change no collector announces (written straight to the table): only the TTL can reveal it.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`UPDATE "${schema}".messages SET status = 'paused' WHERE id = $1`, [message.id]);
      await client.end();
      expect((await b.messages.live(projectId)).map((m) => m.id)).toEqual([message.id]);
      now += 2_001;
      expect(await b.messages.live(projectId)).toEqual([]);
    });

    it('starts each email send once and never more than the per-minute cap, with both collectors claiming at once', { timeout: 60_000 }, async () => {
      const send = (id: string) => ({
        id, projectId, idempotencyKey: null, personId: null, to: 'a@example.com', from: 'hello@acme.test', replyTo: null, subject: 'Hi', text: 'x', html: null,
        attachments: [], headers: {}, transactional: true, templateId: null, messageId: `<${id}@acme.test>`, rootId: null, parentId: null, links: [], createdAt: T0,
      });
      for (let round = 0; round < 5; round++) {
        const at = T0 + round * 120_000; // each round in a minute of its own
        const ids = Array.from({ length: 6 }, (_, i) => `cap-${round}-${i}`);
        await Promise.all(ids.map((id) => a.emails.createSend(send(id))));
        const cap = { since: at - 60_000, limit: 2 };
        // Every send claimed by both collectors at the same moment.
        const claims = await Promise.all(ids.flatMap((id) => [a.emails.claimForSending(projectId, id, at, cap), b.emails.claimForSending(projectId, id, at, cap)]));
        expect(claims.filter((c) => c === 'claimed')).toHaveLength(2);
        for (let i = 0; i < ids.length; i++) expect(claims.slice(2 * i, 2 * i + 2).filter((c) => c === 'claimed').length).toBeLessThanOrEqual(1);
        expect((await b.emails.countStartedSince(projectId, cap.since)).count).toBe(2);
      }
    });
  });
}
