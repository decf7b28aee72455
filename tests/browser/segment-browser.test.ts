import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserAvailable, eventually, htmlPage, launchChromium, root, startCollector, startSite, type RunningCollector, type Site } from './harness.js';

/**
 * Segment's browser library, unmodified: its own UMD build from node_modules, on a customer's
 * page (another origin than the collector), loaded the way Segment documents with only `cdnURL`
 * changed. It fetches its settings from the collector, then sends there; nothing else is
 * configured, and nothing may go anywhere else.
 */
const ANALYTICS_NEXT = join(root, 'node_modules', '@segment', 'analytics-next');
const VERSION = (JSON.parse(readFileSync(join(ANALYTICS_NEXT, 'package.json'), 'utf8')) as { version: string }).version;

interface Person {
  id: string;
  kind: string;
  email: string | null;
  name: string | null;
  userId: string | null;
  companies: { id: string; name: string | null }[];
}

let browser: Browser;
let collector: RunningCollector;
let site: Site;
let context: BrowserContext;
let page: Page;
/** Requests the page made to any origin but the site's and the collector's. */
let elsewhere: string[];
/** Answers from the collector to the page, as `METHOD /path status`. */
let answers: string[];

/** A page that loads analytics-next's UMD build and calls `AnalyticsBrowser.load` with these options. */
function segmentPage(path: string, loadOptions: unknown): string {
  return site.page(
    path,
    htmlPage(
      'Pricing',
      `<script src="/vendor/analytics-next/index.js"></script>
<script>window.ajs = AnalyticsNext.AnalyticsBrowser.load({ writeKey: ${JSON.stringify(collector.writeKey)}, cdnURL: ${JSON.stringify(collector.url)} }, ${JSON.stringify(loadOptions)});</script>`,
    ),
  );
}

/** What a site does with Segment: a page view and a click as a visitor, then login, then the company. */
function sendVisit(page: Page, userId: string): Promise<string> {
  return page.evaluate(async (userId) => {
    const ajs = (window as unknown as { ajs: SegmentBrowser }).ajs;
    await ajs.page();
    await ajs.track('Viewed Pricing', { plan: 'pro' });
    // Read before identify: the anonymous id the visit so far was sent with.
    const anonymousId = (await ajs.user()).anonymousId();
    await ajs.identify(userId, { email: `${userId}@example.com`, name: 'Ada Lovelace' });
    await ajs.group(`${userId}-co`, { name: 'Analytical Engines' });
    return anonymousId;
  }, userId);
}

/** The few calls of analytics-next's AnalyticsBrowser these tests use. */
interface SegmentBrowser {
  page(): Promise<unknown>;
  track(event: string, properties: object): Promise<unknown>;
  identify(userId: string, traits: object): Promise<unknown>;
  group(groupId: string, traits: object): Promise<unknown>;
  user(): Promise<{ anonymousId(): string }>;
}

/** The visit read back through the admin API: one person, the anonymous page and track merged into the user. */
async function expectVisitStored(userId: string, anonymousId: string, pageUrl: string) {
  const activity = await eventually(async () => {
    const items = await collector.activity({ userId });
    return items.length >= 4 && items;
  }, 15_000, `the four events of ${userId}`);
  expect(activity.map((item) => item.type)).toEqual(['page', 'track', 'identify', 'group']);
  // Sent before identify, with the anonymous id only, and read as the user's now.
  expect(activity.slice(0, 2).map((item) => [item.anonymousId, item.userId])).toEqual([
    [anonymousId, null],
    [anonymousId, null],
  ]);
  expect(activity[0]!.properties).toMatchObject({ url: pageUrl, path: new URL(pageUrl).pathname, title: 'Pricing' });
  expect(activity[1]).toMatchObject({ name: 'Viewed Pricing', properties: { plan: 'pro' } });
  expect(activity[2]).toMatchObject({ anonymousId, userId });

  const person = await collector.admin<Person>(`/api/v1/people/lookup?userId=${userId}`);
  expect(person).toMatchObject({ kind: 'user', userId, email: `${userId}@example.com`, name: 'Ada Lovelace', companies: [{ id: `${userId}-co`, name: 'Analytical Engines' }] });
  expect((await collector.admin<Person>(`/api/v1/people/lookup?anonymousId=${anonymousId}`))?.id).toBe(person!.id);
}

describe.skipIf(!browserAvailable)(`Segment's analytics-next ${VERSION} (its UMD build) on another origin`, () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    collector = await startCollector();
    site = await startSite();
    site.folder('/vendor/analytics-next/', join(ANALYTICS_NEXT, 'dist', 'umd'));
    context = await browser.newContext();
    page = await context.newPage();
    elsewhere = [];
    answers = [];
    page.on('request', (request) => {
      const { origin } = new URL(request.url());
      if (origin != site.url && origin != collector.url && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin == collector.url) answers.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
    });
  });
  afterEach(async () => {
    await context?.close();
    await site?.close();
    await collector?.close();
  });

  it('loads its settings from the collector and sends page, track, identify and group one by one to the short paths', async () => {
    const url = segmentPage('/pricing', {});
    await page.goto(url);
    const anonymousId = await sendVisit(page, 'ada-standard');

    await expectVisitStored('ada-standard', anonymousId, url);
    const settings = `GET /v1/projects/${collector.writeKey}/settings 200`;
    await eventually(async () => ['/v1/p', '/v1/t', '/v1/i', '/v1/g'].every((path) => answers.includes(`POST ${path} 200`)), 5_000, 'the four answers');
    expect(answers.filter((answer) => answer.startsWith('POST'))).toEqual(['POST /v1/p 200', 'POST /v1/t 200', 'POST /v1/i 200', 'POST /v1/g 200']);
    expect(answers[0]).toBe(settings);
    // Its fetch sends Authorization, so each POST from another origin was pre-flighted, and allowed.
    expect(collector.seen).toContain('OPTIONS /v1/t');
    expect(elsewhere).toEqual([]);
  });

  it('with deliveryStrategy batching, sends the same visit as one batch to /v1/b', async () => {
    const url = segmentPage('/pricing', {
      integrations: { 'Segment.io': { deliveryStrategy: { strategy: 'batching', config: { size: 4, timeout: 60_000 } } } },
    });
    await page.goto(url);
    const batch = page.waitForResponse((response) => response.url() == `${collector.url}/v1/b`);
    const anonymousId = await sendVisit(page, 'ada-batching');
    expect((await batch).status()).toBe(200);

    await expectVisitStored('ada-batching', anonymousId, url);
    expect(answers.filter((answer) => answer.startsWith('POST'))).toEqual(['POST /v1/b 200']);
    expect(elsewhere).toEqual([]);
  });

  it('with batching, what is still buffered when the visitor leaves goes out by keepalive fetch, and arrives', async () => {
    const url = segmentPage('/pricing', {
      // Neither the size nor the timeout is reached: only leaving the page sends the batch.
      integrations: { 'Segment.io': { deliveryStrategy: { strategy: 'batching', config: { size: 50, timeout: 600_000 } } } },
    });
    await page.goto(url);
    const anonymousId = await sendVisit(page, 'ada-leaving');
    expect(collector.seen.filter((line) => line.startsWith('POST'))).toEqual([]);

    await page.goto(site.page('/elsewhere', htmlPage('Elsewhere', '')));

    await expectVisitStored('ada-leaving', anonymousId, url);
    expect(collector.seen.filter((line) => line.startsWith('POST'))).toEqual(['POST /v1/b']);
    expect(elsewhere).toEqual([]);
  });
});
