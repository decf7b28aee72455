/**
 * The script tags these tests add are never fetched (hark.js is imported instead); happy-dom is
 * told that is fine rather than to report each one.
 * @vitest-environment-options { "settings": { "handleDisabledFileLoadingAsSuccess": true } }
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_HOST, WRITE_KEY, elapse, fakeCollector, useFreshPage } from './helpers.js';

useFreshPage();

type WindowWithHark = Window & { hark?: ((...args: unknown[]) => unknown) & Record<string, unknown> };
const w = window as WindowWithHark;

/** What the README snippet does before hark.js arrives: a stub that queues each call with its time. */
function pasteStub() {
  w.hark = function (...args: unknown[]) {
    ((w.hark!.q as unknown[]) ||= []).push([args, Date.now()]);
  } as WindowWithHark['hark'];
}

/** hark.js arriving: its own script tag in the page, then the loader running. */
async function loadHarkJs(attributes = `data-write-key="${WRITE_KEY}"`) {
  document.head.innerHTML = `<script async src="${API_HOST}/hark.js" ${attributes}></script>`;
  vi.resetModules();
  await import('../src/loader.js');
}

let globalsBefore: string[];
beforeEach(() => {
  globalsBefore = Object.keys(window);
});
afterEach(() => {
  // The App has no way to stop short of a signal, which the script tag does not take: opt out
  // so that a loaded App left behind records nothing in the next test.
  (w.hark?.optOut as (() => void) | undefined)?.();
  delete w.hark;
  document.head.innerHTML = '';
});

describe('the script tag', () => {
  it('replays the calls made before it loaded, in order, each with the time it was made', async () => {
    const collector = fakeCollector();
    pasteStub();
    w.hark!('identify', 'user_42', { email: 'ana@example.com' });
    await elapse(1_000);
    w.hark!('track', 'Clicked Signup', { plan: 'pro' });
    w.hark!('group', 'acme', { name: 'Acme' });
    const calledAt = Date.now();
    await elapse(2_000);

    await loadHarkJs();
    await elapse(500);

    const events = collector.events();
    expect(events.map((event) => event.type)).toEqual(['identify', 'track', 'group', 'page']);
    expect(events.map((event) => event.timestamp)).toEqual([
      new Date(calledAt - 1_000).toISOString(),
      new Date(calledAt).toISOString(),
      new Date(calledAt).toISOString(),
      new Date(calledAt + 2_000).toISOString(),
    ]);
    expect(events.every((event) => event.userId == 'user_42')).toBe(true);
  });

  it('reads its write key from its tag and sends to the origin it was loaded from', async () => {
    const collector = fakeCollector();
    await loadHarkJs();
    await elapse(0);

    expect(collector.requests[0]?.url).toBe(`${API_HOST}/v1/batch`);
    expect(collector.requests[0]?.body.writeKey).toBe(WRITE_KEY);
  });

  it('sends to data-api-host, and asks it for messages, when the tag names one', async () => {
    const collector = fakeCollector();
    await loadHarkJs(`data-write-key="${WRITE_KEY}" data-api-host="https://elsewhere.test"`);
    await elapse(0);

    expect(collector.unexpected.map((request) => request.split('?')[0]).sort()).toEqual([
      'GET https://elsewhere.test/v1/messages',
      'POST https://elsewhere.test/v1/batch',
    ]);
  });

  it("applies a queued hark('init', …) before it records anything", async () => {
    const collector = fakeCollector();
    pasteStub();
    w.hark!('init', { autoPage: false });
    w.hark!('track', 'Only This');

    await loadHarkJs();
    await elapse(500);

    expect(collector.events().map((event) => event.event)).toEqual(['Only This']);
  });

  it('leaves the real App in window.hark, callable both ways, answering results', async () => {
    const collector = fakeCollector();
    pasteStub();
    await loadHarkJs();

    expect(w.hark!('track', 'Called')).toEqual({ ok: true });
    expect((w.hark!.track as (name: string) => unknown)('Method')).toEqual({ ok: true });
    expect(w.hark!('fly', 'away')).toEqual({ ok: false, error: 'unknown call' });
    expect(w.hark!('toString')).toEqual({ ok: false, error: 'unknown call' });
    await elapse(500);

    expect(collector.events().map((event) => event.event ?? event.type)).toEqual(['page', 'Called', 'Method']);
  });

  it('adds no global but window.hark', async () => {
    fakeCollector();
    pasteStub();
    await loadHarkJs();

    expect(Object.keys(window).filter((key) => !globalsBefore.includes(key))).toEqual(['hark']);
  });

  it('loaded twice, keeps the first App', async () => {
    const collector = fakeCollector();
    await loadHarkJs();
    const first = w.hark;
    await loadHarkJs();
    await elapse(500);

    expect(w.hark).toBe(first);
    expect(collector.events().filter((event) => event.type == 'page')).toHaveLength(1);
  });
});
