import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { PostgresResult } from './postgres.js';
import type { EligibilityResult } from './eligibility.js';
import type { HostPageResult } from './host-page.js';
import type { IdentifyResult } from './identify.js';
import type { IngestResult } from './ingest.js';
import type { Machine } from './machine.js';
import type { ScalingRow } from './scaling.js';
import type { Bundle } from './weights.js';

/**
 * Turns one run's results into the Markdown of docs/BENCHMARKS.md. The run owns only the part
 * between the two markers; what people wrote around it (analysis, history) is kept.
 */

export interface BenchResults {
  mode: 'full' | 'quick';
  seed: number;
  startedAt: Date;
  durationMs: number;
  command: string;
  machine: Machine;
  weights?: Bundle[];
  hostPage?: HostPageResult;
  ingest?: IngestResult;
  eligibility?: EligibilityResult;
  identify?: IdentifyResult;
  scaling?: ScalingRow[];
  postgres?: PostgresResult;
  notes: string[];
}

export const START = '<!-- bench:results:start (written by npm run bench; edit outside these markers) -->';
export const END = '<!-- bench:results:end -->';

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number, digits = 2) => (Number.isFinite(n) ? `${n.toFixed(digits)} ms` : 'n/a');
const times = (n: number) => (Number.isFinite(n) ? `${n >= 10 ? n.toFixed(0) : n.toFixed(1)}×` : 'n/a');
const mb = (bytes: number) => (Number.isFinite(bytes) && bytes > 0 ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : 'n/a');
const bytes = (n: number) => `${int(n)} B`;
const us = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} µs` : 'n/a');
/** `ratio` = theirs ÷ Hark's, for a figure where less is better: "36× smaller", or "Hark 1.3× larger". */
const compare = (ratio: number, better: string, worse: string) => (ratio >= 1 ? `${times(ratio)} ${better}` : `Hark ${times(1 / ratio)} ${worse}`);
const yes = (met: boolean | null) => (met === null ? 'not measured' : met ? '**met**' : '**missed**');

interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean | null;
}

function goals(r: BenchResults): Goal[] {
  const list: Goal[] = [];
  const core = r.weights?.find((b) => b.product === 'Hark' && b.part === 'core')?.weight ?? null;
  const ui = r.weights?.find((b) => b.product === 'Hark' && b.part === 'ui')?.weight ?? null;
  if (r.weights) {
    list.push({ goal: 'App core weight', target: '≤ 3 KB gzipped (3,072 B)', measured: core ? bytes(core.gzip) : 'not built', met: core ? core.gzip <= 3072 : null });
    list.push({ goal: 'Message UI weight', target: '≤ 12 KB gzipped (12,288 B)', measured: ui ? bytes(ui.gzip) : 'not built yet', met: ui ? ui.gzip <= 12_288 : null });
    const console = r.weights.find((b) => b.product === 'Hark' && b.part === 'console')?.weight ?? null;
    list.push({ goal: 'Console first page weight', target: '≤ 80 KB gzipped (81,920 B)', measured: console ? bytes(console.gzip) : 'not built', met: console ? console.gzip <= 81_920 : null });
  }
  const page = r.hostPage;
  if (page) {
    const harks = page.variants.filter((v) => v.name.startsWith('hark'));
    const posthog = page.variants.find((v) => v.name === 'posthog');
    const hark = page.variants.find((v) => v.name === 'hark');
    if (harks.length) {
      const worst = Math.max(...harks.map((v) => v.cost.longestTaskMs));
      const loads = harks.flatMap((v) => v.runs);
      const over = loads.filter((run) => run.longestTaskMs > 50).length;
      list.push({
        goal: 'Host page: no long task',
        target: 'no script task over 50 ms',
        measured: `longest ${ms(worst, 1)} (median load); ${over} of ${loads.length} loads had one over 50 ms, at most ${ms(Math.max(...loads.map((r) => r.longestTaskMs)), 1)}`,
        // Strict: a single load with a long task misses it.
        met: worst <= 50 && over === 0,
      });
    }
    if (hark && posthog) {
      const share = hark.cost.scriptMs / posthog.cost.scriptMs;
      list.push({
        goal: 'Host page: main-thread script vs posthog-js',
        target: 'far less (≤ ⅓ of posthog-js)',
        measured: `${ms(hark.cost.scriptMs, 1)} vs ${ms(posthog.cost.scriptMs, 1)} (${(share * 100).toFixed(0)}%)`,
        met: share <= 1 / 3,
      });
    }
  }
  const ingest = r.ingest;
  if (ingest) {
    list.push({ goal: 'Ingest, 20 events per request', target: '≥ 35,000 events/s', measured: `${int(ingest.batchedEventsPerSecond)} events/s`, met: ingest.batchedEventsPerSecond >= 35_000 });
    list.push({
      goal: 'Ingest, one event per request',
      target: '≥ 0.3 × hello-world ceiling',
      measured: `${ingest.singleOverHello.toFixed(2)} × (${int(ingest.singleRate)} vs ${int(ingest.helloRate)} req/s)`,
      met: ingest.singleOverHello >= 0.3,
    });
  }
  const el = r.eligibility;
  if (el) {
    list.push({ goal: `Eligibility p99 alone at ${int(el.rate)} req/s`, target: '≤ 10 ms', measured: ms(el.alone.latency.p99), met: el.alone.latency.p99 <= 10 && el.alone.errors === 0 });
    list.push({
      goal: `Eligibility p99 under ${int(el.ingestEventsPerSecond)} events/s ingest`,
      target: '≤ 15 ms',
      measured: ms(el.underIngest.latency.p99),
      met: el.underIngest.latency.p99 <= 15 && el.underIngest.errors === 0,
    });
  }
  const id = r.identify;
  if (id) {
    const growth = Math.max(id.firstLogin.at(-1)! / id.firstLogin[0]!, id.secondDevice.at(-1)! / id.secondDevice[0]!);
    list.push({
      goal: `Identify cost as history grows (${id.histories.map(int).join(' → ')} events)`,
      target: 'nearly flat (≤ 1.5× from first to last)',
      measured: `${growth.toFixed(2)}×${id.incomplete ? `; ${id.incomplete} timelines incomplete` : ''}`,
      met: growth <= 1.5 && id.incomplete === 0,
    });
  }
  const rss = peakRss(r);
  if (rss.length) {
    const worst = Math.max(...rss.map(([, b]) => b));
    list.push({ goal: 'Collector peak RSS', target: '≤ 150 MB (143 MiB)', measured: `${mb(worst)} (${rss.find(([, b]) => b === worst)![0]})`, met: worst <= 150e6 });
  }
  return list;
}

function peakRss(r: BenchResults): [string, number][] {
  const list: [string, number][] = [];
  if (r.ingest) list.push(['ingest', r.ingest.peakRssBytes]);
  if (r.eligibility) list.push(['eligibility', r.eligibility.peakRssBytes]);
  if (r.identify) list.push(['identify', r.identify.peakRssBytes]);
  return list.filter(([, b]) => Number.isFinite(b) && b > 0);
}

function headline(r: BenchResults): string[] {
  const rows: string[] = [];
  const weight = (product: string, part: Bundle['part']) => r.weights?.find((b) => b.product === product && b.part === part)?.weight ?? null;
  const core = weight('Hark', 'core');
  const ui = weight('Hark', 'ui');
  if (r.weights && core) {
    for (const bundle of r.weights.filter((b) => b.product !== 'Hark' && b.weight)) {
      const mine = bundle.part === 'core' ? core : ui;
      if (!mine) continue;
      rows.push(`| ${bundle.part === 'core' ? 'Core' : 'Message UI'} weight, gzipped | ${bytes(mine.gzip)} | ${bundle.product}: ${bytes(bundle.weight!.gzip)} | ${compare(bundle.weight!.gzip / mine.gzip, 'smaller', 'larger')} |`);
    }
  }
  const page = r.hostPage;
  const hark = page?.variants.find((v) => v.name === 'hark');
  const posthog = page?.variants.find((v) => v.name === 'posthog');
  const blank = page?.variants.find((v) => v.name === 'blank');
  if (hark && posthog && blank) {
    rows.push(`| Host page: main-thread script at load | ${ms(hark.cost.scriptMs, 1)} | posthog-js: ${ms(posthog.cost.scriptMs, 1)} | ${compare(posthog.cost.scriptMs / hark.cost.scriptMs, 'less', 'more')} |`);
    rows.push(`| Host page: longest script task | ${ms(hark.cost.longestTaskMs, 1)} | posthog-js: ${ms(posthog.cost.longestTaskMs, 1)} | ${compare(posthog.cost.longestTaskMs / hark.cost.longestTaskMs, 'shorter', 'longer')} |`);
    const added = (v: typeof hark) => v.cost.bytes - blank.cost.bytes;
    rows.push(`| Host page: bytes added to the page | ${bytes(added(hark))} | posthog-js: ${bytes(added(posthog))} | ${compare(added(posthog) / added(hark), 'fewer', 'more')} |`);
  }
  const ingest = r.ingest;
  if (ingest) {
    rows.push(`| Ingest, 1 event per request | ${int(ingest.singleRate)} events/s | hello-world: ${int(ingest.helloRate)} req/s | ${ingest.singleOverHello.toFixed(2)} of the ceiling |`);
    rows.push(`| Ingest, 20 events per request | ${int(ingest.batchedEventsPerSecond)} events/s | hello-world: ${int(ingest.helloRate)} req/s | ${(ingest.batchedEventsPerSecond / ingest.helloRate).toFixed(2)} events per hello-world request |`);
  }
  const el = r.eligibility;
  if (el) {
    rows.push(`| Eligibility p99 under ${int(el.ingestEventsPerSecond)} events/s ingest | ${ms(el.underIngest.latency.p99)} | alone: ${ms(el.alone.latency.p99)} | ${times(el.underIngest.latency.p99 / el.alone.latency.p99)} |`);
  }
  const id = r.identify;
  if (id) {
    rows.push(
      `| Identify after ${int(id.histories.at(-1)!)} prior events (merge) | ${ms(id.secondDevice.at(-1)!)} | after ${int(id.histories[0]!)}: ${ms(id.secondDevice[0]!)} | ${times(id.secondDevice.at(-1)! / id.secondDevice[0]!)} |`,
    );
  }
  return rows.length ? ['| Figure | Hark | Baseline (same run) | Ratio |', '| --- | --- | --- | --- |', ...rows] : [];
}

function weightsSection(r: BenchResults): string[] {
  if (!r.weights) return [];
  const core = r.weights.find((b) => b.product === 'Hark' && b.part === 'core')?.weight;
  const ui = r.weights.find((b) => b.product === 'Hark' && b.part === 'ui')?.weight;
  const lines = [
    '### App weight',
    '',
    'gzip level 9 and brotli quality 11 of the file as published, in bytes; the last column compares gzipped sizes with the Hark bundle of the same part.',
    '',
    '| Product | Part | File | Raw | gzip | brotli | vs Hark |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const bundle of r.weights) {
    const mine = bundle.part === 'core' ? core : bundle.part === 'ui' ? ui : null;
    const w = bundle.weight;
    const ratio = !w || !mine || bundle.product === 'Hark' ? '' : w.gzip >= mine.gzip ? `${times(w.gzip / mine.gzip)} larger` : `${times(mine.gzip / w.gzip)} smaller`;
    lines.push(`| ${bundle.product} | ${bundle.part} | \`${bundle.source}\` | ${w ? int(w.raw) : 'not built'} | ${w ? int(w.gzip) : ''} | ${w ? int(w.brotli) : ''} | ${ratio} |`);
  }
  const notes = r.weights.filter((b) => b.note).map((b) => `- ${b.product} ${b.part}: ${b.note}.`);
  return [...lines, '', ...notes, ''];
}

function hostPageSection(r: BenchResults): string[] {
  const page = r.hostPage;
  if (!page) return [];
  const blank = page.variants.find((v) => v.name === 'blank');
  const lines = [
    '### Host page (headless Chromium)',
    '',
    `Median of ${page.rounds} cold loads per variant, alternating; CPU ${page.cpuSlowdown === 1 ? 'not throttled' : `slowed ${page.cpuSlowdown}×`};` +
      ` watched for ${(page.settleMs / 1000).toFixed(1)} s after \`load\`. Script = CDP \`Performance.getMetrics\` ScriptDuration;` +
      ' longest task = longest main-thread `RunTask` that ran script (devtools.timeline trace); bytes = every response as transferred, document included.',
    '',
    '| Page | Main-thread script | Longest script task | Tasks > 50 ms | Bytes | Requests |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const v of page.variants) {
    const added = blank && v !== blank ? ` (+${int(v.cost.bytes - blank.cost.bytes)})` : '';
    lines.push(`| ${v.label} | ${ms(v.cost.scriptMs, 1)} | ${ms(v.cost.longestTaskMs, 1)} | ${v.cost.longTasks} | ${int(v.cost.bytes)}${added} | ${v.cost.requests} |`);
  }
  for (const skip of page.skipped) lines.push('', `Not measured: ${skip}.`);
  return [...lines, ''];
}

function postgresSection(r: BenchResults): string[] {
  const p = r.postgres;
  if (!p) return [];
  const e = p.eligibility.result;
  return [
    `### PostgreSQL store (PostgreSQL ${p.serverVersion}, same machine)`,
    '',
    `Batched ingest (20 events per request, ${p.connections} keep-alive connections, closed loop), SQLite and PostgreSQL in ${p.rounds} alternating rounds; medians.` +
      ` ${int(p.stored.found)} of ${int(p.stored.expected)} acknowledged PostgreSQL events found in the database afterwards.`,
    '',
    '| Scenario | Rate | p99 |',
    '| --- | ---: | ---: |',
    `| Batched ingest, SQLite (\`synchronous = FULL\`) | ${int(p.sqliteBatched)} events/s | ${ms(p.sqliteP99)} |`,
    `| Batched ingest, PostgreSQL (\`synchronous_commit = on\`) | ${int(p.postgresBatched)} events/s (${(p.ratio * 100).toFixed(0)}% of SQLite, median of the rounds' ratios) | ${ms(p.postgresP99)} |`,
    `| Eligibility on PostgreSQL, open loop at ${int(p.eligibility.rate)} req/s | ${int(e.rate)} req/s answered, ${int(e.errors)} errors, p50 ${ms(e.latency.p50)} | ${ms(e.latency.p99)} |`,
    `| Batched ingest through a round-robin TCP proxy, 1 collector | ${int(p.many.one)} events/s | ${ms(p.many.oneP99)} |`,
    `| The same, 3 collectors on one schema (connections per collector ${p.many.servedBy.join(' / ')}) | ${int(p.many.three)} events/s | ${ms(p.many.threeP99)} |`,
    '',
  ];
}

function ingestSection(r: BenchResults): string[] {
  const i = r.ingest;
  if (!i) return [];
  return [
    '### Ingest (loopback, collector in its own process, `synchronous = FULL`)',
    '',
    `${i.connections} keep-alive connections, closed loop, ${i.rounds} alternating rounds; medians over the rounds. Every answer was checked` +
      ` (\`accepted\` = batch size); ${int(i.errors)} errors; ${int(i.stored.found)} of ${int(i.stored.expected)} acknowledged events found in the database afterwards.`,
    '',
    '| Load | Rate | p50 | p99 | Server CPU |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| Hono hello-world (ceiling) | ${int(i.helloRate)} req/s | ${ms(i.hello.p50)} | ${ms(i.hello.p99)} | ${us(i.cpu.helloPerRequest)} per request |`,
    `| Hark, 1 event per request | ${int(i.singleRate)} events/s | ${ms(i.single.p50)} | ${ms(i.single.p99)} | ${us(i.cpu.singlePerEvent)} per event |`,
    `| Hark, 20 events per request | ${int(i.batchedEventsPerSecond)} events/s | ${ms(i.batched.p50)} | ${ms(i.batched.p99)} | ${us(i.cpu.batchedPerEvent)} per event |`,
    ...(i.singleNormalSync !== null ? [`| Hark, 1 event per request, \`HARK_SYNCHRONOUS=normal\` | ${int(i.singleNormalSync)} events/s | | | |`] : []),
    '',
    'Server CPU is the process\'s own CPU time (all threads, from /proc) divided by what it answered: it shows what each request costs whatever else runs on the machine.',
    '',
  ];
}

function eligibilitySection(r: BenchResults): string[] {
  const e = r.eligibility;
  if (!e) return [];
  const row = (label: string, l: typeof e.alone) =>
    `| ${label} | ${int(l.requests)} | ${int(l.rate)}/s | ${ms(l.latency.p50)} | ${ms(l.latency.p99)} | ${ms(l.latency.max, 1)} | ${int(l.errors)} |`;
  return [
    '### Eligibility (`GET /v1/messages`)',
    '',
    `${int(e.size.events)} events, ${int(e.size.people)} people, ${e.size.messages} live messages with mixed conditions; open loop at ${int(e.rate)} req/s` +
      ` (latency from when each request was due). ${(e.withMessages * 100).toFixed(0)}% of answers held at least one message.` +
      (e.generatedMs !== null ? ` The data set was generated in this run (${(e.generatedMs / 1000).toFixed(0)} s) and cached in \`.bench/\`.` : ' Data set reused from `.bench/`.'),
    '',
    '| Load | Requests | Answered | p50 | p99 | max | Errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('alone', e.alone),
    ...e.beside.flatMap((b) => [
      row(`beside ${int(b.eventsPerSecond)} events/s ingest (collector at ${(b.core * 100).toFixed(0)}% of a core)`, b.eligibility),
      row(`↳ that ingest (batches of 20)`, b.ingest),
    ]),
    '',
    `Collector CPU: ${us(e.cpu.perRequestAlone)} per eligibility request alone (${(e.cpu.aloneCore * 100).toFixed(0)}% of one core at ${int(e.rate)}/s).` +
      ' Past 100% the collector cannot keep up: its JavaScript runs on one thread (its checkpoints and fsyncs on others), and requests queue.',
    '',
  ];
}

function identifySection(r: BenchResults): string[] {
  const id = r.identify;
  if (!id) return [];
  return [
    '### Identify',
    '',
    `Median time of one \`POST /v1/batch\` holding the identify, ${id.visitors} visitors per cell, sizes alternating. First login: the visitor becomes the user.` +
      ` Second device: the user already exists, so the visitor's person is merged into it. ${id.incomplete === 0 ? 'Every merged timeline held all prior events afterwards.' : `${id.incomplete} merged timelines were incomplete.`}`,
    '',
    `| Prior anonymous events | ${id.histories.map(int).join(' | ')} |`,
    `| --- | ${id.histories.map(() => '---:').join(' | ')} |`,
    `| First login | ${id.firstLogin.map((v) => ms(v)).join(' | ')} |`,
    `| Second device (merge) | ${id.secondDevice.map((v) => ms(v)).join(' | ')} |`,
    '',
  ];
}

function scalingSection(r: BenchResults): string[] {
  const rows = r.scaling;
  if (!rows?.length) return [];
  const first = rows[0]!;
  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;
  const generated = rows.filter((row) => row.generatedMs !== null);
  return [
    '### How cost grows with stored events',
    '',
    'Each size is a copy of the seeded data set (one person per 20 events, 50 live messages). Eligibility first (the eligibility section\'s requests),' +
      ` open loop at ${int(first.eligibilityRate)} req/s alone; then batched ingest (20 per request, 32 connections, closed loop, the ingest section\'s load)` +
      ` into the same file. Ratios divide by the smallest size (${int(first.size.events)} events).` +
      (generated.length
        ? ` Generated in this run: ${generated.map((row) => `${int(row.size.events)} in ${((row.generatedMs ?? 0) / 1000).toFixed(0)} s`).join(', ')}; the others reused from \`.bench/\`.`
        : ' Every data set reused from `.bench/`.'),
    '',
    `| Stored events | Ingest events/s | Ratio to ${int(first.size.events)} | Collector CPU per event | Eligibility p50 / p99 | p99 ratio to ${int(first.size.events)} | File size |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${int(row.size.events)} | ${int(row.ingestEventsPerSecond)} | ${ratio(row.ingestEventsPerSecond, first.ingestEventsPerSecond)} | ${us(row.ingestCpuPerEvent)} |` +
        ` ${ms(row.eligibility.latency.p50)} / ${ms(row.eligibility.latency.p99)} | ${ratio(row.eligibility.latency.p99, first.eligibility.latency.p99)} | ${mb(row.fileBytes)} |`,
    ),
    '',
  ];
}

export function renderResults(r: BenchResults): string {
  const m = r.machine;
  const minutes = Math.floor(r.durationMs / 60_000);
  const seconds = Math.round((r.durationMs % 60_000) / 1000);
  const rss = peakRss(r);
  const lines = [
    START,
    '',
    `**Latest run:** ${r.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · \`${r.command}\` (seed ${r.seed}) · took ${minutes} min ${seconds} s`,
    '',
    `**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM · Node ${m.node} · ${m.os} · ${m.chromium ?? 'no Chromium'} ·` +
      ` load average ${m.loadStart.toFixed(1)} at start, ${m.loadEnd?.toFixed(1) ?? '?'} at end (a shared machine: absolute figures drift, ratios hold better)`,
    '',
    '### Goals (issue 6)',
    '',
    '| Goal | Target | Measured | |',
    '| --- | --- | --- | --- |',
    ...goals(r).map((g) => `| ${g.goal} | ${g.target} | ${g.measured} | ${yes(g.met)} |`),
    '',
    '### Headline ratios',
    '',
    ...headline(r),
    '',
    ...weightsSection(r),
    ...hostPageSection(r),
    ...ingestSection(r),
    ...eligibilitySection(r),
    ...identifySection(r),
    ...scalingSection(r),
    ...postgresSection(r),
    ...(rss.length ? ['### Collector memory', '', `Peak resident set (VmHWM) of each collector process: ${rss.map(([name, b]) => `${name} ${mb(b)}`).join(', ')}.`, ''] : []),
    ...(r.notes.length ? ['### Notes from this run', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    END,
  ];
  return lines.join('\n');
}

const SKELETON = `# Benchmarks

\`npm run bench\` measures the App and the collector beside what a team would pick instead, in
one run on one machine, and rewrites the section between the markers below
(\`npm run bench -- --quick\` is a smoke run that writes to \`.bench/\` instead).

${START}
${END}
`;

/** Replaces the run's section of the file, keeping everything outside the markers. */
export function writeResults(path: string, section: string): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : SKELETON;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start ? current.slice(0, start) + section + current.slice(end + END.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}
