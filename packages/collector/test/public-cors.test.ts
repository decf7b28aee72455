import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCollector, type TestCollector } from './harness.js';

/** Browsers on the customer's site may call ingest and eligibility from any origin, errors included. */

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

const origin = 'https://customer.example';

describe('CORS on the public endpoints', () => {
  it('answers a pre-flight with the methods and headers the App may use', async () => {
    const res = await hark.app.request('/v1/batch', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('Content-Encoding');
    expect(res.headers.get('access-control-max-age')).toBe('86400');
  });

  it('lets the page read errors too, so the App can tell a bad key from a lost request', async () => {
    const batch = await hark.app.request('/v1/batch', { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: '{"batch":[],"writeKey":"nope"}' });
    expect(batch.status).toBe(401);
    expect(batch.headers.get('access-control-allow-origin')).toBe('*');
    const messages = await hark.app.request('/v1/messages?anonymousId=a&writeKey=nope', { headers: { origin } });
    expect(messages.status).toBe(401);
    expect(messages.headers.get('access-control-allow-origin')).toBe('*');
  });
});
