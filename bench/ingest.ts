import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closedLoop, type LoadResult } from './load.js';
import { startCollector, startHello, tempDir, type Server } from './processes.js';
import { createRandom } from './prng.js';
import { median } from './stats.js';
import { acceptedAll, ingestRequests } from './traffic.js';

/**
 * Ingest throughput on loopback: `POST /v1/batch` with one event per request and with 20, as
 * fast as the collector answers, beside a bare Hono hello-world answering the same request bytes
 * (the ceiling of the HTTP stack alone on this machine). The collector runs its real entry
 * (`server.ts`) in its own process with the default `synchronous = FULL`.
 *
 * The machine is shared, so the three loads alternate in short rounds (hello, single, batched,
 * hello, …) and the report takes the median of each figure and of each round's ratio: a burst of
 * someone else's work then hits every figure of a round alike.
 */

export interface IngestOptions {
  seed: number;
  rounds: number;
  durationMs: number;
  warmupMs: number;
  connections: number;
  /** Also measure single-event ingest with `HARK_SYNCHRONOUS=normal`, to show what fsync costs. */
  withNormalSync: boolean;
}

export interface IngestResult {
  rounds: number;
  connections: number;
  /** Medians over the rounds. */
  helloRate: number;
  singleRate: number;
  batchedEventsPerSecond: number;
  /** Median over the rounds of single-event rate ÷ that round's hello-world rate. */
  singleOverHello: number;
  single: { p50: number; p99: number };
  batched: { p50: number; p99: number };
  hello: { p50: number; p99: number };
  singleNormalSync: number | null;
  errors: number;
  /** Events found in the collector's database afterwards, against the events acknowledged. */
  stored: { expected: number; found: number };
  peakRssBytes: number;
  /** Server CPU time (all threads) per request or event, µs, median over the rounds: less noisy than rates. */
  cpu: { helloPerRequest: number; singlePerEvent: number; batchedPerEvent: number };
  runs: { hello: LoadResult; single: LoadResult; batched: LoadResult; cpuMs: { hello: number; single: number; batched: number } }[];
}

const VISITORS = 5_000;

export async function measureIngest(options: IngestOptions, log: (line: string) => void): Promise<IngestResult> {
  let round = 0;
  let hello: Server | null = null;
  const load = async (server: Server, size: number, runId: string, durationMs: number): Promise<LoadResult> =>
    closedLoop({
      target: { port: server.port },
      connections: options.connections,
      durationMs,
      request: ingestRequests({ random: createRandom(options.seed + round), runId: `${runId}${round}`, size, visitors: VISITORS, anonymousPrefix: 'visitor-' }),
      // The hello-world answers every request alike; the collector must accept every event.
      ...(server === hello ? {} : { check: acceptedAll(size) }),
    });

  const dir = tempDir('ingest');
  const dbPath = join(dir, 'hark.db');
  hello = await startHello();
  const collector = await startCollector({ dbPath });
  const runs: IngestResult['runs'] = [];
  let peakRssBytes = 0;
  try {
    await load(hello, 1, 'warm-hello', options.warmupMs);
    await load(collector, 1, 'warm-single', options.warmupMs);
    await load(collector, 20, 'warm-batched', options.warmupMs);
    const timed = async (server: Server, size: number, runId: string) => {
      const before = server.cpuMs();
      const result = await load(server, size, runId, options.durationMs);
      return [result, server.cpuMs() - before] as const;
    };
    for (round = 0; round < options.rounds; round++) {
      const [helloRun, helloCpu] = await timed(hello, 1, 'hello');
      const [single, singleCpu] = await timed(collector, 1, 'single');
      const [batched, batchedCpu] = await timed(collector, 20, 'batched');
      runs.push({ hello: helloRun, single, batched, cpuMs: { hello: helloCpu, single: singleCpu, batched: batchedCpu } });
      log(
        `round ${round + 1}: hello-world ${helloRun.rate.toFixed(0)} req/s; single-event ${single.rate.toFixed(0)} events/s` +
          ` (p99 ${single.latency.p99.toFixed(1)} ms); 20 per request ${(batched.rate * 20).toFixed(0)} events/s (p99 ${batched.latency.p99.toFixed(1)} ms)`,
      );
    }
    peakRssBytes = collector.peakRss();
  } finally {
    await hello.stop();
    await collector.stop();
  }

  const db = new Database(dbPath, { readonly: true });
  const count = (prefix: string) =>
    db.prepare('SELECT count(*) FROM events WHERE message_id >= ? AND message_id < ?').pluck().get(`${prefix}`, `${prefix}~`) as number;
  const stored = {
    expected: runs.reduce((sum, r) => sum + (r.single.requests - r.single.errors) + (r.batched.requests - r.batched.errors) * 20, 0),
    found: runs.reduce((sum, _, i) => sum + count(`single${i}-`) + count(`batched${i}-`), 0),
  };
  db.close();
  if (stored.found < stored.expected) log(`WARNING: ${stored.expected - stored.found} acknowledged events are missing from the database`);

  let singleNormalSync: number | null = null;
  if (options.withNormalSync) {
    const normal = await startCollector({ dbPath: join(tempDir('ingest-normal'), 'hark.db'), synchronous: 'normal' });
    try {
      await load(normal, 1, 'warm-single', options.warmupMs);
      singleNormalSync = (await load(normal, 1, 'single', options.durationMs)).rate;
    } finally {
      await normal.stop();
    }
    log(`single-event with HARK_SYNCHRONOUS=normal: ${singleNormalSync.toFixed(0)} events/s`);
  }

  const med = (pick: (r: IngestResult['runs'][number]) => number) => median(runs.map(pick));
  return {
    rounds: options.rounds,
    connections: options.connections,
    helloRate: med((r) => r.hello.rate),
    singleRate: med((r) => r.single.rate),
    batchedEventsPerSecond: med((r) => r.batched.rate * 20),
    singleOverHello: med((r) => r.single.rate / r.hello.rate),
    single: { p50: med((r) => r.single.latency.p50), p99: med((r) => r.single.latency.p99) },
    batched: { p50: med((r) => r.batched.latency.p50), p99: med((r) => r.batched.latency.p99) },
    hello: { p50: med((r) => r.hello.latency.p50), p99: med((r) => r.hello.latency.p99) },
    singleNormalSync,
    cpu: {
      helloPerRequest: med((r) => (r.cpuMs.hello * 1000) / r.hello.requests),
      singlePerEvent: med((r) => (r.cpuMs.single * 1000) / r.single.requests),
      batchedPerEvent: med((r) => (r.cpuMs.batched * 1000) / (r.batched.requests * 20)),
    },
    errors: runs.reduce((sum, r) => sum + r.hello.errors + r.single.errors + r.batched.errors, 0),
    stored,
    peakRssBytes,
    runs,
  };
}
