import { describe, expect, it, vi } from 'vitest';
import type { Hark } from '../src/core/types.js';
import { elapse, fakeCollector, startHark, useFreshPage } from './helpers.js';

useFreshPage();

const circular: Record<string, unknown> = { name: 'loop' };
circular.self = circular;

const garbage: unknown[] = [
  undefined,
  null,
  0,
  -1,
  NaN,
  Infinity,
  '',
  'x'.repeat(100_000),
  true,
  Symbol('s'),
  10n,
  [],
  [1, 2],
  {},
  circular,
  { toJSON: () => { throw new Error('toJSON exploded'); } },
  { get boom() { throw new Error('getter exploded'); } },
  () => 'fn',
  new Date(NaN),
  Object.create(null),
];

describe('whatever the host page passes', () => {
  it('no call throws, and each answers a result', async () => {
    const collector = fakeCollector();
    // debug(garbage) turns debug logging on; the log itself is not what this test reads.
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const hark = startHark();
    const methods = Object.keys(hark).filter((name) => name != 'on') as (keyof Hark)[];
    expect(methods.sort()).toEqual(['debug', 'group', 'identify', 'init', 'optIn', 'optOut', 'page', 'reset', 'track']);

    for (const name of methods.filter((name) => name != 'optOut')) {
      for (const first of garbage) {
        for (const second of garbage) {
          const call = () => (hark[name] as (...args: unknown[]) => unknown)(first, second, first);
          expect(call).not.toThrow();
          expect(call()).toHaveProperty('ok');
        }
      }
    }
    for (const first of garbage) expect(typeof hark.on(first as string, first as () => void)).toBe('function');

    hark.init({ debug: false });
    expect(hark.track('Still Working')).toEqual({ ok: true });
    await elapse(60_000);
    expect(collector.unexpected).toEqual([]);
  });

  it('says what was wrong with a call, naming it', () => {
    fakeCollector();
    const hark = startHark({ autoPage: false });

    expect(hark.track('')).toEqual({ ok: false, error: 'track: invalid arguments' });
    expect(hark.track('Clicked', 'not properties' as never)).toEqual({ ok: false, error: 'track: invalid arguments' });
    expect(hark.identify({} as never)).toEqual({ ok: false, error: 'identify: invalid arguments' });
    expect(hark.group(null as never)).toEqual({ ok: false, error: 'group: invalid arguments' });
    expect(hark.track('Huge', { blob: 'x'.repeat(40_000) })).toEqual({ ok: false, error: 'track: too large' });
    expect(hark.track('Loop', circular).ok).toBe(false);
  });

  it('logs failed calls to the console in debug mode only', () => {
    fakeCollector();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const hark = startHark({ autoPage: false });

    hark.track('');
    expect(log).not.toHaveBeenCalled();

    hark.debug(true);
    hark.track('');
    expect(log).toHaveBeenCalledWith('[hark]', 'track', expect.any(Error));
  });

  it('keeps the event as it was when tracked, even if the host changes its object after', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });
    const properties = { plan: 'pro', seats: [1] };

    hark.track('Upgraded', properties);
    properties.plan = 'free';
    properties.seats.push(2);
    await elapse(500);

    expect(collector.events()[0]?.properties).toEqual({ plan: 'pro', seats: [1] });
  });

  it('a listener that throws breaks neither the App nor the other listeners', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });
    const seen: string[] = [];

    hark.on('event', () => {
      throw new Error('listener exploded');
    });
    const stop = hark.on('event', (event: { event?: string }) => seen.push(event.event!));
    expect(hark.track('First')).toEqual({ ok: true });
    stop();
    hark.track('Second');
    await elapse(500);

    expect(seen).toEqual(['First']);
    expect(collector.events().map((event) => event.event)).toEqual(['First', 'Second']);
  });
});

describe('a browser without fetch or sendBeacon', () => {
  it('throws nothing into the page from a timer or a listener, and keeps the events', async () => {
    vi.stubGlobal('fetch', undefined);
    vi.stubGlobal('navigator', Object.assign(Object.create(navigator), { sendBeacon: undefined }));
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.error);
    addEventListener('error', onError);
    try {
      const hark = startHark();
      expect(hark.track('Offline Browser')).toEqual({ ok: true });
      await elapse(500);
      dispatchEvent(new Event('online'));
      dispatchEvent(new Event('pagehide'));
      await elapse(60_000);
    } finally {
      removeEventListener('error', onError);
    }
    expect(errors).toEqual([]);
    expect(localStorage.getItem('hark_queue')).toContain('Offline Browser');
  });
});
