import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mid, startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

const at = (s: number) => new Date(Date.parse('2026-11-01T00:00:00.000Z') + s * 1000).toISOString();

async function seedPeople(count: number): Promise<void> {
  const batch = Array.from({ length: count }, (_, i) => ({
    type: 'identify',
    messageId: mid('seed'),
    userId: `user-${String(i).padStart(3, '0')}`,
    traits: { name: `Person ${i}`, email: `person${i}@example.com`, plan: i % 3 === 0 ? 'pro' : 'free' },
    timestamp: at(i),
  }));
  batch.push({ type: 'page', messageId: mid('seed'), anonymousId: 'just-browsing', timestamp: at(count) } as never);
  await hark.send('/v1/batch', { batch });
}

describe('admin API authentication', () => {
  it('needs the secret key, and never accepts the write key', async () => {
    expect((await hark.app.request('/api/v1/people')).status).toBe(401);
    const withWriteKey = await hark.app.request('/api/v1/people', { headers: { authorization: `Bearer ${hark.project.writeKey}` } });
    expect(withWriteKey.status).toBe(401);
    expect((await withWriteKey.json()).error.code).toBe('invalid_secret_key');
    expect((await hark.admin('/api/v1/people')).status).toBe(200);
  });

  it('refuses the secret key when a browser page sends it', async () => {
    const res = await hark.admin('/api/v1/people', { headers: { origin: 'https://customer.test' } });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('browser_origin');
  });
});

describe('GET /api/v1/people', () => {
  it('pages through everyone, most recently seen first, without repeats or gaps', async () => {
    await seedPeople(25);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await hark.admin(`/api/v1/people?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await res.json()) as { items: { id: string; userId: string | null }[]; nextCursor: string | null };
      seen.push(...body.items.map((p) => p.userId ?? 'visitor'));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    expect(seen.slice(0, 3)).toEqual(['visitor', 'user-024', 'user-023']);
  });

  it('filters by kind, searches email, name or user id, and filters on a trait', async () => {
    await seedPeople(12);
    const kinds = await (await hark.admin('/api/v1/people?kind=visitor')).json();
    expect(kinds.items).toHaveLength(1);
    const byEmail = await (await hark.admin('/api/v1/people?q=PERSON7@')).json();
    expect(byEmail.items.map((p: { userId: string }) => p.userId)).toEqual(['user-007']);
    const byName = await (await hark.admin('/api/v1/people?q=person 1')).json();
    expect(byName.items.map((p: { userId: string }) => p.userId).sort()).toEqual(['user-001', 'user-010', 'user-011']);
    const pro = await (await hark.admin('/api/v1/people?trait.plan=pro&limit=200')).json();
    expect(pro.items.map((p: { userId: string }) => p.userId).sort()).toEqual(['user-000', 'user-003', 'user-006', 'user-009']);
  });

  it('treats % and _ in a search as plain characters', async () => {
    await seedPeople(3);
    expect((await (await hark.admin('/api/v1/people?q=%25')).json()).items).toEqual([]);
  });

  it('answers bad paging and filters with 400', async () => {
    for (const query of ['limit=0', 'limit=500', 'limit=abc', 'kind=robot', 'cursor=garbage', 'trait.a=1&trait.b=2']) {
      const res = await hark.admin(`/api/v1/people?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error.message.length).toBeGreaterThan(5);
    }
  });
});

describe('people lookups', () => {
  it('finds a person by user id, anonymous id or email, and answers 404 otherwise', async () => {
    await hark.send('/v1/batch', { batch: [{ type: 'identify', messageId: mid(), anonymousId: 'anon-l', userId: 'user-l', traits: { email: 'Lee@Example.com' } }] });
    const byUser = await (await hark.admin('/api/v1/people/lookup?userId=user-l')).json();
    const byAnon = await (await hark.admin('/api/v1/people/lookup?anonymousId=anon-l')).json();
    const byEmail = await (await hark.admin('/api/v1/people/lookup?email=lee@example.com')).json();
    expect(byAnon.id).toBe(byUser.id);
    expect(byEmail.id).toBe(byUser.id);
    expect((await hark.admin('/api/v1/people/lookup?userId=nobody')).status).toBe(404);
    expect((await hark.admin('/api/v1/people/lookup')).status).toBe(400);
    expect((await hark.admin('/api/v1/people/lookup?userId=a&email=b')).status).toBe(400);
    expect((await hark.admin('/api/v1/people/not-a-person')).status).toBe(404);
    expect((await hark.admin('/api/v1/people/not-a-person/activity')).status).toBe(404);
    expect((await hark.admin('/api/v1/companies/none')).status).toBe(404);
  });
});

describe('GET /api/v1/people/:id/activity', () => {
  it('pages the timeline newest first with device and page context', async () => {
    const batch = Array.from({ length: 7 }, (_, i) => ({
      type: 'page', messageId: `page-${i}`, anonymousId: 'anon-m', timestamp: at(i),
      context: { page: { url: `https://acme.test/p/${i}`, path: `/p/${i}`, title: `Page ${i}`, referrer: 'https://search.test/' },
        userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1' },
    }));
    await hark.send('/v1/batch', { batch });
    const person = await (await hark.admin('/api/v1/people/lookup?anonymousId=anon-m')).json();
    const first = await (await hark.admin(`/api/v1/people/${person.id}/activity?limit=4`)).json();
    const second = await (await hark.admin(`/api/v1/people/${person.id}/activity?limit=4&cursor=${first.nextCursor}`)).json();
    expect(first.items.map((i: { messageId: string }) => i.messageId)).toEqual(['page-6', 'page-5', 'page-4', 'page-3']);
    expect(second.items.map((i: { messageId: string }) => i.messageId)).toEqual(['page-2', 'page-1', 'page-0']);
    expect(second.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({
      type: 'page',
      timestamp: at(6),
      page: { url: 'https://acme.test/p/6', path: '/p/6', title: 'Page 6', referrer: 'https://search.test/' },
      device: { browser: 'Mobile Safari', os: 'iOS', type: 'mobile' },
    });
  });
});
