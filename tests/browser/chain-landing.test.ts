import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signChainToken } from '../../packages/collector/src/chain/chain-token.js';
import { browserAvailable, eventually, htmlPage, launchChromium, snippet, startCollector, startSite, type RunningCollector, type Site } from './harness.js';

/**
 * An email link's landing in real Chromium (issue 12): the page opens with `?hk_chain=<token>`,
 * the App strips it from the address bar and sends it with that page's events; the collector
 * verifies it, so the visit and what followed chain to the email, and the next page does not.
 */
let browser: Browser;
let collector: RunningCollector;
let site: Site;

describe.skipIf(!browserAvailable)('landing from an email link', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    collector = await startCollector();
    site = await startSite();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await collector?.close();
  });

  it('chains the landing page view and its events to the email, strips the token, and stops at the next page', async () => {
    const sent = await fetch(`${collector.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: collector.writeKey, messageId: 'email-sent-1', userId: 'ana', event: 'Email Sent' }),
    });
    expect(sent.status).toBe(200);
    const token = signChainToken(collector.linkSecret, { rootId: 'email-sent-1', parentId: 'email-sent-1', personId: null });
    const head = snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey });
    const landing = site.page('/tutorial', htmlPage('Tutorial', head, `<button id="go" onclick="hark('track','Tutorial Started')">Start</button><a id="next" href="/next">Next</a>`));
    site.page('/next', htmlPage('Next', head));
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${landing}?utm_source=email&hk_chain=${token}`);
    await page.waitForFunction(() => !location.search.includes('hk_chain'));
    expect(new URL(page.url()).search).toBe('?utm_source=email');
    await page.click('#go');
    await page.click('#next');
    await page.waitForURL(/\/next$/);
    const anonymousId = await page.evaluate(() => localStorage.getItem('hark_aid')!);
    const items = await eventually(async () => {
      const all = await collector.activity({ anonymousId });
      return all.length >= 3 ? all : null;
    });
    const landingView = items.find((item) => item.type === 'page' && (item.properties as { path?: string }).path === '/tutorial')!;
    const started = items.find((item) => item.name === 'Tutorial Started')!;
    const next = items.find((item) => item.type === 'page' && (item.properties as { path?: string }).path === '/next')!;
    expect([landingView.parentId, landingView.rootId]).toEqual(['email-sent-1', 'email-sent-1']);
    expect([started.parentId, started.rootId]).toEqual(['email-sent-1', 'email-sent-1']);
    expect([next.parentId, next.rootId]).toEqual([null, null]);
    expect(JSON.stringify(items)).not.toContain(token);
    await context.close();
  });
});
