import { describe, expect, it } from 'vitest';
import { elapse, fakeCollector, startHark, useFreshPage } from './helpers.js';

useFreshPage();

const pages = (collector: ReturnType<typeof fakeCollector>) =>
  collector.events().filter((event) => event.type == 'page').map((event) => event.context?.page?.path + (new URL(event.context!.page!.url!).hash));

describe('automatic page views', () => {
  it('records one when the App starts, with the page as its properties', async () => {
    const collector = fakeCollector();
    history.replaceState(null, '', '/pricing?plan=pro');
    document.title = 'Pricing';
    startHark();
    await elapse(0);

    const [page] = collector.events();
    expect(page?.type).toBe('page');
    expect(page?.properties).toEqual({ url: location.href, path: '/pricing', title: 'Pricing', referrer: document.referrer, search: '?plan=pro' });
    expect(page?.context?.page).toEqual(page?.properties);
  });

  it('records one for each SPA navigation: pushState, replaceState, back/forward and hash changes', async () => {
    const collector = fakeCollector();
    const setUrl = history.replaceState.bind(history);
    startHark();

    history.pushState({}, '', '/docs');
    await elapse(0);
    history.replaceState({}, '', '/docs/install');
    await elapse(0);
    setUrl(null, '', '/docs');
    window.dispatchEvent(new PopStateEvent('popstate'));
    await elapse(0);
    setUrl(null, '', '/docs#faq');
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await elapse(500);

    expect(pages(collector)).toEqual(['/', '/docs', '/docs/install', '/docs', '/docs#faq']);
  });

  it('does not record one when the URL stays the same', async () => {
    const collector = fakeCollector();
    startHark();

    history.replaceState({ scroll: 120 }, '');
    history.pushState({ modal: true }, '', location.href);
    window.dispatchEvent(new PopStateEvent('popstate'));
    await elapse(500);

    expect(pages(collector)).toEqual(['/']);
  });

  it('gives an SPA page view the previous URL as referrer and the title the router set', async () => {
    const collector = fakeCollector();
    startHark();

    history.pushState({}, '', '/settings');
    document.title = 'Settings';
    await elapse(500);

    const spaPage = collector.events()[1];
    expect(spaPage?.properties).toMatchObject({ path: '/settings', title: 'Settings', referrer: `${location.origin}/` });
    expect(spaPage?.context?.page?.referrer).toBe(`${location.origin}/`);
  });

  it('keeps other code that patches history working, whether it patched before or after', async () => {
    const collector = fakeCollector();
    const calls: string[] = [];
    const patch = (label: string) => {
      const original = history.pushState;
      history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
        calls.push(label);
        return original.apply(this, args);
      };
    };
    patch('router before');
    startHark();
    patch('analytics after');

    history.pushState({ id: 7 }, '', '/projects/7');
    await elapse(500);

    expect(calls).toEqual(['analytics after', 'router before']);
    expect(location.pathname).toBe('/projects/7');
    expect(history.state).toEqual({ id: 7 });
    expect(pages(collector)).toEqual(['/', '/projects/7']);
  });

  it('can be turned off', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    history.pushState({}, '', '/elsewhere');
    hark.track('Clicked');
    await elapse(500);

    expect(collector.events().map((event) => event.type)).toEqual(['track']);
  });

  it('can be recorded by hand with a name and properties', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });

    expect(hark.page('Checkout', { step: 2 })).toEqual({ ok: true });
    await elapse(500);

    expect(collector.events()[0]).toMatchObject({ type: 'page', name: 'Checkout', properties: { step: 2, path: '/' } });
  });
});
