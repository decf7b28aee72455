import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closedLoop, createClient, httpRequest, type LoadResult } from './load.js';
import { BENCH_KEYS, startCollector, tempDir } from './processes.js';
import { createRandom } from './prng.js';
import { Samples, type LatencySummary } from './stats.js';
import { acceptedAll, batchRequest, ingestRequests } from './traffic.js';

/**
 * Issue 12's bench: N people enter a live automation (trigger: the event `Bench Entered`; steps:
 * wait, then a webhook action) on the real collector (dist/server.mjs, runner on, loopback
 * webhooks allowed), and a receiver on 127.0.0.1 counts what arrives by `Hark-Webhook-Id`.
 *
 * - due = when the person's trigger batch was sent + the wait; done = arrival at the receiver.
 *   So the figure holds everything between: the entry job, the wait step, its resume, the action
 *   step, the delivery job and the POST (target: p99 ≤ 2 s, every action once).
 * - Batched ingest (20 events per request, closed loop) is measured twice in the same collector:
 *   before the automation exists (the baseline) and during the wait, beside the runner working
 *   through the entries; the report gives the ratio.
 * - Afterwards the collector's jobs table (read-only) says where the time went: the lag of each
 *   job kind from its due time to its end, so a miss names its stage.
 * Bounded: it stops waiting `drainMs` after the last person was due, and reports what arrived.
 */
export interface AutomationBenchOptions {
  seed: number;
  people: number;
  /** The automation's wait, in whole minutes (the API's smallest unit). */
  waitMinutes: number;
  /** Trigger events per request, and requests in flight while sending them. */
  triggerBatch: number;
  triggerInFlight: number;
  /**
   * People entering per second (batches sent on that schedule); 0 = as fast as the collector
   * takes them. The runner has a rate it can follow (measured: the stage table); above it, every
   * later entry waits behind the earlier ones, and due-to-done grows with the queue.
   */
  triggerRate: number;
  ingest: { durationMs: number; warmupMs: number; connections: number };
  runner: { pollMs: number; batchSize: number; concurrency: number };
  /** How long after the last due time it keeps waiting for deliveries. */
  drainMs: number;
}

export interface StageLag {
  stage: string;
  jobs: number;
  /** From the job's due time (run_at) to its end (finished_at), ms. */
  lag: LatencySummary;
}

export interface AutomationBenchResult {
  people: number;
  waitMs: number;
  runner: AutomationBenchOptions['runner'];
  sendMs: number;
  triggerRate: number;
  deliveries: number;
  distinct: number;
  duplicates: number;
  missing: number;
  dueToDone: LatencySummary;
  /** Last arrival − first due: how long the whole wave took to leave. */
  waveMs: number;
  ingestAlone: LoadResult & { eventsPerSecond: number };
  ingestBeside: LoadResult & { eventsPerSecond: number };
  ratio: number;
  stages: StageLag[];
  runs: Record<string, number>;
}

const EVENT = 'Bench Entered';

interface Receiver {
  url: string;
  /** Arrival times (epoch ms) by delivery id; more than one = a duplicate. */
  arrivals: Map<string, number[]>;
  /** The person (userId) of each delivery id. */
  personOf: Map<string, string>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, number[]>();
  const personOf = new Map<string, string>();
  const read = (request: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => resolve(body));
    });
  const server: HttpServer = createServer((request, response) => {
    // The arrival is when the request line and headers are in, before the body is read.
    const at = Date.now();
    const id = String(request.headers['hark-webhook-id'] ?? '');
    void read(request).then((body) => {
      const list = arrivals.get(id) ?? [];
      list.push(at);
      arrivals.set(id, list);
      try {
        const userId = (JSON.parse(body) as { data?: { person?: { userId?: string } } }).data?.person?.userId;
        if (userId) personOf.set(id, userId);
      } catch {
        // Counted by id all the same; no person, so no due-to-done sample.
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    personOf,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureAutomations(options: AutomationBenchOptions, log: (line: string) => void): Promise<AutomationBenchResult> {
  const waitMs = options.waitMinutes * 60_000;
  const receiver = await startReceiver();
  const dbPath = join(tempDir('automations'), 'hark.db');
  const collector = await startCollector({
    dbPath,
    env: {
      HARK_WEBHOOKS_ALLOW_PRIVATE: '1',
      HARK_RUNNER: 'on',
      HARK_RUNNER_POLL_MS: String(options.runner.pollMs),
      HARK_RUNNER_BATCH: String(options.runner.batchSize),
      HARK_RUNNER_CONCURRENCY: String(options.runner.concurrency),
    },
  });
  const client = createClient({ port: collector.port });
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const answer = await client.request(
      httpRequest(method, path, { Authorization: `Bearer ${BENCH_KEYS.secretKey}`, 'Content-Type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body)),
    );
    if (answer.status >= 300) throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
    return answer.body.length ? JSON.parse(answer.body.toString()) : null;
  };
  const ingest = (runId: string, durationMs: number, round: number) =>
    closedLoop({
      target: { port: collector.port },
      connections: options.ingest.connections,
      durationMs,
      request: ingestRequests({ random: createRandom(options.seed + round), runId, size: 20, visitors: 5000, anonymousPrefix: 'visitor-' }),
      check: acceptedAll(20),
    });
  const withRate = (r: LoadResult) => ({ ...r, eventsPerSecond: r.rate * 20 });

  let result: AutomationBenchResult;
  try {
    // The baseline: the same ingest load, the runner on, no automation live.
    await ingest('auto-warm', options.ingest.warmupMs, 0);
    const ingestAlone = withRate(await ingest('auto-alone', options.ingest.durationMs, 1));
    log(`ingest alone: ${ingestAlone.eventsPerSecond.toFixed(0)} events/s (p99 ${ingestAlone.latency.p99.toFixed(1)} ms)`);

    const webhook = (await admin('POST', '/api/v1/webhooks', { url: receiver.url, events: ['Bench Never Sent'] })) as { id: string };
    const automation = (await admin('POST', '/api/v1/automations', {
      name: 'Bench: wait, then webhook',
      status: 'live',
      trigger: { type: 'event', event: EVENT },
      entry: 'once',
      steps: [
        { id: 'wait', type: 'wait', duration: { amount: options.waitMinutes, unit: 'minutes' }, next: 'notify' },
        { id: 'notify', type: 'action', action: { type: 'webhook', webhook: webhook.id } },
      ],
    })) as { id: string };

    // The triggers, `triggerBatch` people per request; each person's trigger time is when its batch was sent.
    const triggeredAt = new Map<string, number>();
    const sendStarted = Date.now();
    let next = 0;
    const sender = async (): Promise<void> => {
      const own = createClient({ port: collector.port });
      try {
        while (next < options.people) {
          // Taken before the await: the other senders move `next` meanwhile.
          const first = next;
          const last = Math.min(options.people, first + options.triggerBatch);
          next = last;
          if (options.triggerRate > 0) await sleep(sendStarted + (first / options.triggerRate) * 1000 - Date.now());
          const now = new Date();
          const events: string[] = [];
          for (let i = first; i < last; i++) {
            events.push(`{"type":"track","event":"${EVENT}","messageId":"bench-entered-${i}","userId":"bench-${i}","timestamp":"${now.toISOString()}","properties":{"n":${i}}}`);
          }
          const sentAt = Date.now();
          const answer = await own.request(batchRequest(events, now.toISOString()));
          if (!acceptedAll(last - first)(answer.status, answer.body)) throw new Error(`a trigger batch was not accepted whole: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
          for (let i = first; i < last; i++) triggeredAt.set(`bench-${i}`, sentAt);
        }
      } finally {
        own.close();
      }
    };
    await Promise.all(Array.from({ length: options.triggerInFlight }, sender));
    const sendMs = Date.now() - sendStarted;
    const lastDue = Math.max(...triggeredAt.values()) + waitMs;
    log(`${options.people} triggers sent in ${(sendMs / 1000).toFixed(1)} s; due from ${new Date(sendStarted + waitMs).toISOString().slice(11, 19)}`);

    // During the wait: the same ingest load, beside the runner deciding entries and starting waits.
    const ingestBeside = withRate(await ingest('auto-beside', options.ingest.durationMs, 2));
    log(`ingest beside the automation: ${ingestBeside.eventsPerSecond.toFixed(0)} events/s (p99 ${ingestBeside.latency.p99.toFixed(1)} ms)`);

    // Wait for every delivery, or until `drainMs` after the last due time; then a little more, to see duplicates.
    const deadline = lastDue + options.drainMs;
    let lastLog = Date.now();
    while (receiver.arrivals.size < options.people && Date.now() < deadline) {
      await sleep(250);
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`  ${receiver.arrivals.size} of ${options.people} delivered`);
      }
    }
    await sleep(2000);

    const dueToDone = new Samples();
    let deliveries = 0;
    let firstDue = Number.POSITIVE_INFINITY;
    let lastArrival = 0;
    for (const [id, times] of receiver.arrivals) {
      deliveries += times.length;
      const person = receiver.personOf.get(id);
      const sent = person ? triggeredAt.get(person) : undefined;
      if (sent === undefined) continue;
      dueToDone.add(times[0]! - (sent + waitMs));
      firstDue = Math.min(firstDue, sent + waitMs);
      lastArrival = Math.max(lastArrival, times[0]!);
    }
    const runs: Record<string, number> = {};
    const listed = (await admin('GET', `/api/v1/automations/${automation.id}/stats`)) as { entered?: number };
    runs.entered = listed.entered ?? Number.NaN;
    result = {
      people: options.people,
      waitMs,
      runner: options.runner,
      sendMs,
      triggerRate: options.triggerRate,
      deliveries,
      distinct: receiver.arrivals.size,
      duplicates: deliveries - receiver.arrivals.size,
      missing: options.people - receiver.arrivals.size,
      dueToDone: dueToDone.summary(),
      waveMs: lastArrival - firstDue,
      ingestAlone,
      ingestBeside,
      ratio: ingestBeside.eventsPerSecond / ingestAlone.eventsPerSecond,
      stages: [],
      runs,
    };
  } finally {
    client.close();
    await collector.stop();
    await receiver.close();
  }
  result.stages = stageLags(dbPath);
  for (const s of result.stages) log(`  ${s.stage}: ${s.jobs} jobs, due-to-end p50 ${s.lag.p50.toFixed(0)} ms, p99 ${s.lag.p99.toFixed(0)} ms`);
  return result;
}

/** Each job kind's lag from due to end, read from the stopped collector's file. */
function stageLags(dbPath: string): StageLag[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT CASE
            WHEN kind = 'webhook.deliver' THEN 'webhook delivery (POST)'
            WHEN json_extract(payload, '$.stepId') = '$entry' THEN 'entry (decide, insert run)'
            WHEN json_extract(payload, '$.phase') = 'resume' THEN 'wait resume (due = trigger + wait)'
            WHEN json_extract(payload, '$.stepId') = 'wait' THEN 'wait step (start the wait)'
            WHEN json_extract(payload, '$.stepId') = 'notify' THEN 'action step (queue the delivery)'
            ELSE kind END AS stage,
          finished_at - run_at AS lag
         FROM jobs WHERE status = 'done'`,
      )
      .all() as { stage: string; lag: number }[];
    const byStage = new Map<string, Samples>();
    for (const row of rows) {
      const samples = byStage.get(row.stage) ?? new Samples();
      samples.add(row.lag);
      byStage.set(row.stage, samples);
    }
    const order = ['entry', 'wait step', 'wait resume', 'action step', 'webhook'];
    return [...byStage]
      .map(([stage, samples]) => ({ stage, jobs: samples.count, lag: samples.summary() }))
      .sort((a, b) => order.findIndex((o) => a.stage.startsWith(o)) - order.findIndex((o) => b.stage.startsWith(o)));
  } finally {
    db.close();
  }
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');

/** The Markdown of the section (run.ts puts it in the report). */
export function renderAutomations(r: AutomationBenchResult): string[] {
  const met = r.duplicates === 0 && r.missing === 0 && r.dueToDone.p99 <= 2000;
  return [
    `${int(r.people)} people sent \`${EVENT}\` (${r.triggerRate > 0 ? `${int(r.triggerRate)} a second, ` : 'as fast as accepted, '}in ${s(r.sendMs)}; ingest measured after the sending, during the wait) into a live automation: wait ${r.waitMs / 60_000} min, then a webhook action to a receiver on 127.0.0.1.` +
      ` Runner: poll ${r.runner.pollMs} ms, batch ${r.runner.batchSize}, concurrency ${r.runner.concurrency}; \`synchronous = FULL\`.` +
      ' due = the trigger batch\'s send time + the wait; done = arrival at the receiver.',
    '',
    '| Figure | Measured | Target | |',
    '| --- | ---: | --- | --- |',
    `| Deliveries received / distinct ids | ${int(r.deliveries)} / ${int(r.distinct)} | ${int(r.people)}, each once | ${r.missing === 0 && r.duplicates === 0 ? '**met**' : '**missed**'} |`,
    `| Duplicates / missing | ${int(r.duplicates)} / ${int(r.missing)} | 0 / 0 | |`,
    `| Due-to-done p50 / p99 / max | ${s(r.dueToDone.p50)} / ${s(r.dueToDone.p99)} / ${s(r.dueToDone.max)} | p99 ≤ 2 s | ${met ? '**met**' : '**missed**'} |`,
    `| Wave (first due → last arrival) | ${s(r.waveMs)} | | |`,
    `| Batched ingest alone (same run, before the automation) | ${int(r.ingestAlone.eventsPerSecond)} events/s, p99 ${r.ingestAlone.latency.p99.toFixed(1)} ms | | |`,
    `| Batched ingest during the wait, beside the runner | ${int(r.ingestBeside.eventsPerSecond)} events/s, p99 ${r.ingestBeside.latency.p99.toFixed(1)} ms | | ${r.ratio.toFixed(2)}× |`,
    '',
    'Where the time went: each job kind\'s lag from its due time to its end (the collector\'s jobs table afterwards).',
    '',
    '| Stage | Jobs | p50 | p99 | max |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...r.stages.map((st) => `| ${st.stage} | ${int(st.jobs)} | ${s(st.lag.p50)} | ${s(st.lag.p99)} | ${s(st.lag.max)} |`),
  ];
}

