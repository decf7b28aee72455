import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_EVENTS } from '@hark/protocol';
import { createApp } from '../packages/collector/src/app.js';
import { MIGRATIONS } from '../packages/collector/src/store/sqlite/migrations.js';
import { openSqliteStore } from '../packages/collector/src/store/sqlite/sqlite-store.js';
import { storeEvents } from '../packages/collector/src/ingest/store-events.js';
import type { Device, NormalizedEvent } from '../packages/collector/src/store/types.js';
import { withStoredJson } from './stored-json.js';
import { messageDefinitions } from './messages.js';
import { BENCH_KEYS, ROOT } from './processes.js';
import { createRandom, type Random } from './prng.js';
import { ORIGIN, PATHS, TRACK_EVENTS } from './traffic.js';

/**
 * The eligibility data set: people, their history and live messages, written straight into a
 * SQLite file through the store (the same identity rules as HTTP ingest, without HTTP), then
 * kept under `.bench/` keyed by seed and size, so later runs start in seconds. Bump VERSION when
 * the generator changes; a schema change (a new migration) makes a new file by itself.
 */
const VERSION = 1;
const DAY = 86_400_000;
const CHUNK = 10_000;

export interface DatasetSize {
  people: number;
  events: number;
  messages: number;
}

export interface PersonPlan {
  anonymousId: string;
  userId: string | null;
  /** visitor: anonymous only; lead: gave an email; user: identified by the host app. */
  kind: 'visitor' | 'lead' | 'user';
  traits: Record<string, unknown>;
}

export interface Dataset {
  path: string;
  people: PersonPlan[];
  /** Null when the cached file was reused. */
  generatedMs: number | null;
}

const DEVICES: Device[] = [
  { browser: 'Chrome', browserVersion: '131.0.0.0', os: 'macOS', osVersion: '10.15.7', type: 'desktop' },
  { browser: 'Safari', browserVersion: '18.1', os: 'iOS', osVersion: '18.1', type: 'mobile' },
  { browser: 'Firefox', browserVersion: '132.0', os: 'Windows', osVersion: '10', type: 'desktop' },
];

/** The same people for the same seed: the generator writes them, the load asks about them. */
export function planPeople(seed: number, count: number): PersonPlan[] {
  const random = createRandom(seed ^ 0x5eed);
  return Array.from({ length: count }, (_, i) => {
    const roll = random.next();
    const kind = roll < 0.55 ? 'visitor' : roll < 0.7 ? 'lead' : 'user';
    const traits: Record<string, unknown> =
      kind === 'visitor'
        ? {}
        : kind === 'lead'
          ? { email: `lead${i}@example.com` }
          : {
              email: `user${i}@example.com`,
              name: `User ${i}`,
              plan: random.pick(['free', 'pro', 'enterprise']),
              seats: 1 + random.int(40),
              company: { name: random.pick(['Acme', 'Globex', 'Initech', 'Acme Europe']) },
            };
    return { anonymousId: `anon-${seed}-${i}`, userId: kind === 'user' ? `user-${seed}-${i}` : null, kind, traits };
  });
}

export async function ensureDataset(seed: number, size: DatasetSize, log: (line: string) => void): Promise<Dataset> {
  const people = planPeople(seed, size.people);
  const dir = join(ROOT, '.bench');
  const name = `dataset-s${seed}-p${size.people}-e${size.events}-m${size.messages}-v${VERSION}-schema${MIGRATIONS.length}.db`;
  const path = join(dir, name);
  if (existsSync(path)) return { path, people, generatedMs: null };

  mkdirSync(dir, { recursive: true });
  const partial = `${path}.partial`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
  const started = performance.now();
  log(`generating the data set (${size.events.toLocaleString('en')} events, ${size.people.toLocaleString('en')} people); cached in .bench/ for later runs`);
  await generate(partial, seed, size, people, log);
  renameSync(partial, path);
  for (const suffix of ['-wal', '-shm']) rmSync(partial + suffix, { force: true });
  return { path, people, generatedMs: performance.now() - started };
}

async function generate(path: string, seed: number, size: DatasetSize, people: PersonPlan[], log: (line: string) => void): Promise<void> {
  const random = createRandom(seed);
  const store = openSqliteStore({ path, synchronous: 'normal' });
  try {
    const { project } = await store.ensureDefaultProject(BENCH_KEYS);
    const app = createApp({ store, logError: () => undefined });
    const messageIds: string[] = [];
    for (const definition of messageDefinitions(random, size.messages)) {
      const res = await app.request('/api/v1/messages', {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_KEYS.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(definition),
      });
      if (res.status !== 201) throw new Error(`A bench message was refused: ${await res.text()}`);
      messageIds.push(((await res.json()) as { id: string }).id);
    }

    const now = Date.now();
    let sequence = 0;
    const event = (person: PersonPlan, type: NormalizedEvent['type'], at: number, fields: Partial<NormalizedEvent> = {}): NormalizedEvent => {
      const path = random.pick(PATHS);
      return withStoredJson({
        messageId: `gen-${seed}-${sequence++}`,
        type,
        name: null,
        anonymousId: person.anonymousId,
        userId: null,
        groupId: null,
        previousId: null,
        properties: {},
        traits: {},
        context: { page: { url: `${ORIGIN}${path}`, path, title: 'Example', referrer: '' }, locale: 'en-US', timezone: 'Europe/Paris' },
        email: null,
        verified: false,
        device: random.pick(DEVICES),
        timestamp: at,
        sentAt: at,
        receivedAt: at,
        ...fields,
      });
    };

    let batch: NormalizedEvent[] = [];
    let written = 0;
    const push = async (item: NormalizedEvent): Promise<void> => {
      batch.push(item);
      if (batch.length >= CHUNK) await flush();
    };
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await storeEvents(store, project.id, batch);
      written += batch.length;
      batch = [];
      if (written % 200_000 < CHUNK) log(`  ${written.toLocaleString('en')} events written`);
    };

    // Everyone arrives once, and leads and users say who they are.
    for (const person of people) {
      const firstSeen = now - 120 * DAY + random.int(100 * DAY);
      await push(event(person, 'page', firstSeen, { name: 'Example' }));
      if (person.kind === 'lead') {
        await push(event(person, 'identify', firstSeen + 60_000, { traits: person.traits, email: person.traits.email as string }));
      } else if (person.kind === 'user') {
        await push(event(person, 'identify', firstSeen + 60_000, { userId: person.userId, traits: person.traits, email: person.traits.email as string }));
      }
    }
    // Then the rest of the history, busiest people first in likelihood.
    const remaining = size.events - written - batch.length;
    for (let i = 0; i < remaining; i++) {
      const person = people[random.skewed(people.length)]!;
      const at = now - random.int(90 * DAY);
      const ids = person.userId ? { userId: person.userId } : {};
      const roll = random.next();
      if (roll < 0.45) {
        await push(event(person, 'page', at, { name: 'Example', ...ids }));
      } else if (roll < 0.95 || messageIds.length === 0) {
        await push(event(person, 'track', at, { name: random.pick(TRACK_EVENTS), properties: { format: random.pick(['pdf', 'csv']) }, ...ids }));
      } else {
        await push(interaction(random, event(person, 'track', at, ids), messageIds));
      }
    }
    await flush();
  } finally {
    await store.close();
  }
}

/** A message interaction as the App sends it: mostly showings, some dismissals and answers. */
function interaction(random: Random, base: NormalizedEvent, messageIds: string[]): NormalizedEvent {
  const roll = random.next();
  const name = roll < 0.65 ? MESSAGE_EVENTS.shown : roll < 0.85 ? MESSAGE_EVENTS.dismissed : MESSAGE_EVENTS.answered;
  return withStoredJson({ ...base, name, properties: { messageId: random.pick(messageIds), ...(name === MESSAGE_EVENTS.answered ? { value: 4 } : {}) } });
}
