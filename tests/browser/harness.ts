import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../packages/collector/src/app.js';
import { openSqliteStore } from '../../packages/collector/src/store/sqlite/sqlite-store.js';
import type { Store } from '../../packages/collector/src/store/store.js';
import { systemClock } from '../../packages/collector/src/clock.js';
import { createSignIn } from '../../packages/collector/src/team/index.js';
import { createJobRunner, type JobRunner } from '../../packages/collector/src/jobs/job-runner.js';
import { webhookJobHandlers } from '../../packages/collector/src/webhooks/webhook-job-handlers.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sdkDir = join(root, 'packages', 'sdk', 'dist');
const demoDir = join(root, 'examples', 'demo');
const consoleDir = join(root, 'packages', 'console', 'dist');

// ---------------------------------------------------------------------------------------------
// Chromium

export const CHROMIUM = process.env.HARK_CHROMIUM ?? '/usr/bin/chromium';
/** False when Chromium is missing; the suites then skip, except on CI, where they fail. */
export const browserAvailable = existsSync(CHROMIUM);

if (!browserAvailable) {
  const message = `The browser suite needs Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set HARK_CHROMIUM).`;
  if (process.env.CI) throw new Error(`${message} On CI it must run.`);
  console.warn(`\n*** The browser suite did NOT run. ${message}\n`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// The collector, over real HTTP on 127.0.0.1

export interface ActivityItem {
  messageId: string;
  type: string;
  name: string | null;
  anonymousId: string | null;
  userId: string | null;
  properties: Record<string, unknown>;
  parentId?: string | null;
  rootId?: string | null;
}

export interface RunningCollector {
  /** `http://127.0.0.1:<port>`; the same across stop() and start(). */
  url: string;
  writeKey: string;
  /** The project's link secret (which no API answer shows), to sign chain tokens as an email would. */
  linkSecret: string;
  /** Every request that reached the collector, as `METHOD /path`, with ` (beacon)` for beacons. */
  seen: string[];
  /** Stop answering (the port refuses connections) and close the store, as a crashed or redeployed collector. */
  stop(): Promise<void>;
  /** Open the same database again and listen on the same port. */
  start(): Promise<void>;
  /** GET an admin API path with the secret key; the parsed JSON, or null for a 404. */
  admin<T = unknown>(path: string): Promise<T | null>;
  /** Send JSON to an admin API path with the secret key (POST unless `method` says otherwise); the parsed JSON answer. */
  adminSend<T = unknown>(path: string, body: unknown, method?: string): Promise<T>;
  /** Everything recorded for the person with this userId or anonymousId, oldest first. */
  activity(lookup: { userId: string } | { anonymousId: string }): Promise<ActivityItem[]>;
  /** The one-time console setup link `npm start` prints while the team is empty; null once it is not. */
  setupLink(): Promise<string | null>;
  /** The open store (a new one after stop/start), for tests that run the job runner beside the app. */
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * A real collector: SQLite in a temp folder, the Hono app served by @hono/node-server on a free
 * port of 127.0.0.1, serving /hark.js from packages/sdk/dist, the demo from examples/demo and the
 * console from packages/console/dist.
 */
/** `webhooks`: outbound webhooks may target 127.0.0.1, and a job runner delivers them (every 100 ms). */
export async function startCollector(options: { webhooks?: boolean } = {}): Promise<RunningCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'hark-browser-'));
  const dbPath = join(dir, 'hark.db');
  const seen: string[] = [];
  let store: Store;
  let server: ServerType | undefined;
  let port = 0;
  let keys!: { writeKey: string; secretKey: string };
  let linkSecret = '';
  let projectId = '';
  let runner: JobRunner | null = null;

  const listen = async () => {
    store = openSqliteStore({ path: dbPath });
    const { project } = await store.ensureDefaultProject({});
    // The collector shows its secret key once, at creation (only its hash is stored), so the key
    // read at the first start is the one to keep across restarts.
    keys = { writeKey: project.writeKey, secretKey: project.secretKey ?? (keys as typeof keys | undefined)?.secretKey ?? '' };
    projectId = project.id;
    linkSecret = project.settings.linkSecret;
    const app = createApp({ store, static: { sdkDir, demoDir, consoleDir, writeKey: project.writeKey }, logError: () => undefined, ...(options.webhooks ? { webhooks: { allowPrivate: true } } : {}) });
    if (options.webhooks) {
      runner = createJobRunner({ store, clock: systemClock, handlers: webhookJobHandlers({ store, allowPrivate: true }), pollMs: 100, logError: () => undefined });
      runner.start();
    }
    server = serve({
      fetch: (request: Request) => {
        // A beacon of text/plain goes in no-cors mode; fetch() from the App in cors mode.
        const beacon = request.method == 'POST' && request.headers.get('sec-fetch-mode') == 'no-cors';
        seen.push(`${request.method} ${new URL(request.url).pathname}${beacon ? ' (beacon)' : ''}`);
        return app.fetch(request);
      },
      port,
      hostname: '127.0.0.1',
    });
    await new Promise<void>((done, fail) => server!.once('listening', done).once('error', fail));
    port = (server.address() as AddressInfo).port;
  };
  const unlisten = async () => {
    if (!server) return;
    const closing = new Promise((done) => server!.close(done));
    // Chromium keeps connections alive; a stopped collector must refuse, not linger.
    (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    await closing;
    server = undefined;
    await runner?.stop();
    runner = null;
    await store.close();
  };

  await listen();
  const collector: RunningCollector = {
    url: `http://127.0.0.1:${port}`,
    get writeKey() {
      return keys.writeKey;
    },
    get linkSecret() {
      return linkSecret;
    },
    seen,
    get store() {
      return store;
    },
    stop: unlisten,
    start: listen,
    async admin<T>(path: string) {
      const response = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${keys.secretKey}` } });
      if (response.status == 404) return null;
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async adminSend<T>(path: string, body: unknown, method = 'POST') {
      const response = await fetch(`${collector.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${keys.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async activity(lookup) {
      const [[key, value]] = Object.entries(lookup) as [[string, string]];
      const person = await collector.admin<{ id: string }>(`/api/v1/people/lookup?${key}=${encodeURIComponent(value)}`);
      if (!person) return [];
      const page = await collector.admin<{ items: ActivityItem[] }>(`/api/v1/people/${person.id}/activity?limit=200`);
      return page!.items.reverse();
    },
    async setupLink() {
      const token = await createSignIn({ store, clock: systemClock }).prepareSetup(projectId);
      return token ? `${collector.url}/console/setup?token=${encodeURIComponent(token)}` : null;
    },
    async close() {
      await unlisten();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return collector;
}

// ---------------------------------------------------------------------------------------------
// A customer's site: another origin, serving fixture pages

export interface Site {
  /** `http://127.0.0.1:<port>`: another origin than the collector, as a customer's site is. */
  url: string;
  /** Serve `html` at `path` (a page whose origin is the site's). */
  page(path: string, html: string): string;
  /** Serve the files of folder `dir` under `prefix` (e.g. a vendor's script build), read when asked for. */
  folder(prefix: string, dir: string): void;
  close(): Promise<void>;
}

const ASSET_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

export async function startSite(): Promise<Site> {
  const pages = new Map<string, string>();
  const folders = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site').pathname;
    if (path == '/hark.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(sdkDir, 'hark.js')));
      return;
    }
    for (const [prefix, dir] of folders) {
      const file = join(dir, path.slice(prefix.length));
      if (path.startsWith(prefix) && file.startsWith(dir + sep) && existsSync(file)) {
        response.writeHead(200, { 'content-type': ASSET_TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
        return;
      }
    }
    const html = pages.get(path);
    if (html === undefined) response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    page(path, html) {
      pages.set(path, html);
      return `${url}${path}`;
    },
    folder(prefix, dir) {
      folders.set(prefix, resolve(dir));
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The snippet, exactly as the README gives it

const README_SNIPPET = (() => {
  const readme = readFileSync(join(root, 'packages', 'sdk', 'README.md'), 'utf8');
  const block = /<!-- snippet:start -->\s*```html\n([\s\S]*?)```\s*<!-- snippet:end -->/.exec(readme)?.[1];
  if (!block) throw new Error('packages/sdk/README.md has no snippet between <!-- snippet:start --> and <!-- snippet:end -->.');
  return block.trim();
})();

/**
 * The README's snippet, its <script> tags included, with the placeholders filled in as a
 * developer would paste it. With `apiHost`, hark.js comes from `src` and events go to `apiHost`
 * (the README's CDN variant).
 */
export function snippet(options: { src: string; writeKey: string; apiHost?: string }): string {
  let text = README_SNIPPET.replace('https://hark.example.com/hark.js', options.src).replace('YOUR_WRITE_KEY', options.writeKey);
  if (options.apiHost) text = text.replace('d.head.appendChild(s)', `s.dataset.apiHost='${options.apiHost}';d.head.appendChild(s)`);
  if (text == README_SNIPPET) throw new Error('The README snippet no longer has the placeholders the browser tests fill in.');
  return text;
}

/** A plain page: `head` (the snippet and any scripts) in <head>, then the body. */
export function htmlPage(title: string, head: string, body = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head}</head><body><h1>${title}</h1>${body}</body></html>`;
}

/** Polls `check` until it returns a value, or fails after `ms` with what it last saw. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, ms = 15_000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`Timed out after ${ms} ms waiting for ${what}; last saw: ${String(last)}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
