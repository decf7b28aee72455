import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePath, readPath } from '../src/hooks/json-path.js';
import { mapPayload, type HookMapping } from '../src/hooks/hook-mapping.js';
import { startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const FORM: HookMapping = {
  event: { name: 'Form Submitted' },
  email: '$.data.fields[0].value',
  traits: { name: '$.data.name', company: '$.data["company name"]' },
  properties: { form: '$.form.id', plan: '$.data.plan' },
  sourceId: '$.delivery_id',
};
const payload = (deliveryId: string, email = 'Ana@Acme.test') => ({
  delivery_id: deliveryId,
  form: { id: 'demo-request' },
  data: { fields: [{ value: email }], name: 'Ana', 'company name': 'Acme' },
});

async function createSource(mapping: unknown = FORM, name = 'Landing form') {
  return hark.admin('/api/v1/hook-sources', json('POST', { name, mapping }));
}
async function deliver(token: string, body: unknown, contentType = 'application/json') {
  return hark.app.request(`/hooks/${token}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('JSON paths', () => {
  it('read the $.a.b[0].c subset and refuse the rest', () => {
    const doc = { a: { b: [{ c: 1 }], 'x y': 'spaced' } };
    expect(readPath(doc, parsePath('$.a.b[0].c')!)).toBe(1);
    expect(readPath(doc, parsePath('$.a["x y"]')!)).toBe('spaced');
    expect(readPath(doc, parsePath('$')!)).toBe(doc);
    expect(readPath(doc, parsePath('$.a.b[3].c')!)).toBeUndefined();
    expect(readPath(doc, parsePath('$.a.constructor')!)).toBeUndefined();
    for (const bad of ['a.b', '$..a', '$.a[*]', '$[?(@.a)]', '$.', '$.a[-1]']) expect(parsePath(bad), bad).toBeNull();
  });

  it('map a payload, naming every missing path at once', () => {
    expect(mapPayload(FORM, payload('d1'))).toEqual({
      ok: true,
      mapped: { event: 'Form Submitted', userId: null, email: 'Ana@Acme.test', anonymousId: null, traits: { name: 'Ana', company: 'Acme' }, properties: { form: 'demo-request' }, sourceId: 'd1' },
    });
    expect(mapPayload({ ...FORM, event: { path: '$.type' } }, { data: {} })).toMatchObject({ ok: false, code: 'mapping_path_missing', paths: ['$.type', '$.delivery_id', '$.data.fields[0].value'] });
    expect(mapPayload(FORM, { ...payload('d1'), data: { fields: [{ value: { nested: true } }] } })).toMatchObject({ ok: false, code: 'mapping_path_invalid', paths: ['$.data.fields[0].value'] });
  });
});

describe('inbound webhook sources', () => {
  it('are made with a token shown once, listed without it, and deleted', async () => {
    const res = await createSource();
    expect(res.status).toBe(201);
    const made = await res.json();
    expect(made).toMatchObject({ name: 'Landing form', mapping: FORM, token: expect.stringMatching(/^hk_h_/), url: expect.stringMatching(/\/hooks\/hk_h_/) });
    const listed = await (await hark.admin('/api/v1/hook-sources')).text();
    expect(listed).not.toContain(made.token);
    expect(JSON.parse(listed).items).toEqual([expect.objectContaining({ id: made.id, tokenPrefix: made.token.slice(0, 10) })]);
    expect((await hark.admin(`/api/v1/hook-sources/${made.id}`, json('PATCH', { name: 'Renamed' }))).status).toBe(200);
    expect((await (await hark.admin(`/api/v1/hook-sources/${made.id}`)).json()).name).toBe('Renamed');
    expect((await hark.admin(`/api/v1/hook-sources/${made.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await deliver(made.token, payload('d1'))).status).toBe(404);
    expect((await hark.admin(`/api/v1/hook-sources/${made.id}`)).status).toBe(404);
  });

  it('refuse a mapping that is not valid, every field at once', async () => {
    const res = await createSource({ event: {}, email: 'data.email', traits: { plan: '$..plan' }, extra: 1 }, '');
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe('invalid_fields');
    expect(Object.keys(error.fields).sort()).toEqual(['mapping.email', 'mapping.event', 'mapping.extra', 'mapping.traits.plan', 'name']);
  });

  it('preview what a sample payload maps to, storing nothing', async () => {
    const res = await hark.admin('/api/v1/hook-sources/try', json('POST', { mapping: FORM, payload: payload('d9') }));
    const preview = await res.json();
    expect(preview).toMatchObject({ ok: true, mapped: { event: 'Form Submitted', email: 'Ana@Acme.test' } });
    expect(preview.events.map((e: { type: string }) => e.type)).toEqual(['identify', 'track']);
    const missing = await (await hark.admin('/api/v1/hook-sources/try', json('POST', { mapping: FORM, payload: {} }))).json();
    expect(missing).toMatchObject({ ok: false, error: { code: 'mapping_path_missing' } });
    expect((await hark.store.projectTotals(hark.project.id)).events).toBe(0);
  });
});

describe('POST /hooks/:token', () => {
  it('maps a delivery into a track event of a lead, with traits, stored once however often it is delivered', async () => {
    const { token } = await (await createSource()).json();
    const first = await deliver(token, payload('d1'));
    expect(first.status).toBe(202);
    const answer = await first.json();
    expect(answer).toMatchObject({ ok: true, event: 'Form Submitted', duplicate: false });
    const again = await deliver(token, payload('d1'));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, messageId: answer.messageId });

    const person = await (await hark.admin('/api/v1/people/lookup?email=ana@acme.test')).json();
    expect(person).toMatchObject({ kind: 'lead', email: 'ana@acme.test', traits: { name: 'Ana', company: 'Acme' } });
    const activity = (await (await hark.admin(`/api/v1/people/${person.id}/activity`)).json()).items as { type: string; name: string; properties: unknown }[];
    expect(activity.filter((item) => item.type === 'track')).toEqual([expect.objectContaining({ name: 'Form Submitted', properties: { form: 'demo-request' }, channel: 'webhook' })]);
    expect(activity).toHaveLength(2);

    // A new delivery of the same email lands on the same contact.
    await deliver(token, payload('d2', 'ana@acme.test'));
    const after = await (await hark.admin(`/api/v1/people/${person.id}/activity`)).json();
    expect(after.items.filter((item: { type: string }) => item.type === 'track')).toHaveLength(2);
    expect((await hark.store.projectTotals(hark.project.id)).people).toBe(1);
  });

  it('reaches the contact who already holds the email, and takes the event name from the payload', async () => {
    await hark.send('/v1/batch', { batch: [{ type: 'identify', messageId: 'i1', anonymousId: 'browser-1', traits: { email: 'bea@acme.test' } }] });
    const { token } = await (await createSource({ event: { path: '$.type' }, email: '$.email' })).json();
    expect((await deliver(token, { type: 'Webinar Registered', email: 'bea@acme.test' })).status).toBe(202);
    const person = await (await hark.admin('/api/v1/people/lookup?anonymousId=browser-1')).json();
    const names = (await (await hark.admin(`/api/v1/people/${person.id}/activity`)).json()).items.map((item: { name: string }) => item.name);
    expect(names).toContain('Webinar Registered');
    expect((await hark.store.projectTotals(hark.project.id)).people).toBe(1);
  });

  it('answers bad payloads with what is wrong: missing paths, not JSON, too large; and unknown tokens with 404', async () => {
    const { token } = await (await createSource()).json();
    const missing = await deliver(token, { delivery_id: 'd1' });
    expect(missing.status).toBe(400);
    const { error } = await missing.json();
    expect(error).toMatchObject({ code: 'mapping_path_missing', message: 'mapping_path_missing: $.data.fields[0].value', fields: { '$.data.fields[0].value': 'is missing from the payload' } });
    expect((await deliver(token, 'name=Ana', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await deliver(token, '{not json')).status).toBe(400);
    expect((await deliver(token, { ...payload('big'), filler: 'x'.repeat(70 * 1024) })).status).toBe(413);
    expect((await deliver('hk_h_nope', payload('d1'))).status).toBe(404);
    expect((await hark.store.projectTotals(hark.project.id)).events).toBe(0);
  });

  it('lets only admins and the secret key make sources', async () => {
    const res = await hark.app.request('/api/v1/hook-sources', json('POST', { name: 'x', mapping: FORM }));
    expect(res.status).toBe(401);
  });
});
