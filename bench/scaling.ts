import { closeSync, copyFileSync, fsyncSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataset, type DatasetSize } from './dataset.js';
import { eligibilityRequest } from './eligibility.js';
import { closedLoop, openLoop, type LoadResult } from './load.js';
import { removeTempDir, startCollector, tempDir } from './processes.js';
import { createRandom } from './prng.js';
import { acceptedAll, ingestRequests } from './traffic.js';

/**
 * How cost grows with the history (issue 16): the same two figures at several stored sizes —
 * batched ingest throughput (closed loop, batches of 20) and `GET /v1/messages` p99 at a fixed
 * rate (open loop) — each against a copy of the seeded data set of that size (bench/dataset.ts,
 * one person per 20 events, 50 live messages). The requests are the eligibility and ingest
 * sections' own (eligibilityRequest, ingestRequests), only shorter. Opt-in (`--only=scaling`):
 * generating the 5M set takes several minutes the first time, and it is then kept in `.bench/`.
 */

export interface ScalingOptions {
  seed: number;
  /** Stored events; people are one per 20 events. */
  sizes: number[];
  ingestMs: number;
  eligibilityRate: number;
  eligibilityMs: number;
  warmupMs: number;
}

export interface ScalingRow {
  size: DatasetSize;
  generatedMs: number | null;
  /** The data set file as generated (before this run's writes). */
  fileBytes: number;
  /** Eligibility requests asked per second (the open loop's rate; `eligibility.rate` is what was answered). */
  eligibilityRate: number;
  ingest: LoadResult;
  ingestEventsPerSecond: number;
  /** Collector CPU per ingested event, µs. */
  ingestCpuPerEvent: number;
  eligibility: LoadResult;
  peakRssBytes: number;
}

const BATCH = 20;

export async function measureScaling(options: ScalingOptions, log: (line: string) => void): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  for (const events of options.sizes) {
    const size: DatasetSize = { events, people: Math.max(100, Math.round(events / 20)), messages: 50 };
    const dataset = await ensureDataset(options.seed, size, log);
    log(
      dataset.generatedMs !== null
        ? `data set of ${events.toLocaleString('en')} events generated in ${(dataset.generatedMs / 1000).toFixed(1)} s`
        : `data set of ${events.toLocaleString('en')} events reused from .bench/`,
    );
    const fileBytes = statSync(dataset.path).size;
    const dir = tempDir('scaling');
    const dbPath = join(dir, 'hark.db');
    copyFileSync(dataset.path, dbPath);
    // On disk before the clock starts, as in eligibility.ts.
    const copy = openSync(dbPath, 'r+');
    fsyncSync(copy);
    closeSync(copy);
    const collector = await startCollector({ dbPath });
    try {
      const target = { port: collector.port };
      // Eligibility first, on the history as generated; ingest then adds to it.
      const ask = (seed: number) => eligibilityRequest(createRandom(seed), dataset.people);
      const connections = Math.max(16, Math.ceil(options.eligibilityRate / 100));
      await openLoop({ target, rate: options.eligibilityRate, durationMs: options.warmupMs, connections, request: ask(options.seed + 1) });
      const eligibility = await openLoop({ target, rate: options.eligibilityRate, durationMs: options.eligibilityMs, connections, request: ask(options.seed + 2) });
      const cpuStart = collector.cpuMs();
      const ingest = await closedLoop({
        target,
        connections: 32,
        durationMs: options.ingestMs,
        request: ingestRequests({ random: createRandom(options.seed + 3), runId: `scaling${events}-`, size: BATCH, visitors: size.people, anonymousPrefix: `anon-${options.seed}-` }),
        check: acceptedAll(BATCH),
      });
      const ingestCpu = collector.cpuMs() - cpuStart;
      const row: ScalingRow = {
        size,
        generatedMs: dataset.generatedMs,
        fileBytes,
        eligibilityRate: options.eligibilityRate,
        ingest,
        ingestEventsPerSecond: ingest.rate * BATCH,
        ingestCpuPerEvent: (ingestCpu * 1000) / Math.max(1, ingest.requests * BATCH),
        eligibility,
        peakRssBytes: collector.peakRss(),
      };
      log(
        `${events.toLocaleString('en')} events: ingest ${row.ingestEventsPerSecond.toFixed(0)} events/s (${row.ingestCpuPerEvent.toFixed(0)} µs CPU per event);` +
          ` eligibility p50 ${eligibility.latency.p50.toFixed(2)} ms, p99 ${eligibility.latency.p99.toFixed(2)} ms at ${options.eligibilityRate}/s` +
          ` (${eligibility.errors} errors); file ${(fileBytes / 2 ** 20).toFixed(0)} MiB`,
      );
      rows.push(row);
    } finally {
      await collector.stop();
      removeTempDir(dir);
    }
  }
  return rows;
}
