import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedJsonOf } from '../src/ingest/normalize-event.js';
import { storeEvents } from '../src/ingest/store-events.js';
import { createGroupCommit } from '../src/store/sqlite/group-commit.js';
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

const track = (anonymousId: string, name = 'Clicked'): NormalizedEvent => {
  const event: Omit<NormalizedEvent, 'stored'> = {
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
  };
  return { ...event, stored: storedJsonOf(event) };
};

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
    expect(await rowCounts(hark)).toMatchObject({ events: 200, people: 7 });
  });

  it('rolls back only the batch that failed; the batches committed beside it are stored', async () => {
    const poisoned = track('visitor-b');
    // SQLite cannot bind an object: the insert throws inside the store's transaction, a failure no validation caught.
    poisoned.stored = { ...poisoned.stored, properties: { amount: 10 } as unknown as string };
    const first = track('visitor-a');
    const secondOk = track('visitor-b');
    const third = track('visitor-c');

    const [a, b, c] = await Promise.allSettled([
      storeEvents(hark.store, hark.project.id, [first]),
      storeEvents(hark.store, hark.project.id, [secondOk, poisoned]),
      storeEvents(hark.store, hark.project.id, [third]),
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
    const pending = storeEvents(hark.store, hark.project.id, events);
    await pending;
    expect(storedIds()).toEqual(events.map((e) => e.messageId).sort());
  });

  it('stores what was queued when the store closes', async () => {
    const event = track('visitor-e');
    const pending = storeEvents(hark.store, hark.project.id, [event]);
    await hark.store.close();
    await expect(pending).resolves.toMatchObject([{ status: 'stored' }]);
    expect(storedIds()).toEqual([event.messageId]);
  });
});

describe('group commit with the WAL flushed off the event loop', () => {
  const setup = () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE events (message_id TEXT PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO events VALUES (?)');
    const flushes: { resolve: () => void; reject: (error: Error) => void }[] = [];
    const group = createGroupCommit(db, { syncWal: () => new Promise<void>((resolve, reject) => flushes.push({ resolve, reject })) });
    const ingest = (events: { messageId: string }[]) =>
      group.run(events.length, async () => events.map((event) => (insert.run(event.messageId), { status: 'stored' as const, personId: 'p' })));
    const count = () => db.prepare('SELECT count(*) FROM events').pluck().get();
    return { ingest, flushes, count };
  };
  const event = (messageId: string) => ({ messageId });
  const settled = async (promise: Promise<unknown>) => Promise.race([promise.then(() => 'done', () => 'failed'), new Promise((r) => setTimeout(() => r('waiting'), 20))]);

  it('answers the senders only once the flush that follows their commit is done', async () => {
    const { ingest, flushes, count } = setup();
    const answered = ingest([event('a'), event('b')]);
    expect(await settled(answered)).toBe('waiting');
    expect(count()).toBe(2);
    expect(flushes).toHaveLength(1);
    flushes[0]!.resolve();
    await expect(answered).resolves.toEqual([{ status: 'stored', personId: 'p' }, { status: 'stored', personId: 'p' }]);
  });

  it('fails the senders whose flush failed, so they send again', async () => {
    const { ingest, flushes } = setup();
    const answered = ingest([event('a')]);
    await settled(answered);
    flushes[0]!.reject(new Error('EIO'));
    await expect(answered).rejects.toThrow('EIO');
  });
});
