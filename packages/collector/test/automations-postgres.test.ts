import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { automationJobHandlers } from '../src/automations/index.js';
import { createJobRunner, type JobRunner } from '../src/jobs/job-runner.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';
import type { Project } from '../src/store/types.js';
import { adminJson, identify, track } from './audience-helpers.js';
import { manualClock, type TestCollector } from './harness.js';
import { dropSchema, freshSchema, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

/**
 * Automations running on several collectors over one PostgreSQL: each collector has its own
 * store (pool, caches, change feed) and its own job runner on the same schema, ingest arrives at
 * either, and the run's steps are claimed by whichever runner is free. What must hold is what
 * holds on one SQLite collector: a trigger starts a run once, waits come due when the clock moves,
 * the path the person took is decided once, actions run, the run ends, and the stats count it.
 */
const url = TEST_DATABASE_URL;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NAMES = {
  flow: 'a live automation runs end to end across two collectors: trigger, wait, wait for an event or its timeout, actions, goal, stats',
  once: 'entry "once" holds when one person signs up on two collectors at the same moment',
  branch: 'a branch step decides on the person’s facts on PostgreSQL',
};

type Collector = TestCollector & { runner: JobRunner };

/** Two collectors on one fresh schema, sharing a manual clock. */
async function twoCollectors(): Promise<{ a: Collector; b: Collector; close(): Promise<void> }> {
  const clock = manualClock();
  const schema = freshSchema();
  const open = async (secretKey?: string): Promise<Collector> => {
    const store: Store = await openPostgresStore({ url: url!, schema, clock });
    const { project: created } = await store.ensureDefaultProject({});
    const project = { ...created, secretKey: created.secretKey ?? secretKey! } as Project & { secretKey: string };
    const app = createApp({ store, clock, logError: () => undefined });
    const basic = `Basic ${Buffer.from(`${project.writeKey}:`).toString('base64')}`;
    const runner = createJobRunner({ store, clock, handlers: automationJobHandlers({ store }), backoff: () => 1_000, logError: () => undefined });
    return {
      app, store, project, clock, dir: '', dbPath: '', schema, runner,
      exec: async () => {
        throw new Error('exec is not used by these two-collector tests');
      },
      send: async (path, body) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic }, body: JSON.stringify(body) }),
      admin: async (path, init) => app.request(path, { ...init, headers: { authorization: `Bearer ${project.secretKey}`, ...(init?.headers as Record<string, string>) } }),
      close: async () => {
        await runner.stop();
        await store.close();
      },
    };
  };
  const a = await open();
  const b = await open(a.project.secretKey);
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
      await dropSchema(url!, schema);
    },
  };
}

/** Both runners claim what is due, side by side, until neither finds anything. */
async function drainBoth(a: Collector, b: Collector): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const ran = await Promise.all([a.runner.runOnce(), b.runner.runOnce()]);
    if (ran[0] + ran[1] === 0) return;
  }
  throw new Error('jobs kept coming: a loop?');
}

if (url) {
  vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
  describe('automations on PostgreSQL, several collectors', () => {
    it(NAMES.flow, async () => {
      const { a, b, close } = await twoCollectors();
      try {
        const apiA = adminJson(a);
        const apiB = adminJson(b);
        const list = (await apiA.post('/api/v1/lists', { name: 'Activated' })).body;
        const message = await apiA.post('/api/v1/messages', {
          name: 'Need a hand?', kind: 'notification', status: 'live', content: { title: 'Need a hand?' }, conditions: { audience: { fromAutomation: true } },
        });
        expect(message.status).toBe(201);
        const created = await apiA.post('/api/v1/automations', {
          name: 'Onboarding',
          status: 'live',
          trigger: { type: 'event', event: 'Signed Up' },
          entry: 'once',
          exit: { goal: { event: 'Upgraded' } },
          steps: [
            { id: 'wait', type: 'wait', duration: { amount: 1, unit: 'days' }, next: 'activated' },
            { id: 'activated', type: 'wait_for_event', event: 'Activated', timeout: { amount: 2, unit: 'days' }, onEvent: 'tag', onTimeout: 'nudge' },
            { id: 'tag', type: 'action', action: { type: 'update_traits', traits: { onboarded: true } }, next: 'list' },
            { id: 'list', type: 'action', action: { type: 'add_to_list', list: list.id } },
            { id: 'nudge', type: 'action', action: { type: 'show_message', message: message.body.id } },
          ],
        });
        expect(created.status).toBe(201);
        const automation = created.body;

        // Going live on A reaches B's cache through the change feed: B's ingest starts runs too.
        const ada = await identify(a, 'ada');
        const bob = await identify(b, 'bob');
        const cat = await identify(a, 'cat');
        await track(a, 'ada', 'Signed Up');
        await track(b, 'bob', 'Signed Up');
        await track(b, 'cat', 'Signed Up');
        await drainBoth(a, b);
        const runs = async () => (await apiB.get(`/api/v1/automations/${automation.id}/runs`)).body.items as any[];
        expect((await runs()).map((r) => [r.personId, r.status, r.stepId]).sort()).toEqual([[ada, 'waiting', 'wait'], [bob, 'waiting', 'wait'], [cat, 'waiting', 'wait']].sort());

        // cat reaches the goal while waiting: a conversion, and the wait's job later finds the run ended.
        await track(a, 'cat', 'Upgraded');
        await drainBoth(a, b);
        a.clock.advance(DAY);
        await drainBoth(a, b);
        const now = Object.fromEntries((await runs()).map((r) => [r.personId, `${r.status} ${r.stepId ?? r.reason}`]));
        expect(now).toEqual({ [ada]: 'waiting activated', [bob]: 'waiting activated', [cat]: 'exited goal' });

        // ada activates (on B); bob does not, and times out two days later.
        a.clock.advance(HOUR);
        await track(b, 'ada', 'Activated');
        await drainBoth(a, b);
        a.clock.advance(2 * DAY);
        await drainBoth(a, b);
        const ended = Object.fromEntries((await runs()).map((r) => [r.personId, `${r.status} ${r.reason}`]));
        expect(ended).toEqual({ [ada]: 'finished completed', [bob]: 'finished completed', [cat]: 'exited goal' });

        expect((await apiA.get(`/api/v1/people/${ada}`)).body.traits.onboarded).toBe(true);
        expect((await apiA.get(`/api/v1/people/${bob}`)).body.traits.onboarded).toBeUndefined();
        expect((await apiB.get(`/api/v1/lists/${list.id}`)).body.size).toBe(1);
        const shown = async (c: Collector, userId: string) =>
          ((await (await c.app.request(`/v1/messages?userId=${userId}&writeKey=${c.project.writeKey}`)).json()) as { messages: { id: string }[] }).messages.map((m) => m.id);
        expect(await shown(a, 'bob')).toEqual([message.body.id]);
        expect(await shown(b, 'ada')).toEqual([]);

        const stats = (await apiB.get(`/api/v1/automations/${automation.id}/stats`)).body;
        expect(stats).toMatchObject({ entered: 3, conversions: 1 });
        expect(stats.steps.wait).toEqual({ entered: 3, waiting: 0, passed: 2, edges: { next: 2 } });
        expect(stats.steps.activated).toEqual({ entered: 2, waiting: 0, passed: 2, edges: { onEvent: 1, onTimeout: 1 } });
        expect(stats.steps.tag).toMatchObject({ entered: 1, passed: 1 });
        expect(stats.steps.nudge).toMatchObject({ entered: 1, passed: 1 });
        expect((await apiA.get('/api/v1/automations')).body.items[0].runs).toEqual({ total: 3, active: 0, waiting: 0, finished: 2, exited: 1, failed: 0, conversions: 1 });
        const mine = (await apiA.get(`/api/v1/people/${ada}/automations`)).body.items;
        expect(mine).toMatchObject([{ automationId: automation.id, automationName: 'Onboarding', status: 'finished' }]);
        // The run's timeline: entered, a step per edge, exited, each once.
        const timeline = (await apiA.get(`/api/v1/people/${ada}/activity?limit=100`)).body.items.map((e: any) => e.name).reverse();
        expect(timeline.filter((n: string | null) => n?.startsWith('Automation '))).toEqual([
          'Automation Entered', 'Automation Step', 'Automation Step', 'Automation Step', 'Automation Step', 'Automation Exited',
        ]);
      } finally {
        await close();
      }
    });

    it(NAMES.once, async () => {
      const { a, b, close } = await twoCollectors();
      try {
        const created = await adminJson(a).post('/api/v1/automations', {
          name: 'Once', status: 'live', trigger: { type: 'event', event: 'Signed Up' }, entry: 'once', exit: {},
          steps: [{ id: 'wait', type: 'wait', duration: { amount: 1, unit: 'days' } }],
        });
        const ada = await identify(a, 'ada');
        // Two sign-ups (two events, so two entry jobs) on two collectors at once, entered side by side.
        await Promise.all([track(a, 'ada', 'Signed Up'), track(b, 'ada', 'Signed Up')]);
        await drainBoth(a, b);
        const runs = (await adminJson(b).get(`/api/v1/automations/${created.body.id}/runs`)).body.items;
        expect(runs).toMatchObject([{ personId: ada, status: 'waiting' }]);
        expect(runs).toHaveLength(1);
        const entered = (await adminJson(a).get(`/api/v1/people/${ada}/activity?limit=100`)).body.items.filter((e: any) => e.name === 'Automation Entered');
        expect(entered).toHaveLength(1);
      } finally {
        await close();
      }
    });

    it(NAMES.branch, async () => {
      const { a, b, close } = await twoCollectors();
      try {
        const created = await adminJson(a).post('/api/v1/automations', {
          name: 'Branch', status: 'live', trigger: { type: 'event', event: 'Go' }, entry: 'every_time', exit: {},
          steps: [
            { id: 'b', type: 'branch', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, yes: 'y', no: 'n' },
            { id: 'y', type: 'action', action: { type: 'update_traits', traits: { path: 'yes' } } },
            { id: 'n', type: 'action', action: { type: 'update_traits', traits: { path: 'no' } } },
          ],
        });
        const ada = await identify(a, 'ada', { plan: 'pro' });
        const bob = await identify(b, 'bob', { plan: 'free' });
        await track(a, 'ada', 'Go');
        await track(b, 'bob', 'Go');
        await drainBoth(a, b);
        expect((await adminJson(a).get(`/api/v1/people/${ada}`)).body.traits.path).toBe('yes');
        expect((await adminJson(a).get(`/api/v1/people/${bob}`)).body.traits.path).toBe('no');
        expect((await adminJson(b).get(`/api/v1/automations/${created.body.id}/stats`)).body.steps.b.edges).toEqual({ yes: 1, no: 1 });
      } finally {
        await close();
      }
    });
  });
} else {
  warnPostgresSkipped('Automations on PostgreSQL');
  describe.skip(`automations on PostgreSQL, several collectors — ${POSTGRES_SKIPPED}`, () => {
    for (const name of Object.values(NAMES)) it(name, () => undefined);
  });
}
