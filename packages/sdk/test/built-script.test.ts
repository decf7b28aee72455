/**
 * The same App, as the minified dist/hark.js a customer loads: some bugs exist only after
 * minification (an "unsafe" comparison rewrite once turned a missing Retry-After into a retry
 * loop with no wait). These tests run the built file itself.
 * @vitest-environment-options { "settings": { "handleDisabledFileLoadingAsSuccess": true } }
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_HOST, WRITE_KEY, elapse, fakeCollector, readBuiltScript, useFreshPage } from './helpers.js';

useFreshPage();

type WindowWithHark = Window & { hark?: ((...args: unknown[]) => unknown) & Record<string, unknown> };
const w = window as WindowWithHark;
let script: string;

beforeAll(() => {
  script = readBuiltScript();
});
afterEach(() => {
  (w.hark?.optOut as (() => void) | undefined)?.();
  delete w.hark;
  document.head.innerHTML = '';
});

function loadBuiltScript() {
  document.head.innerHTML = `<script async src="${API_HOST}/hark.js" data-write-key="${WRITE_KEY}"></script>`;
  new Function(script)();
}

describe('the built hark.js', () => {
  it('replays queued calls in order, then records the page view', async () => {
    const collector = fakeCollector();
    w.hark = function (...args: unknown[]) {
      ((w.hark!.q as unknown[]) ||= []).push([args, Date.now()]);
    } as WindowWithHark['hark'];
    w.hark!('track', 'First');
    w.hark!('identify', 'user_42');
    w.hark!('track', 'Third');

    loadBuiltScript();
    await elapse(500);

    expect(collector.events().map((event) => event.event ?? event.type)).toEqual(['First', 'identify', 'Third', 'page']);
    expect(collector.events().at(-1)?.userId).toBe('user_42');
  });

  it('waits before retrying an unreachable collector, and as long as a 429 says', async () => {
    const collector = fakeCollector();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    collector.answer(new TypeError('Failed to fetch'), 503, new Response('{}', { status: 429, headers: { 'Retry-After': '3' } }));

    loadBuiltScript();
    await elapse(500 + 1_000 + 3_000);

    const start = collector.requests[0]!.at;
    expect(collector.requests.map((request) => request.at - start)).toEqual([0, 500, 1_500, 4_500]);
  });

  it('answers bad calls with results and adds no global but hark', async () => {
    fakeCollector();
    const before = Object.keys(window);
    loadBuiltScript();

    expect(w.hark!('track')).toEqual({ ok: false, error: 'track: invalid arguments' });
    expect(w.hark!('nope')).toEqual({ ok: false, error: 'unknown call' });
    expect(Object.keys(window).filter((key) => !before.includes(key))).toEqual(['hark']);
  });
});
