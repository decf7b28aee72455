import { closeSync, copyFileSync, fsyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataset, type DatasetSize, type PersonPlan } from './dataset.js';
import { httpRequest, openLoop, type LoadResult } from './load.js';
import { BENCH_KEYS, removeTempDir, startCollector, tempDir } from './processes.js';
import { createRandom, type Random } from './prng.js';
import { acceptedAll, ingestRequests, ORIGIN, PATHS, TRACK_EVENTS } from './traffic.js';

/**
 * `GET /v1/messages` as the App asks it on every page load, against a collector holding a big
 * history (DatasetSize) and live messages with mixed conditions: at a fixed request rate alone,
 * then at the same rate while batched ingest runs at a fixed event rate beside it. Latency counts
 * from when each request was due (open loop), so queueing behind ingest shows.
 */

export interface EligibilityOptions {
  seed: number;
  size: DatasetSize;
  /** Eligibility requests per second. */
  rate: number;
  /** Events per second sent beside it, in batches of 20 (the goal's figure). */
  ingestEventsPerSecond: number;
  /** Lower ingest rates also measured beside it, to show where the knee is. */
  alsoBeside: number[];
  durationMs: number;
  warmupMs: number;
}

export interface EligibilityResult {
  size: DatasetSize;
  rate: number;
  ingestEventsPerSecond: number;
  generatedMs: number | null;
  alone: LoadResult;
  /** At `ingestEventsPerSecond`. */
  underIngest: LoadResult;
  ingest: LoadResult;
  /** Every ingest rate measured beside it, lowest first; core = collector CPU as a share of one core. */
  beside: { eventsPerSecond: number; eligibility: LoadResult; ingest: LoadResult; core: number }[];
  /** Collector CPU (all threads): µs per eligibility request alone, and share of one core in each phase. */
  cpu: { perRequestAlone: number; aloneCore: number; underIngestCore: number };
  /** Share of answers that held at least one message (the conditions are not all-or-nothing). */
  withMessages: number;
  peakRssBytes: number;
}

const INGEST_BATCH = 20;

export async function measureEligibility(options: EligibilityOptions, log: (line: string) => void): Promise<EligibilityResult> {
  const dataset = await ensureDataset(options.seed, options.size, log);
  if (dataset.generatedMs !== null) log(`data set generated in ${(dataset.generatedMs / 1000).toFixed(1)} s`);

  // The run writes into its copy; the cached file stays as generated.
  const dir = tempDir('eligibility');
  const dbPath = join(dir, 'hark.db');
  copyFileSync(dataset.path, dbPath);
  // On disk before the clock starts: otherwise the copy's write-back competes with the
  // collector's fsyncs during the first phases.
  const copy = openSync(dbPath, 'r');
  fsyncSync(copy);
  closeSync(copy);
  const collector = await startCollector({ dbPath });
  try {
    const target = { port: collector.port };
    let answers = 0;
    let withMessages = 0;
    const ask = (random: Random) => {
      const next = eligibilityRequest(random, dataset.people);
      return { request: next, check: countMessages };
    };
    function countMessages(status: number, body: Buffer): boolean {
      answers++;
      if (body.includes('"deliveryId"')) withMessages++;
      return status === 200 && body.subarray(0, 13).toString() === '{"messages":[';
    }
    const connections = Math.max(16, Math.ceil(options.rate / 100));

    await openLoop({ target, rate: options.rate, durationMs: options.warmupMs, connections, ...ask(createRandom(options.seed + 1)) });
    answers = withMessages = 0;
    const cpuStart = collector.cpuMs();
    const alone = await openLoop({ target, rate: options.rate, durationMs: options.durationMs, connections, ...ask(createRandom(options.seed + 2)) });
    const aloneCpu = collector.cpuMs() - cpuStart;
    log(`alone at ${options.rate}/s: p50 ${alone.latency.p50.toFixed(2)} ms, p99 ${alone.latency.p99.toFixed(2)} ms`);

    const besideIngest = async (eventsPerSecond: number, round: number) => {
      const ingestRate = eventsPerSecond / INGEST_BATCH;
      const started = collector.cpuMs();
      const [eligibility, ingest] = await Promise.all([
        openLoop({ target, rate: options.rate, durationMs: options.durationMs, connections, ...ask(createRandom(options.seed + 10 + round)) }),
        openLoop({
          target,
          rate: ingestRate,
          durationMs: options.durationMs,
          connections: Math.max(8, Math.ceil(ingestRate / 50)),
          request: ingestRequests({
            random: createRandom(options.seed + 20 + round),
            runId: `elig${round}`,
            size: INGEST_BATCH,
            visitors: options.size.people,
            anonymousPrefix: `anon-${options.seed}-`,
          }),
          check: acceptedAll(INGEST_BATCH),
        }),
      ]);
      const core = (collector.cpuMs() - started) / Math.max(eligibility.elapsedMs, ingest.elapsedMs);
      log(
        `beside ${eventsPerSecond} events/s ingest: p50 ${eligibility.latency.p50.toFixed(2)} ms, p99 ${eligibility.latency.p99.toFixed(2)} ms` +
          ` (ingest p99 ${ingest.latency.p99.toFixed(1)} ms, ${ingest.errors} errors; collector at ${(core * 100).toFixed(0)}% of a core)`,
      );
      return { eventsPerSecond, eligibility, ingest, core };
    };
    const beside: EligibilityResult['beside'] = [];
    const rates = [...new Set([...options.alsoBeside, options.ingestEventsPerSecond])].sort((a, b) => a - b);
    for (const [round, eventsPerSecond] of rates.entries()) beside.push(await besideIngest(eventsPerSecond, round));
    const atGoal = beside.find((b) => b.eventsPerSecond === options.ingestEventsPerSecond)!;
    const underIngest = atGoal.eligibility;
    const ingest = atGoal.ingest;
    return {
      size: options.size,
      rate: options.rate,
      ingestEventsPerSecond: options.ingestEventsPerSecond,
      generatedMs: dataset.generatedMs,
      alone,
      underIngest,
      ingest,
      beside,
      cpu: {
        perRequestAlone: (aloneCpu * 1000) / alone.requests,
        aloneCore: aloneCpu / alone.elapsedMs,
        underIngestCore: atGoal.core,
      },
      withMessages: answers ? withMessages / answers : 0,
      peakRssBytes: collector.peakRss(),
    };
  } finally {
    await collector.stop();
    removeTempDir(dir);
  }
}

/**
 * What the App asks on a page load: mostly people the collector knows (the busiest most
 * often, users with their user id), some first-time visitors, now and then right after a
 * track call (`event=`).
 */
export function eligibilityRequest(random: Random, people: PersonPlan[]): (index: number) => Buffer {
  const auth = { Origin: ORIGIN };
  return (index) => {
    const params = new URLSearchParams({ writeKey: BENCH_KEYS.writeKey });
    if (random.chance(0.85)) {
      const person = people[random.skewed(people.length)]!;
      params.set('anonymousId', person.anonymousId);
      if (person.userId) params.set('userId', person.userId);
    } else {
      params.set('anonymousId', `first-visit-${index}`);
    }
    params.set('url', `${ORIGIN}${random.pick(PATHS)}`);
    if (random.chance(0.1)) params.set('event', random.pick(TRACK_EVENTS));
    return httpRequest('GET', `/v1/messages?${params}`, auth);
  };
}
