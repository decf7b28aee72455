import { describe, expect, it, vi } from 'vitest';
import { API_HOST, WRITE_KEY, elapse, fakeCollector, hidePage, startHark, useFreshPage } from './helpers.js';

useFreshPage();

const storedQueue = () => JSON.parse(localStorage.getItem('hark_queue') ?? '[]') as { messageId: string; event?: string }[];

describe('batching', () => {
  it('waits half a second to send the events of that moment in one text/plain request', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('One');
    hark.track('Two');
    await elapse(300);
    hark.track('Three');
    await elapse(199);
    expect(collector.requests).toHaveLength(0);

    await elapse(1);
    expect(collector.requests).toHaveLength(1);
    const [request] = collector.requests;
    expect(request?.url).toBe(`${API_HOST}/v1/batch`);
    // A string body with no content-type header goes as text/plain: no CORS pre-flight.
    expect(typeof request?.init.body).toBe('string');
    expect(request?.init.headers).toBeUndefined();
    expect(request?.init).toMatchObject({ method: 'POST', keepalive: true });
    expect(request?.body.writeKey).toBe(WRITE_KEY);
    expect(request?.body.batch.map((event) => event.event)).toEqual(['One', 'Two', 'Three']);
    expect(collector.unexpected).toEqual([]);
  });

  it('sends at once when twenty events are waiting, then the rest of a backlog straight after', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    for (let i = 1; i <= 19; i++) hark.track(`Event ${i}`);
    await elapse(0);
    expect(collector.requests).toHaveLength(0);

    for (let i = 20; i <= 45; i++) hark.track(`Event ${i}`);
    await elapse(0);
    expect(collector.requests.map((request) => request.body.batch.length)).toEqual([20, 20, 5]);
    expect(collector.events().map((event) => event.event)).toEqual(Array.from({ length: 45 }, (_, i) => `Event ${i + 1}`));
  });

  it('dates each event when it was called, and the batch when it was sent (the collector corrects clocks by it)', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Clicked');
    const calledAt = new Date().toISOString();
    await elapse(500);

    const [event] = collector.events();
    expect(event?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event?.timestamp).toBe(calledAt);
    expect(collector.requests[0]?.body.sentAt).toBe(new Date(Date.parse(calledAt) + 500).toISOString());
  });

  it('forgets events once the collector has them', async () => {
    fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Clicked');
    expect(storedQueue()).toHaveLength(1);
    await elapse(500);

    expect(storedQueue()).toEqual([]);
  });

  it('keeps events without a write key until one is given', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false, writeKey: undefined });

    hark.track('Early');
    await elapse(5_000);
    expect(collector.requests).toHaveLength(0);

    hark.init({ writeKey: WRITE_KEY });
    hark.track('Later');
    await elapse(500);
    expect(collector.events().map((event) => event.event)).toEqual(['Early', 'Later']);
  });
});

describe('retries', () => {
  it('backs off exponentially, with jitter, while the collector is unreachable, and resends the same events', async () => {
    const collector = fakeCollector();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    collector.answer(new TypeError('Failed to fetch'), 503, 502, 500);
    const hark = startHark({ autoPage: false });

    hark.track('Clicked');
    await elapse(500 + 500 + 1_000 + 2_000 + 4_000);

    const start = collector.requests[0]!.at;
    // Jitter draws each wait between half and all of 1 s, 2 s, 4 s, 8 s; Math.random() = 0 takes the half.
    expect(collector.requests.map((request) => request.at - start)).toEqual([0, 500, 1_500, 3_500, 7_500]);
    const ids = collector.requests.map((request) => request.body.batch.map((event) => event.messageId));
    expect(new Set(ids.flat()).size).toBe(1);
    expect(storedQueue()).toEqual([]);
  });

  it('draws the jitter from the whole range, so retries after an outage spread out', async () => {
    const collector = fakeCollector();
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    collector.answer(503, 503);
    const hark = startHark({ autoPage: false });

    hark.track('Clicked');
    await elapse(500 + 3_000);

    const [first, second, third] = collector.requests.map((request) => request.at);
    expect(second! - first!).toBeGreaterThanOrEqual(999);
    expect(third! - second!).toBeGreaterThanOrEqual(1_998);
  });

  it('never waits more than a minute between tries', async () => {
    const collector = fakeCollector();
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    collector.answer(...Array<number>(10).fill(503));
    const hark = startHark({ autoPage: false });

    hark.track('Clicked');
    await elapse(10 * 60_000);

    const gaps = collector.requests.slice(1).map((request, i) => request.at - collector.requests[i]!.at);
    expect(gaps).toHaveLength(10);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    expect(gaps.at(-1)).toBeGreaterThan(59_000);
  });

  it('waits exactly as long as a 429 Retry-After says, whatever else asks to send', async () => {
    const collector = fakeCollector();
    collector.answer(new Response('{}', { status: 429, headers: { 'Retry-After': '7' } }));
    const hark = startHark({ autoPage: false });

    hark.track('First');
    await elapse(500);
    expect(collector.requests).toHaveLength(1);

    for (let i = 0; i < 25; i++) hark.track(`Meanwhile ${i}`);
    hidePage();
    window.dispatchEvent(new Event('pagehide'));
    await elapse(6_999);
    expect(collector.requests).toHaveLength(1);
    expect(collector.beacons).toHaveLength(0);

    await elapse(1);
    expect(collector.requests.length).toBeGreaterThan(1);
    expect(collector.requests[1]!.at - collector.requests[0]!.at).toBe(7_000);
    expect(collector.requests[1]?.body.batch[0]?.event).toBe('First');
    expect(collector.events().slice(1).map((event) => event.event)).toEqual(['First', ...Array.from({ length: 25 }, (_, i) => `Meanwhile ${i}`)]);
  });

  it('drops a batch the collector refuses as malformed, instead of resending it forever', async () => {
    const collector = fakeCollector();
    collector.answer(400);
    const hark = startHark({ autoPage: false });

    hark.track('Refused');
    await elapse(500);
    hark.track('Accepted');
    await elapse(500);

    expect(collector.requests.map((request) => request.body.batch.map((event) => event.event))).toEqual([['Refused'], ['Accepted']]);
    expect(storedQueue()).toEqual([]);
  });

  it('sends at once when the browser comes back online', async () => {
    const collector = fakeCollector();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    collector.answer(new TypeError('Failed to fetch'), new TypeError('Failed to fetch'), new TypeError('Failed to fetch'));
    const hark = startHark({ autoPage: false });

    hark.track('Offline');
    await elapse(500 + 500 + 1_000);
    expect(collector.requests).toHaveLength(3);

    window.dispatchEvent(new Event('online'));
    await elapse(0);
    expect(collector.requests).toHaveLength(4);
    expect(storedQueue()).toEqual([]);
  });
});

describe('leaving the page', () => {
  it('sends at once, with a keepalive fetch, when the page is hidden', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Clicked');
    hidePage();
    await elapse(0);

    expect(collector.requests).toHaveLength(1);
    expect(collector.requests[0]?.init.keepalive).toBe(true);
    expect(storedQueue()).toEqual([]);
  });

  it('beacons what is waiting on pagehide, and keeps it stored for the next page to resend', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Clicked Pricing');
    window.dispatchEvent(new Event('pagehide'));

    expect(collector.beacons).toHaveLength(1);
    expect(collector.beacons[0]?.body.writeKey).toBe(WRITE_KEY);
    expect(collector.beaconEvents().map((event) => event.event)).toEqual(['Clicked Pricing']);
    // A beacon's answer is never seen: the next page resends, and the collector dedupes by messageId.
    expect(storedQueue().map((event) => event.messageId)).toEqual(collector.beaconEvents().map((event) => event.messageId));
  });
});

describe('leaving the page, as Chromium orders it: pagehide, then hidden', () => {
  it('sends beaconed events only once', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Clicked Link');
    window.dispatchEvent(new Event('pagehide'));
    hidePage();
    await elapse(0);

    expect(collector.beacons).toHaveLength(1);
    expect(collector.requests).toHaveLength(0);
  });

  it('sends by keepalive fetch what a refused beacon could not take', async () => {
    const collector = fakeCollector();
    vi.mocked(navigator.sendBeacon).mockReturnValue(false);
    const hark = startHark({ autoPage: false });

    hark.track('Clicked Link');
    window.dispatchEvent(new Event('pagehide'));
    hidePage();
    await elapse(0);

    expect(collector.events().map((event) => event.event)).toEqual(['Clicked Link']);
  });

  it('sends again as usual when the page comes back from the back/forward cache', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    hark.track('Before Leaving');
    window.dispatchEvent(new Event('pagehide'));
    hark.track('After Coming Back');
    await elapse(500);

    // The beaconed event goes again with the next batch: the collector keeps one copy.
    expect(collector.events().map((event) => event.event)).toEqual(['Before Leaving', 'After Coming Back']);
  });
});

describe('leaving the page while a request is in flight', () => {
  it('beacons only what is not in flight already', async () => {
    const collector = fakeCollector();
    collector.fetch.mockImplementationOnce(async (_url, init) => {
      collector.requests.push({ url: `${API_HOST}/v1/batch`, init: init!, body: JSON.parse(init!.body as string), at: Date.now() });
      return new Promise<Response>(() => {});
    });
    const hark = startHark({ autoPage: false });

    for (let i = 1; i <= 25; i++) hark.track(`Event ${i}`);
    await elapse(0);
    window.dispatchEvent(new Event('pagehide'));

    expect(collector.events().map((event) => event.event)).toEqual(Array.from({ length: 20 }, (_, i) => `Event ${i + 1}`));
    expect(collector.beaconEvents().map((event) => event.event)).toEqual(['Event 21', 'Event 22', 'Event 23', 'Event 24', 'Event 25']);
  });

  it('beacons nothing when all that waits is in flight', async () => {
    const collector = fakeCollector();
    collector.fetch.mockImplementationOnce(async (_url, init) => {
      collector.requests.push({ url: `${API_HOST}/v1/batch`, init: init!, body: JSON.parse(init!.body as string), at: Date.now() });
      return new Promise<Response>(() => {});
    });
    const hark = startHark({ autoPage: false });

    hark.track('In Flight');
    await elapse(500);
    window.dispatchEvent(new Event('pagehide'));

    expect(collector.requests).toHaveLength(1);
    expect(collector.beacons).toHaveLength(0);
  });
});
