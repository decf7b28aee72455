import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mid, startCollector, type TestCollector } from './harness.js';

/**
 * A person's last-seen time is kept to the minute (sqlite-ingest.ts, touchPerson): moving it
 * rewrites the person's row and two indexes, so an event less than a minute after the stored
 * time leaves it where it is.
 */

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

const T0 = Date.parse('2026-11-21T12:00:00.000Z');

async function visit(offsetMs: number): Promise<string> {
  const res = await hark.send('/v1/batch', {
    batch: [{ type: 'track', event: 'Clicked', messageId: mid(), anonymousId: 'a-1', timestamp: new Date(T0 + offsetMs).toISOString() }],
  });
  expect(res.status).toBe(200);
  const person = await (await hark.admin('/api/v1/people/lookup?anonymousId=a-1')).json();
  return person.lastSeenAt as string;
}

describe('last seen', () => {
  it('moves forward to the minute, never back', async () => {
    expect(await visit(0)).toBe('2026-11-21T12:00:00.000Z');
    expect(await visit(30_000)).toBe('2026-11-21T12:00:00.000Z');
    expect(await visit(61_000)).toBe('2026-11-21T12:01:01.000Z');
    expect(await visit(-3_600_000)).toBe('2026-11-21T12:01:01.000Z');
  });
});
