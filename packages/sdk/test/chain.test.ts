import { describe, expect, it } from 'vitest';
import { elapse, fakeCollector, startHark, useFreshPage } from './helpers.js';

useFreshPage();

const hark = (event: { context?: Record<string, unknown> }) => event.context?.hark as { chainToken?: string; parentId?: string } | undefined;

describe('the chain of events in the App', () => {
  it('reads hk_chain on landing, strips it from the address bar, and sends it with that page view and its events', async () => {
    const collector = fakeCollector();
    history.replaceState({ from: 'router' }, '', '/tutorial?utm_source=email&hk_chain=abc.def&step=1#top');
    const app = startHark();
    expect(location.pathname + location.search + location.hash).toBe('/tutorial?utm_source=email&step=1#top');
    expect(history.state).toEqual({ from: 'router' });
    app.track('Tutorial Started');
    await elapse(500);
    const [page, started] = collector.events();
    expect(page?.type).toBe('page');
    expect(hark(page!)).toEqual({ chainToken: 'abc.def' });
    // Nor does the token travel in the page's URL.
    expect(JSON.stringify(page)).not.toContain('hk_chain');
    expect(hark(started!)).toEqual({ chainToken: 'abc.def' });

    // The next navigation is a new page view, no longer the email's landing.
    history.pushState({}, '', '/tutorial/2');
    await elapse(0);
    app.track('Step Two');
    await elapse(500);
    const [, , next, two] = collector.events();
    expect(next?.type).toBe('page');
    expect(hark(next!)).toBeUndefined();
    expect(hark(two!)).toBeUndefined();
  });

  it('sends track(name, props, { parentId }) as context.hark.parentId, beside a landing token', async () => {
    const collector = fakeCollector();
    history.replaceState(null, '', '/?hk_chain=tok.sig');
    const app = startHark();
    expect(location.search).toBe('');
    expect(app.track('Checkout', { plan: 'pro' }, { parentId: 'evt-1' })).toEqual({ ok: true });
    await elapse(500);
    const checkout = collector.events().find((event) => event.event === 'Checkout')!;
    expect(hark(checkout)).toEqual({ chainToken: 'tok.sig', parentId: 'evt-1' });
  });

  it('adds nothing to events of a page landed on without a token, and takes odd options without throwing', async () => {
    const collector = fakeCollector();
    history.replaceState(null, '', '/pricing?plan=pro');
    const app = startHark();
    expect(location.search).toBe('?plan=pro');
    expect(app.track('Plain')).toEqual({ ok: true });
    expect(app.track('Odd', {}, 'not-an-object' as never)).toEqual({ ok: true });
    expect(app.track('Null', {}, null as never)).toEqual({ ok: true });
    expect(app.track('Child', undefined, { parentId: 'p-1' })).toEqual({ ok: true });
    await elapse(500);
    const events = collector.events();
    expect(events.filter((event) => hark(event) !== undefined).map((event) => [event.event, hark(event)])).toEqual([['Child', { parentId: 'p-1' }]]);
    expect(collector.unexpected).toEqual([]);
  });
});
