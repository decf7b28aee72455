import Cookies from 'js-cookie';
import { describe, expect, it, vi } from 'vitest';
import { blockCookies, blockLocalStorage, clearCookies, elapse, fakeCollector, startHark, useFreshPage } from './helpers.js';

useFreshPage();

const anonymousIds = (events: { anonymousId?: string }[]) => [...new Set(events.map((event) => event.anonymousId))];

describe('the anonymous id', () => {
  it('is kept in a first-party cookie and mirrored in localStorage', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Signed Up');
    await elapse(500);

    const id = collector.events()[0]?.anonymousId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Cookies.get('hark_aid')).toBe(id);
    expect(localStorage.getItem('hark_aid')).toBe(id);
  });

  it('sets the cookie for a year, SameSite=Lax, on the configured domain', () => {
    fakeCollector();
    const set = vi.spyOn(Cookies, 'set');
    const hark = startHark({ autoPage: false, cookieDomain: 'example.com' });

    hark.track('Signed Up');

    expect(set).toHaveBeenCalledWith('hark_aid', expect.any(String), {
      expires: 365,
      sameSite: 'Lax',
      secure: false,
      domain: 'example.com',
    });
  });

  it('stays the same across page loads', async () => {
    const collector = fakeCollector();
    startHark();
    await elapse(0);
    startHark();
    await elapse(0);

    expect(collector.events()).toHaveLength(2);
    expect(anonymousIds(collector.events())).toHaveLength(1);
  });

  it('is restored from localStorage when the cookie was cleared', async () => {
    const collector = fakeCollector();
    startHark();
    await elapse(0);
    const id = collector.events()[0]?.anonymousId;

    clearCookies();
    startHark();
    await elapse(500);

    expect(collector.events()[1]?.anonymousId).toBe(id);
    expect(Cookies.get('hark_aid')).toBe(id);
  });

  it('follows the cookie when another subdomain or tab changed it', async () => {
    const collector = fakeCollector();
    localStorage.setItem('hark_aid', 'from-this-origin');
    Cookies.set('hark_aid', 'from-the-shared-cookie');
    const hark = startHark({ autoPage: false });

    hark.track('Viewed');
    await elapse(500);

    expect(collector.events()[0]?.anonymousId).toBe('from-the-shared-cookie');
    expect(localStorage.getItem('hark_aid')).toBe('from-the-shared-cookie');
  });

  it('works when cookies are blocked, keeping the id in localStorage', async () => {
    const collector = fakeCollector();
    blockCookies();
    const hark = startHark();

    expect(hark.track('Clicked')).toEqual({ ok: true });
    await elapse(500);

    expect(collector.events()).toHaveLength(2);
    expect(anonymousIds(collector.events())).toEqual([localStorage.getItem('hark_aid')]);
  });

  it('works when localStorage throws too, keeping the id for the life of the page', async () => {
    const collector = fakeCollector();
    blockCookies();
    blockLocalStorage();
    const hark = startHark();

    expect(hark.track('Clicked')).toEqual({ ok: true });
    expect(hark.identify('user_42')).toEqual({ ok: true });
    await elapse(500);

    const events = collector.events();
    expect(events.map((event) => event.type)).toEqual(['page', 'track', 'identify']);
    expect(anonymousIds(events)).toHaveLength(1);
    expect(events[2]?.userId).toBe('user_42');
  });
});

describe('identify and reset', () => {
  it('attaches the user id to the identify call and every event after it, across page loads', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Browsed');
    hark.identify('user_42', { email: 'ana@example.com', name: 'Ana' }, { userHash: 'abc123' });
    hark.track('Created Project');
    await elapse(500);
    startHark();
    await elapse(0);

    const events = collector.events();
    expect(events.map((event) => [event.type, event.userId])).toEqual([
      ['track', undefined],
      ['identify', 'user_42'],
      ['track', 'user_42'],
      ['page', 'user_42'],
    ]);
    expect(events[1]).toMatchObject({ traits: { email: 'ana@example.com', name: 'Ana' }, userHash: 'abc123' });
    expect(anonymousIds(events)).toHaveLength(1);
  });

  it('takes numeric user ids as strings', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.identify(42);
    await elapse(500);

    expect(collector.events()[0]?.userId).toBe('42');
  });

  it('on reset, forgets the user and starts a new anonymous id', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.identify('user_42');
    expect(hark.reset()).toEqual({ ok: true });
    hark.track('Visited After Logout');
    await elapse(500);

    const [identify, after] = collector.events();
    expect(after?.userId).toBeUndefined();
    expect(after?.anonymousId).toBeTruthy();
    expect(after?.anonymousId).not.toBe(identify?.anonymousId);
    expect(localStorage.getItem('hark_uid')).toBeNull();
    expect(Cookies.get('hark_aid')).toBe(after?.anonymousId);
  });

  it('on reset, sets the new anonymous id cookie at once, so a server render or another script sees it before any event', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });
    hark.identify('user_42');
    const before = Cookies.get('hark_aid');

    hark.reset();

    const fresh = Cookies.get('hark_aid');
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh).not.toBe(before);
    expect(localStorage.getItem('hark_aid')).toBe(fresh);
    hark.track('Visited After Logout');
    await elapse(500);
    expect(collector.events()[1]?.anonymousId).toBe(fresh);
  });

  it('on reset after opting out, stores no new anonymous id', () => {
    fakeCollector();
    const hark = startHark({ autoPage: false });
    hark.track('Browsed');
    hark.optOut();

    expect(hark.reset()).toEqual({ ok: true });

    expect(Cookies.get('hark_aid')).toBeUndefined();
    expect(localStorage.getItem('hark_aid')).toBeNull();
  });
});
