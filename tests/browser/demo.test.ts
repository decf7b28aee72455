import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserAvailable, eventually, launchChromium, root, snippet, startCollector, type RunningCollector } from './harness.js';

let browser: Browser;
let collector: RunningCollector;
let page: Page;

describe('the demo pages', () => {
  it('carry the README snippet, as a customer would paste it', () => {
    const pasted = snippet({ src: '/hark.js', writeKey: '{{WRITE_KEY}}' }).replace(/^<script>\n|\n<\/script>$/g, '');
    for (const file of ['index.html', 'app.html']) {
      expect(readFileSync(join(root, 'examples', 'demo', file), 'utf8'), file).toContain(pasted);
    }
  });
});

describe.skipIf(!browserAvailable)('the demo site, served by the collector', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    collector = await startCollector();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  it("records the anonymous marketing visit, then the logged-in app's identify, on one contact", async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${collector.url}/`);
    await page.click('#trial');
    await page.waitForFunction(() => document.getElementById('last')?.textContent?.includes('Trial Started'));
    await page.click('#login');
    await page.waitForURL('**/demo/app.html');
    await page.click('#create');
    await page.click('[data-view="settings"]');
    await page.waitForURL('**/demo/app.html?view=settings');
    await page.waitForFunction(() => document.querySelectorAll('#log li').length >= 5);

    const items = await eventually(async () => {
      const activity = await collector.activity({ userId: 'user_42' });
      return activity.length >= 7 && activity;
    }, 15_000, "the demo's seven events on user_42");
    expect(items.map((item) => (item.type == 'page' ? `page ${new URL(String(item.properties.url)).pathname}${new URL(String(item.properties.url)).search}` : `${item.type} ${item.name ?? ''}`.trim()))).toEqual([
      'page /',
      'track Trial Started',
      'identify',
      'group',
      'page /demo/app.html',
      'track Project Created',
      'page /demo/app.html?view=settings',
    ]);
    expect(items.at(-1)?.properties.title).toBe('Acme Notes — Settings');
    expect(await collector.admin('/api/v1/people/lookup?userId=user_42')).toMatchObject({ email: 'ana@example.com', name: 'Ana' });
    expect(errors).toEqual([]);
  });
});
