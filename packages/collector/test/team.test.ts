import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../src/config.js';
import { createSignIn } from '../src/team/index.js';
import { startCollector, type TestCollector } from './harness.js';
import { asMember, invited, json, loggedIn, login, PASSWORD, setupAdmin } from './team-helpers.js';

// Every account costs a real scrypt (32 MiB, tens of ms, more on a busy machine): no test lowers it.
vi.setConfig({ testTimeout: 30_000 });

let hark: TestCollector;
afterEach(async () => {
  await hark?.close();
});

describe('first admin', () => {
  it('is created once through the setup link, which is then refused', async () => {
    hark = await startCollector();
    expect(await (await hark.app.request('/api/v1/setup')).json()).toEqual({ needed: false });
    const signIn = createSignIn({ store: hark.store, clock: hark.clock });
    const token = await signIn.prepareSetup(hark.project.id);
    expect(await (await hark.app.request('/api/v1/setup')).json()).toEqual({ needed: true });

    const wrong = await hark.app.request('/api/v1/setup', json('POST', { token: 'not-the-token', email: 'ada@team.test', name: 'Ada', password: PASSWORD }));
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('invalid_setup_token');

    const weak = await hark.app.request('/api/v1/setup', json('POST', { token, email: 'not an email', name: '', password: 'short' }));
    expect(weak.status).toBe(400);
    expect((await weak.json()).error.fields).toEqual({
      email: 'must be an email address',
      name: 'must not be empty',
      password: 'must be at least 10 characters',
    });

    const res = await hark.app.request('/api/v1/setup', json('POST', { token, email: ' Ada@Team.test ', name: 'Ada', password: PASSWORD }));
    const admin = await loggedIn(res);
    expect(admin.body.member).toMatchObject({ email: 'ada@team.test', name: 'Ada', role: 'admin', timeZone: 'UTC' });
    expect(admin.body.project).toEqual({ id: hark.project.id, name: hark.project.name, writeKey: hark.project.writeKey });
    expect(JSON.stringify(admin.body)).not.toContain(hark.project.secretKey);

    expect(await (await hark.app.request('/api/v1/setup')).json()).toEqual({ needed: false });
    const again = await hark.app.request('/api/v1/setup', json('POST', { token, email: 'eve@team.test', name: 'Eve', password: PASSWORD }));
    expect(again.status).toBe(403);
    expect((await again.json()).error.code).toBe('setup_done');
    expect(await signIn.prepareSetup(hark.project.id)).toBeNull();
  });

  it('is created once even when two setups race with the same link', async () => {
    hark = await startCollector();
    const token = await createSignIn({ store: hark.store, clock: hark.clock }).prepareSetup(hark.project.id);
    const attempt = (email: string) => hark.app.request('/api/v1/setup', json('POST', { token, email, name: 'Racer', password: PASSWORD }));
    const answers = await Promise.all([attempt('one@team.test'), attempt('two@team.test')]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 403]);
    expect((await (await hark.admin('/api/v1/team/members')).json()).data).toHaveLength(1);
  });

  it('reads HARK_ADMIN_EMAIL and HARK_ADMIN_PASSWORD together, or neither', () => {
    expect(readConfig({ HARK_ADMIN_EMAIL: 'ops@team.test', HARK_ADMIN_PASSWORD: PASSWORD }, '/srv/hark').admin).toEqual({ email: 'ops@team.test', password: PASSWORD });
    expect(readConfig({}, '/srv/hark').admin).toBeUndefined();
    expect(readConfig({}, '/srv/hark').consoleDir).toBe('/srv/hark/packages/console/dist');
    expect(() => readConfig({ HARK_ADMIN_EMAIL: 'ops@team.test' }, '/srv/hark')).toThrow(/both HARK_ADMIN_EMAIL and HARK_ADMIN_PASSWORD/);
  });

  it('comes from HARK_ADMIN_EMAIL and HARK_ADMIN_PASSWORD at start, once', async () => {
    hark = await startCollector();
    const signIn = createSignIn({ store: hark.store, clock: hark.clock });
    await expect(signIn.ensureAdmin(hark.project.id, { email: 'ops@team.test', password: 'short' })).rejects.toThrow(/HARK_ADMIN_PASSWORD must be at least 10/);
    expect(await signIn.ensureAdmin(hark.project.id, { email: 'ops@team.test', password: PASSWORD })).toEqual({ created: true });
    expect(await signIn.ensureAdmin(hark.project.id, { email: 'ops@team.test', password: 'another password' })).toEqual({ created: false });
    const session = await loggedIn(await login(hark, 'ops@team.test', PASSWORD));
    expect(session.body.member.role).toBe('admin');
  });
});

describe('login', () => {
  it('gives a session for the right password and the same refusal for a wrong one or an unknown email', async () => {
    hark = await startCollector();
    await setupAdmin(hark);
    const good = await loggedIn(await login(hark, 'ADA@team.test', PASSWORD));
    expect(good.body.member.email).toBe('ada@team.test');
    expect((await asMember(hark, good, '/api/v1/session')).status).toBe(200);

    const time = async (email: string, password: string) => {
      const started = performance.now();
      const res = await login(hark, email, password);
      return { ms: performance.now() - started, status: res.status, body: await res.json(), cookie: res.headers.get('set-cookie') };
    };
    const wrongPassword = await time('ada@team.test', 'not the password');
    const unknownEmail = await time('nobody@team.test', 'not the password');
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(wrongPassword.body.error.code).toBe('invalid_credentials');
    expect(unknownEmail.cookie).toBeNull();
    // An unknown email pays for a full scrypt too: not an exact race on a shared machine, but
    // an early "no such account" would answer in well under a millisecond.
    expect(unknownEmail.ms).toBeGreaterThan(wrongPassword.ms / 4);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/ and Secure on https', async () => {
    hark = await startCollector();
    await setupAdmin(hark);
    const plain = await login(hark, 'ada@team.test', PASSWORD);
    const flags = plain.headers.getSetCookie()[0]!;
    expect(flags).toMatch(/^hark_session=[A-Za-z0-9_-]{43};/);
    expect(flags).toContain('HttpOnly');
    expect(flags).toContain('SameSite=Strict');
    expect(flags).toContain('Path=/');
    expect(flags).toContain(`Max-Age=${30 * 86400}`);
    expect(flags).not.toContain('Secure');
    expect(plain.headers.get('cache-control')).toBe('no-store');

    const secure = await hark.app.request('https://hark.example/api/v1/session', json('POST', { email: 'ada@team.test', password: PASSWORD }));
    expect(secure.headers.getSetCookie()[0]).toContain('Secure');
  });

  it('is rate limited per email and per address, with Retry-After, and recovers as time passes', async () => {
    hark = await startCollector({
      app: { trustProxy: true, loginLimits: { perEmail: { perSecond: 1 / 60, burst: 3 }, perAddress: { perSecond: 1 / 60, burst: 5 } } },
    });
    await setupAdmin(hark);
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let i = 0; i < 3; i++) expect((await login(hark, 'ada@team.test', 'guess number ' + i, from(`10.0.0.${i}`))).status).toBe(401);
    const limited = await login(hark, 'ada@team.test', PASSWORD, from('10.0.0.9'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect((await limited.json()).error.message).toContain('email');

    for (let i = 0; i < 5; i++) expect((await login(hark, `someone${i}@team.test`, 'guess', from('10.9.9.9'))).status).toBe(401);
    const byAddress = await login(hark, 'other@team.test', 'guess', from('10.9.9.9'));
    expect(byAddress.status).toBe(429);
    expect((await byAddress.json()).error.message).toContain('address');

    hark.clock.advance(60_000);
    await loggedIn(await login(hark, 'ada@team.test', PASSWORD, from('10.0.0.9')));
  });
});

describe('invites', () => {
  it('lead from an admin’s invite to a new member who can log in', async () => {
    hark = await startCollector();
    const admin = await setupAdmin(hark);
    const res = await asMember(hark, admin, '/api/v1/team/invites', json('POST', { email: 'Bob@Team.test', role: 'manager' }));
    const invite = await res.json();
    expect(res.status).toBe(201);
    expect(invite).toMatchObject({ email: 'bob@team.test', role: 'manager', expiresAt: '2026-11-28T12:00:00.000Z' });
    expect(invite.inviteUrl).toBe(`http://localhost/console/invite?token=${invite.token}`);

    const pending = await (await asMember(hark, admin, '/api/v1/team/invites')).json();
    expect(pending.data).toEqual([expect.objectContaining({ id: invite.id, email: 'bob@team.test', role: 'manager', invitedBy: admin.body.member.id })]);
    expect(JSON.stringify(pending)).not.toContain(invite.token);

    expect(await (await hark.app.request(`/api/v1/invites/${invite.token}`)).json()).toEqual({ email: 'bob@team.test', role: 'manager', projectName: 'Default project' });
    expect((await hark.app.request('/api/v1/invites/forged')).status).toBe(404);
    const weak = await hark.app.request(`/api/v1/invites/${invite.token}/accept`, json('POST', { name: 'Bob', password: 'short' }));
    expect((await weak.json()).error.fields).toEqual({ password: 'must be at least 10 characters' });

    hark.clock.advance(1000);
    const bob = await loggedIn(await hark.app.request(`/api/v1/invites/${invite.token}/accept`, json('POST', { name: 'Bob', password: PASSWORD, timeZone: 'Europe/Paris' })));
    expect(bob.body.member).toMatchObject({ email: 'bob@team.test', role: 'manager', timeZone: 'Europe/Paris' });
    expect((await hark.app.request(`/api/v1/invites/${invite.token}`)).status).toBe(404);
    expect((await hark.app.request(`/api/v1/invites/${invite.token}/accept`, json('POST', { name: 'Eve', password: PASSWORD }))).status).toBe(404);

    await loggedIn(await login(hark, 'bob@team.test', PASSWORD));
    const members = await (await asMember(hark, admin, '/api/v1/team/members')).json();
    expect(members.data.map((m: { email: string; role: string }) => `${m.email} ${m.role}`)).toEqual(['ada@team.test admin', 'bob@team.test manager']);
    expect(JSON.stringify(members)).not.toMatch(/scrypt|password/i);
  });

  it('expire after seven days, can be revoked, and are refused for an email that has an account', async () => {
    hark = await startCollector();
    const admin = await setupAdmin(hark);
    const make = async (email: string) => (await asMember(hark, admin, '/api/v1/team/invites', json('POST', { email, role: 'agent' }))).json();
    const late = await make('late@team.test');
    const revoked = await make('gone@team.test');
    expect((await asMember(hark, admin, `/api/v1/team/invites/${revoked.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await hark.app.request(`/api/v1/invites/${revoked.token}`)).status).toBe(404);
    hark.clock.advance(7 * 86_400_000);
    expect((await hark.app.request(`/api/v1/invites/${late.token}`)).status).toBe(404);
    expect((await hark.app.request(`/api/v1/invites/${late.token}/accept`, json('POST', { name: 'Late', password: PASSWORD }))).status).toBe(404);
    expect((await (await asMember(hark, admin, '/api/v1/team/invites')).json()).data).toEqual([]);

    const taken = await asMember(hark, admin, '/api/v1/team/invites', json('POST', { email: 'ada@team.test', role: 'agent' }));
    expect(taken.status).toBe(409);
    expect((await taken.json()).error.code).toBe('already_member');
    const bad = await asMember(hark, admin, '/api/v1/team/invites', json('POST', { email: 'x@team.test', role: 'owner' }));
    expect((await bad.json()).error.fields).toEqual({ role: 'must be one of admin, manager, agent' });
  });
});

describe('the team', () => {
  it('always keeps one admin, and a removed member’s sessions end', async () => {
    hark = await startCollector();
    const admin = await setupAdmin(hark);
    const adaId = admin.body.member.id;
    const demote = await asMember(hark, admin, `/api/v1/team/members/${adaId}`, json('PATCH', { role: 'agent' }));
    expect(demote.status).toBe(409);
    expect((await demote.json()).error.code).toBe('last_admin');
    expect((await asMember(hark, admin, `/api/v1/team/members/${adaId}`, { method: 'DELETE' })).status).toBe(409);

    const bob = await invited(hark, admin, 'bob@team.test', 'agent');
    const promoted = await asMember(hark, admin, `/api/v1/team/members/${bob.body.member.id}`, json('PATCH', { role: 'admin' }));
    expect(await promoted.json()).toMatchObject({ email: 'bob@team.test', role: 'admin' });
    // Bob's open session has his new role at once.
    expect((await asMember(hark, bob, '/api/v1/team/invites', json('POST', { email: 'cy@team.test', role: 'agent' }))).status).toBe(201);

    expect((await asMember(hark, bob, `/api/v1/team/members/${adaId}`, json('PATCH', { role: 'manager' }))).status).toBe(200);
    expect((await asMember(hark, bob, `/api/v1/team/members/${adaId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await asMember(hark, admin, '/api/v1/session')).status).toBe(401);
    expect((await asMember(hark, bob, '/api/v1/team/members/nobody', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('the secret key', () => {
  it('still works everywhere, including the team, but has no session or account of its own', async () => {
    hark = await startCollector();
    await setupAdmin(hark);
    for (const path of ['/api/v1/people', '/api/v1/messages', '/api/v1/project', '/api/v1/suppressions', '/api/v1/erasures', '/api/v1/team/members', '/api/v1/team/invites']) {
      expect((await hark.admin(path)).status, path).toBe(200);
    }
    expect((await (await hark.admin('/api/v1/project')).json()).verificationSecret).toBe(hark.project.settings.verificationSecret);
    const invite = await hark.admin('/api/v1/team/invites', json('POST', { email: 'srv@team.test', role: 'agent' }));
    expect(invite.status).toBe(201);
    expect((await invite.json()).email).toBe('srv@team.test');
    expect((await hark.admin('/api/v1/project', json('PATCH', { allowedOrigins: ['https://app.test'] }))).status).toBe(200);
    const session = await hark.admin('/api/v1/session');
    expect(session.status).toBe(403);
    expect((await session.json()).error.code).toBe('session_required');
    expect((await hark.admin('/api/v1/me')).status).toBe(403);
    // Still refused from a browser page, session or not.
    expect((await hark.admin('/api/v1/people', { headers: { origin: 'https://app.test' } })).status).toBe(403);
  });
});
