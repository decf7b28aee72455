import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { LIMITS } from '@hark/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mid, startCollector, type TestCollector } from './harness.js';
import { rowCounts } from './message-helpers.js';

/**
 * Served by @hono/node-server, ingest reads the body straight from Node's request
 * (http/read-body.ts, nodeIncoming) rather than through `app.request()`'s web streams: the same
 * answers, over a real socket on 127.0.0.1.
 */

let hark: TestCollector;
let server: ServerType;
let base: string;
beforeEach(async () => {
  hark = await startCollector();
  await new Promise<void>((ready) => {
    server = serve({ fetch: hark.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((done) => server.close(done));
  await hark.close();
});

const batch = (size: number) =>
  JSON.stringify({
    writeKey: hark.project.writeKey,
    batch: Array.from({ length: size }, () => ({ type: 'track', event: 'Clicked', messageId: mid(), anonymousId: 'a-1' })),
  });

describe('ingest over a real socket', () => {
  it('stores a text/plain batch, a gzipped one and a single event', async () => {
    const plain = await fetch(`${base}/v1/batch`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: batch(3) });
    expect(await plain.json()).toMatchObject({ accepted: 3, rejected: [] });
    const gzipped = await fetch(`${base}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(batch(2)) });
    expect(await gzipped.json()).toMatchObject({ accepted: 2 });
    const single = await fetch(`${base}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: hark.project.writeKey, event: 'Clicked', messageId: mid(), anonymousId: 'a-1' }),
    });
    expect(await single.json()).toMatchObject({ accepted: 1 });
    expect((await rowCounts(hark)).events).toBe(6);
  });

  it('answers 413 to a body over the cap sent without a length, and the next request still works', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const chunks = Math.ceil(LIMITS.maxBatchBytes / chunk.length) + 2;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`${base}/v1/batch`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    const next = await fetch(`${base}/v1/batch`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: batch(1) });
    expect(await next.json()).toMatchObject({ accepted: 1 });
  });

  it('refuses unreadable JSON with 400, as through app.request()', async () => {
    const res = await fetch(`${base}/v1/batch`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"batch": [' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_json');
  });
});
