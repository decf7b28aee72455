import Database from 'better-sqlite3';
import { automationJobHandlers, type ActionHandler } from '../src/automations/index.js';
import { createJobRunner, type JobHandler } from '../src/jobs/job-runner.js';
import { webhookJobHandlers } from '../src/webhooks/webhook-job-handlers.js';
import { adminJson } from './audience-helpers.js';
import { startCollector, type TestCollector } from './harness.js';

export interface AutomationHarness extends TestCollector {
  api: ReturnType<typeof adminJson>;
  /** Runs due jobs until none is left due (the manual clock does not move). */
  drain(): Promise<number>;
  /** Rows of the jobs table (a second, read-only connection). */
  jobs(kind?: string): { kind: string; job_key: string; status: string; run_at: number; payload: string }[];
  /** Creates an automation (defaults: live, every_time, no exit) and answers it. */
  create(definition: Record<string, unknown>): Promise<{ id: string } & Record<string, unknown>>;
  runs(automationId: string, query?: string): Promise<any[]>;
  timeline(personId: string): Promise<{ name: string; properties: Record<string, unknown>; messageId: string }[]>;
  /** Stored events of this name, with their context (where context.hark.rootId is). */
  eventsNamed(name: string): { message_id: string; person_id: string; properties: Record<string, unknown>; context: Record<string, any> }[];
}

/** A collector with a job runner holding the automation handlers, on the manual clock. */
export async function startAutomations(options: { actions?: ActionHandler[]; handlers?: Record<string, JobHandler> } = {}): Promise<AutomationHarness> {
  // Loopback webhook targets allowed, as a receiver on 127.0.0.1 is what the tests deliver to.
  const hark = await startCollector({ app: { webhooks: { allowPrivate: true } } });
  const api = adminJson(hark);
  const handlers = {
    ...webhookJobHandlers({ store: hark.store, allowPrivate: true }),
    ...automationJobHandlers({ store: hark.store, ...(options.actions ? { actions: options.actions } : {}) }),
    ...options.handlers,
  };
  const runner = createJobRunner({ store: hark.store, clock: hark.clock, handlers, backoff: () => 1_000, logError: () => undefined });
  const read = new Database(hark.dbPath, { readonly: true, fileMustExist: true });
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
    jobs: (kind) => read.prepare(`SELECT kind, job_key, status, run_at, payload FROM jobs ${kind ? 'WHERE kind = ?' : ''} ORDER BY created_at, rowid`).all(...(kind ? [kind] : [])) as never,
    eventsNamed: (name) =>
      (read.prepare('SELECT message_id, person_id, properties, context FROM events WHERE name = ? ORDER BY seq').all(name) as { message_id: string; person_id: string; properties: string; context: string }[]).map((row) => ({
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
      read.close();
      await hark.close();
    },
  };
}
