import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminJson } from './audience-helpers.js';
import { startCollector, storeKinds, type TestCollector } from './harness.js';
import { ask, batch, createMessage, identify, ids, whyNot } from './message-helpers.js';
import { POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';

// A PostgreSQL collector migrates a fresh schema per test.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
if (!TEST_DATABASE_URL) warnPostgresSkipped('suppression rules on PostgreSQL');
let hark: TestCollector;
let api: ReturnType<typeof adminJson>;

describe.each(storeKinds())('suppression rules on $name', ({ url }) => {
  beforeEach(async () => {
    hark = await startCollector({ ...(url ? { postgres: url } : {}) });
    api = adminJson(hark);
  });
  afterEach(async () => {
    await hark.close();
  });

  it('are created, listed, changed and deleted', async () => {
    const created = await api.post('/api/v1/suppression-rules', { name: 'Churned', rules: { type: 'trait', trait: 'churned', op: 'equals', value: true } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Churned', enabled: true });
    expect((await api.get('/api/v1/suppression-rules')).body.items).toHaveLength(1);
    const off = await api.patch(`/api/v1/suppression-rules/${created.body.id}`, { enabled: false });
    expect(off.body.enabled).toBe(false);
    expect((await api.get(`/api/v1/suppression-rules/${created.body.id}`)).body.enabled).toBe(false);
    const bad = await api.patch(`/api/v1/suppression-rules/${created.body.id}`, { rules: { not: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({ 'rules.not': expect.stringContaining('must be a rule') });
    expect((await api.del(`/api/v1/suppression-rules/${created.body.id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/suppression-rules/${created.body.id}`)).status).toBe(404);
  });

  it('keep every message from whoever fulfils them, and debug names the rule', async () => {
    await batch(hark, identify({ userId: 'ada' }, { churned: true }), identify({ userId: 'bob' }));
    const message = await createMessage(hark);
    expect(ids(await ask(hark, { userId: 'ada' }))).toEqual([message.id]);
    const rule = (await api.post('/api/v1/suppression-rules', { name: 'Churned', rules: { type: 'trait', trait: 'churned', op: 'equals', value: true } })).body;
    const ada = await ask(hark, { userId: 'ada', debug: '1' });
    expect(ids(ada)).toEqual([]);
    expect(whyNot(ada, message.id)).toBe(`suppression: suppression rule "Churned" (${rule.id}) holds for the person`);
    expect(ids(await ask(hark, { userId: 'bob' }))).toEqual([message.id]);
    await api.patch(`/api/v1/suppression-rules/${rule.id}`, { enabled: false });
    expect(ids(await ask(hark, { userId: 'ada' }))).toEqual([message.id]);
  });
});

if (!TEST_DATABASE_URL) {
  describe.skip(`suppression rules on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it('runs every suppression rule test on PostgreSQL', () => undefined);
  });
}
