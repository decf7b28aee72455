import { afterEach, beforeEach, expect, it } from 'vitest';
import { startCollector, type TestCollector } from './harness.js';
import { at, batch, createMessage, identify, track } from './message-helpers.js';

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

/** DESIGN §7: eligibility p99 in single-digit milliseconds. */
it('answers an eligibility poll in single-digit milliseconds at the 99th percentile with 50 live messages', async () => {
  for (let i = 0; i < 50; i++) {
    await createMessage(hark, {
      name: `message ${i}`,
      kind: 'survey',
      priority: i % 7,
      content: { title: 'Hi {{name|there}}' },
      conditions: {
        audience: {
          traits: [{ trait: 'plan', op: 'equals', value: i % 2 ? 'pro' : 'free' }],
          events: i % 3 ? [{ event: `Event ${i % 5}`, atLeast: 1, withinDays: 30 }] : [],
        },
        page: { rules: [i % 2 ? { mode: 'include', match: 'regex', value: '^https://example\\.com/app/.*' } : { mode: 'include', match: 'glob', value: '/app/*' }] },
        frequency: { type: 'at_most', times: 100 },
      },
    });
  }
  // A person with a long history: 2,000 events and deliveries for many of the messages.
  await batch(hark, identify({ userId: 'busy', anonymousId: 'busy-device' }, { plan: 'pro', name: 'Bo' }));
  const events = Array.from({ length: 2000 }, (_, i) => track({ userId: 'busy' }, `Event ${i % 9}`, {}, at(-i * 60_000)));
  for (let i = 0; i < events.length; i += 500) await batch(hark, ...events.slice(i, i + 500));
  const query = `/v1/messages?writeKey=${hark.project.writeKey}&userId=busy&anonymousId=busy-device&url=${encodeURIComponent('https://example.com/app/x')}`;
  const first = await (await hark.app.request(query)).json();
  expect(first.messages.length).toBeGreaterThan(10);
  await batch(hark, ...first.messages.map((m: { id: string; deliveryId: string }) => track({ userId: 'busy' }, 'Message Shown', { messageId: m.id, deliveryId: m.deliveryId })));

  // CPU time, not wall time: the suite runs files in parallel on small machines, where wall
  // time measures the neighbours. The wall-clock budget belongs to the benchmark (`npm run bench`).
  // Best of three rounds, so one garbage collection at the wrong moment does not decide it.
  const p99s: number[] = [];
  for (let round = 0; round < 3; round++) {
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const started = process.cpuUsage();
      const res = await hark.app.request(query);
      await res.json();
      const used = process.cpuUsage(started);
      times.push((used.user + used.system) / 1000);
    }
    times.sort((a, b) => a - b);
    p99s.push(times[Math.floor(times.length * 0.99)]!);
  }
  expect(Math.min(...p99s)).toBeLessThan(10);
}, 60_000);
