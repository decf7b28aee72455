import Cookies from 'js-cookie';
import { describe, expect, it } from 'vitest';
import { elapse, fakeCollector, sendPrivacySignals, startHark, useFreshPage } from './helpers.js';

useFreshPage();

describe('opting out', () => {
  it('sends nothing and stores nothing but the choice, even across page loads', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    expect(hark.optOut()).toEqual({ ok: true });
    expect(hark.track('Clicked')).toEqual({ ok: false, error: 'track: opted out' });
    expect(hark.identify('user_42')).toEqual({ ok: false, error: 'identify: opted out' });
    startHark();
    await elapse(60_000);

    expect(collector.requests).toHaveLength(0);
    expect(collector.beacons).toHaveLength(0);
    expect(Object.keys(localStorage)).toEqual(['hark_consent']);
    expect(Cookies.get()).toEqual({});
  });

  it('drops the events that were still waiting to be sent', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Before Opting Out');
    hark.optOut();
    window.dispatchEvent(new Event('pagehide'));
    await elapse(60_000);

    expect(collector.requests).toHaveLength(0);
    expect(collector.beacons).toHaveLength(0);
  });

  it('is undone by optIn, which records again under a new anonymous id', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });
    hark.track('Before');
    await elapse(500);

    hark.optOut();
    expect(hark.optIn()).toEqual({ ok: true });
    hark.track('After');
    await elapse(500);

    const [before, after] = collector.events();
    expect(after?.event).toBe('After');
    expect(after?.anonymousId).not.toBe(before?.anonymousId);
  });
});

describe('browser privacy signals', () => {
  it('count as an opt-out when the site asks to respect them', async () => {
    const collector = fakeCollector();
    sendPrivacySignals();
    const hark = startHark({ respectDnt: true });

    expect(hark.track('Clicked')).toEqual({ ok: false, error: 'track: opted out' });
    await elapse(60_000);

    expect(collector.requests).toHaveLength(0);
    expect(localStorage.length).toBe(0);
    expect(document.cookie).toBe('');
  });

  it('are ignored when the site does not ask', async () => {
    const collector = fakeCollector();
    sendPrivacySignals();
    startHark();
    await elapse(0);

    expect(collector.events().map((event) => event.type)).toEqual(['page']);
  });

  it('give way to a visitor who opts in', async () => {
    const collector = fakeCollector();
    sendPrivacySignals();
    const hark = startHark({ respectDnt: true, autoPage: false });

    hark.optIn();
    expect(hark.track('Clicked')).toEqual({ ok: true });
    await elapse(500);

    expect(collector.events().map((event) => event.event)).toEqual(['Clicked']);
  });
});
