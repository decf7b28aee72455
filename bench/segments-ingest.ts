import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestEvents } from '../packages/collector/src/ingest/ingest-events.js';
import { openSqliteStore } from '../packages/collector/src/store/sqlite/sqlite-store.js';
import type { Store } from '../packages/collector/src/store/store.js';
import type { Rule } from '../packages/collector/src/rules/index.js';
import { createRandom } from './prng.js';

/**
 * Ingest throughput with and without segments, in one process, no HTTP: what segments cost the
 * write path itself (daily counts, change tracking, re-evaluation). Repeatable in a minute:
 *
 *   node --import tsx bench/segments-ingest.ts [--segments=50] [--events=30000] [--people=2000] [--rounds=3] [--steady]
 *
 * Each round ingests the same stream into a fresh store with 0 and with N segments (alternating,
 * so machine noise hits both) and prints events/s and the process's CPU seconds; the answer is the
 * median of the rounds. The measured stream crosses "at least N times" thresholds and flips traits
 * often (about one transition per two or three events). `--steady` measures the steady state
 * instead: every identify repeats the person's traits, and the measured stream is a replay (new
 * message ids) of one the store has already ingested twice, so memberships are settled before it and
 * what is measured is the cost of segments when people come back and nothing about them changes.
 * The full scenario (over HTTP, beside the other figures) is `npm run bench -- --only=audiences`.
 */

export const EVENT_NAMES = ['Viewed Pricing', 'Added To Cart', 'Bought', 'Logged In', 'Searched', 'Shared', 'Invited', 'Exported', 'Upgraded', 'Commented'];
const COUNTRIES = ['FR', 'DE', 'US', 'GB', 'ES'];

/** N segments shaped like a real project's: 40% read last seen or geography, 30% events, 30% traits. */
export function benchSegments(count: number): { name: string; rules: Rule }[] {
  const segments: { name: string; rules: Rule }[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 10;
    let rules: Rule;
    if (kind < 2) rules = { type: 'last_seen', op: 'within_last_days', value: 1 + (i % 30) };
    else if (kind < 4) rules = { and: [{ type: 'geo', field: 'country', op: 'equals', value: COUNTRIES[i % COUNTRIES.length]! }, { type: 'kind', value: ['user'] }] };
    else if (kind < 7) rules = { type: 'event', event: EVENT_NAMES[i % EVENT_NAMES.length]!, count: { op: 'at_least', value: 1 + (i % 3) }, window: { lastDays: 7 + i } };
    else rules = { type: 'trait', trait: i % 2 ? 'plan' : 'seats', op: i % 2 ? 'equals' : 'gte', value: i % 2 ? 'pro' : 5 };
    segments.push({ name: `bench ${i}`, rules });
  }
  return segments;
}

/**
 * The stream: identify (5%, with traits), track (35%, ten names), page views (60%), from five
 * countries. `settledTraits`: each person's identify always carries the same traits (derived
 * from who they are), so identifies change nothing after the first.
 */
export function benchStream(seed: number, people: number, events: number, now: number, options: { settledTraits?: boolean } = {}): { batch: Record<string, unknown>[]; country: string }[] {
  const rng = createRandom(seed);
  const random = (): number => rng.next();
  const stream: { batch: Record<string, unknown>[]; country: string }[] = [];
  for (let i = 0; i < events; i += 50) {
    // Five people per batch (ten events each), all from one country: person p lives in country p % 5.
    const country = Math.floor(random() * COUNTRIES.length);
    const five = Array.from({ length: 5 }, () => Math.floor(random() * Math.floor(people / COUNTRIES.length)) * COUNTRIES.length + country);
    const batch: Record<string, unknown>[] = [];
    for (let j = 0; j < 50 && i + j < events; j++) {
      const person = five[j % 5]!;
      const userId = `u${person}`;
      const timestamp = new Date(now + i + j).toISOString();
      const messageId = `m-${seed}-${i + j}`;
      const r = random();
      if (r < 0.05) {
        const traits = options.settledTraits ? { plan: person % 2 ? 'pro' : 'free', seats: person % 10 } : { plan: random() < 0.5 ? 'pro' : 'free', seats: Math.floor(random() * 10) };
        batch.push({ type: 'identify', messageId, userId, timestamp, traits });
      }
      else if (r < 0.4) batch.push({ type: 'track', messageId, userId, timestamp, event: EVENT_NAMES[Math.floor(random() * EVENT_NAMES.length)], properties: { n: j } });
      else batch.push({ type: 'page', messageId, userId, timestamp, properties: { path: `/p/${j}` } });
    }
    stream.push({ batch, country: COUNTRIES[country]! });
  }
  return stream;
}

/** The same events again under new message ids (so they are stored, not deduplicated). */
export function replayOf(stream: ReturnType<typeof benchStream>, tag: string): ReturnType<typeof benchStream> {
  return stream.map(({ batch, country }) => ({ batch: batch.map((event) => ({ ...event, messageId: `${String(event.messageId)}-${tag}` })), country }));
}

/** Ingests the stream with `inFlight` batches at a time (so group commit shares commits); answers events/s. */
export async function ingestStream(store: Store, stream: ReturnType<typeof benchStream>, inFlight = 8): Promise<number> {
  const { project } = await store.ensureDefaultProject({});
  const sender = { project, trusted: true };
  const started = performance.now();
  let next = 0;
  let events = 0;
  const worker = async (): Promise<void> => {
    while (next < stream.length) {
      const { batch, country } = stream[next++]!;
      const geo = { country, region: null, city: null, continent: 'EU' };
      await ingestEvents(store, sender, batch, { receivedAt: Date.now(), sentAt: null, context: null, userAgent: null, geo });
      events += batch.length;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return events / ((performance.now() - started) / 1000);
}

interface Measured {
  rate: number;
  /** CPU seconds of the whole process (all threads) while the stream was ingested. */
  cpu: number;
  /** `Segment Entered` / `Segment Exited` events written during the stream. */
  transitions: number;
}

async function oneStore(segments: number, stream: ReturnType<typeof benchStream>, warm: ReturnType<typeof benchStream>[]): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'hark-seg-ingest-'));
  const store = openSqliteStore({ path: join(dir, 'hark.db'), synchronous: 'normal' });
  try {
    const { project } = await store.ensureDefaultProject({});
    // Everyone exists and has a history first (identify, then a stream like the measured one), so
    // the measured stream is returning people in a steady state, as in production: most of
    // them already are in the segments their history puts them in (an entry costs a membership
    // row and a timeline event; here they happen in the fill, not during the measurement).
    for (const part of warm) await ingestStream(store, part);
    for (const segment of benchSegments(segments)) await store.segments.create(project.id, segment, Date.now());
    await store.segments.idle();
    const members = async (): Promise<number> =>
      (await store.segments.list(project.id, { limit: 100, cursor: null })).items.reduce((sum, segment) => sum + segment.size, 0);
    const before = await members();
    const eventsBefore = (await store.projectTotals(project.id)).events;
    const cpu = process.cpuUsage();
    const rate = await ingestStream(store, stream);
    const used = process.cpuUsage(cpu);
    const streamed = stream.reduce((sum, part) => sum + part.batch.length, 0);
    const transitions = (await store.projectTotals(project.id)).events - eventsBefore - streamed;
    if (segments) console.log(`  memberships ${before} before the measured stream, ${await members()} after; ${transitions} transitions during it (entries and exits cost a row and a timeline event each)`);
    return { rate, cpu: (used.user + used.system) / 1e6, transitions };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const value = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const segments = value('segments', 50);
  const events = value('events', 30_000);
  const people = value('people', 2000);
  const rounds = value('rounds', 3);
  const now = Date.now();
  const identifies = Array.from({ length: Math.ceil(people / 50) }, (_, i) => ({
    batch: Array.from({ length: Math.min(50, people - i * 50) }, (_, j) => ({
      type: 'identify', messageId: `w-${i}-${j}`, userId: `u${i * 50 + j}`, timestamp: new Date(now - 3 * 3_600_000).toISOString(), traits: { plan: 'free' },
    })),
    country: COUNTRIES[0]!,
  }));
  const steady = process.argv.includes('--steady');
  const settledTraits = { settledTraits: steady };
  const measured = benchStream(42, people, events, now, settledTraits);
  const warm = [identifies, benchStream(40, people, events, now - 7_200_000, settledTraits), benchStream(41, people, events, now - 3_600_000, settledTraits)];
  // Steady: the measured stream is ingested twice before, so every "at least 1–3 times" its
  // events cross is crossed by then (memberships settle); then it is replayed once more.
  if (steady) warm.push(measured, replayOf(measured, 'settle'));
  const stream = steady ? replayOf(measured, 'again') : measured;
  console.log(steady ? 'steady state: the measured stream replays one already ingested, identifies repeat the traits' : 'the measured stream crosses thresholds and flips traits (see the header)');
  const without: Measured[] = [];
  const withSegments: Measured[] = [];
  for (let round = 0; round < rounds; round++) {
    without.push(await oneStore(0, stream, warm));
    withSegments.push(await oneStore(segments, stream, warm));
    const [a, b] = [without.at(-1)!, withSegments.at(-1)!];
    console.log(`round ${round + 1}: 0 segments ${a.rate.toFixed(0)} events/s (cpu ${a.cpu.toFixed(2)} s), ${segments} segments ${b.rate.toFixed(0)} events/s (cpu ${b.cpu.toFixed(2)} s)`);
  }
  const rate = (values: Measured[]): number => median(values.map((m) => m.rate));
  const cpu = (values: Measured[]): number => median(values.map((m) => m.cpu));
  const ratio = rate(withSegments) / rate(without);
  console.log(`median: 0 segments ${rate(without).toFixed(0)} events/s, ${segments} segments ${rate(withSegments).toFixed(0)} events/s, ratio ${ratio.toFixed(2)} (${((1 - ratio) * 100).toFixed(0)}% drop)`);
  console.log(`median cpu: 0 segments ${cpu(without).toFixed(2)} s, ${segments} segments ${cpu(withSegments).toFixed(2)} s, throughput ratio by cpu ${(cpu(without) / cpu(withSegments)).toFixed(2)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
