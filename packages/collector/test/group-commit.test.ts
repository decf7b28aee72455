import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../src/store/types.js';
import { mid, startCollector, type TestCollector } from './harness.js';
import { rowCounts } from './message-helpers.js';

/**
 * The SQLite store writes the batches of concurrent requests in one transaction (group commit,
 * store/sqlite/group-commit.ts). These tests hold it to what a single transaction per request
 * promised: everything acknowledged is stored, and one batch's failure is its own.
 */

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

const track = (anonymousId: string, name = 'Clicked'): NormalizedEvent => ({
  messageId: mid('group'),
  type: 'track',
  name,
  anonymousId,
  userId: null,
  groupId: null,
  previousId: null,
  properties: { plan: 'pro' },
  traits: {},
  context: {},
  email: null,
  verified: false,
  device: { browser: null, browserVersion: null, os: null, osVersion: null, type: 'unknown' },
  timestamp: hark.clock.now(),
  sentAt: null,
  receivedAt: hark.clock.now(),
});

const storedIds = (): string[] => {
  const db = new Database(hark.dbPath, { readonly: true });
  try {
    return db.prepare('SELECT message_id FROM events ORDER BY message_id').pluck().all() as string[];
  } finally {
    db.close();
  }
};

describe('group commit', () => {
  it('stores every event of many concurrent batches and answers each sender for its own batch', async () => {
    const senders = Array.from({ length: 40 }, (_, sender) =>
      hark.send('/v1/batch', {
        batch: Array.from({ length: 5 }, (_, i) => ({
          type: 'track',
          event: 'Clicked',
          messageId: `s${sender}-e${i}`,
          anonymousId: `visitor-${sender % 7}`,
        })),
      }),
    );
    const answers = await Promise.all(
      senders.map(async (pending) => {
        const res = await pending;
        return { status: res.status, body: await res.json() };
      }),
    );
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { accepted: 5, duplicates: 0, rejected: [] } });
    expect(rowCounts(hark)).toMatchObject({ events: 200, people: 7 });
  });

  it('rolls back only the batch that failed; the batches committed beside it are stored', async () => {
    const poisoned = track('visitor-b');
    // JSON.stringify throws on a BigInt, inside the store's transaction: a failure no validation caught.
    poisoned.properties = { amount: 10n };
    const first = track('visitor-a');
    const secondOk = track('visitor-b');
    const third = track('visitor-c');

    const [a, b, c] = await Promise.allSettled([
      hark.store.ingest(hark.project.id, [first]),
      hark.store.ingest(hark.project.id, [secondOk, poisoned]),
      hark.store.ingest(hark.project.id, [third]),
    ]);

    expect(a).toMatchObject({ status: 'fulfilled', value: [{ status: 'stored' }] });
    expect(b.status).toBe('rejected');
    expect(c).toMatchObject({ status: 'fulfilled', value: [{ status: 'stored' }] });
    // The failed batch left nothing behind, not even its valid first event; the others are all there.
    expect(storedIds()).toEqual([first.messageId, third.messageId].sort());
    expect(await hark.store.lookupPerson(hark.project.id, { anonymousId: 'visitor-b' })).toBeNull();
  });

  it('answers a sender only once its events are committed, visible to any other connection', async () => {
    const events = [track('visitor-d'), track('visitor-d')];
    const pending = hark.store.ingest(hark.project.id, events);
    await pending;
    expect(storedIds()).toEqual(events.map((e) => e.messageId).sort());
  });

  it('stores what was queued when the store closes', async () => {
    const event = track('visitor-e');
    const pending = hark.store.ingest(hark.project.id, [event]);
    await hark.store.close();
    await expect(pending).resolves.toMatchObject([{ status: 'stored' }]);
    expect(storedIds()).toEqual([event.messageId]);
  });
});
