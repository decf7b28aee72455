import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { killAll, spawnCollector } from './collector-process.js';
import { startReceiver } from './webhook-receiver.js';

/**
 * Webhook deliveries survive the process (issue 12, "Running it durably"): the real collector
 * (`node --import tsx packages/collector/src/server.ts`, as durability.test.ts spawns it) has
 * deliveries pending and one in flight when it is killed with SIGKILL; after a restart on the
 * same file every delivery arrives, and only the one in flight can arrive a second time, with
 * the same Hark-Webhook-Id, which is how a receiver dedupes it.
 */
const WRITE_KEY = 'hk_w_webhook_durability_write_key';
const SECRET_KEY = 'hk_s_webhook_durability_secret_key_0000';
const DELIVERIES = 20;
const dir = mkdtempSync(join(tmpdir(), 'hark-webhook-kill-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  killAll(children);
  rmSync(dir, { recursive: true, force: true });
});

/** The collector with its runner on, polling often and leasing briefly. */
const startCollector = (dbPath: string) =>
  spawnCollector(
    {
      HARK_DB: dbPath,
      HARK_WRITE_KEY: WRITE_KEY,
      HARK_SECRET_KEY: SECRET_KEY,
      HARK_WEBHOOKS_ALLOW_PRIVATE: '1',
      HARK_RUNNER: 'on',
      HARK_RUNNER_POLL_MS: '50',
      // One at a time, so at the kill exactly one delivery is in flight and the rest are pending.
      HARK_RUNNER_CONCURRENCY: '1',
      // The in-flight delivery's lease expires soon after the restart, and it is sent again.
      HARK_RUNNER_LEASE_MS: '1500',
    },
    children,
  );

const admin = (base: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' } });

describe('webhook deliveries across a SIGKILL', () => {
  it('delivers every pending and in-flight delivery after a restart, none twice but the one in flight, by the same id', { timeout: 60_000 }, async () => {
    // Held: the receiver answers nothing until the collector has been killed.
    let holding = true;
    const held: (() => void)[] = [];
    const receiver = await startReceiver(() => (holding ? new Promise<number>((answer) => held.push(() => answer(200))) : 200));
    const dbPath = join(dir, 'hark.db');
    try {
      let hark = await startCollector(dbPath);
      const created = await admin(hark.base, '/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url, events: ['Ordered'] }) });
      expect(created.status).toBe(201);
      const webhook = (await created.json()) as { id: string };

      const batch = Array.from({ length: DELIVERIES }, (_, i) => ({ type: 'track', messageId: `order-${i}`, anonymousId: `buyer-${i}`, event: 'Ordered', properties: { i } }));
      const sent = await fetch(`${hark.base}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
        body: JSON.stringify({ batch }),
      });
      expect(sent.status).toBe(200);
      expect(((await sent.json()) as { accepted: number }).accepted).toBe(DELIVERIES);

      // One delivery reaches the receiver and waits there for its answer: in flight.
      await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 10_000, interval: 20 });
      const inFlight = receiver.received[0]!.id;
      hark.child.kill('SIGKILL');
      await new Promise((done) => hark.child.once('exit', done));
      holding = false;
      for (const release of held) release();

      hark = await startCollector(dbPath);
      await vi.waitFor(() => expect(receiver.countsById().size).toBe(DELIVERIES), { timeout: 20_000, interval: 50 });
      // Every delivery's job is done, so nothing more will come.
      await vi.waitFor(
        async () => {
          const log = (await (await admin(hark.base, `/webhooks/${webhook.id}/deliveries?limit=200`)).json()) as { items: { id: string; status: string }[] };
          expect(log.items).toHaveLength(DELIVERIES);
          expect(log.items.every((d) => d.status === 'done')).toBe(true);
        },
        { timeout: 10_000, interval: 100 },
      );
      const counts = receiver.countsById();
      const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      // The one in flight at the kill came again (its answer never reached the collector), with
      // the same id; every other delivery arrived exactly once.
      expect(twice).toEqual([inFlight]);
      expect(counts.get(inFlight)).toBe(2);
      expect(receiver.received).toHaveLength(DELIVERIES + 1);
      hark.child.kill('SIGTERM');
      await new Promise((done) => hark.child.once('exit', done));
    } finally {
      await receiver.close();
    }
  });
});
