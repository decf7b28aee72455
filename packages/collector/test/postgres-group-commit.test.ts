import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { readConfig } from '../src/config.js';
import { normalizeEvent } from '../src/ingest/normalize-event.js';
import { storeEvents } from '../src/ingest/store-events.js';
import type { IngestUnitOfWork } from '../src/store/ports.js';
import { manualClock } from './harness.js';
import { openTestPostgresStore, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/**
 * The PostgreSQL group commit (postgres-group-commit.ts) writes units that queue together in
 * one transaction. A unit that throws must fail alone: it is rolled back (to its savepoint) and
 * runs again on its own, the others of its group commit, and only the failing caller is rejected.
 */
const url = TEST_DATABASE_URL;
const NAMES = [
  'a unit that fails inside a group fails alone; the other units of its group commit',
  'a group whose first unit fails is written again unit by unit; only that unit fails',
] as const;

if (url) {
  vi.setConfig({ testTimeout: 30_000 });
  describe('group commit on PostgreSQL', () => {
    // Second in its group (rolled back to its savepoint), or first (the whole group runs alone).
    it.each([
      { name: NAMES[0], failingAt: 1 },
      { name: NAMES[1], failingAt: 0 },
    ])('$name', async ({ failingAt }) => {
      const clock = manualClock();
      const { store, schema, close } = await openTestPostgresStore(url, clock);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { project } = await store.ensureDefaultProject({});
        const batch = (person: string) =>
          [1, 2, 3].map((n) => {
            const event = normalizeEvent(
              { type: 'track', event: 'Clicked', messageId: `${person}-${n}`, anonymousId: person },
              { receivedAt: clock.now(), sentAt: null, context: null, userAgent: null },
            );
            if (!event.ok) throw new Error(event.message);
            return event.event;
          });
        // The failing caller's unit does all its writes, then throws: its events must not stay.
        let failingRuns = 0;
        const failing: IngestUnitOfWork = {
          transact: (weight, work) =>
            store.transact(weight, async (tx) => {
              await work(tx);
              failingRuns++;
              throw new Error('this unit fails');
            }),
        };
        // Called in one turn, so they queue together and form one group.
        const calls = [() => storeEvents(store, project.id, batch('a')), () => storeEvents(store, project.id, batch('b')), () => storeEvents(store, project.id, batch('c'))];
        calls.splice(failingAt, 0, () => storeEvents(failing, project.id, batch('bad')));
        const results = await Promise.allSettled(calls.map((call) => call()));
        const good = [0, 1, 2, 3].filter((i) => i !== failingAt);
        expect(results[failingAt]!.status).toBe('rejected');
        expect((results[failingAt] as PromiseRejectedResult).reason).toMatchObject({ message: 'this unit fails' });
        for (const i of good) expect((results[i] as PromiseFulfilledResult<{ status: string }[]>).value.map((o) => o.status)).toEqual(['stored', 'stored', 'stored']);
        // Once in the group, once alone: it was grouped, and the group was rolled back for it.
        expect(failingRuns).toBe(2);
        const stored = await client.query<{ message_id: string }>(`SELECT message_id FROM "${schema}".events ORDER BY message_id`);
        expect(stored.rows.map((r) => r.message_id)).toEqual(['a-1', 'a-2', 'a-3', 'b-1', 'b-2', 'b-3', 'c-1', 'c-2', 'c-3']);
      } finally {
        await client.end();
        await close();
      }
    });
  });
} else {
  warnPostgresSkipped('Group commit on PostgreSQL');
  describe.skip(`group commit on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    for (const name of NAMES) it(name, () => undefined);
  });
}

// The switch needs no PostgreSQL: it is read and checked at start, with the other settings.
describe('HARK_PG_GROUP_COMMIT', () => {
  it('is on unless set to off, and refuses anything else at start', () => {
    const setting = (value: string | undefined) => readConfig({ HARK_PG_GROUP_COMMIT: value }, '/srv/hark').pgGroupCommit;
    expect([setting(undefined), setting('on'), setting('OFF'), setting('off')]).toEqual([true, true, false, false]);
    expect(() => setting('no')).toThrow(/HARK_PG_GROUP_COMMIT must be "on" or "off"/);
  });
});
