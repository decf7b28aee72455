import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  browserAvailable,
  eventually,
  htmlPage,
  launchChromium,
  snippet,
  startCollector,
  startSite,
  type RunningCollector,
  type Site,
} from './harness.js';

/**
 * Each page the tests build keeps the messageId of every event the App recorded on it, in the
 * site's localStorage, so a test can compare what the browser recorded with what the collector holds.
 */
const RECORD_IDS = `<script>hark('on','event',function(e){var k='recorded',l=JSON.parse(localStorage.getItem(k)||'[]');l.push(e.messageId);localStorage.setItem(k,JSON.stringify(l))})</script>`;

let browser: Browser;
let collector: RunningCollector;
let site: Site;
let context: BrowserContext;
let page: Page;
/** Every event the browser sent, in order, read from the requests it made. */
let sent: { type: string; event?: string; messageId: string }[];
/** Requests to the collector that failed (it was down). */
let failed: number;

describe.skipIf(!browserAvailable)('the App in Chromium, against a real collector', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    collector = await startCollector();
    site = await startSite();
    context = await browser.newContext();
    page = await context.newPage();
    sent = [];
    failed = 0;
    page.on('request', (request) => {
      if (!request.url().endsWith('/v1/batch')) return;
      const body = JSON.parse(request.postData() ?? '{"batch":[]}') as { batch: typeof sent };
      sent.push(...body.batch);
    });
    page.on('requestfailed', (request) => {
      if (request.url().endsWith('/v1/batch')) failed++;
    });
  });
  afterEach(async () => {
    await context?.close();
    await site?.close();
    await collector?.close();
  });

  const recorded = async (): Promise<string[]> => page.evaluate(() => JSON.parse(localStorage.getItem('recorded') ?? '[]'));
  const anonymousId = async (): Promise<string> => page.evaluate(() => localStorage.getItem('hark_aid')!);

  it('a plain page with the README snippet: calls made before hark.js loads arrive in order', async () => {
    const url = site.page(
      '/landing',
      htmlPage(
        'Landing',
        // The calls share the snippet's <script>, so they surely run before hark.js can.
        snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey }).replace(
          '</script>',
          `hark('track', 'Queued First', { n: 1 });
hark('track', 'Queued Second', { n: 2 });
hark('identify', 'user_early', { email: 'early@example.com' });
</script>`,
        ),
      ),
    );

    await page.goto(url);
    const items = await eventually(async () => {
      const activity = await collector.activity({ userId: 'user_early' });
      return activity.length >= 4 && activity;
    }, 15_000, 'four events on user_early');

    expect(sent.map((event) => event.event ?? event.type)).toEqual(['Queued First', 'Queued Second', 'identify', 'page']);
    expect(items.map((item) => item.messageId).sort()).toEqual(sent.map((event) => event.messageId).sort());
    expect(items.find((item) => item.type == 'track' && item.name == 'Queued First')?.properties).toEqual({ n: 1 });
    // text/plain, so the browser asked no pre-flight question of the collector.
    expect(collector.seen).toContain('POST /v1/batch');
    expect(collector.seen.filter((request) => request.startsWith('OPTIONS'))).toEqual([]);
    const [cookie] = (await context.cookies(site.url)).filter((c) => c.name == 'hark_aid');
    expect(cookie?.value).toBe(await anonymousId());
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie!.expires * 1000 - Date.now()).toBeGreaterThan(364 * 86_400_000);
  });

  it('browsing anonymously, then identifying, puts the whole history on the contact', async () => {
    const head = `${snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey })}${RECORD_IDS}`;
    const home = site.page(
      '/',
      htmlPage('Home', head, `<button id="demo" onclick="hark('track','Watched Demo')">Watch the demo</button><a id="pricing" href="/pricing">Pricing</a>`),
    );
    site.page('/pricing', htmlPage('Pricing', head, `<a id="signup" href="/signup">Sign up</a>`));
    site.page(
      '/signup',
      htmlPage(
        'Sign up',
        head,
        `<button id="create" onclick="hark('identify','user_42',{email:'ana@example.com',name:'Ana'});hark('track','Signed Up')">Create account</button>`,
      ),
    );

    await page.goto(home);
    await page.click('#demo');
    await page.click('#pricing');
    await page.waitForURL('**/pricing');
    await page.click('#signup');
    await page.waitForURL('**/signup');
    await page.click('#create');
    const ids = await eventually(async () => {
      const ids = await recorded();
      return ids.length == 6 && ids;
    }, 10_000, 'six events recorded');

    const items = await eventually(async () => {
      const activity = await collector.activity({ userId: 'user_42' });
      return activity.length >= ids.length && activity;
    }, 15_000, 'the whole history on user_42');
    expect(items.map((item) => item.messageId).sort()).toEqual([...ids].sort());
    expect(items.map((item) => `${item.type}:${item.type == 'page' ? new URL(String(item.properties.url)).pathname : item.name ?? ''}`)).toEqual([
      'page:/',
      'track:Watched Demo',
      'page:/pricing',
      'page:/signup',
      'identify:',
      'track:Signed Up',
    ]);
    expect(new Set(items.map((item) => item.anonymousId))).toEqual(new Set([await anonymousId()]));
    const person = await collector.admin<{ kind: string; email: string }>('/api/v1/people/lookup?userId=user_42');
    expect(person).toMatchObject({ kind: 'user', email: 'ana@example.com' });
  });

  it('the collector going down while the visitor browses loses nothing and stores nothing twice', async () => {
    // hark.js from the site itself (the README's CDN variant): with the collector down, pages still load it.
    const head = `${snippet({ src: `${site.url}/hark.js`, writeKey: collector.writeKey, apiHost: collector.url })}${RECORD_IDS}`;
    const body = (next: string) => `<button id="act" onclick="hark('track','Clicked',{on:location.pathname})">Act</button><a id="next" href="${next}">Next</a>`;
    const first = site.page('/a', htmlPage('A', head, body('/b')));
    site.page('/b', htmlPage('B', head, body('/c')));
    site.page('/c', htmlPage('C', head, body('/d')));
    site.page('/d', htmlPage('D', head, body('/a')));

    await page.goto(first);
    const visitor = await anonymousId();
    await eventually(async () => (await collector.activity({ anonymousId: visitor })).length == 1, 10_000, 'the first page view');

    await collector.stop();
    for (const next of ['/b', '/c']) {
      await page.click('#act');
      await page.click('#next');
      await page.waitForURL(`**${next}`);
      await page.click('#act');
    }
    expect(failed).toBeGreaterThan(0);
    await collector.start();
    await page.click('#next');
    await page.waitForURL('**/d');
    await page.click('#act');

    const ids = await recorded();
    // Four page views (/a to /d) and five clicks: one on /a, two on /b, one on /c and /d each.
    expect(ids).toHaveLength(9);
    const items = await eventually(async () => {
      const activity = await collector.activity({ anonymousId: visitor });
      return activity.length >= ids.length && activity;
    }, 30_000, `all ${ids.length} events after the restart`);
    expect(items.map((item) => item.messageId).sort()).toEqual([...ids].sort());
    // Exactly once, though the browser sent most of them more than once.
    expect(sent.length).toBeGreaterThan(ids.length);
    expect(new Set(items.map((item) => item.messageId)).size).toBe(items.length);
    expect(items.filter((item) => item.type == 'track').map((item) => item.properties.on)).toEqual(['/a', '/b', '/b', '/c', '/d']);
  });

  it('leaving the page mid-batch still delivers the batch, by beacon', async () => {
    const url = site.page(
      '/shop',
      htmlPage(
        'Shop',
        `${snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey })}${RECORD_IDS}`,
        `<button id="buy" onclick="for(var i=1;i<=5;i++)hark('track','Added Item',{i:i});hark('track','Clicked Checkout');location.href='about:blank'">Buy</button>`,
      ),
    );

    await page.goto(url);
    const visitor = await anonymousId();
    await eventually(async () => (await collector.activity({ anonymousId: visitor })).length == 1, 10_000, 'the page view');
    await page.click('#buy');
    await page.waitForURL('about:blank');

    const items = await eventually(async () => {
      const activity = await collector.activity({ anonymousId: visitor });
      return activity.length >= 7 && activity;
    }, 15_000, 'the six events made just before leaving');
    // Made within a millisecond or two, their order on the timeline is not what this test is about.
    expect(items.filter((item) => item.type == 'track').map((item) => item.properties.i ?? item.name).sort()).toEqual([1, 2, 3, 4, 5, 'Clicked Checkout'].sort());
    // They were waiting for the next batch when the page went; Chromium fires pagehide before
    // the page turns hidden, so the beacon is what carried them.
    expect(collector.seen).toContain('POST /v1/batch (beacon)');
  });

  it('leaving while a request is in flight delivers every event exactly once', async () => {
    const url = site.page(
      '/cart',
      htmlPage(
        'Cart',
        `${snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey })}${RECORD_IDS}`,
        `<button id="fill" onclick="for(var i=1;i<=25;i++)hark('track','Added Item',{i:i});location.href='about:blank'">Fill</button>`,
      ),
    );

    await page.goto(url);
    const visitor = await anonymousId();
    await eventually(async () => (await collector.activity({ anonymousId: visitor })).length == 1, 10_000, 'the page view');
    const before = await recorded();
    await page.click('#fill');
    await page.waitForURL('about:blank');

    const items = await eventually(async () => {
      const activity = await collector.activity({ anonymousId: visitor });
      return activity.length >= 26 && activity;
    }, 15_000, 'the 25 events made just before leaving');
    expect(items.filter((item) => item.type == 'track').map((item) => item.properties.i as number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(items.map((item) => item.messageId)).toEqual(expect.arrayContaining(before));
    expect(new Set(items.map((item) => item.messageId)).size).toBe(items.length);
  });

  it('closing the tab right after a click still delivers it', async () => {
    const url = site.page(
      '/article',
      htmlPage(
        'Article',
        snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey }),
        `<button id="like" onclick="hark('track','Liked Article')">Like</button>`,
      ),
    );

    await page.goto(url);
    const visitor = await anonymousId();
    await eventually(async () => (await collector.activity({ anonymousId: visitor })).length == 1, 10_000, 'the page view');
    await page.click('#like');
    await page.close({ runBeforeUnload: true });

    const items = await eventually(async () => {
      const activity = await collector.activity({ anonymousId: visitor });
      return activity.length >= 2 && activity;
    }, 15_000, 'the click made just before the tab closed');
    expect(items.map((item) => item.name)).toEqual([null, 'Liked Article']);
  });
});
