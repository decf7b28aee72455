import { join } from 'node:path';
import { openSqliteStore } from '../packages/collector/src/store/sqlite/sqlite-store.js';
import { storeEvents } from '../packages/collector/src/ingest/store-events.js';
import type { NormalizedEvent } from '../packages/collector/src/store/types.js';
import { withStoredJson } from './stored-json.js';
import { createClient, httpRequest } from './load.js';
import { BENCH_KEYS, startCollector, tempDir } from './processes.js';
import { createRandom } from './prng.js';
import { median } from './stats.js';
import { batchRequest, ORIGIN, PATHS, TRACK_EVENTS } from './traffic.js';

/**
 * Identify cost as the anonymous history grows. Visitors with 10, 1,000 and 10,000 prior
 * anonymous events (written straight into the store before the collector starts) log in: one
 * `POST /v1/batch` holding their identify, timed one at a time on a keep-alive connection. Two
 * cases per visitor count:
 * - first login: nobody has that user id yet, so the visitor becomes the user;
 * - login on a second device: the user already exists (identified elsewhere), so the visitor's
 *   person is merged into the user's — the case that would rewrite history if events moved.
 * Afterwards the user's timeline is read back through the admin API to check every prior event
 * now belongs to them.
 */

export interface IdentifyOptions {
  seed: number;
  histories: number[];
  /** Visitors per history size and case. */
  visitors: number;
}

export interface IdentifyResult {
  histories: number[];
  visitors: number;
  /** Median ms per identify request, by history size. */
  firstLogin: number[];
  secondDevice: number[];
  /** Timelines that did not hold every prior event after the merge (should be 0). */
  incomplete: number;
  peakRssBytes: number;
}

const DAY = 86_400_000;

export async function measureIdentify(options: IdentifyOptions, log: (line: string) => void): Promise<IdentifyResult> {
  const dir = tempDir('identify');
  const dbPath = join(dir, 'hark.db');
  const random = createRandom(options.seed);
  const anonymousId = (history: number, kind: string, k: number) => `idf-${kind}-${history}-${k}`;
  const userId = (history: number, kind: string, k: number) => `user-${kind}-${history}-${k}`;

  // Seed the histories directly: the bench measures identify, not the ingest that came before.
  const store = openSqliteStore({ path: dbPath, synchronous: 'normal' });
  let sequence = 0;
  try {
    const { project } = await store.ensureDefaultProject(BENCH_KEYS);
    const now = Date.now();
    const event = (anonymous: string, fields: Partial<NormalizedEvent>): NormalizedEvent => withStoredJson({
      messageId: `seed-${sequence++}`,
      type: 'track',
      name: random.pick(TRACK_EVENTS),
      anonymousId: anonymous,
      userId: null,
      groupId: null,
      previousId: null,
      properties: { plan: 'pro' },
      traits: {},
      context: { page: { url: `${ORIGIN}${random.pick(PATHS)}`, path: '/', title: 'Example', referrer: '' }, locale: 'en-US' },
      email: null,
      verified: false,
      device: { browser: 'Chrome', browserVersion: '131', os: 'macOS', osVersion: '10.15.7', type: 'desktop' },
      timestamp: now - random.int(30 * DAY),
      sentAt: null,
      receivedAt: now,
      ...fields,
    });
    for (const history of options.histories) {
      for (let k = 0; k < options.visitors; k++) {
        for (const kind of ['first', 'second']) {
          const anonymous = anonymousId(history, kind, k);
          for (let written = 0; written < history; written += 5_000) {
            const count = Math.min(5_000, history - written);
            await storeEvents(store, project.id, Array.from({ length: count }, () => event(anonymous, {})));
          }
        }
        // The second-device case: the user already logged in somewhere else.
        const otherDevice = `idf-device-${history}-${k}`;
        await storeEvents(store, project.id, [event(otherDevice, { type: 'identify', name: null, userId: userId(history, 'second', k) })]);
      }
    }
  } finally {
    await store.close();
  }

  const collector = await startCollector({ dbPath });
  const client = createClient({ port: collector.port });
  try {
    const identify = (history: number, kind: string, k: number): Buffer => {
      const at = new Date().toISOString();
      const body = `{"type":"identify","messageId":"login-${kind}-${history}-${k}","anonymousId":"${anonymousId(history, kind, k)}","userId":"${userId(history, kind, k)}","traits":{"email":"u${k}@example.com","plan":"pro"},"timestamp":"${at}"}`;
      return batchRequest([body], at);
    };
    const timed = async (request: Buffer): Promise<number> => {
      const answer = await client.request(request);
      if (answer.status !== 200 || !answer.body.includes('"accepted":1,')) throw new Error(`identify failed: ${answer.status} ${answer.body}`);
      return answer.ms;
    };
    // Warm the collector's code paths on visitors outside the measured set.
    for (let i = 0; i < 20; i++) {
      const at = new Date().toISOString();
      await timed(batchRequest([`{"type":"identify","messageId":"warm-${i}","anonymousId":"warm-a-${i}","userId":"warm-u-${i}","timestamp":"${at}"}`], at));
    }

    const first = new Map<number, number[]>(options.histories.map((h) => [h, []]));
    const second = new Map<number, number[]>(options.histories.map((h) => [h, []]));
    // Sizes alternate, so drift on a noisy machine spreads over all of them alike.
    for (let k = 0; k < options.visitors; k++) {
      for (const history of options.histories) {
        first.get(history)!.push(await timed(identify(history, 'first', k)));
        second.get(history)!.push(await timed(identify(history, 'second', k)));
      }
    }

    let incomplete = 0;
    for (const history of options.histories) {
      const lookup = await client.request(
        httpRequest('GET', `/api/v1/people/lookup?userId=${encodeURIComponent(userId(history, 'second', 0))}`, { Authorization: `Bearer ${BENCH_KEYS.secretKey}` }),
      );
      const person = JSON.parse(lookup.body.toString()) as { counts?: { events?: number } };
      // The visitor's history, the other device's identify and the login itself.
      if (person.counts?.events !== history + 2) incomplete++;
    }
    const result: IdentifyResult = {
      histories: options.histories,
      visitors: options.visitors,
      firstLogin: options.histories.map((h) => median(first.get(h)!)),
      secondDevice: options.histories.map((h) => median(second.get(h)!)),
      incomplete,
      peakRssBytes: collector.peakRss(),
    };
    log(
      `identify median ms by prior events ${options.histories.join(' / ')}: first login ${result.firstLogin.map((v) => v.toFixed(2)).join(' / ')},` +
        ` second device (merge) ${result.secondDevice.map((v) => v.toFixed(2)).join(' / ')}`,
    );
    return result;
  } finally {
    client.close();
    await collector.stop();
  }
}
