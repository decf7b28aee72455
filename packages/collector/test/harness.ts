import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp, type AppOptions } from '../src/app.js';
import type { Clock } from '../src/clock.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import type { Project } from '../src/store/types.js';
import { openTestPostgresStore, TEST_DATABASE_URL } from './postgres-helpers.js';

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse('2026-11-21T12:00:00.000Z')): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms), set: (ms) => void (now = ms) };
}

export interface TestCollector {
  app: Hono;
  store: Store;
  /** With the secret key, which a new collector shows once, at creation. */
  project: Project & { secretKey: string };
  clock: ReturnType<typeof manualClock>;
  dir: string;
  dbPath: string;
  /** The PostgreSQL schema the collector runs in (`postgres` given); null on SQLite. */
  schema: string | null;
  /** POST JSON to an ingest route with the write key as HTTP Basic user, as Segment libraries do. */
  send(path: string, body: unknown, init?: { headers?: Record<string, string> }): Promise<Response>;
  /** GET an admin route with the secret key. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface CollectorOptions {
  dir?: string;
  secretKey?: string;
  app?: Partial<AppOptions>;
  /**
   * A PostgreSQL URL: the collector runs on a fresh schema there (dropped at close) instead of a
   * SQLite file, so one suite can run on both stores (see `storeKinds`).
   */
  postgres?: string;
}

/**
 * The stores a suite that should hold on both runs on: SQLite always, PostgreSQL when
 * HARK_TEST_DATABASE_URL is set. Use with `describe.each(storeKinds())` and pass `postgres: kind.url`.
 */
export const storeKinds = (): { name: 'SQLite' | 'PostgreSQL'; url: string | undefined }[] => [
  { name: 'SQLite', url: undefined },
  ...(TEST_DATABASE_URL ? [{ name: 'PostgreSQL' as const, url: TEST_DATABASE_URL }] : []),
];

/** A collector on a real SQLite file in a temp folder (or a fresh PostgreSQL schema), answered through `app.request()`. */
export async function startCollector(options: CollectorOptions = {}): Promise<TestCollector> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'hark-test-'));
  const dbPath = join(dir, 'hark.db');
  const clock = manualClock();
  const postgres = options.postgres ? await openTestPostgresStore(options.postgres, clock) : null;
  const store = postgres ? postgres.store : openSqliteStore({ path: dbPath, clock });
  const { project: created } = await store.ensureDefaultProject({});
  // The key is shown only at creation; a test that reopens a folder passes the one it was shown.
  const secretKey = created.secretKey ?? options.secretKey;
  if (secretKey === undefined) throw new Error('A new collector shows its secret key at creation; pass secretKey when reopening a folder.');
  const project = { ...created, secretKey };
  const app = createApp({ store, clock, logError: () => undefined, ...(options.app ?? {}) });
  const basic = `Basic ${Buffer.from(`${project.writeKey}:`).toString('base64')}`;
  return {
    app,
    store,
    project,
    clock,
    dir,
    dbPath,
    schema: postgres ? postgres.schema : null,
    send: async (path, body, init) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic, ...init?.headers },
        body: typeof body === 'string' ? body : body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
      }),
    admin: async (path, init) =>
      app.request(path, { ...init, headers: { authorization: `Bearer ${project.secretKey}`, ...(init?.headers as Record<string, string>) } }),
    close: async () => {
      if (postgres) await postgres.close();
      else await store.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A unique messageId, readable in failures. */
export const mid = (label = 'm'): string => `${label}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
