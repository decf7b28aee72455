import { afterEach, describe, expect, it } from 'vitest';
import { mid, startCollector, type TestCollector } from './harness.js';

/**
 * The SQLite store keeps projects by write key in memory (sqlite-projects.ts): these tests hold
 * it to reading what was last written, the moment it was written.
 */

let hark: TestCollector;
afterEach(async () => {
  await hark.close();
});

const sendWith = (writeKey: string, origin?: string) =>
  hark.app.request('/v1/batch', {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...(origin ? { origin } : {}) },
    body: JSON.stringify({ writeKey, batch: [{ type: 'track', event: 'Clicked', messageId: mid(), anonymousId: 'a-1' }] }),
  });

describe('projects read by write key', () => {
  it('stops taking a write key rotated without grace at once, even right after it was used', async () => {
    hark = await startCollector();
    const oldKey = hark.project.writeKey;
    expect((await sendWith(oldKey)).status).toBe(200);
    const rotated = await (await hark.admin('/api/v1/project/keys/rotate', { method: 'POST', body: JSON.stringify({ key: 'write' }) })).json();
    expect((await sendWith(oldKey)).status).toBe(401);
    expect((await sendWith(rotated.writeKey)).status).toBe(200);
  });

  it('applies new settings to the very next request', async () => {
    hark = await startCollector();
    expect((await sendWith(hark.project.writeKey, 'https://elsewhere.example')).status).toBe(200);
    const res = await hark.admin('/api/v1/project', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ allowedOrigins: ['https://app.example.com'] }),
    });
    expect(res.status).toBe(200);
    expect((await sendWith(hark.project.writeKey, 'https://elsewhere.example')).status).toBe(403);
    expect((await sendWith(hark.project.writeKey, 'https://app.example.com')).status).toBe(200);
  });
});
