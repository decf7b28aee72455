import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { BENCH_KEYS, ROOT, startCollector, tempDir } from './processes.js';
import { median } from './stats.js';

/**
 * Host-page cost: what a visitor's browser pays for the tracker. The same article page is
 * loaded in headless Chromium without a tracker, with the App (its pasted snippet), and with
 * posthog-js (its script-tag build, default settings); when the message UI is built, also with
 * the App showing a message. Each load gets a fresh browser context (cold cache, no cookies),
 * the CPU as it is (or slowed, `--cpu-slowdown=4` as Lighthouse's mobile profile), and the page
 * is watched until it settles. Read through CDP: main-thread script time
 * (Performance.getMetrics ScriptDuration), the longest main-thread task that ran script (RunTask
 * in a devtools.timeline trace) and bytes transferred (Network.loadingFinished). Loads of the variants alternate and each figure is the
 * median over the rounds.
 */

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];


export interface PageCost {
  /** Main-thread JavaScript, ms. */
  scriptMs: number;
  /** Longest main-thread task that ran script, ms. */
  longestTaskMs: number;
  /** Such tasks over 50 ms during the load. */
  longTasks: number;
  /** Everything the page transferred (document included), bytes as sent (compressed). */
  bytes: number;
  requests: number;
}

export interface HostPageResult {
  rounds: number;
  cpuSlowdown: number;
  settleMs: number;
  variants: { name: string; label: string; cost: PageCost; runs: PageCost[] }[];
  skipped: string[];
}

export interface HostPageOptions {
  rounds: number;
  settleMs: number;
  /** 1: this machine as it is; 4: Lighthouse's mobile profile. */
  cpuSlowdown: number;
}

type Variant = { name: string; label: string; head: (origins: { collector: string }) => string; needsMessage?: boolean };

const ARTICLE = `
  <header><strong>Acme Notes</strong> <a href="/pricing">Pricing</a> <a href="/login">Log in</a></header>
  <main>
    <h1>Notes your team will actually read</h1>
    ${Array.from({ length: 12 }, (_, i) => `<h2>Section ${i + 1}</h2><p>Write once, share everywhere, and see who read what. Every note has a link your whole team can open; read receipts tell you who has read the decision before the meeting, and search finds last quarter's plan in a keystroke. <a href="/docs/${i}">Read more</a> or <button>Try it</button>.</p>`).join('\n')}
  </main>
  <footer>© Acme</footer>`;

const page = (head: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Notes</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem}h1{font-size:2.2rem}</style>
${head}</head><body>${ARTICLE}</body></html>`;

// The snippet as the SDK's README gives it: hark.js (and, when a message is due, hark-ui.js)
// come from the collector, which also takes the events, as in the default deployment.
const HARK_SNIPPET = (collector: string) => `<script>
!function(w,d,s){w.hark=w.hark||function(){(w.hark.q=w.hark.q||[]).push([arguments,Date.now()])};s=d.createElement('script');s.async=1;s.src='${collector}/hark.js';s.dataset.writeKey='${BENCH_KEYS.writeKey}';d.head.appendChild(s)}(window,document);
</script>`;

// posthog-js's script-tag build with its recommended settings; its API host is this server,
// which answers every API call with an empty 200 and serves its lazy bundles from /static/.
const POSTHOG_SNIPPET = `<script async src="/static/array.js"
  onload="posthog.init('phc_bench_project_token', { api_host: location.origin, person_profiles: 'identified_only' })"></script>`;

const VARIANTS: Variant[] = [
  { name: 'blank', label: 'no tracker', head: () => '' },
  // The floor any tracker pays before its own first line: a page that runs one inline statement
  // still starts V8 in a fresh context (tens of ms, cold), so script time is read above this too.
  { name: 'inline', label: 'one inline script (the floor)', head: () => '<script>window.loaded = 1</script>' },
  { name: 'hark', label: 'Hark (core)', head: ({ collector }) => HARK_SNIPPET(collector) },
  { name: 'hark-message', label: 'Hark showing a message (core + UI)', head: ({ collector }) => HARK_SNIPPET(collector), needsMessage: true },
  { name: 'posthog', label: 'posthog-js', head: () => POSTHOG_SNIPPET },
];

/** The pages, and posthog-js's scripts as its CDN would serve them (gzipped). */
function startStaticServer(collector: string): Promise<HttpServer> {
  const files = new Map<string, { body: Buffer; type: string }>();
  const js = (path: string): { body: Buffer; type: string } | null =>
    existsSync(path) ? { body: readFileSync(path), type: 'text/javascript; charset=utf-8' } : null;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let file = files.get(url.pathname) ?? null;
    if (!file && url.pathname.startsWith('/page/')) {
      const variant = VARIANTS.find((v) => `/page/${v.name}` === url.pathname);
      if (variant) file = { body: Buffer.from(page(variant.head({ collector }))), type: 'text/html; charset=utf-8' };
    } else if (!file && url.pathname.startsWith('/static/')) {
      file = js(join(ROOT, 'node_modules/posthog-js/dist', url.pathname.slice(8).replace(/[^\w.-]/g, '')));
    }
    if (!file) {
      // posthog-js's API calls (flags, remote config, events): an empty, successful answer.
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end('{}');
      return;
    }
    files.set(url.pathname, file);
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? gzipSync(file.body, { level: 9 }) : file.body;
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function createLiveMessage(collector: string): Promise<void> {
  const res = await fetch(`${collector}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_KEYS.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Bench welcome',
      kind: 'survey',
      status: 'live',
      content: { title: 'How likely are you to recommend Acme Notes?' },
      conditions: { frequency: { type: 'until_answered' } },
    }),
  });
  if (res.status !== 201) throw new Error(`Could not create the bench message: ${res.status} ${await res.text()}`);
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: { url?: string } };
}

/** Trace events that mean JavaScript ran (or was compiled) inside a task. */
const SCRIPT_EVENTS = new Set(['EvaluateScript', 'v8.compile', 'v8.compileModule', 'v8.evaluateModule', 'FunctionCall', 'TimerFire', 'FireIdleCallback', 'FireAnimationFrame']);

/**
 * The longest main-thread task that ran script, and how many such tasks passed 50 ms. Tasks with
 * no script in them (parsing, style, layout, paint) are the page's own and are left out, so the
 * page without a tracker scores 0.
 */
function longestScriptTask(trace: Buffer): { longestTaskMs: number; longTasks: number } {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const rendererMains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  // Only the renderer that loaded the bench page: Chromium's own WebUI renderers (the omnibox
  // popup) run modules during a load too.
  const pageThreads = new Set(
    events
      .filter((e) => (e.name === 'CommitLoad' || e.name === 'ResourceSendRequest') && e.args?.data?.url?.startsWith('http://127.0.0.1'))
      .map((e) => `${e.pid}:${e.tid}`)
      .filter((thread) => rendererMains.has(thread)),
  );
  const onMain = events.filter((e) => pageThreads.has(`${e.pid}:${e.tid}`));
  const scriptStarts = onMain.filter((e) => SCRIPT_EVENTS.has(e.name)).map((e) => ({ thread: `${e.pid}:${e.tid}`, ts: e.ts }));
  let longest = 0;
  let longTasks = 0;
  for (const task of onMain) {
    if (task.name !== 'RunTask' || task.ph !== 'X') continue;
    const end = task.ts + (task.dur ?? 0);
    const thread = `${task.pid}:${task.tid}`;
    if (!scriptStarts.some((s) => s.thread === thread && s.ts >= task.ts && s.ts <= end)) continue;
    const ms = (task.dur ?? 0) / 1000;
    longest = Math.max(longest, ms);
    if (ms > 50) longTasks++;
  }
  return { longestTaskMs: longest, longTasks };
}

async function loadOnce(browser: Browser, url: string, settleMs: number, cpuSlowdown: number): Promise<PageCost> {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Performance.enable');
    await cdp.send('Network.enable');
    if (cpuSlowdown !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (event) => {
      bytes += event.encodedDataLength;
      requests++;
    });
    await browser.startTracing(tab, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    await tab.goto(url, { waitUntil: 'load' });
    await tab.waitForTimeout(settleMs);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const trace = await browser.stopTracing();
    const scriptSeconds = metrics.find((m) => m.name === 'ScriptDuration')?.value ?? Number.NaN;
    return { scriptMs: scriptSeconds * 1000, ...longestScriptTask(trace), bytes, requests };
  } finally {
    await context.close();
  }
}

export async function measureHostPage(options: HostPageOptions, log: (line: string) => void): Promise<HostPageResult> {
  const skipped: string[] = [];
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM} (apt-get install chromium).`);
  const variants = VARIANTS.filter((variant) => {
    if (variant.name.startsWith('hark') && !existsSync(join(ROOT, 'packages/sdk/dist/hark.js'))) {
      skipped.push(`${variant.label}: packages/sdk/dist/hark.js is not built`);
      return false;
    }
    if (variant.needsMessage && !existsSync(join(ROOT, 'packages/sdk/dist/hark-ui.js'))) {
      skipped.push(`${variant.label}: packages/sdk/dist/hark-ui.js is not built yet`);
      return false;
    }
    return true;
  });

  // Two collectors: one with nothing to show, one with a message live for everyone.
  const quiet = await startCollector({ dbPath: join(tempDir('page'), 'hark.db') });
  const withMessage = variants.some((v) => v.needsMessage) ? await startCollector({ dbPath: join(tempDir('page-message'), 'hark.db') }) : null;
  if (withMessage) await createLiveMessage(`http://127.0.0.1:${withMessage.port}`);
  const servers = new Map<string, HttpServer>();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    for (const variant of variants) {
      const collector = variant.needsMessage ? withMessage! : quiet;
      servers.set(variant.name, await startStaticServer(`http://127.0.0.1:${collector.port}`));
    }
    const runs = new Map<string, PageCost[]>(variants.map((v) => [v.name, []]));
    // One throwaway load so Chromium's own start-up does not land on the first variant.
    await loadOnce(browser, `http://127.0.0.1:${(servers.get('blank')!.address() as AddressInfo).port}/page/blank`, 200, 1);
    for (let round = 0; round < options.rounds; round++) {
      for (const variant of variants) {
        const port = (servers.get(variant.name)!.address() as AddressInfo).port;
        runs.get(variant.name)!.push(await loadOnce(browser, `http://127.0.0.1:${port}/page/${variant.name}`, options.settleMs, options.cpuSlowdown));
      }
    }
    const result = variants.map((variant) => {
      const all = runs.get(variant.name)!;
      const cost: PageCost = {
        scriptMs: median(all.map((r) => r.scriptMs)),
        longestTaskMs: median(all.map((r) => r.longestTaskMs)),
        longTasks: Math.max(...all.map((r) => r.longTasks)),
        bytes: median(all.map((r) => r.bytes)),
        requests: median(all.map((r) => r.requests)),
      };
      log(`${variant.label}: script ${cost.scriptMs.toFixed(1)} ms, longest task ${cost.longestTaskMs.toFixed(1)} ms, ${cost.bytes} bytes in ${cost.requests} requests`);
      return { name: variant.name, label: variant.label, cost, runs: all };
    });
    return { rounds: options.rounds, cpuSlowdown: options.cpuSlowdown, settleMs: options.settleMs, variants: result, skipped };
  } finally {
    await browser.close();
    for (const server of servers.values()) server.close();
    await quiet.stop();
    await withMessage?.stop();
  }
}
