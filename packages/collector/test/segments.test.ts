import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminJson, identify, track } from './audience-helpers.js';
import { mid, startCollector, storeKinds, type TestCollector } from './harness.js';
import { POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

const DAY = 86_400_000;
// A PostgreSQL collector migrates a fresh schema per test, and its fills run over the network.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
if (!TEST_DATABASE_URL) warnPostgresSkipped(`segments on PostgreSQL`);
let hark: TestCollector;
let api: ReturnType<typeof adminJson>;

async function segment(rules: unknown, name = 'S'): Promise<string> {
  const res = await api.post('/api/v1/segments', { name, rules });
  expect(res.status).toBe(201);
  await hark.store.segments.idle();
  return res.body.id as string;
}

async function members(id: string): Promise<string[]> {
  const res = await api.get(`/api/v1/segments/${id}/people?limit=200`);
  expect(res.status).toBe(200);
  return res.body.items.map((p: { userId: string | null }) => p.userId).sort();
}

async function timeline(userId: string): Promise<{ name: string; properties: Record<string, unknown> }[]> {
  const person = (await api.get(`/api/v1/people/lookup?userId=${userId}`)).body;
  const res = await api.get(`/api/v1/people/${person.id}/activity?limit=200`);
  return res.body.items.filter((e: { name: string }) => e.name?.startsWith('Segment '));
}

describe.each(storeKinds())('segments on $name', ({ url }) => {
  beforeEach(async () => {
    hark = await startCollector({ ...(url ? { postgres: url } : {}) });
    api = adminJson(hark);
  });
  afterEach(async () => {
    await hark.close();
  });

  it('are created, read, listed, renamed and deleted', async () => {
    const id = await segment({ type: 'kind', value: ['user'] }, 'Users');
    const got = await api.get(`/api/v1/segments/${id}`);
    expect(got.body).toMatchObject({ id, name: 'Users', status: 'ready', rules: { type: 'kind', value: ['user'] } });
    expect((await api.get('/api/v1/segments')).body.items).toHaveLength(1);
    const renamed = await api.patch(`/api/v1/segments/${id}`, { name: 'All users' });
    expect(renamed.body).toMatchObject({ name: 'All users', status: 'ready' });
    expect((await api.del(`/api/v1/segments/${id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/segments/${id}`)).status).toBe(404);
  });

  it('fill in the background with progress for the people already there', async () => {
    for (let i = 0; i < 1200; i += 400) {
      await hark.send('/v1/batch', {
        batch: Array.from({ length: 400 }, (_, j) => ({ type: 'identify', messageId: mid(), userId: `u${i + j}`, traits: { n: i + j } })),
      });
    }
    const res = await api.post('/api/v1/segments', { name: 'Even', rules: { type: 'trait', trait: 'n', op: 'lt', value: 600 } });
    expect(res.body).toMatchObject({ status: 'filling', progress: { processed: 0, total: 1200 } });
    await hark.store.segments.idle();
    const done = await api.get(`/api/v1/segments/${res.body.id}`);
    expect(done.body).toMatchObject({ status: 'ready', progress: { processed: 1200, total: 1200 }, size: 600 });
    expect((await api.get(`/api/v1/segments/${res.body.id}/count`)).body).toMatchObject({ count: 600, status: 'ready' });

    // An edited tree refills.
    const edited = await api.patch(`/api/v1/segments/${res.body.id}`, { rules: { type: 'trait', trait: 'n', op: 'gte', value: 1100 } });
    expect(edited.body.status).toBe('filling');
    await hark.store.segments.idle();
    expect((await api.get(`/api/v1/segments/${res.body.id}/count`)).body.count).toBe(100);
  });

  it('keep membership as events arrive, and record entering and leaving on the timeline', async () => {
    await identify(hark, 'ada', { plan: 'free' });
    const id = await segment({ and: [{ type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, { type: 'event', event: 'Bought', count: { op: 'at_least', value: 2 } }] }, 'Pro buyers');
    expect(await members(id)).toEqual([]);
    await identify(hark, 'ada', { plan: 'pro' });
    await track(hark, 'ada', 'Bought');
    expect(await members(id)).toEqual([]);
    hark.clock.advance(1000);
    await track(hark, 'ada', 'Bought');
    expect(await members(id)).toEqual(['ada']);

    const person = (await api.get('/api/v1/people/lookup?userId=ada')).body;
    const detail = (await api.get(`/api/v1/people/${person.id}`)).body;
    expect(detail.segments).toEqual([{ id, name: 'Pro buyers', enteredAt: new Date(hark.clock.now()).toISOString() }]);

    hark.clock.advance(1000);
    await identify(hark, 'ada', { plan: 'free' });
    expect(await members(id)).toEqual([]);
    const records = await timeline('ada');
    expect(records.map((r) => r.name)).toEqual(['Segment Exited', 'Segment Entered']);
    expect(records[0]!.properties).toMatchObject({ segmentId: id, segmentName: 'Pro buyers' });
  });

  it('let rolling windows expire as the clock moves, through the sweep', async () => {
    const id = await segment({ type: 'event', event: 'Logged In', count: { op: 'at_least', value: 1 }, window: { lastDays: 7 } }, 'Active');
    const lapsed = await segment({ and: [{ type: 'kind', value: ['user'] }, { type: 'no_event', event: 'Logged In', window: { lastDays: 7 } }] }, 'Lapsed');
    // Both fills finish before Ada arrives, so only ingest and the sweep move her (no race with a fill).
    await hark.store.segments.idle();
    await identify(hark, 'ada');
    await track(hark, 'ada', 'Logged In');
    expect(await members(id)).toEqual(['ada']);
    expect(await members(lapsed)).toEqual([]);

    hark.clock.advance(3 * DAY);
    expect(await hark.store.segments.sweepDue(hark.clock.now())).toBe(0);
    expect(await members(id)).toEqual(['ada']);

    hark.clock.advance(5 * DAY);
    expect(await hark.store.segments.sweepDue(hark.clock.now())).toBe(1);
    expect(await members(id)).toEqual([]);
    expect(await members(lapsed)).toEqual(['ada']);
    // Nothing left to re-check: the sweep is idle until something happens.
    expect(await hark.store.segments.sweepDue(hark.clock.now() + 365 * DAY)).toBe(0);
    const records = (await timeline('ada')).map((r) => `${r.name}: ${String(r.properties.segmentName)}`);
    // Newest first; records written at the same instant (one evaluation) have no order between them.
    const sameInstant = (from: number, to: number) => records.slice(from, to).sort();
    expect(records).toHaveLength(5);
    expect(sameInstant(0, 2)).toEqual(['Segment Entered: Lapsed', 'Segment Exited: Active']);
    expect(sameInstant(2, 4)).toEqual(['Segment Entered: Active', 'Segment Exited: Lapsed']);
    expect(records[4]).toBe('Segment Entered: Lapsed');
  });

  it('re-evaluate a person when their lists change', async () => {
    await identify(hark, 'ada');
    const list = (await api.post('/api/v1/lists', { name: 'VIP' })).body;
    const id = await segment({ not: { type: 'list', list: list.id } }, 'Not VIP');
    expect(await members(id)).toEqual(['ada']);
    await api.post(`/api/v1/lists/${list.id}/people`, { people: [{ userId: 'ada' }] });
    expect(await members(id)).toEqual([]);
    await api.del(`/api/v1/lists/${list.id}/people`, { people: [{ userId: 'ada' }] });
    expect(await members(id)).toEqual(['ada']);
  });

  it('only re-evaluate the segments that mention what changed', async () => {
    await identify(hark, 'ada');
    const id = await segment({ type: 'event', event: 'A' }, 'Did A');
    await track(hark, 'ada', 'B', 3);
    expect(await members(id)).toEqual([]);
    await track(hark, 'ada', 'A');
    expect(await members(id)).toEqual(['ada']);
  });

  it('follow every kind of leaf, nested with AND, OR and NOT', async () => {
    await hark.send('/v1/batch', {
      batch: [
        { type: 'identify', messageId: mid(), userId: 'ada', traits: { plan: 'pro', seats: 12, trialEndsAt: '2026-11-20T00:00:00Z', email: 'ada@example.com' } },
        { type: 'group', messageId: mid(), userId: 'ada', groupId: 'acme', traits: { industry: 'Retail', employees: 300 } },
        { type: 'track', messageId: mid(), userId: 'ada', event: 'Bought', properties: { amount: 99 } },
        { type: 'identify', messageId: mid(), userId: 'bob', traits: { plan: 'free', seats: 1 } },
        { type: 'page', messageId: mid(), anonymousId: 'anon-1' },
      ],
    });
    await hark.exec("UPDATE people SET geo = $1 WHERE user_id = 'ada'", [JSON.stringify({ country: 'FR', region: 'IDF', city: 'Paris', continent: 'EU' })]);
    const list = (await api.post('/api/v1/lists', { name: 'L' })).body;
    await api.post(`/api/v1/lists/${list.id}/people`, { people: [{ userId: 'bob' }] });
    await api.post('/api/v1/suppressions', { userIds: ['bob'] });

    const cases: [unknown, string[]][] = [
      [{ type: 'kind', value: ['visitor'] }, [null as never]],
      [{ type: 'trait', trait: 'seats', op: 'gte', value: 10 }, ['ada']],
      [{ type: 'trait', trait: 'trialEndsAt', op: 'within_last_days', value: 7 }, ['ada']],
      [{ type: 'company_trait', trait: 'industry', op: 'equals', value: 'Retail' }, ['ada']],
      [{ type: 'list', list: list.id }, ['bob']],
      [{ type: 'event', event: 'Bought', where: [{ property: 'amount', op: 'gt', value: 50 }] }, ['ada']],
      [{ and: [{ type: 'kind', value: ['user'] }, { type: 'no_event', event: 'Bought' }] }, ['bob']],
      [{ type: 'first_seen', op: 'within_last_days', value: 1 }, [null as never, 'ada', 'bob']],
      [{ type: 'last_seen', op: 'before', value: '2020-01-01' }, []],
      [{ type: 'geo', field: 'city', op: 'equals', value: 'paris' }, ['ada']],
      [{ type: 'opted_out' }, ['bob']],
      [{ or: [{ type: 'geo', field: 'continent', op: 'equals', value: 'EU' }, { and: [{ type: 'list', list: list.id }, { not: { or: [{ type: 'opted_out' }, { type: 'kind', value: ['visitor'] }] } }] }] }, ['ada']],
      [{ and: [{ not: { type: 'kind', value: ['visitor'] } }, { or: [{ and: [{ not: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } }, { type: 'opted_out' }] }, { type: 'geo', field: 'country', op: 'in', value: ['DE'] }] }] }, ['bob']],
    ];
    for (const [rules, expected] of cases) {
      const id = await segment(rules);
      const got = (await api.get(`/api/v1/segments/${id}/people`)).body.items.map((p: { userId: string | null }) => p.userId);
      expect(got.sort(), JSON.stringify(rules)).toEqual([...expected].sort());
      const preview = await api.post('/api/v1/segments/preview', { rules });
      expect(preview.body.count, JSON.stringify(rules)).toBe(expected.length);
    }
  });

  it('preview an unsaved tree: count and the first 20 people', async () => {
    await hark.send('/v1/batch', { batch: Array.from({ length: 30 }, (_, i) => ({ type: 'identify', messageId: mid(), userId: `u${i}`, traits: { n: i } })) });
    const res = await api.post('/api/v1/segments/preview', { rules: { type: 'trait', trait: 'n', op: 'gte', value: 5 } });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(25);
    expect(res.body.people).toHaveLength(20);
    expect(res.body.scanned).toBe(30);
  });

  it('answer a bad tree with every problem, keyed by path', async () => {
    const res = await api.post('/api/v1/segments', {
      name: '',
      rules: { and: [{ type: 'kind', value: ['user'] }, { type: 'trait', trait: 'plan', op: 'equals' }, { or: [{ type: 'event', event: 'A', window: { lastDays: -1 } }] }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_fields');
    expect(res.body.error.fields).toEqual({
      name: 'must not be empty',
      'rules.and.1.value': 'is required for equals',
      'rules.and.2.or.0.window.lastDays': 'must be a whole number of days from 1 to 3650',
    });
    const preview = await api.post('/api/v1/segments/preview', { rules: { or: 'x' } });
    expect(preview.status).toBe(400);
    expect(preview.body.error.fields).toEqual({ 'rules.or': 'must be a list of rules' });
    const missing = await api.post('/api/v1/segments', { name: 'x' });
    expect(missing.body.error.fields).toEqual({ rules: 'is required' });
    const deep = `{"name":"deep","rules":${'{"not":'.repeat(5000)}{"type":"opted_out"}${'}'.repeat(5000)}}`;
    const tooDeep = await hark.admin('/api/v1/segments', { method: 'POST', body: deep, headers: { 'content-type': 'application/json' } });
    expect(tooDeep.status).toBe(400);
    expect(Object.values((await tooDeep.json()).error.fields)).toEqual(['nests too deep; at most 8 levels']);
  });

  it('drop a person\'s memberships when they are erased', async () => {
    await identify(hark, 'ada');
    const id = await segment({ type: 'kind', value: ['user'] });
    expect(await hark.store.segments.count(hark.project.id, id)).toBe(1);
    const person = (await api.get('/api/v1/people/lookup?userId=ada')).body;
    expect((await api.del(`/api/v1/people/${person.id}`)).status).toBeLessThan(300);
    expect(await hark.store.segments.count(hark.project.id, id)).toBe(0);
  });
});

if (!TEST_DATABASE_URL) {
  describe.skip(`segments on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it('runs every segment test on PostgreSQL', () => undefined);
  });
}
