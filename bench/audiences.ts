import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../packages/collector/src/app.js';
import { evaluateRule, factsNeeded, mergeNeeded, noFacts, type Rule } from '../packages/collector/src/rules/index.js';
import { openSqliteStore } from '../packages/collector/src/store/sqlite/sqlite-store.js';
import type { Store } from '../packages/collector/src/store/store.js';
import { ensureDataset, type DatasetSize } from './dataset.js';
import { messageDefinitions } from './messages.js';
import { BENCH_KEYS } from './processes.js';
import { createRandom } from './prng.js';
import { benchSegments, benchStream, ingestStream } from './segments-ingest.js';
import { Samples, median, type LatencySummary } from './stats.js';
import { ORIGIN, TRACK_EVENTS } from './traffic.js';

/**
 * Issue 11's speed targets, in one process (the store and the app without HTTP, so the figures
 * are the audience code's, not the network's), each beside the baseline measured in the same run:
 * - one person against 100 segments (facts loaded once, 100 trees): p99 ≤ 1 ms;
 * - a segment's count over the bench data set (50,000 people, 1,000,000 events): ≤ 250 ms,
 *   with its background fill time and a live preview of the same tree beside it;
 * - a 100,000-row CSV import: < 30 s, with ingest throughput during it vs without;
 * - ingest with 50 segments vs 0 (target: ratio ≥ 0.90);
 * - eligibility (`GET /v1/messages`) p99 with 50 segments, 10 messages aimed at them: ≤ 5 ms.
 */
export interface AudienceOptions {
  seed: number;
  size: DatasetSize;
  /** People and events of the ingest store (fresh, small, so its fill is quick). */
  ingest: { people: number; events: number; rounds: number };
  importRows: number;
  eligibilityRequests: number;
}

export interface AudienceResults {
  evaluate100: LatencySummary;
  count: { fillMs: number; count: number; countMs: LatencySummary; previewMs: number };
  importRows: number;
  importMs: number;
  ingestDuringImport: number;
  ingestAlone: number;
  ingest0: number;
  ingest50: number;
  eligibility0: LatencySummary;
  eligibility50: LatencySummary;
}

const temp = (): string => mkdtempSync(join(tmpdir(), 'hark-bench-audiences-'));

/** 100 trees over the data set's real event names and traits. */
function datasetSegments(count: number): { name: string; rules: Rule }[] {
  return Array.from({ length: count }, (_, i): { name: string; rules: Rule } => {
    const event = TRACK_EVENTS[i % TRACK_EVENTS.length]!;
    const kind = i % 5;
    const rules: Rule =
      kind === 0
        ? { and: [{ type: 'kind', value: ['user'] }, { type: 'event', event, count: { op: 'at_least', value: 1 + (i % 4) }, window: { lastDays: 30 } }] }
        : kind === 1
          ? { or: [{ type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, { type: 'trait', trait: 'seats', op: 'gt', value: i % 20 }] }
          : kind === 2
            ? { type: 'last_seen', op: 'within_last_days', value: 1 + (i % 30) }
            : kind === 3
              ? { not: { type: 'no_event', event, window: { lastDays: 7 + i } } }
              : { and: [{ type: 'geo', field: 'country', op: 'equals', value: 'FR' }, { type: 'first_seen', op: 'after', value: '2025-01-01' }] };
    return { name: `bench ${i}`, rules };
  });
}

async function onDataset(options: AudienceOptions, log: (line: string) => void): Promise<Pick<AudienceResults, 'evaluate100' | 'count'>> {
  const dataset = await ensureDataset(options.seed, options.size, log);
  const dir = temp();
  const path = join(dir, 'hark.db');
  copyFileSync(dataset.path, path);
  const store = openSqliteStore({ path, synchronous: 'normal' });
  try {
    const { project } = await store.ensureDefaultProject(BENCH_KEYS);
    const random = createRandom(options.seed);
    // One person against 100 segments: what a re-evaluation costs (facts once, 100 trees).
    const trees = datasetSegments(100).map((s) => s.rules);
    const needed = noFacts();
    for (const tree of trees) mergeNeeded(needed, factsNeeded(tree));
    const ids = (await store.listPeople(project.id, { limit: 1000, cursor: null })).items.map((p) => p.id);
    const evaluate = new Samples();
    for (let round = 0; round < 3; round++) {
      for (const id of ids) {
        const started = performance.now();
        const facts = await store.segments.facts(project.id, id, needed);
        if (facts) for (const tree of trees) evaluateRule(tree, facts, Date.now());
        if (round > 0) evaluate.add(performance.now() - started);
      }
    }
    log(`one person vs 100 segments: p50 ${evaluate.summary().p50.toFixed(3)} ms, p99 ${evaluate.summary().p99.toFixed(3)} ms`);

    // A segment's count over everyone: kept membership, so a count is one index range.
    const rules: Rule = { and: [{ type: 'kind', value: ['user'] }, { type: 'event', event: random.pick(TRACK_EVENTS), window: { lastDays: 30 } }] };
    const fillStarted = performance.now();
    const segment = await store.segments.create(project.id, { name: 'bench count', rules }, Date.now());
    await store.segments.idle();
    const fillMs = performance.now() - fillStarted;
    const countMs = new Samples();
    let count = 0;
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      count = await store.segments.count(project.id, segment.id);
      countMs.add(performance.now() - started);
    }
    const previewStarted = performance.now();
    await store.segments.preview(project.id, rules, Date.now());
    const previewMs = performance.now() - previewStarted;
    log(`segment count ${count}: p99 ${countMs.summary().p99.toFixed(2)} ms (fill ${(fillMs / 1000).toFixed(1)} s, live preview ${previewMs.toFixed(0)} ms)`);
    return { evaluate100: evaluate.summary(), count: { fillMs, count, countMs: countMs.summary(), previewMs } };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh small store, with `segments` defined and their fill done, the people already known. */
async function smallStore(options: AudienceOptions, segments: number): Promise<{ store: Store; dir: string; projectId: string }> {
  const dir = temp();
  const store = openSqliteStore({ path: join(dir, 'hark.db'), synchronous: 'normal' });
  const { project } = await store.ensureDefaultProject(BENCH_KEYS);
  const now = Date.now();
  await ingestStream(store, benchStream(options.seed + 1, options.ingest.people, options.ingest.events, now - 3_600_000));
  for (const segment of benchSegments(segments)) await store.segments.create(project.id, segment, now);
  await store.segments.idle();
  return { store, dir, projectId: project.id };
}

async function closeSmall(small: { store: Store; dir: string }): Promise<void> {
  await small.store.close();
  rmSync(small.dir, { recursive: true, force: true });
}

async function ingestRatio(options: AudienceOptions, log: (line: string) => void): Promise<Pick<AudienceResults, 'ingest0' | 'ingest50'>> {
  const without: number[] = [];
  const withSegments: number[] = [];
  for (let round = 0; round < options.ingest.rounds; round++) {
    for (const [segments, into] of [[0, without], [50, withSegments]] as const) {
      const small = await smallStore(options, segments);
      try {
        into.push(await ingestStream(small.store, benchStream(options.seed + 2 + round, options.ingest.people, options.ingest.events, Date.now())));
      } finally {
        await closeSmall(small);
      }
    }
    log(`ingest round ${round + 1}: 0 segments ${without.at(-1)!.toFixed(0)}/s, 50 segments ${withSegments.at(-1)!.toFixed(0)}/s`);
  }
  return { ingest0: median(without), ingest50: median(withSegments) };
}

async function eligibility(options: AudienceOptions, segments: number): Promise<LatencySummary> {
  const small = await smallStore(options, segments);
  try {
    const app = createApp({ store: small.store, logError: () => undefined });
    const random = createRandom(options.seed);
    const ids = (await small.store.segments.list(small.projectId, { limit: 100, cursor: null })).items.map((s) => s.id);
    for (const [i, definition] of messageDefinitions(random, 10).entries()) {
      const aimed = ids.length ? { ...definition, conditions: { ...definition.conditions, audience: { segment: ids[i % ids.length]! } } } : definition;
      const res = await app.request('/api/v1/messages', {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_KEYS.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(aimed),
      });
      if (res.status !== 201) throw new Error(`A bench message was refused: ${await res.text()}`);
    }
    const samples = new Samples();
    for (let i = 0; i < options.eligibilityRequests; i++) {
      const params = new URLSearchParams({ writeKey: BENCH_KEYS.writeKey, userId: `u${random.int(options.ingest.people)}`, anonymousId: `a${i}`, url: `${ORIGIN}/app` });
      const started = performance.now();
      const res = await app.request(`/v1/messages?${params}`, { headers: { Origin: ORIGIN } });
      await res.arrayBuffer();
      if (i >= 100) samples.add(performance.now() - started);
    }
    return samples.summary();
  } finally {
    await closeSmall(small);
  }
}

async function csvImport(options: AudienceOptions, log: (line: string) => void): Promise<Pick<AudienceResults, 'importMs' | 'ingestDuringImport' | 'ingestAlone'>> {
  const small = await smallStore(options, 50);
  try {
    const app = createApp({ store: small.store, logError: () => undefined });
    const admin = (path: string, init: RequestInit = {}) =>
      app.request(path, { ...init, headers: { authorization: `Bearer ${BENCH_KEYS.secretKey}`, ...(init.headers as Record<string, string>) } });
    const list = (await (await admin('/api/v1/lists', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) })).json()) as { id: string };
    const rows = ['name,email,plan,seats'];
    for (let i = 0; i < options.importRows; i++) rows.push(`Person ${i},person${i}@example.com,${i % 3 ? 'free' : 'pro'},${i % 50}`);
    const csv = `${rows.join('\n')}\n`;
    const ingestAlone = await ingestStream(small.store, benchStream(options.seed + 10, options.ingest.people, options.ingest.events / 2, Date.now()));
    const started = performance.now();
    const res = await admin(`/api/v1/lists/${list.id}/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    if (res.status !== 202) throw new Error(`The bench import was refused: ${res.status} ${await res.text()}`);
    const job = (await res.json()) as { id: string };
    let done = false;
    const poll = (async () => {
      for (;;) {
        const state = (await (await admin(`/api/v1/imports/${job.id}`)).json()) as { status: string; rows?: unknown };
        if (state.status === 'done' || state.status === 'failed') {
          if (state.status === 'failed') log(`import failed: ${JSON.stringify(state)}`);
          done = true;
          return performance.now() - started;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    // Ingest keeps going while the import runs; measured over the same stream length as alone.
    const ingestDuringImport = await ingestStream(small.store, benchStream(options.seed + 11, options.ingest.people, options.ingest.events / 2, Date.now()));
    const importMs = await poll;
    if (!done) throw new Error('unreachable');
    log(`import of ${options.importRows} rows: ${(importMs / 1000).toFixed(1)} s; ingest ${ingestDuringImport.toFixed(0)}/s during it, ${ingestAlone.toFixed(0)}/s alone`);
    return { importMs, ingestDuringImport, ingestAlone };
  } finally {
    await closeSmall(small);
  }
}

export async function measureAudiences(options: AudienceOptions, log: (line: string) => void): Promise<AudienceResults> {
  const dataset = await onDataset(options, log);
  const ingest = await ingestRatio(options, log);
  const eligibility0 = await eligibility(options, 0);
  const eligibility50 = await eligibility(options, 50);
  log(`eligibility p99: ${eligibility0.p99.toFixed(2)} ms with 0 segments, ${eligibility50.p99.toFixed(2)} ms with 50`);
  const imported = await csvImport(options, log);
  return { ...dataset, ...ingest, eligibility0, eligibility50, importRows: options.importRows, ...imported };
}

/** The Markdown lines of the audiences section (docs/BENCHMARKS.md). */
export function renderAudiences(r: AudienceResults): string[] {
  const ms = (v: number, digits = 2) => `${v.toFixed(digits)} ms`;
  return [
    '| figure | measured | target | |',
    '| --- | --- | --- | --- |',
    `| one person vs 100 segments (facts once + 100 trees), p99 | ${ms(r.evaluate100.p99, 3)} (p50 ${ms(r.evaluate100.p50, 3)}) | ≤ 1 ms | ${r.evaluate100.p99 <= 1 ? 'met' : 'missed'} |`,
    `| segment count over the data set, p99 (${r.count.count} members) | ${ms(r.count.countMs.p99)} | ≤ 250 ms | ${r.count.countMs.p99 <= 250 ? 'met' : 'missed'} |`,
    `| — its background fill / a live preview of the same tree | ${(r.count.fillMs / 1000).toFixed(1)} s / ${ms(r.count.previewMs, 0)} | | |`,
    `| CSV import, ${r.importRows.toLocaleString('en')} rows (50 segments defined) | ${(r.importMs / 1000).toFixed(1)} s | < 30 s | ${r.importMs < 30_000 ? 'met' : 'missed'} |`,
    `| — ingest during the import / alone (ratio) | ${r.ingestDuringImport.toFixed(0)} / ${r.ingestAlone.toFixed(0)} events/s (${(r.ingestDuringImport / r.ingestAlone).toFixed(2)}) | | |`,
    `| ingest with 50 segments / 0 (ratio) | ${r.ingest50.toFixed(0)} / ${r.ingest0.toFixed(0)} events/s (${(r.ingest50 / r.ingest0).toFixed(2)}) | ≥ 0.90 | ${r.ingest50 / r.ingest0 >= 0.9 ? 'met' : 'missed'} |`,
    `| eligibility p99, 50 segments / 0 (10 messages aimed at segments) | ${ms(r.eligibility50.p99)} / ${ms(r.eligibility0.p99)} | ≤ 5 ms | ${r.eligibility50.p99 <= 5 ? 'met' : 'missed'} |`,
  ];
}
