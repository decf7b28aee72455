import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActionHandler } from '../src/automations/index.js';
import { identify, track } from './audience-helpers.js';
import { startAutomations, type AutomationHarness } from './automation-helpers.js';
import { storeKinds } from './harness.js';
import { startReceiver } from './webhook-receiver.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let hark: AutomationHarness;
afterEach(async () => hark?.close());

/** An automation started by "Go" for one person (ada), drained once. */
async function started(definition: Record<string, unknown>, traits: Record<string, unknown> = {}) {
  const automation = await hark.create({ trigger: { type: 'event', event: 'Go' }, ...definition });
  const ada = await identify(hark, 'ada', traits);
  await track(hark, 'ada', 'Go');
  await hark.drain();
  return { automation, ada, run: async () => (await hark.runs(automation.id))[0] };
}

// A PostgreSQL collector migrates a fresh schema first (about a second on a loaded machine).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

describe.each(storeKinds())('on $name', ({ url }) => {

  describe('automation steps', () => {
    it('wait: the run waits for its duration, then goes on; the stats count it waiting, then passed', async () => {
      hark = await startAutomations({ postgres: url });
      const { automation, run } = await started({ steps: [{ id: 'w', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'x' }, { id: 'x', type: 'exit' }] });
      expect(await run()).toMatchObject({ status: 'waiting', stepId: 'w' });
      expect((await hark.api.get(`/api/v1/automations/${automation.id}/stats`)).body.steps.w).toMatchObject({ entered: 1, waiting: 1, passed: 0 });
      hark.clock.advance(HOUR - 1);
      await hark.drain();
      expect((await run()).status).toBe('waiting');
      hark.clock.advance(1);
      await hark.drain();
      expect(await run()).toMatchObject({ status: 'finished', reason: 'exit_step', stepId: null });
      const stats = (await hark.api.get(`/api/v1/automations/${automation.id}/stats`)).body;
      expect(stats.steps.w).toMatchObject({ entered: 1, waiting: 0, passed: 1, edges: { next: 1 } });
      expect(stats.steps.x).toMatchObject({ entered: 1, passed: 1 });
      const steps = await hark.eventsNamed('Automation Step');
      expect(steps.map((e) => e.properties.stepId)).toEqual(['w', 'x']);
      expect(steps[0]!.properties).toMatchObject({ stepType: 'wait', outcome: 'next' });
    });

    it('wait until a local time: in the person’s timezone trait, else UTC', async () => {
      hark = await startAutomations({ postgres: url });
      // The clock starts Saturday 2026-11-21 12:00 UTC = 07:00 in New York.
      const until = { id: 'w', type: 'wait', until: { time: '09:00' } };
      const { automation } = await started({ steps: [until] }, { timezone: 'America/New_York' });
      await identify(hark, 'bob');
      await track(hark, 'bob', 'Go');
      await hark.drain();
      const due = (await hark.jobs('automation.step')).filter((j) => j.status === 'pending').map((j) => new Date(j.run_at).toISOString()).sort();
      expect(due).toEqual(['2026-11-21T14:00:00.000Z', '2026-11-22T09:00:00.000Z']);
      const weekday = await hark.create({ trigger: { type: 'event', event: 'Monday' }, steps: [{ id: 'm', type: 'wait', until: { time: '08:30', weekdays: [1] } }] });
      await track(hark, 'bob', 'Monday');
      await hark.drain();
      const monday = (await hark.jobs('automation.step')).find((j) => j.status === 'pending' && JSON.parse(j.payload).automationId === weekday.id)!;
      expect(new Date(monday.run_at).toISOString()).toBe('2026-11-23T08:30:00.000Z');
      void automation;
    });

    it('wait until a local time: with no timezone trait, in the zone of the city the person was last located in', async () => {
      hark = await startAutomations({ postgres: url });
      const cy = await identify(hark, 'cy');
      // Where geolocation put her (ingest writes this from the request's address, see geolocation.test.ts).
      await hark.store.transact(1, async (tx) => tx.people.setLocation(cy, { city: 'Tokyo', region: 'Tokyo', country: 'JP', continent: 'AS', timezone: 'Asia/Tokyo' }));
      await hark.create({ trigger: { type: 'event', event: 'Go' }, steps: [{ id: 'w', type: 'wait', until: { time: '09:00' } }] });
      await track(hark, 'cy', 'Go');
      await hark.drain();
      // 2026-11-21 12:00 UTC is 21:00 in Tokyo: the next 09:00 there is 00:00 UTC the next day.
      const due = (await hark.jobs('automation.step')).filter((j) => j.status === 'pending').map((j) => new Date(j.run_at).toISOString());
      expect(due).toEqual(['2026-11-22T00:00:00.000Z']);
    });

    it('wait for an event: the branch of whichever came first (the event, or the timeout)', async () => {
      hark = await startAutomations({ postgres: url });
      const steps = [
        { id: 'open', type: 'wait_for_event', event: 'Email Opened', where: [{ property: 'campaign', op: 'equals', value: 'welcome' }], timeout: { amount: 3, unit: 'days' }, onEvent: 'thanks', onTimeout: 'again' },
        { id: 'thanks', type: 'action', action: { type: 'update_traits', traits: { path: 'opened' } } },
        { id: 'again', type: 'action', action: { type: 'update_traits', traits: { path: 'timed out' } } },
      ];
      const { ada, automation } = await started({ steps });
      await identify(hark, 'bob');
      await track(hark, 'bob', 'Go');
      await hark.drain();
      // An Email Opened of another campaign does not count.
      await track(hark, 'ada', 'Email Opened', 1, { campaign: 'other' });
      await hark.drain();
      hark.clock.advance(DAY);
      await track(hark, 'ada', 'Email Opened', 1, { campaign: 'welcome' });
      await hark.drain();
      hark.clock.advance(2 * DAY);
      await hark.drain();
      const person = async (userId: string) => (await hark.api.get(`/api/v1/people/lookup?userId=${userId}`)).body;
      expect((await person('ada')).traits.path).toBe('opened');
      expect((await person('bob')).traits.path).toBe('timed out');
      const runs = await hark.runs(automation.id);
      expect(runs.every((r: any) => r.status === 'finished')).toBe(true);
      expect((await hark.api.get(`/api/v1/automations/${automation.id}/stats`)).body.steps.open.edges).toEqual({ onEvent: 1, onTimeout: 1 });
      void ada;
    });

    it('branch: the rule tree decides, on the person’s facts', async () => {
      hark = await startAutomations({ postgres: url });
      const steps = [
        { id: 'b', type: 'branch', rules: { and: [{ type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, { type: 'event', event: 'Go', count: { op: 'at_least', value: 1 } }] }, yes: 'y', no: 'n' },
        { id: 'y', type: 'action', action: { type: 'update_traits', traits: { branch: 'yes' } } },
        { id: 'n', type: 'action', action: { type: 'update_traits', traits: { branch: 'no' } } },
      ];
      const { automation } = await started({ steps }, { plan: 'pro' });
      await identify(hark, 'bob', { plan: 'free' });
      await track(hark, 'bob', 'Go');
      await hark.drain();
      expect((await hark.api.get('/api/v1/people/lookup?userId=ada')).body.traits.branch).toBe('yes');
      expect((await hark.api.get('/api/v1/people/lookup?userId=bob')).body.traits.branch).toBe('no');
      expect((await hark.api.get(`/api/v1/automations/${automation.id}/stats`)).body.steps.b.edges).toEqual({ yes: 1, no: 1 });
    });

    it('branch: facts that cannot be read are retried, then the run fails with the reason (never stuck active)', async () => {
      hark = await startAutomations({ postgres: url });
      hark.store.segments.facts = async () => Promise.reject(new Error('facts unavailable'));
      const steps = [{ id: 'b', type: 'branch', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, yes: null, no: null }];
      const { run } = await started({ steps });
      expect((await run()).status).toBe('active');
      for (let i = 0; i < 10; i++) {
        hark.clock.advance(1_000);
        await hark.drain();
      }
      expect(await run()).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^branch_failed: /) });
    });

    it('actions: add to and remove from a list, update traits', async () => {
      hark = await startAutomations({ postgres: url });
      const a = await hark.api.post('/api/v1/lists', { name: 'A' });
      const b = await hark.api.post('/api/v1/lists', { name: 'B' });
      await identify(hark, 'ada');
      const ada = (await hark.api.get('/api/v1/people/lookup?userId=ada')).body.id;
      await hark.api.post(`/api/v1/lists/${b.body.id}/people`, { people: [{ id: ada }] });
      await started({
        steps: [
          { id: 'add', type: 'action', action: { type: 'add_to_list', list: a.body.id }, next: 'rm' },
          { id: 'rm', type: 'action', action: { type: 'remove_from_list', list: b.body.id }, next: 't' },
          { id: 't', type: 'action', action: { type: 'update_traits', traits: { stage: 'onboarded', old: null } } },
        ],
      });
      expect((await hark.api.get(`/api/v1/lists/${a.body.id}`)).body.size).toBe(1);
      expect((await hark.api.get(`/api/v1/lists/${b.body.id}`)).body.size).toBe(0);
      expect((await hark.api.get(`/api/v1/people/${ada}`)).body.traits.stage).toBe('onboarded');
    });

    it('show an in-app message: eligible for that person once from then on, not for others, not before', async () => {
      hark = await startAutomations({ postgres: url });
      const message = await hark.api.post('/api/v1/messages', {
        name: 'Follow-up',
        kind: 'notification',
        status: 'live',
        content: { title: 'Sorry to hear that' },
        conditions: { audience: { fromAutomation: true } },
      });
      expect(message.status).toBe(201);
      const ask = async (userId: string) => {
        const res = await hark.app.request(`/v1/messages?userId=${userId}&writeKey=${hark.project.writeKey}`);
        return ((await res.json()) as { messages: { id: string }[] }).messages.map((m) => m.id);
      };
      await identify(hark, 'ada');
      await identify(hark, 'bob');
      expect(await ask('ada')).toEqual([]);
      await started({ steps: [{ id: 'm', type: 'action', action: { type: 'show_message', message: message.body.id } }] });
      expect(await ask('ada')).toEqual([message.body.id]);
      expect(await ask('bob')).toEqual([]);
      hark.clock.advance(MINUTE);
      await hark.send('/v1/batch', { batch: [{ type: 'track', messageId: 'shown-1', userId: 'ada', event: 'Message Shown', properties: { messageId: message.body.id }, timestamp: new Date(hark.clock.now()).toISOString() }] });
      expect(await ask('ada')).toEqual([]);
    });

    it('webhook: delivered once to a receiver on 127.0.0.1, signed, its id the step’s key, with the person and the run', async () => {
      hark = await startAutomations({ postgres: url });
      const receiver = await startReceiver();
      try {
        const webhook = await hark.api.post('/api/v1/webhooks', { url: receiver.url, events: ['Escalated'] });
        expect(webhook.status).toBe(201);
        const { automation, run } = await started({ steps: [{ id: 'hook', type: 'action', action: { type: 'webhook', webhook: webhook.body.id } }] });
        await hark.drain();
        const r = await run();
        expect(r.status).toBe('finished');
        expect(receiver.received).toHaveLength(1);
        const delivery = receiver.received[0]!;
        expect(delivery.id).toBe(`${r.id}:hook:1`);
        const expected = createHmac('sha256', webhook.body.secret).update(`${delivery.timestamp}.${delivery.body}`).digest('hex');
        expect(delivery.signature).toContain(expected);
        expect(JSON.parse(delivery.body)).toMatchObject({
          id: `${r.id}:hook:1`,
          type: 'automation.webhook',
          data: { automation: { id: automation.id }, run: { id: r.id, stepId: 'hook', rootId: r.rootId }, person: { userId: 'ada' } },
        });
        // A second drain (or a retried step) sends nothing more.
        hark.clock.advance(HOUR);
        await hark.drain();
        expect(receiver.received).toHaveLength(1);
      } finally {
        await receiver.close();
      }
    });

    it('webhook: a subscription that does not exist fails the run with webhook_not_found', async () => {
      hark = await startAutomations({ postgres: url });
      const { run } = await started({ steps: [{ id: 'hook', type: 'action', action: { type: 'webhook', webhook: 'wh_gone' } }] });
      expect(await run()).toMatchObject({ status: 'failed', reason: 'webhook_not_found' });
    });

    it('email: without a registered handler the run fails with email_not_configured; with one it runs once per step, retried with the same key', async () => {
      hark = await startAutomations({ postgres: url });
      const step = { id: 'mail', type: 'action', action: { type: 'email', templateId: 'tpl_welcome' } };
      const { run } = await started({ steps: [step] });
      expect(await run()).toMatchObject({ status: 'failed', reason: 'email_not_configured' });
      await hark.close();

      const calls: string[] = [];
      const email: ActionHandler<'email'> = {
        type: 'email',
        async run(action, context) {
          calls.push(`${action.templateId} ${context.idempotencyKey}`);
          if (calls.length === 1) throw new Error('SMTP timed out');
        },
      };
      hark = await startAutomations({ postgres: url, actions: [email as ActionHandler] });
      const second = await started({ steps: [step] });
      expect((await second.run()).status).toBe('active');
      hark.clock.advance(1_000);
      await hark.drain();
      const r = await second.run();
      expect(r.status).toBe('finished');
      expect(calls).toEqual([`tpl_welcome ${r.id}:mail:1`, `tpl_welcome ${r.id}:mail:1`]);
    });

    it('email steps count the runs they sent to and how many then reached the goal, through the run or its chain', async () => {
      const sentTo: string[] = [];
      const email: ActionHandler<'email'> = { type: 'email', run: async (_action, context) => void sentTo.push(`${context.step.id} ${context.personId}`) };
      hark = await startAutomations({ postgres: url, actions: [email as ActionHandler] });
      const automation = await hark.create({
        trigger: { type: 'event', event: 'Go' },
        exit: { goal: { event: 'Upgraded', where: [{ property: 'plan', op: 'equals', value: 'pro' }] } },
        steps: [
          { id: 'mail1', type: 'action', action: { type: 'email', templateId: 'welcome' }, next: 'w' },
          { id: 'w', type: 'wait', duration: { amount: 1, unit: 'days' }, next: 'mail2' },
          { id: 'mail2', type: 'action', action: { type: 'email', templateId: 'reminder' } },
        ],
      });
      for (const who of ['ada', 'bob', 'cat']) {
        await identify(hark, who);
        await track(hark, who, 'Go');
      }
      await hark.drain();
      // ada upgrades while she waits: her run exits on the goal (a conversion for mail1 only).
      await track(hark, 'ada', 'Upgraded', 1, { plan: 'pro' });
      // bob's first upgrade does not meet the goal's condition, so his run goes on.
      await track(hark, 'bob', 'Upgraded', 1, { plan: 'free' });
      await hark.drain();
      hark.clock.advance(DAY);
      await hark.drain();
      const runs = await hark.runs(automation.id);
      const runOf = async (userId: string) => {
        const person = (await hark.api.get(`/api/v1/people/lookup?userId=${userId}`)).body.id;
        return runs.find((r: any) => r.personId === person)!;
      };
      expect((await runOf('ada')).reason).toBe('goal');
      expect((await runOf('bob')).status).toBe('finished');
      expect(sentTo.filter((s) => s.startsWith('mail2'))).toHaveLength(2);
      hark.clock.advance(HOUR);
      // After his run finished, bob comes by a link in the emails (the event is in the run's chain)
      // and upgrades: both emails he got count it. cat upgrades too, but not through the automation.
      const bob = await runOf('bob');
      const at = new Date(hark.clock.now()).toISOString();
      await hark.send('/v1/batch', { batch: [{ type: 'track', messageId: 'bob-upgrade', userId: 'bob', event: 'Upgraded', properties: { plan: 'pro' }, context: { hark: { parentId: bob.rootId } }, timestamp: at }] });
      await track(hark, 'cat', 'Upgraded', 1, { plan: 'pro' });
      // An event in bob's chain that is not the goal, and one that misses its condition, count for nothing.
      await hark.send('/v1/batch', { batch: [{ type: 'track', messageId: 'bob-free', userId: 'bob', event: 'Upgraded', properties: { plan: 'free' }, context: { hark: { parentId: bob.rootId } }, timestamp: at }] });
      await hark.drain();

      const stats = (await hark.api.get(`/api/v1/automations/${automation.id}/stats`)).body;
      expect(stats.conversions).toBe(1);
      expect(stats.steps.mail1.email).toEqual({ sent: 3, conversions: 2 });
      expect(stats.steps.mail2.email).toEqual({ sent: 2, conversions: 1 });
      expect(stats.steps.w.email).toBeUndefined();

      // With no goal, the sends are counted and conversions are null (not zero: nothing to convert to).
      const plain = await hark.create({ trigger: { type: 'event', event: 'Ping' }, steps: [{ id: 'm', type: 'action', action: { type: 'email', templateId: 'x' } }] });
      await track(hark, 'cat', 'Ping');
      await hark.drain();
      expect((await hark.api.get(`/api/v1/automations/${plain.id}/stats`)).body.steps.m.email).toEqual({ sent: 1, conversions: null });
    });

    it('an action that keeps failing fails the run with its reason after the last attempt', async () => {
      const broken: ActionHandler<'email'> = { type: 'email', run: async () => Promise.reject(new Error('relay refused')) };
      hark = await startAutomations({ postgres: url, actions: [broken as ActionHandler] });
      const { run } = await started({ steps: [{ id: 'mail', type: 'action', action: { type: 'email', templateId: 't' } }] });
      for (let i = 0; i < 10; i++) {
        hark.clock.advance(1_000);
        await hark.drain();
      }
      expect(await run()).toMatchObject({ status: 'failed', reason: 'action_failed: relay refused' });
      expect((await hark.eventsNamed('Automation Exited'))[0]!.properties).toMatchObject({ status: 'failed', reason: 'action_failed: relay refused' });
    });
  });

  describe('automation entry and exit', () => {
    const wait = [{ id: 'w', type: 'wait', duration: { amount: 1, unit: 'days' } }];

    it('entry rules: once ever, one at a time, every time', async () => {
      hark = await startAutomations({ postgres: url });
      const once = await hark.create({ entry: 'once', trigger: { type: 'event', event: 'Go' }, steps: [] });
      const single = await hark.create({ entry: 'one_at_a_time', trigger: { type: 'event', event: 'Go' }, steps: wait });
      const every = await hark.create({ entry: 'every_time', trigger: { type: 'event', event: 'Go' }, steps: wait });
      await identify(hark, 'ada');
      await track(hark, 'ada', 'Go');
      await track(hark, 'ada', 'Go');
      await hark.drain();
      expect(await hark.runs(once.id)).toHaveLength(1);
      expect(await hark.runs(single.id)).toHaveLength(1);
      expect(await hark.runs(every.id)).toHaveLength(2);
      hark.clock.advance(DAY);
      await hark.drain();
      await track(hark, 'ada', 'Go');
      await hark.drain();
      expect(await hark.runs(once.id)).toHaveLength(1);
      expect(await hark.runs(single.id)).toHaveLength(2);
      expect(await hark.runs(every.id)).toHaveLength(3);
    });

    it('a goal event ends the run as a conversion; leaving the chosen segment ends it too', async () => {
      hark = await startAutomations({ postgres: url });
      const segment = await hark.api.post('/api/v1/segments', { name: 'Trial', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'trial' } });
      await hark.store.segments.idle();
      const automation = await hark.create({ trigger: { type: 'event', event: 'Go' }, exit: { goal: { event: 'Purchased' }, leftSegment: segment.body.id }, steps: wait });
      await identify(hark, 'ada', { plan: 'trial' });
      await identify(hark, 'bob', { plan: 'trial' });
      await track(hark, 'ada', 'Go');
      await track(hark, 'bob', 'Go');
      await hark.drain();
      await track(hark, 'ada', 'Purchased');
      await identify(hark, 'bob', { plan: 'free' });
      await hark.drain();
      const runs = await hark.runs(automation.id);
      const reasons = Object.fromEntries(await Promise.all(runs.map(async (r: any) => [(await hark.api.get(`/api/v1/people/${r.personId}`)).body.userId, `${r.status} ${r.reason}`])));
      expect(reasons).toEqual({ ada: 'exited goal', bob: 'exited left_segment' });
      expect((await hark.api.get(`/api/v1/automations/${automation.id}/stats`)).body).toMatchObject({ entered: 2, conversions: 1 });
      expect((await hark.api.get('/api/v1/automations')).body.items[0].runs).toMatchObject({ total: 2, exited: 2, conversions: 1 });
      // The wait's job comes due later and finds the run ended: nothing happens.
      hark.clock.advance(DAY);
      await hark.drain();
      expect((await hark.runs(automation.id)).map((r: any) => r.status)).toEqual(['exited', 'exited']);
    });

    it('editing a live graph: runs keep their step; a run whose step was removed exits with step_removed', async () => {
      hark = await startAutomations({ postgres: url });
      const automation = await hark.create({
        trigger: { type: 'event', event: 'Go' },
        steps: [
          { id: 'w', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'x' },
          { id: 'x', type: 'wait', duration: { amount: 1, unit: 'hours' } },
        ],
      });
      await identify(hark, 'ada');
      await identify(hark, 'bob');
      await track(hark, 'ada', 'Go');
      await hark.drain();
      hark.clock.advance(HOUR);
      await hark.drain();
      await track(hark, 'bob', 'Go');
      await hark.drain();
      // ada waits in x, bob in w. Remove x and add an action after w.
      const patched = await hark.api.patch(`/api/v1/automations/${automation.id}`, {
        steps: [
          { id: 'w', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 't' },
          { id: 't', type: 'action', action: { type: 'update_traits', traits: { edited: true } } },
        ],
      });
      expect(patched.status).toBe(200);
      hark.clock.advance(HOUR);
      await hark.drain();
      const byUser = async () => Object.fromEntries(await Promise.all((await hark.runs(automation.id)).map(async (r: any) => [(await hark.api.get(`/api/v1/people/${r.personId}`)).body.userId, `${r.status} ${r.reason}`])));
      expect(await byUser()).toEqual({ ada: 'exited step_removed', bob: 'finished completed' });
      expect((await hark.api.get('/api/v1/people/lookup?userId=bob')).body.traits.edited).toBe(true);
    });

    it('paused: due steps hold their place; going live again resumes them', async () => {
      hark = await startAutomations({ postgres: url });
      const automation = await hark.create({ trigger: { type: 'event', event: 'Go' }, steps: [{ id: 'w', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 't' }, { id: 't', type: 'action', action: { type: 'update_traits', traits: { done: true } } }] });
      await identify(hark, 'ada');
      await track(hark, 'ada', 'Go');
      await hark.drain();
      await hark.api.patch(`/api/v1/automations/${automation.id}`, { status: 'paused' });
      hark.clock.advance(HOUR);
      await hark.drain();
      expect((await hark.runs(automation.id))[0]).toMatchObject({ status: 'waiting', reason: 'paused', stepId: 'w' });
      await hark.api.patch(`/api/v1/automations/${automation.id}`, { status: 'live' });
      await hark.drain();
      expect((await hark.runs(automation.id))[0]).toMatchObject({ status: 'waiting', stepId: 'w' });
      hark.clock.advance(HOUR);
      await hark.drain();
      expect((await hark.runs(automation.id))[0].status).toBe('finished');
    });

    it('history: runs paged and filtered by status, and a person’s automations', async () => {
      hark = await startAutomations({ postgres: url });
      const automation = await hark.create({ trigger: { type: 'event', event: 'Go' }, steps: wait });
      for (const user of ['a', 'b', 'c']) {
        await identify(hark, user);
        await track(hark, user, 'Go');
        hark.clock.advance(MINUTE);
      }
      await hark.drain();
      const first = await hark.api.get(`/api/v1/automations/${automation.id}/runs?limit=2`);
      expect(first.body.items).toHaveLength(2);
      const rest = await hark.api.get(`/api/v1/automations/${automation.id}/runs?limit=2&cursor=${first.body.nextCursor}`);
      expect(rest.body.items).toHaveLength(1);
      expect(await hark.runs(automation.id, '?status=waiting')).toHaveLength(3);
      expect(await hark.runs(automation.id, '?status=finished')).toHaveLength(0);
      expect((await hark.api.get(`/api/v1/automations/${automation.id}/runs?status=nope`)).status).toBe(400);
      const personId = first.body.items[0].personId;
      const mine = await hark.api.get(`/api/v1/people/${personId}/automations`);
      expect(mine.body.items).toMatchObject([{ automationId: automation.id, automationName: 'Test', status: 'waiting' }]);
    });
  });
});
