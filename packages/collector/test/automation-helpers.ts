import Database from 'better-sqlite3';
import pg from 'pg';
import { automationJobHandlers, type ActionHandler } from '../src/automations/index.js';
import { createJobRunner, type JobHandler } from '../src/jobs/job-runner.js';
import { webhookJobHandlers } from '../src/webhooks/webhook-job-handlers.js';
import { adminJson } from './audience-helpers.js';
import { startCollector, type TestCollector } from './harness.js';


export interface AutomationHarness extends TestCollector {
  api: ReturnType<typeof adminJson>;
  /** Runs due jobs until none is left due (the manual clock does not move). */
  drain(): Promise<number>;
  /** Rows of the jobs table (a second connection: read-only on SQLite, on the collector's schema on PostgreSQL). */
  jobs(kind?: string): Promise<{ kind: string; job_key: string; status: string; run_at: number; payload: string }[]>;
  /** Creates an automation (defaults: live, every_time, no exit) and answers it. */
  create(definition: Record<string, unknown>): Promise<{ id: string } & Record<string, unknown>>;
  runs(automationId: string, query?: string): Promise<any[]>;
  timeline(personId: string): Promise<{ name: string; properties: Record<string, unknown>; messageId: string }[]>;
  /** Stored events of this name, with their context (where context.hark.rootId is). */
  eventsNamed(name: string): Promise<{ message_id: string; person_id: string; properties: Record<string, unknown>; context: Record<string, any> }[]>;
}

type Row = Record<string, unknown>;

/**
 * A second connection to the collector's database, for what the tests look at directly (jobs,
 * stored events): read-only on the SQLite file, or a client on the collector's PostgreSQL schema.
 * The SQL is written once with `?` parameters.
 */
async function openReader(hark: TestCollector, url: string | undefined): Promise<{ all(sql: string, ...params: unknown[]): Promise<Row[]>; close(): Promise<void> }> {
  if (!url) {
    const db = new Database(hark.dbPath, { readonly: true, fileMustExist: true });
    return { all: async (sql, ...params) => db.prepare(sql).all(...params) as Row[], close: async () => void db.close() };
  }
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${hark.schema}` });
  await client.connect();
  return {
    all: async (sql, ...params) => {
      let n = 0;
      const result = await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
      // BIGINT comes back as text from a plain client: the tests compare numbers.
      return result.rows.map((row: Row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, key === 'run_at' ? Number(value) : value])));
    },
    close: () => client.end(),
  };
}

/** A collector with a job runner holding the automation handlers, on the manual clock. */
export async function startAutomations(options: { actions?: ActionHandler[]; handlers?: Record<string, JobHandler>; postgres?: string | undefined } = {}): Promise<AutomationHarness> {
  // Loopback webhook targets allowed, as a receiver on 127.0.0.1 is what the tests deliver to.
  const hark = await startCollector({ app: { webhooks: { allowPrivate: true } }, ...(options.postgres ? { postgres: options.postgres } : {}) });
  const api = adminJson(hark);
  const handlers = {
    ...webhookJobHandlers({ store: hark.store, allowPrivate: true }),
    ...automationJobHandlers({ store: hark.store, ...(options.actions ? { actions: options.actions } : {}) }),
    ...options.handlers,
  };
  const runner = createJobRunner({ store: hark.store, clock: hark.clock, handlers, backoff: () => 1_000, logError: () => undefined });
  const read = await openReader(hark, options.postgres);
  // Insertion order on SQLite (rowid); PostgreSQL's job ids are random and it keeps no row order,
  // so there jobs of one time come by key (a test on both stores must not rely on more).
  const jobOrder = options.postgres ? 'created_at, job_key' : 'created_at, rowid';
  return {
    ...hark,
    api,
    async drain() {
      let total = 0;
      for (let i = 0; i < 50; i++) {
        const ran = await runner.runOnce();
        total += ran;
        if (ran === 0) return total;
      }
      throw new Error('jobs kept coming: a loop?');
    },
    jobs: async (kind) => (await read.all(`SELECT kind, job_key, status, run_at, payload FROM jobs ${kind ? 'WHERE kind = ?' : ''} ORDER BY ${jobOrder}`, ...(kind ? [kind] : []))) as never,
    eventsNamed: async (name) =>
      ((await read.all('SELECT message_id, person_id, properties, context FROM events WHERE name = ? ORDER BY seq', name)) as { message_id: string; person_id: string; properties: string; context: string }[]).map((row) => ({
        ...row,
        properties: JSON.parse(row.properties) as Record<string, unknown>,
        context: JSON.parse(row.context) as Record<string, any>,
      })),
    async create(definition) {
      const res = await api.post('/api/v1/automations', { name: 'Test', status: 'live', entry: 'every_time', exit: {}, ...definition });
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async runs(automationId, query = '') {
      const res = await api.get(`/api/v1/automations/${automationId}/runs${query}`);
      if (res.status !== 200) throw new Error(`runs failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.items;
    },
    async timeline(personId) {
      const res = await api.get(`/api/v1/people/${personId}/activity?limit=200`);
      return (res.body.items as { name: string; properties: Record<string, unknown>; messageId: string }[]).reverse();
    },
    close: async () => {
      await runner.stop();
      await read.close();
      await hark.close();
    },
  };
}
