import { describe, expect, it } from 'vitest';
import { createInstance } from '../src/core/hark.js';
import { API_HOST, WRITE_KEY, elapse, fakeCollector, startHark, useFreshPage } from './helpers.js';

useFreshPage();

const storedQueue = () => JSON.parse(localStorage.getItem('hark_queue') ?? '[]') as { messageId: string; event?: string }[];
const offline = () => new TypeError('Failed to fetch');

describe('unsent events', () => {
  it('survive a reload and are sent, unchanged, by the next page', async () => {
    const collector = fakeCollector();
    collector.answer(offline());
    const before = startHark({ autoPage: false });
    before.track('Added To Cart', { sku: 'A-1' });
    await elapse(500);
    const lost = collector.requests[0]?.body.batch[0];

    // The reload: the old page is gone, a new App starts on the same storage.
    startHark();
    await elapse(0);

    const [resent, page] = collector.requests[1]!.body.batch;
    expect(resent).toEqual({ ...lost, sentAt: resent?.sentAt });
    expect(resent?.timestamp).toBe(lost?.timestamp);
    expect(page?.type).toBe('page');
    expect(storedQueue()).toEqual([]);
  });

  it('are kept up to two hundred, dropping the oldest first', async () => {
    const collector = fakeCollector();
    collector.answer(...Array(20).fill(offline()));
    const hark = startHark({ autoPage: false });

    for (let i = 1; i <= 205; i++) hark.track(`Event ${i}`);

    const stored = storedQueue();
    expect(stored).toHaveLength(200);
    expect(stored[0]?.event).toBe('Event 6');
    expect(stored.at(-1)?.event).toBe('Event 205');
  });

  it('from two tabs open at once are both kept', async () => {
    const collector = fakeCollector();
    collector.answer(offline(), offline());
    const first = startHark({ autoPage: false });
    const second = startHark({ autoPage: false });

    first.track('In The First Tab');
    second.track('In The Second Tab');
    await elapse(500);

    expect(storedQueue().map((event) => event.event).sort()).toEqual(['In The First Tab', 'In The Second Tab']);
    expect(collector.unexpected).toEqual([]);
  });

  it('left by a page that closed mid-request are sent again; the collector keeps one copy', async () => {
    const collector = fakeCollector();
    let answer!: (response: Response) => void;
    collector.fetch.mockImplementationOnce(async (_url, init) => {
      collector.requests.push({ url: `${API_HOST}/v1/batch`, init: init!, body: JSON.parse(init!.body as string), at: Date.now() });
      return new Promise<Response>((resolve) => (answer = resolve));
    });
    const [closing, , start] = createInstance({ writeKey: WRITE_KEY, apiHost: API_HOST, autoPage: false });
    start();
    closing.track('Clicked Buy');
    await elapse(500);

    startHark({ autoPage: false });
    await elapse(0);
    answer(new Response('{}'));
    await elapse(0);

    const ids = collector.events().map((event) => event.messageId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
    expect(storedQueue()).toEqual([]);
  });
});
