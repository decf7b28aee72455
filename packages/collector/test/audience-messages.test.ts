import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminJson } from './audience-helpers.js';
import { startCollector, storeKinds, type TestCollector } from './harness.js';
import { ask, batch, createMessage, identify, ids, interaction, postMessage, showTo, track, whyNot } from './message-helpers.js';
import { POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

// A PostgreSQL collector migrates a fresh schema per test.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
if (!TEST_DATABASE_URL) warnPostgresSkipped('message audiences on PostgreSQL');
let hark: TestCollector;
let api: ReturnType<typeof adminJson>;

describe.each(storeKinds())('message audiences on $name', ({ url }) => {
  beforeEach(async () => {
    hark = await startCollector({ ...(url ? { postgres: url } : {}) });
    api = adminJson(hark);
  });
  afterEach(async () => {
    await hark.close();
  });

  describe('messages aimed at a segment', () => {
    it('are shown to its members only, and follow membership as it changes', async () => {
      await batch(hark, identify({ userId: 'ada' }, { plan: 'pro' }), identify({ userId: 'bob' }, { plan: 'free' }));
      const segment = (await api.post('/api/v1/segments', { name: 'Pro', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } })).body;
      await hark.store.segments.idle();
      const message = await createMessage(hark, { conditions: { audience: { segment: segment.id } } });

      expect(ids(await ask(hark, { userId: 'ada' }))).toEqual([message.id]);
      const bob = await ask(hark, { userId: 'bob', debug: '1' });
      expect(ids(bob)).toEqual([]);
      expect(whyNot(bob, message.id)).toBe(`audience: the person is not in segment ${segment.id}`);
      expect(ids(await ask(hark, { anonymousId: 'stranger' }))).toEqual([]);

      await batch(hark, identify({ userId: 'bob' }, { plan: 'pro' }));
      expect(ids(await ask(hark, { userId: 'bob' }))).toEqual([message.id]);
    });

    it('keeps today\'s audience fields working beside a segment', async () => {
      await batch(hark, identify({ userId: 'ada' }, { plan: 'pro' }), identify({ userId: 'cy' }, { plan: 'pro' }), track({ userId: 'cy' }, 'Bought'));
      const segment = (await api.post('/api/v1/segments', { name: 'Pro', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } })).body;
      await hark.store.segments.idle();
      const message = await createMessage(hark, { conditions: { audience: { segment: segment.id, events: [{ event: 'Bought', atLeast: 1 }] } } });
      expect(ids(await ask(hark, { userId: 'cy' }))).toEqual([message.id]);
      expect(ids(await ask(hark, { userId: 'ada' }))).toEqual([]);
    });
  });

  describe('messages with an audience rule tree', () => {
    it('evaluate the tree for the person asking, message interactions included', async () => {
      await batch(hark, identify({ userId: 'ada' }, { seats: 20 }), identify({ userId: 'bob' }, { seats: 2 }));
      const survey = await createMessage(hark, { name: 'NPS', kind: 'survey', content: { title: 'How likely…' } });
      const followUp = await createMessage(hark, {
        name: 'Sorry',
        conditions: { audience: { rules: { and: [{ type: 'trait', trait: 'seats', op: 'gte', value: 10 }, { type: 'message', message: survey.id, op: 'grade_lte', value: 2 }] } } },
      });
      expect(ids(await ask(hark, { userId: 'ada' }))).toEqual([survey.id]);
      const shown = await showTo(hark, { userId: 'ada' }, survey.id);
      await batch(hark, interaction({ userId: 'ada' }, 'answered', shown, { value: 1 }));
      expect(ids(await ask(hark, { userId: 'ada' }))).toContain(followUp.id);
      const bob = await ask(hark, { userId: 'bob', debug: '1' });
      expect(whyNot(bob, followUp.id)).toBe('audience: the audience rules do not hold for the person');
    });

    it('refuse a bad tree with field errors under conditions.audience.rules', async () => {
      const res = await postMessage(hark, {
        name: 'x',
        kind: 'notification',
        content: { title: 'x' },
        conditions: { audience: { rules: { or: [{ type: 'trait', trait: 'a', op: 'gt', value: 'soon' }] } } },
      });
      expect(res.status).toBe(400);
      expect((await res.json()).error.fields).toEqual({ 'conditions.audience.rules.or.0.value': 'must be a number or an ISO date for gt' });
    });
  });
});

if (!TEST_DATABASE_URL) {
  describe.skip(`message audiences on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it('runs every message audience test on PostgreSQL', () => undefined);
  });
}
