import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminJson, identify } from './audience-helpers.js';
import { startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
let api: ReturnType<typeof adminJson>;
beforeEach(async () => {
  hark = await startCollector();
  api = adminJson(hark);
});
afterEach(async () => {
  await hark.close();
});

describe('lists', () => {
  it('are created, listed newest first, renamed and deleted', async () => {
    const a = await api.post('/api/v1/lists', { name: 'Beta testers' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name: 'Beta testers', size: 0 });
    hark.clock.advance(1000);
    const b = await api.post('/api/v1/lists', { name: 'Webinar' });
    const all = await api.get('/api/v1/lists');
    expect(all.body.items.map((l: { name: string }) => l.name)).toEqual(['Webinar', 'Beta testers']);

    const renamed = await api.patch(`/api/v1/lists/${a.body.id}`, { name: 'Early access' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Early access');
    expect((await api.get(`/api/v1/lists/${a.body.id}`)).body.name).toBe('Early access');

    expect((await api.del(`/api/v1/lists/${b.body.id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/lists/${b.body.id}`)).status).toBe(404);
    expect((await api.del(`/api/v1/lists/${b.body.id}`)).status).toBe(404);
  });

  it('refuse a missing or empty name with field errors', async () => {
    const empty = await api.post('/api/v1/lists', { name: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_fields');
    expect(empty.body.error.fields).toHaveProperty('name');
    const extra = await api.post('/api/v1/lists', { name: 'x', color: 'red' });
    expect(extra.body.error.fields).toHaveProperty('color');
  });

  it('take people by id, email or user id, and report who was not found', async () => {
    const ada = await identify(hark, 'ada', { email: 'ada@example.com', name: 'Ada' });
    const bob = await identify(hark, 'bob', { name: 'Bob' });
    await identify(hark, 'cy', { email: 'cy@example.com' });
    const list = (await api.post('/api/v1/lists', { name: 'VIP' })).body;

    const added = await api.post(`/api/v1/lists/${list.id}/people`, {
      people: [{ id: ada }, { userId: 'bob' }, { email: 'CY@example.com' }, { email: 'nobody@example.com' }, { id: 'nope' }],
    });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ added: 3, unchanged: 0, notFound: [{ email: 'nobody@example.com' }, { id: 'nope' }] });

    const again = await api.post(`/api/v1/lists/${list.id}/people`, { people: [{ id: bob }] });
    expect(again.body).toMatchObject({ added: 0, unchanged: 1 });
    expect((await api.get(`/api/v1/lists/${list.id}`)).body.size).toBe(3);

    const people = await api.get(`/api/v1/lists/${list.id}/people?limit=2`);
    expect(people.body.items).toHaveLength(2);
    expect(people.body.nextCursor).toBeTruthy();
    const rest = await api.get(`/api/v1/lists/${list.id}/people?limit=2&cursor=${people.body.nextCursor}`);
    expect(rest.body.items).toHaveLength(1);
    const ids = [...people.body.items, ...rest.body.items].map((p: { userId: string }) => p.userId).sort();
    expect(ids).toEqual(['ada', 'bob', 'cy']);

    const removed = await api.del(`/api/v1/lists/${list.id}/people`, { people: [{ userId: 'bob' }] });
    expect(removed.body).toMatchObject({ removed: 1 });
    expect((await api.get(`/api/v1/lists/${list.id}`)).body.size).toBe(2);
  });

  it('answer 404 for people of a list that does not exist, and 400 for a bad person reference', async () => {
    expect((await api.get('/api/v1/lists/nope/people')).status).toBe(404);
    expect((await api.post('/api/v1/lists/nope/people', { people: [{ id: 'x' }] })).status).toBe(404);
    const list = (await api.post('/api/v1/lists', { name: 'L' })).body;
    const bad = await api.post(`/api/v1/lists/${list.id}/people`, { people: [{ phone: '1' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('people.0');
  });

  it('offer addPeopleToList to the importer, skipping unknown ids', async () => {
    const ada = await identify(hark, 'ada');
    const list = await hark.store.lists.create(hark.project.id, 'Imported', hark.clock.now());
    expect(await hark.store.lists.addPeopleToList(hark.project.id, list.id, [ada, 'ghost', ada], hark.clock.now())).toBe(1);
    expect((await hark.store.lists.get(hark.project.id, list.id))!.size).toBe(1);
  });
});
