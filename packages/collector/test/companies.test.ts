import { afterEach, describe, expect, it } from 'vitest';
import { mid, startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
afterEach(async () => {
  await hark?.close();
});

const send = (method: string, path: string, body?: unknown) =>
  hark.admin(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
async function ok<T = any>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const answer = await res;
  const body = answer.status === 204 ? null : await answer.json();
  expect(answer.status, JSON.stringify(body)).toBe(status);
  return body as T;
}

describe('companies', () => {
  it('creates, lists, searches, pages, edits and deletes companies', async () => {
    hark = await startCollector();
    const acme = await ok(send('POST', '/api/v1/companies', { id: 'acme', name: 'Acme Inc', traits: { plan: 'pro', seats: 12 } }), 201);
    expect(acme).toMatchObject({ id: 'acme', name: 'Acme Inc', traits: { name: 'Acme Inc', plan: 'pro', seats: 12 }, size: 0 });
    hark.clock.advance(1000);
    const globex = await ok(send('POST', '/api/v1/companies', { name: 'Globex' }), 201);
    expect(globex.id).toMatch(/^[0-9a-f-]{36}$/);
    hark.clock.advance(1000);
    await ok(send('POST', '/api/v1/companies', { id: 'initech', name: 'Initech 50% off' }), 201);

    const all = await ok(hark.admin('/api/v1/companies'));
    expect(all.items.map((c: { name: string }) => c.name)).toEqual(['Initech 50% off', 'Globex', 'Acme Inc']);
    expect((await ok(hark.admin('/api/v1/companies?q=acme'))).items.map((c: { id: string }) => c.id)).toEqual(['acme']);
    expect((await ok(hark.admin('/api/v1/companies?q=GLOB'))).items.map((c: { id: string }) => c.id)).toEqual([globex.id]);
    expect((await ok(hark.admin('/api/v1/companies?q=50%25'))).items.map((c: { id: string }) => c.id)).toEqual(['initech']);
    // LIKE wildcards are searched as themselves.
    expect((await ok(hark.admin('/api/v1/companies?q=5_'))).items).toHaveLength(0);
    const first = await ok(hark.admin('/api/v1/companies?limit=2'));
    expect(first.items).toHaveLength(2);
    const second = await ok(hark.admin(`/api/v1/companies?limit=2&cursor=${first.nextCursor}`));
    expect(second.items.map((c: { id: string }) => c.id)).toEqual(['acme']);
    expect(second.nextCursor).toBeNull();

    const edited = await ok(send('PATCH', '/api/v1/companies/acme', { name: 'Acme Corp', traits: { seats: 20, plan: null } }));
    expect(edited.traits).toEqual({ name: 'Acme Corp', seats: 20 });
    expect(await ok(send('DELETE', '/api/v1/companies/initech'), 204)).toBeNull();
    expect((await send('GET', '/api/v1/companies/initech')).status).toBe(404);
    expect((await send('DELETE', '/api/v1/companies/initech')).status).toBe(404);
    expect((await send('PATCH', '/api/v1/companies/nope', { name: 'x' })).status).toBe(404);
  });

  it('answers bad input with field errors and a taken id with 409', async () => {
    hark = await startCollector();
    await ok(send('POST', '/api/v1/companies', { id: 'acme' }), 201);
    const taken = await ok(send('POST', '/api/v1/companies', { id: 'acme' }), 409);
    expect(taken.error.code).toBe('exists');
    const bad = await ok(send('POST', '/api/v1/companies', { id: '', name: 7, traits: [], color: 'red' }), 400);
    expect(bad.error.code).toBe('invalid_fields');
    expect(Object.keys(bad.error.fields).sort()).toEqual(['color', 'id', 'name', 'traits']);
    const deep = await ok(send('PATCH', '/api/v1/companies/acme', { traits: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } } }), 400);
    expect(deep.error.fields).toHaveProperty('traits');
    expect((await send('GET', '/api/v1/companies?limit=0')).status).toBe(400);
    expect((await send('GET', '/api/v1/companies?cursor=garbage')).status).toBe(400);
  });

  it('adds existing contacts by id, email or user id, creates a lead with a name and an email, and removes members', async () => {
    hark = await startCollector();
    await hark.send('/v1/batch', {
      batch: [
        { type: 'identify', messageId: mid(), userId: 'u-1', anonymousId: 'a-1', traits: { email: 'Ann@Example.com', name: 'Ann' } },
        { type: 'identify', messageId: mid(), userId: 'u-2', anonymousId: 'a-2' },
        { type: 'track', event: 'Seen', messageId: mid(), anonymousId: 'a-3' },
      ],
    });
    const ann = await ok(hark.admin('/api/v1/people/lookup?userId=u-1'));
    const visitor = await ok(hark.admin('/api/v1/people/lookup?anonymousId=a-3'));
    await ok(send('POST', '/api/v1/companies', { id: 'acme', name: 'Acme' }), 201);

    const byEmail = await ok(send('POST', '/api/v1/companies/acme/people', { email: ' ann@EXAMPLE.com' }), 201);
    expect(byEmail).toMatchObject({ added: true, created: false, person: { id: ann.id } });
    expect(await ok(send('POST', '/api/v1/companies/acme/people', { id: ann.id }))).toMatchObject({ added: false, created: false });
    await ok(send('POST', '/api/v1/companies/acme/people', { userId: 'u-2' }), 201);
    await ok(send('POST', '/api/v1/companies/acme/people', { id: visitor.id }), 201);

    const lead = await ok(send('POST', '/api/v1/companies/acme/people', { email: 'bob@example.com', name: 'Bob', phone: '+33 1 23', traits: { role: 'cto' } }), 201);
    expect(lead).toMatchObject({ added: true, created: true, person: { kind: 'lead', email: 'bob@example.com', name: 'Bob', traits: { name: 'Bob', phone: '+33 1 23', role: 'cto' } } });
    // The same email again is the same person, never a second one.
    const again = await ok(send('POST', '/api/v1/companies/acme/people', { email: 'BOB@example.com', name: 'Robert' }));
    expect(again).toMatchObject({ added: false, created: false, person: { id: lead.person.id, name: 'Bob' } });

    const detail = await ok(hark.admin('/api/v1/companies/acme'));
    expect(detail.people).toHaveLength(4);
    expect((await ok(hark.admin('/api/v1/companies'))).items[0].size).toBe(4);
    const bob = await ok(hark.admin(`/api/v1/people/${lead.person.id}`));
    expect(bob.companies.map((c: { id: string }) => c.id)).toEqual(['acme']);
    expect(bob.identities.map((i: { type: string; value: string }) => [i.type, i.value])).toEqual([['email', 'bob@example.com']]);

    await ok(send('DELETE', `/api/v1/companies/acme/people/${visitor.id}`), 204);
    expect((await send('DELETE', `/api/v1/companies/acme/people/${visitor.id}`)).status).toBe(404);
    expect((await ok(hark.admin('/api/v1/companies/acme'))).people).toHaveLength(3);
  });

  it('refuses unknown people, incomplete new contacts and erased emails', async () => {
    hark = await startCollector();
    await ok(send('POST', '/api/v1/companies', { id: 'acme' }), 201);
    expect((await ok(send('POST', '/api/v1/companies/acme/people', { email: 'nobody@example.com' }), 404)).error.code).toBe('person_not_found');
    expect((await send('POST', '/api/v1/companies/nope/people', { email: 'x@example.com', name: 'X' })).status).toBe(404);
    const incomplete = await ok(send('POST', '/api/v1/companies/acme/people', { name: 'No Mail' }), 400);
    expect(incomplete.error.fields).toEqual({ email: 'is required to create a contact' });
    const badEmail = await ok(send('POST', '/api/v1/companies/acme/people', { email: 'not-an-email', name: 'X' }), 400);
    expect(badEmail.error.fields).toEqual({ email: 'is not a valid email' });
    expect((await ok(send('POST', '/api/v1/companies/acme/people', {}), 400)).error.code).toBe('invalid_fields');
    expect((await ok(send('POST', '/api/v1/companies/acme/people', { id: 'a', email: 'b@example.com' }), 400)).error.code).toBe('invalid_fields');

    const created = await ok(send('POST', '/api/v1/companies/acme/people', { email: 'gone@example.com', name: 'Gone' }), 201);
    await ok(send('DELETE', `/api/v1/people/${created.person.id}`));
    const refused = await ok(send('POST', '/api/v1/companies/acme/people', { email: 'gone@example.com', name: 'Gone' }), 409);
    expect(refused.error.code).toBe('contact_refused');
    expect((await ok(hark.admin('/api/v1/people?q=gone'))).items).toHaveLength(0);
  });

  it('group calls and the admin API write the same rows', async () => {
    hark = await startCollector();
    await ok(send('POST', '/api/v1/companies', { id: 'acme', name: 'Acme', traits: { plan: 'pro' } }), 201);
    hark.clock.advance(60_000);
    const res = await hark.send('/v1/group', { messageId: mid(), userId: 'u-9', groupId: 'acme', traits: { plan: 'enterprise', employees: 40 } });
    expect(res.status).toBe(200);
    await hark.send('/v1/group', { messageId: mid(), userId: 'u-9', groupId: 'globex', traits: { name: 'Globex' } });

    const list = await ok(hark.admin('/api/v1/companies'));
    expect(list.items.map((c: { id: string; size: number }) => [c.id, c.size])).toEqual([['globex', 1], ['acme', 1]]);
    const acme = await ok(hark.admin('/api/v1/companies/acme'));
    expect(acme.traits).toEqual({ name: 'Acme', plan: 'enterprise', employees: 40 });
    expect(acme.people[0].userId).toBe('u-9');

    // The admin edits what group wrote, and removes the member group added.
    await ok(send('PATCH', '/api/v1/companies/globex', { traits: { tier: 'gold' } }));
    expect((await ok(hark.admin('/api/v1/companies/globex'))).traits).toEqual({ name: 'Globex', tier: 'gold' });
    await ok(send('DELETE', `/api/v1/companies/acme/people/${acme.people[0].id}`), 204);
    const person = await ok(hark.admin('/api/v1/people/lookup?userId=u-9'));
    expect(person.companies.map((c: { id: string }) => c.id)).toEqual(['globex']);
  });
});
