import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { identify, track } from './audience-helpers.js';
import { startAutomations, type AutomationHarness } from './automation-helpers.js';
import { storeKinds } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// A PostgreSQL collector migrates a fresh schema first (about a second on a loaded machine).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

describe.each(storeKinds())('on $name', ({ url }) => {

  describe('automations: the model and its API', () => {
    let hark: AutomationHarness;
    beforeEach(async () => void (hark = await startAutomations({ postgres: url })));
    afterEach(async () => hark.close());

    it('refuses an invalid automation with every problem at once, keyed by path, rule-engine checks included', async () => {
      const res = await hark.api.post('/api/v1/automations', {
        name: '',
        trigger: { type: 'event', event: 'Signed Up', where: [{ property: 'plan', op: 'bigger', value: 1 }] },
        entry: 'sometimes',
        steps: [
          { id: 'w', type: 'wait', duration: { amount: 0, unit: 'days' }, next: 'nowhere' },
          { id: 'b', type: 'branch', rules: { and: [{ type: 'trait', trait: 'plan', op: 'nope' }] }, yes: 'w' },
          { id: 'a', type: 'action', action: { type: 'email' } },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_fields');
      expect(res.body.error.fields).toMatchObject({
        name: 'must not be empty',
        entry: expect.stringContaining('must be one of'),
        'trigger.where.0.op': expect.any(String),
        'steps.0.duration.amount': expect.any(String),
        'steps.1.rules.and.0.op': expect.any(String),
        'steps.2.action.templateId': 'is required',
      });
    });

    it('refuses edges to unknown steps and loops, so every run ends', async () => {
      const unknown = await hark.api.post('/api/v1/automations', { name: 'x', trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'zzz' }] });
      expect(unknown.body.error.fields['steps.0.next']).toContain('must be the id of a step');
      const loop = await hark.api.post('/api/v1/automations', {
        name: 'x',
        trigger: { type: 'manual' },
        steps: [
          { id: 'a', type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'b' },
          { id: 'b', type: 'branch', rules: { type: 'kind', value: ['user'] }, yes: 'a' },
        ],
      });
      expect(loop.status).toBe(400);
      expect(Object.values(loop.body.error.fields).join(' ')).toContain('loop');
    });

    it('creates, reads, lists with run counts, patches (validated whole) and deletes', async () => {
      const created = await hark.api.post('/api/v1/automations', { name: 'Welcome', trigger: { type: 'event', event: 'Signed Up' }, steps: [{ id: 'done', type: 'exit' }] });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Welcome', status: 'draft', entry: 'once', exit: {} });
      const id = created.body.id;
      expect((await hark.api.get(`/api/v1/automations/${id}`)).body.name).toBe('Welcome');
      const listed = await hark.api.get('/api/v1/automations');
      expect(listed.body.items).toMatchObject([{ id, runs: { total: 0, active: 0 } }]);
      const bad = await hark.api.patch(`/api/v1/automations/${id}`, { status: 'running' });
      expect(bad.body.error.fields.status).toContain('must be one of');
      expect((await hark.api.patch(`/api/v1/automations/${id}`, { status: 'live' })).body.status).toBe('live');
      expect((await hark.api.del(`/api/v1/automations/${id}`)).status).toBe(204);
      expect((await hark.api.get(`/api/v1/automations/${id}`)).status).toBe(404);
    });
  });

  describe('automations: triggers', () => {
    let hark: AutomationHarness;
    beforeEach(async () => void (hark = await startAutomations({ postgres: url })));
    afterEach(async () => hark.close());

    it('queues nothing at ingest while no automation is live', async () => {
      await hark.create({ status: 'draft', trigger: { type: 'event', event: 'Signed Up' }, steps: [] });
      await identify(hark, 'ada');
      await track(hark, 'ada', 'Signed Up');
      expect((await hark.jobs())).toEqual([]);
    });

    it('an event with matching properties starts a run in the same transaction, rooted at that event; others do not', async () => {
      const automation = await hark.create({ trigger: { type: 'event', event: 'Signed Up', where: [{ property: 'plan', op: 'equals', value: 'pro' }] }, steps: [] });
      const ada = await identify(hark, 'ada');
      await track(hark, 'ada', 'Signed Up', 1, { plan: 'free' });
      expect((await hark.jobs('automation.step'))).toHaveLength(0);
      await track(hark, 'ada', 'Signed Up', 1, { plan: 'pro' });
      // The entry job is there as soon as the event is acknowledged, before any runner ran.
      expect((await hark.jobs('automation.step'))).toHaveLength(1);
      await hark.drain();
      const [run] = await hark.runs(automation.id);
      expect(run).toMatchObject({ personId: ada, status: 'finished', reason: 'completed' });
      const trigger = (await hark.eventsNamed('Signed Up')).find((e) => e.properties.plan === 'pro')!;
      expect(run.rootId).toBe(trigger.message_id);
      const entered = (await hark.eventsNamed('Automation Entered'));
      expect(entered).toHaveLength(1);
      expect(entered[0]!.context.hark.rootId).toBe(trigger.message_id);
      expect((await hark.eventsNamed('Automation Exited'))[0]!.context.hark.rootId).toBe(trigger.message_id);
      expect((await hark.timeline(ada)).map((e) => e.name)).toEqual(expect.arrayContaining(['Automation Entered', 'Automation Exited']));
      // The chain of the triggering event holds what the run wrote.
      const chain = await hark.api.get(`/api/v1/events/${trigger.message_id}/chain`);
      expect(chain.status).toBe(200);
      expect(JSON.stringify(chain.body)).toContain('Automation Entered');
      expect(JSON.stringify(chain.body)).toContain('Automation Exited');
    });

    it('an inbound webhook is an event trigger: a delivery to /hooks/:token mapped to that event starts it', async () => {
      const automation = await hark.create({ trigger: { type: 'event', event: 'Form Submitted', where: [{ property: 'form', op: 'equals', value: 'demo' }] }, steps: [] });
      const source = await hark.api.post('/api/v1/hook-sources', { name: 'Forms', mapping: { event: { name: 'Form Submitted' }, email: '$.email', properties: { form: '$.form' }, sourceId: '$.id' } });
      expect(source.status).toBe(201);
      const deliver = () =>
        hark.app.request(`/hooks/${source.body.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'd-1', email: 'bea@example.com', form: 'demo' }) });
      expect((await deliver()).status).toBe(202);
      // The same delivery again is a duplicate: no second run.
      expect((await deliver()).status).toBe(200);
      await hark.drain();
      expect(await hark.runs(automation.id)).toHaveLength(1);
    });

    it('entering and leaving a segment start the automations that name it', async () => {
      const segment = await hark.api.post('/api/v1/segments', { name: 'Pro', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } });
      await hark.store.segments.idle();
      const entered = await hark.create({ trigger: { type: 'segment_entered', segment: segment.body.id }, steps: [] });
      const left = await hark.create({ trigger: { type: 'segment_exited', segment: segment.body.id }, steps: [] });
      await identify(hark, 'ada', { plan: 'pro' });
      await hark.drain();
      expect(await hark.runs(entered.id)).toHaveLength(1);
      expect(await hark.runs(left.id)).toHaveLength(0);
      await identify(hark, 'ada', { plan: 'free' });
      await hark.drain();
      expect(await hark.runs(left.id)).toHaveLength(1);
    });

    it('being added to a list starts it; being removed does not', async () => {
      const list = await hark.api.post('/api/v1/lists', { name: 'Beta' });
      const automation = await hark.create({ trigger: { type: 'list_added', list: list.body.id }, steps: [] });
      const ada = await identify(hark, 'ada');
      expect((await hark.api.post(`/api/v1/lists/${list.body.id}/people`, { people: [{ id: ada }] })).status).toBeLessThan(300);
      await hark.drain();
      expect(await hark.runs(automation.id)).toMatchObject([{ personId: ada }]);
      await hark.api.del(`/api/v1/lists/${list.body.id}/people`, { people: [{ id: ada }] });
      await hark.drain();
      expect(await hark.runs(automation.id)).toHaveLength(1);
    });

    it('a kind change (visitor → lead, lead → user) starts the automations for that change', async () => {
      const toLead = await hark.create({ trigger: { type: 'kind_changed', to: 'lead' }, steps: [] });
      const leadToUser = await hark.create({ trigger: { type: 'kind_changed', from: 'lead', to: 'user' }, steps: [] });
      await hark.send('/v1/batch', { batch: [{ type: 'track', messageId: 'v1', anonymousId: 'anon-1', event: 'Viewed', timestamp: new Date(hark.clock.now()).toISOString() }] });
      await hark.send('/v1/batch', { batch: [{ type: 'identify', messageId: 'l1', anonymousId: 'anon-1', traits: { email: 'ada@example.com' }, timestamp: new Date(hark.clock.now()).toISOString() }] });
      await hark.drain();
      expect(await hark.runs(toLead.id)).toHaveLength(1);
      expect(await hark.runs(leadToUser.id)).toHaveLength(0);
      await hark.send('/v1/batch', { batch: [{ type: 'identify', messageId: 'u1', anonymousId: 'anon-1', userId: 'ada', timestamp: new Date(hark.clock.now()).toISOString() }] });
      await hark.drain();
      expect(await hark.runs(leadToUser.id)).toHaveLength(1);
      expect(await hark.runs(toLead.id)).toHaveLength(1);
    });

    it('a survey answered with a grade ≤ 2 starts it; a better grade does not', async () => {
      const message = await hark.api.post('/api/v1/messages', { name: 'NPS', kind: 'survey', status: 'live', content: { title: 'How are we doing?' } });
      expect(message.status).toBe(201);
      const automation = await hark.create({ trigger: { type: 'message_answered', message: message.body.id, grade: { op: 'lte', value: 2 } }, steps: [] });
      const answer = (value: number) =>
        hark.send('/v1/batch', { batch: [{ type: 'track', messageId: `a${value}`, userId: 'ada', event: 'Message Answered', properties: { messageId: message.body.id, value }, timestamp: new Date(hark.clock.now()).toISOString() }] });
      await answer(4);
      await hark.drain();
      expect(await hark.runs(automation.id)).toHaveLength(0);
      await answer(2);
      await hark.drain();
      expect(await hark.runs(automation.id)).toHaveLength(1);
    });

    it('people queued by hand (ids, emails, a list, a segment) enter; unknown ones are reported', async () => {
      const withSegment = true;
      const automation = await hark.create({ trigger: { type: 'manual' }, steps: [] });
      const ada = await identify(hark, 'ada');
      await identify(hark, 'bob', { email: 'bob@example.com' });
      const cat = await identify(hark, 'cat', { plan: 'pro' });
      const dan = await identify(hark, 'dan');
      const list = await hark.api.post('/api/v1/lists', { name: 'L' });
      await hark.api.post(`/api/v1/lists/${list.body.id}/people`, { people: [{ id: dan }] });
      let segmentId: string | undefined;
      if (withSegment) {
        segmentId = (await hark.api.post('/api/v1/segments', { name: 'Pro', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } })).body.id;
        await hark.store.segments.idle();
      }
      const res = await hark.api.post(`/api/v1/automations/${automation.id}/queue`, { personIds: [ada, 'nobody'], emails: ['BOB@example.com'], listId: list.body.id, ...(segmentId ? { segmentId } : {}) });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ queued: withSegment ? 4 : 3, missing: ['nobody'] });
      await hark.drain();
      const runs = await hark.runs(automation.id);
      expect(runs).toHaveLength(withSegment ? 4 : 3);
      expect(runs.map((r: any) => r.personId)).toEqual(expect.arrayContaining(withSegment ? [ada, cat, dan] : [ada, dan]));
      // A queued run's root is its own entry event.
      expect(runs[0].rootId).toMatch(/^hark-run-/);
      expect((await hark.api.post(`/api/v1/automations/${automation.id}/queue`, {})).status).toBe(400);
    });
  });
});
