import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../src/team/index.js';
import { mid, startCollector, type TestCollector } from './harness.js';
import { asMember, invited, json, loggedIn, login, PASSWORD, setupAdmin, type Login } from './team-helpers.js';

// Every account costs a real scrypt (32 MiB, tens of ms, more on a busy machine): no test lowers it.
vi.setConfig({ testTimeout: 30_000 });

let hark: TestCollector;
afterEach(async () => {
  await hark?.close();
});

async function seedPerson(userId: string): Promise<string> {
  await hark.send('/v1/batch', { batch: [{ type: 'identify', messageId: mid(), userId, traits: { name: 'Grace', plan: 'free', seats: 3 } }] });
  const person = await (await hark.admin(`/api/v1/people/lookup?userId=${userId}`)).json();
  return person.id as string;
}

const problem = async (res: Response) => ({ status: res.status, ...((await res.json()) as { error: { code: string; message: string } }).error });

describe('CSRF', () => {
  it('refuses a write with the session cookie but without the session’s token, or with another', async () => {
    hark = await startCollector();
    const admin = await setupAdmin(hark);
    const patch = (headers: Record<string, string>) => asMember(hark, admin, '/api/v1/project', json('PATCH', { identityVerification: 'verify' }, headers));
    expect(await problem(await patch({ 'x-csrf-token': '' }))).toMatchObject({ status: 403, code: 'csrf' });
    expect(await problem(await patch({ 'x-csrf-token': 'a'.repeat(43) }))).toMatchObject({ status: 403, code: 'csrf' });
    const other = await loggedIn(await login(hark, 'ada@team.test', PASSWORD));
    expect(await problem(await patch({ 'x-csrf-token': other.csrf }))).toMatchObject({ status: 403, code: 'csrf' });
    // Without the header at all (asMember adds it unless one is given).
    const bare = await hark.app.request('/api/v1/project', { method: 'PATCH', headers: { cookie: admin.cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(await problem(bare)).toMatchObject({ status: 403, code: 'csrf' });
    expect((await hark.admin('/api/v1/project').then((r) => r.json())).identityVerification).toBe('off');

    const ok = await patch({});
    expect(ok.status).toBe(200);
    expect((await ok.json()).identityVerification).toBe('verify');
    // Reads need no token; a browser page of the console sends an Origin, which is fine with a session.
    expect((await asMember(hark, admin, '/api/v1/project', { headers: { origin: 'http://localhost' } })).status).toBe(200);
  });
});

describe('roles', () => {
  let admin: Login;
  let agent: Login;
  let manager: Login;
  const setUp = async () => {
    hark = await startCollector();
    admin = await setupAdmin(hark);
    agent = await invited(hark, admin, 'agent@team.test', 'agent');
    manager = await invited(hark, admin, 'manager@team.test', 'manager');
  };

  it('let an agent read everything and edit a contact’s traits, and nothing else', async () => {
    await setUp();
    const personId = await seedPerson('grace');
    for (const path of ['/api/v1/people', `/api/v1/people/${personId}`, `/api/v1/people/${personId}/activity`, '/api/v1/messages', '/api/v1/suppressions', '/api/v1/team/members', '/api/v1/me']) {
      expect((await asMember(hark, agent, path)).status, path).toBe(200);
    }
    // The verification secret can vouch for any user; only admins see it.
    expect((await (await asMember(hark, agent, '/api/v1/project')).json()).verificationSecret).toBeNull();
    expect((await (await asMember(hark, admin, '/api/v1/project')).json()).verificationSecret).toBe(hark.project.settings.verificationSecret);

    const settings = await problem(await asMember(hark, agent, '/api/v1/project', json('PATCH', { identityVerification: 'enforce' })));
    expect(settings).toMatchObject({ status: 403, code: 'forbidden' });
    expect(settings.message).toBe('This needs the admin role; you are an agent.');
    expect(await problem(await asMember(hark, agent, '/api/v1/project/keys/rotate', json('POST', { key: 'secret' })))).toMatchObject({ status: 403, code: 'forbidden' });
    const message = await problem(await asMember(hark, agent, '/api/v1/messages', json('POST', { name: 'Hi', kind: 'notification', content: { title: 'Hi' } })));
    expect(message).toMatchObject({ status: 403, code: 'forbidden', message: 'This needs the manager role or higher; you are an agent.' });
    expect((await asMember(hark, agent, '/api/v1/suppressions', json('POST', { emails: ['x@y.test'] }))).status).toBe(403);
    expect((await asMember(hark, agent, `/api/v1/people/${personId}`, { method: 'DELETE' })).status).toBe(403);
    expect((await asMember(hark, agent, '/api/v1/team/invites', json('POST', { email: 'z@team.test', role: 'agent' }))).status).toBe(403);
    expect((await hark.admin('/api/v1/project').then((r) => r.json())).identityVerification).toBe('off');

    const edited = await asMember(hark, agent, `/api/v1/people/${personId}`, json('PATCH', { traits: { plan: 'pro', seats: null, tags: ['vip'] } }));
    expect(edited.status).toBe(200);
    expect((await edited.json()).traits).toEqual({ name: 'Grace', plan: 'pro', tags: ['vip'] });
    expect((await hark.admin(`/api/v1/people/${personId}`).then((r) => r.json())).traits).toEqual({ name: 'Grace', plan: 'pro', tags: ['vip'] });
  });

  it('let a manager change messages and contacts but not the team, keys or settings', async () => {
    await setUp();
    expect((await asMember(hark, manager, '/api/v1/suppressions', json('POST', { emails: ['x@y.test'] }))).status).toBe(200);
    const created = await asMember(hark, manager, '/api/v1/messages', json('POST', { name: 'Hi', kind: 'notification', content: { title: 'Hi', body: 'There' } }));
    expect(created.status).toBe(201);
    expect((await asMember(hark, manager, '/api/v1/team/invites', json('POST', { email: 'z@team.test', role: 'agent' }))).status).toBe(403);
    expect((await asMember(hark, manager, `/api/v1/team/members/${agent.body.member.id}`, json('PATCH', { role: 'admin' }))).status).toBe(403);
    expect((await asMember(hark, manager, `/api/v1/team/members/${agent.body.member.id}`, { method: 'DELETE' })).status).toBe(403);
    expect((await asMember(hark, manager, '/api/v1/project', json('PATCH', { allowedOrigins: [] }))).status).toBe(403);
    const rotate = await problem(await asMember(hark, manager, '/api/v1/project/keys/rotate', json('POST', { key: 'write' })));
    expect(rotate).toMatchObject({ status: 403, message: 'This needs the admin role; you are a manager.' });
    expect((await hark.admin('/api/v1/project').then((r) => r.json())).writeKey).toBe(hark.project.writeKey);
  });
});

describe('trait edits', () => {
  it('refuse what is not an object of traits, and a person who does not exist', async () => {
    hark = await startCollector();
    const personId = await seedPerson('ada');
    const patch = (body: unknown) => hark.admin(`/api/v1/people/${personId}`, json('PATCH', body));
    expect((await (await patch({ traits: 'pro' })).json()).error.fields).toEqual({ traits: 'must be an object' });
    expect((await (await patch({ traits: {}, kind: 'user' })).json()).error.fields).toEqual({ kind: 'is not a known field' });
    expect((await patch({ traits: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } })).status).toBe(400);
    expect((await hark.admin('/api/v1/people/nobody', json('PATCH', { traits: { a: 1 } }))).status).toBe(404);
  });

  it('are not undone by an older event that arrives late', async () => {
    hark = await startCollector();
    const personId = await seedPerson('ada');
    expect((await hark.admin(`/api/v1/people/${personId}`, json('PATCH', { traits: { plan: 'pro' } }))).status).toBe(200);
    const before = new Date(hark.clock.now() - 60_000).toISOString();
    await hark.send('/v1/batch', { batch: [{ type: 'identify', messageId: mid(), userId: 'ada', traits: { plan: 'free', city: 'Paris' }, timestamp: before }] });
    expect((await hark.admin(`/api/v1/people/${personId}`).then((r) => r.json())).traits).toMatchObject({ plan: 'pro', city: 'Paris' });
  });
});

describe('sessions', () => {
  it('are needed by every admin route: none, a forged one or an ended one answers 401', async () => {
    hark = await startCollector();
    const admin = await setupAdmin(hark);
    const routes: [string, string][] = [
      ['GET', '/api/v1/people'],
      ['GET', '/api/v1/people/x/activity'],
      ['PATCH', '/api/v1/people/x'],
      ['GET', '/api/v1/messages'],
      ['POST', '/api/v1/messages'],
      ['GET', '/api/v1/project'],
      ['PATCH', '/api/v1/project'],
      ['POST', '/api/v1/project/keys/rotate'],
      ['GET', '/api/v1/erasures'],
      ['GET', '/api/v1/session'],
      ['POST', '/api/v1/session/logout-everywhere'],
      ['GET', '/api/v1/me'],
      ['PATCH', '/api/v1/me'],
      ['GET', '/api/v1/team/members'],
      ['POST', '/api/v1/team/invites'],
    ];
    for (const cookie of [undefined, 'hark_session=forged-token', `hark_session=${admin.cookie.split('=')[1]}x`]) {
      for (const [method, path] of routes) {
        const res = await hark.app.request(path, { method, headers: { ...(cookie ? { cookie } : {}), 'x-csrf-token': admin.csrf, 'content-type': 'application/json' }, body: method === 'GET' ? null : '{}' });
        expect(res.status, `${method} ${path} with ${cookie ?? 'no cookie'}`).toBe(401);
      }
    }
    expect((await asMember(hark, admin, '/api/v1/people')).status).toBe(200);
  });

  it('end after 30 days unused, and each use moves that deadline', async () => {
    hark = await startCollector();
    const admin = await setupAdmin(hark);
    const day = 86_400_000;
    hark.clock.advance(29 * day);
    expect((await asMember(hark, admin, '/api/v1/me')).status).toBe(200);
    hark.clock.advance(29 * day);
    expect((await asMember(hark, admin, '/api/v1/me')).status).toBe(200);
    hark.clock.advance(30 * day);
    const ended = await asMember(hark, admin, '/api/v1/me');
    expect(await problem(ended)).toMatchObject({ status: 401, code: 'session_ended' });
  });

  it('log out alone, or everywhere at once', async () => {
    hark = await startCollector();
    const first = await setupAdmin(hark);
    const second = await loggedIn(await login(hark, 'ada@team.test', PASSWORD));
    const third = await loggedIn(await login(hark, 'ada@team.test', PASSWORD));

    const out = await asMember(hark, first, '/api/v1/session', { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^hark_session=;.*Max-Age=0/);
    expect((await asMember(hark, first, '/api/v1/session')).status).toBe(401);
    expect((await asMember(hark, second, '/api/v1/session')).status).toBe(200);

    const everywhere = await asMember(hark, second, '/api/v1/session/logout-everywhere', { method: 'POST' });
    expect(await everywhere.json()).toEqual({ ended: 2 });
    expect((await asMember(hark, second, '/api/v1/session')).status).toBe(401);
    expect((await asMember(hark, third, '/api/v1/session')).status).toBe(401);
  });

  it('answer who is logged in, with the CSRF token, never the secret key', async () => {
    hark = await startCollector();
    const admin = await setupAdmin(hark);
    const res = await asMember(hark, admin, '/api/v1/session');
    const body = await res.json();
    expect(body).toEqual({
      member: { id: admin.body.member.id, email: 'ada@team.test', name: 'Ada', role: 'admin', timeZone: 'UTC', createdAt: '2026-11-21T12:00:00.000Z' },
      project: { id: hark.project.id, name: 'Default project', writeKey: hark.project.writeKey },
      csrfToken: admin.csrf,
    });
    expect(JSON.stringify(body)).not.toContain(hark.project.secretKey);
  });
});

describe('one’s own account', () => {
  it('changes the password only with the current one, and ends the other sessions', async () => {
    hark = await startCollector();
    const here = await setupAdmin(hark);
    const elsewhere = await loggedIn(await login(hark, 'ada@team.test', PASSWORD));
    const me = (body: unknown) => asMember(hark, here, '/api/v1/me', json('PATCH', body));

    expect((await (await me({ newPassword: 'a brand new passphrase' })).json()).error.fields).toEqual({ currentPassword: 'is required to change your email or password' });
    expect((await (await me({ currentPassword: 'wrong one', newPassword: 'a brand new passphrase' })).json()).error.fields).toEqual({ currentPassword: 'is not your current password' });
    expect((await (await me({ currentPassword: PASSWORD, newPassword: 'short' })).json()).error.fields).toEqual({ newPassword: 'must be at least 10 characters' });
    expect((await login(hark, 'ada@team.test', PASSWORD)).status).toBe(200);

    const changed = await me({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.status).toBe(200);
    expect((await asMember(hark, here, '/api/v1/me')).status).toBe(200);
    expect((await asMember(hark, elsewhere, '/api/v1/me')).status).toBe(401);
    expect((await login(hark, 'ada@team.test', PASSWORD)).status).toBe(401);
    await loggedIn(await login(hark, 'ada@team.test', 'a brand new passphrase'));
  });

  it('changes name, time zone and email, the email with the current password', async () => {
    hark = await startCollector();
    const here = await setupAdmin(hark);
    const me = (body: unknown) => asMember(hark, here, '/api/v1/me', json('PATCH', body));
    expect((await (await me({ timeZone: 'Mars/Olympus' })).json()).error.fields).toEqual({ timeZone: 'must be an IANA time zone such as Europe/Paris or UTC' });
    expect((await (await me({ email: 'ada@new.test' })).json()).error.fields).toEqual({ currentPassword: 'is required to change your email or password' });
    expect((await (await me({ role: 'admin' })).json()).error.fields).toEqual({ role: 'is not a known field' });
    const res = await me({ name: 'Ada L.', timeZone: 'America/New_York', email: 'Ada@New.test', currentPassword: PASSWORD });
    expect(await res.json()).toMatchObject({ name: 'Ada L.', timeZone: 'America/New_York', email: 'ada@new.test' });
    await loggedIn(await login(hark, 'ada@new.test', PASSWORD));
  });
});

describe('another project', () => {
  it('is never reached with a session of this one, nor this one with its session', async () => {
    hark = await startCollector();
    const ours = await seedPerson('ours');
    // The store makes one project; a second is inserted into the same file, as a second tenant would be.
    const otherId = randomUUID();
    const db = new Database(hark.dbPath);
    db.prepare(`INSERT INTO projects (id, name, write_key, secret_key, secret_key_hash, settings, is_default, created_at)
      VALUES (?, 'Other', 'hk_w_other', 'hk_s_other', 'other-hash', '{}', 0, 0)`).run(otherId);
    db.close();
    const member = { id: randomUUID(), projectId: otherId, email: 'mallory@other.test', name: 'Mallory', role: 'admin' as const, timeZone: 'UTC', passwordHash: await hashPassword(PASSWORD), createdAt: 0 };
    expect(await hark.store.team.createFirstMember(member, null)).toBe('ok');
    const mallory = await loggedIn(await login(hark, 'mallory@other.test', PASSWORD));
    expect(mallory.body.project).toMatchObject({ id: otherId, name: 'Other' });

    expect((await (await asMember(hark, mallory, '/api/v1/people')).json()).items).toEqual([]);
    for (const path of [`/api/v1/people/${ours}`, `/api/v1/people/${ours}/export`]) expect((await asMember(hark, mallory, path)).status, path).toBe(404);
    expect((await asMember(hark, mallory, `/api/v1/people/${ours}`, json('PATCH', { traits: { owned: true } }))).status).toBe(404);
    expect((await asMember(hark, mallory, `/api/v1/people/${ours}`, { method: 'DELETE' })).status).toBe(404);
    expect((await (await asMember(hark, mallory, '/api/v1/project')).json()).id).toBe(otherId);

    const admin = await setupAdmin(hark);
    expect((await asMember(hark, mallory, `/api/v1/team/members/${admin.body.member.id}`, json('PATCH', { role: 'agent' }))).status).toBe(404);
    expect((await asMember(hark, mallory, `/api/v1/team/members/${admin.body.member.id}`, { method: 'DELETE' })).status).toBe(404);
    const team = await (await asMember(hark, admin, '/api/v1/team/members')).json();
    expect(team.data.map((m: { email: string }) => m.email)).toEqual(['ada@team.test']);
    expect((await hark.admin(`/api/v1/people/${ours}`).then((r) => r.json())).traits).not.toHaveProperty('owned');
  });
});
